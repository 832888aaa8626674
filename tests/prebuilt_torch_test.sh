#!/bin/sh
# The library the way cmake/build_xcframework.sh configures it for iOS, minus the iOS SDK: only
# the headers of a prebuilt libtorch (EDGETAM_TORCH_INCLUDE_DIR, no find_package(Torch)), the
# LibTorch-Lite variant (EDGETAM_TORCH_LITE), no tests, examples or Python. Then an "app" links
# libedgetam.a and libtorch itself (as an iOS app links the pod) and tracks with a lite bundle.
#   sh tests/prebuilt_torch_test.sh SOURCE_DIR TORCH_INCLUDE_DIR TORCH_LIB_DIR LITE_BUNDLE
set -eu
src=$1
torch_include=$2
torch_lib=$3
bundle=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DEDGETAM_BUILD_TESTS=OFF -DEDGETAM_BUILD_EXAMPLES=OFF \
    -DEDGETAM_TORCH_INCLUDE_DIR="$torch_include" -DEDGETAM_TORCH_LITE=ON >/dev/null
cmake --build "$work/build" -j 2 >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null
lib=$(find "$work/prefix" -name libedgetam.a)
if grep -q -- '-ltorch' "$(find "$work/prefix" -name edgetam.pc)"; then
    echo "edgetam.pc names torch although the application links it" >&2
    exit 1
fi
cc -std=c99 -I"$work/prefix/include" -o "$work/app" "$src/examples/minimal.c" "$lib" \
    -L"$torch_lib" -ltorch -ltorch_cpu -lc10 -lstdc++ -lm -lpthread
"$work/app" "$bundle"
echo "library built against prebuilt torch headers (lite only), linked by the app, tracked"
