#!/usr/bin/env bash
# Builds edgetam.xcframework for iOS: a device slice (arm64) and a simulator slice (arm64 +
# x86_64), each the static libedgetam.a, with the C headers and a module map so that Swift can
# `import edgetam`. Runs on a Mac with Xcode and CMake >= 3.21.
#
# libedgetam.a does not contain libtorch: the app links it from the CocoaPods pod it chose, and
# this build only needs that pod's headers. Pick the pod with --torch:
#   lite  LibTorch-Lite: lite interpreter only; export bundles with --lite (*.ptl). Smaller apps.
#   full  LibTorch: full TorchScript JIT; loads both bundle kinds.
#
#   cmake/build_xcframework.sh --pods ~/MyApp/Pods [--torch lite|full] [--out build-apple]
#                              [--deployment-target 15.0] [--dry-run]
#
# --dry-run prints every command instead of running it (works anywhere, no Mac needed).
# Then, in Xcode: README.md, "iOS".
set -euo pipefail

torch=lite
pods=""
out=build-apple
deployment_target=15.0 # CVBufferCopyAttachment needs iOS 15
dry_run=0

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
    --torch) torch="${2:?--torch needs lite or full}"; shift 2 ;;
    --pods) pods="${2:?--pods needs a folder}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --deployment-target) deployment_target="${2:?--deployment-target needs a version}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
    esac
done

case "$torch" in
lite) pod=LibTorch-Lite; lite_flag=ON ;;
full) pod=LibTorch; lite_flag=OFF ;;
*) echo "--torch must be lite or full, not '$torch'" >&2; exit 2 ;;
esac
if [ -z "$pods" ]; then
    echo "--pods is required: the Pods folder of an app whose Podfile has pod '$pod'" >&2
    exit 2
fi

source_dir="$(cd "$(dirname "$0")/.." && pwd)"
torch_include="$pods/$pod/install/include" # the pod's header_mappings_dir

# Prints a command, then runs it unless this is a dry run.
run() {
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    if [ "$dry_run" = 0 ]; then "$@"; fi
}

if [ "$dry_run" = 0 ]; then
    [ "$(uname -s)" = Darwin ] || { echo "needs macOS with Xcode (use --dry-run elsewhere)" >&2; exit 1; }
    [ -f "$torch_include/torch/script.h" ] ||
        { echo "no $torch_include/torch/script.h: run 'pod install' with pod '$pod' first" >&2; exit 1; }
fi

# One CMake build per SDK. Tests, examples and the stand-in bundle need a host libtorch and
# Python: not built here.
build_slice() { # sdk architectures
    local sdk="$1" archs="$2" dir="$out/$1"
    run cmake -S "$source_dir" -B "$dir" -G Xcode \
        -DCMAKE_SYSTEM_NAME=iOS \
        -DCMAKE_OSX_SYSROOT="$sdk" \
        -DCMAKE_OSX_ARCHITECTURES="$archs" \
        -DCMAKE_OSX_DEPLOYMENT_TARGET="$deployment_target" \
        -DCMAKE_XCODE_ATTRIBUTE_ONLY_ACTIVE_ARCH=NO \
        -DBUILD_SHARED_LIBS=OFF \
        -DEDGETAM_BUILD_TESTS=OFF \
        -DEDGETAM_BUILD_EXAMPLES=OFF \
        -DEDGETAM_TORCH_INCLUDE_DIR="$torch_include" \
        -DEDGETAM_TORCH_LITE="$lite_flag"
    run cmake --build "$dir" --config Release
    run cmake --install "$dir" --config Release --prefix "$dir/install"
}

build_slice iphoneos arm64
build_slice iphonesimulator "arm64;x86_64"

# Headers/edgetam/: the C API and the module map, nothing of torch (Swift cannot import C++).
headers="$out/headers/edgetam"
run rm -rf "$out/headers" "$out/edgetam.xcframework"
run mkdir -p "$headers"
run cp "$source_dir/include/edgetam.h" "$source_dir/include/edgetam_apple.h" \
    "$source_dir/cmake/apple/module.modulemap" "$headers/"

run xcodebuild -create-xcframework \
    -library "$out/iphoneos/install/lib/libedgetam.a" -headers "$out/headers" \
    -library "$out/iphonesimulator/install/lib/libedgetam.a" -headers "$out/headers" \
    -output "$out/edgetam.xcframework"
echo "edgetam.xcframework (torch: $pod) in $out/"
