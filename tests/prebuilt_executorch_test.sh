#!/bin/sh
# The library the way cmake/build_xcframework.sh configures it for ExecuTorch's Apple frameworks,
# minus the iOS SDK: ExecuTorch's headers alone (EDGETAM_EXECUTORCH_HEADER_DIRS, no
# edgetam-executorch package), no libtorch, tests, examples or Python; its edgetam.pc must name no
# ExecuTorch library. Then an "app" links libedgetam.a and ExecuTorch itself, the self-registering
# libraries whole (as an iOS app force-loads the frameworks; the flags are those the build's own
# edgetam.pc gives), and tracks with a .pte bundle.
#   sh tests/prebuilt_executorch_test.sh SOURCE_DIR BUILD_DIR HEADER_DIRS BUNDLE
set -eu
src=$1
build=$2
header_dirs=$3
bundle=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DEDGETAM_BUILD_TESTS=OFF -DEDGETAM_BUILD_EXAMPLES=OFF -DEDGETAM_WITH_LIBTORCH=OFF \
    -DEDGETAM_WITH_EXECUTORCH=ON "-DEDGETAM_EXECUTORCH_HEADER_DIRS=$header_dirs" >/dev/null
cmake --build "$work/build" -j 2 >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null
lib=$(find "$work/prefix" -name libedgetam.a)
if grep -q -e executorch -e whole-archive "$(find "$work/prefix" -name edgetam.pc)"; then
    echo "edgetam.pc names ExecuTorch although the application links it" >&2
    exit 1
fi
# what the build's edgetam.pc adds to -ledgetam (in Libs for a static build, else Libs.private)
# shellcheck disable=SC2016 # ${libdir} is the .pc file's own variable, matched literally
executorch_libs=$(sed -n -e 's/^Libs: -L${libdir} -ledgetam//p' -e 's/^Libs.private: //p' \
    "$build/edgetam.pc" | tr '\n' ' ')
# shellcheck disable=SC2086 # the flags are words
cc -std=c99 -I"$work/prefix/include" -o "$work/app" "$src/examples/minimal.c" "$lib" $executorch_libs
"$work/app" "$bundle"
echo "library built against ExecuTorch's headers alone, linked by the app with ExecuTorch, tracked"
