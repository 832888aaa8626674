#!/usr/bin/env bash
# Builds edgetam.xcframework for iOS: a device slice (arm64) and a simulator slice, each the
# static libedgetam.a, with the C headers and a module map so that Swift can `import edgetam`.
# Runs on a Mac with Xcode and CMake >= 3.21. libedgetam.a holds no model runtime: the app links
# the one this build compiled against. Pick it with --runtime:
#   executorch  ExecuTorch v0.5.0, *.pte bundles (recommended). --executorch: the folder holding
#               ExecuTorch's Apple frameworks (executorch.xcframework, backend_xnnpack.xcframework,
#               ...: cmake-out/ of its build/build_apple_frameworks.sh). --executorch-src: the
#               v0.5.0 source tree (with its submodules) for the headers those frameworks do not
#               ship; --flatc: a flatc of that tree's third-party/flatbuffers version (its
#               build/install_flatc.sh builds one). Simulator slice: arm64 only, as ExecuTorch's.
#   libtorch    (default, legacy) a LibTorch CocoaPod, TorchScript bundles. --pods: the app's Pods
#               folder; --torch lite (LibTorch-Lite, *.ptl bundles) or full (LibTorch, the full
#               JIT: both kinds). Simulator slice: arm64 + x86_64.
#
#   cmake/build_xcframework.sh --runtime executorch --executorch DIR --executorch-src SRC
#                              [--flatc FILE] [--out build-apple] [--deployment-target 15.0] [--dry-run]
#   cmake/build_xcframework.sh [--runtime libtorch] --pods ~/MyApp/Pods [--torch lite|full]
#                              [--out build-apple] [--deployment-target 15.0] [--dry-run]
#
# --dry-run prints every command instead of running it (works anywhere, no Mac needed).
# Then, in Xcode: README.md, "iOS".
set -euo pipefail

runtime=libtorch
torch=""
pods=""
executorch=""
executorch_src=""
flatc=flatc
out=build-apple
deployment_target=15.0 # CVBufferCopyAttachment needs iOS 15
dry_run=0

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
    --runtime) runtime="${2:?--runtime needs executorch or libtorch}"; shift 2 ;;
    --torch) torch="${2:?--torch needs lite or full}"; shift 2 ;;
    --pods) pods="${2:?--pods needs a folder}"; shift 2 ;;
    --executorch) executorch="${2:?--executorch needs a folder}"; shift 2 ;;
    --executorch-src) executorch_src="${2:?--executorch-src needs a folder}"; shift 2 ;;
    --flatc) flatc="${2:?--flatc needs a program}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --deployment-target) deployment_target="${2:?--deployment-target needs a version}"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
    esac
done

source_dir="$(cd "$(dirname "$0")/.." && pwd)"
# CMake takes include folders relative to the folder of the CMakeLists.txt using them.
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

# Prints a command, then runs it unless this is a dry run.
run() {
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    if [ "$dry_run" = 0 ]; then "$@"; fi
}

case "$runtime" in
executorch)
    if [ -n "$pods$torch" ]; then
        echo "--pods and --torch are for --runtime libtorch" >&2
        exit 2
    fi
    if [ -z "$executorch" ] || [ -z "$executorch_src" ]; then
        echo "--runtime executorch needs --executorch (the folder of ExecuTorch's Apple" \
            "frameworks) and --executorch-src (the ExecuTorch v0.5.0 source tree)" >&2
        exit 2
    fi
    # Included as <executorch/...>: the tree's parent goes on the include path.
    if [ "$(basename "$executorch_src")" != executorch ]; then
        echo "--executorch-src must be a folder named executorch, not '$executorch_src'" >&2
        exit 2
    fi
    executorch=$(absolute "$executorch")
    executorch_src=$(absolute "$executorch_src")
    flatbuffers_include="$executorch_src/third-party/flatbuffers/include"
    pthreadpool_include="$executorch_src/backends/xnnpack/third-party/pthreadpool/include"
    schema_include="$(absolute "$out")/executorch-schema"
    simulator_archs=arm64 # ExecuTorch's simulator slice has no x86_64 to link against
    ;;
libtorch)
    if [ -n "$executorch$executorch_src" ] || [ "$flatc" != flatc ]; then
        echo "--executorch, --executorch-src and --flatc are for --runtime executorch" >&2
        exit 2
    fi
    case "${torch:=lite}" in
    lite) pod=LibTorch-Lite; lite_flag=ON ;;
    full) pod=LibTorch; lite_flag=OFF ;;
    *) echo "--torch must be lite or full, not '$torch'" >&2; exit 2 ;;
    esac
    if [ -z "$pods" ]; then
        echo "--pods is required: the Pods folder of an app whose Podfile has pod '$pod'" >&2
        exit 2
    fi
    torch_include="$pods/$pod/install/include" # the pod's header_mappings_dir
    simulator_archs="arm64;x86_64"
    ;;
*) echo "--runtime must be executorch or libtorch, not '$runtime'" >&2; exit 2 ;;
esac

if [ "$dry_run" = 0 ]; then
    [ "$(uname -s)" = Darwin ] || { echo "needs macOS with Xcode (use --dry-run elsewhere)" >&2; exit 1; }
    if [ "$runtime" = libtorch ]; then
        [ -f "$torch_include/torch/script.h" ] ||
            { echo "no $torch_include/torch/script.h: run 'pod install' with pod '$pod' first" >&2; exit 1; }
    else
        for slice in ios-arm64 ios-arm64-simulator; do
            for framework in executorch backend_xnnpack; do
                [ -d "$executorch/$framework.xcframework/$slice" ] ||
                    { echo "no $executorch/$framework.xcframework/$slice (ExecuTorch's Apple frameworks)" >&2; exit 1; }
            done
        done
        case "$(cat "$executorch_src/version.txt" 2>/dev/null)" in
        0.5.0*) ;;
        *) echo "$executorch_src is not ExecuTorch v0.5.0 (version.txt), the release of the .pte bundles" >&2; exit 1 ;;
        esac
        for header in "$flatbuffers_include/flatbuffers/base.h" "$pthreadpool_include/pthreadpool.h"; do
            [ -f "$header" ] || { echo "no $header: check out $executorch_src's submodules" >&2; exit 1; }
        done
        # The schema header flatc writes compiles only with the flatbuffers headers of its version.
        wanted=$(awk '/^#define FLATBUFFERS_VERSION_(MAJOR|MINOR|REVISION) /{v = v (v == "" ? "" : ".") $3} END{print v}' \
            "$flatbuffers_include/flatbuffers/base.h")
        case "$("$flatc" --version 2>/dev/null)" in
        *" $wanted") ;;
        *) echo "'$flatc' is not flatc $wanted, the version of $flatbuffers_include" \
            "(ExecuTorch's build/install_flatc.sh builds it): pass it with --flatc" >&2; exit 1 ;;
        esac
    fi
fi

# ExecuTorch's program schema, as its schema/CMakeLists.txt generates it: the frameworks hold the
# runtime's copy compiled in, not the header that the loader's own program check reads.
if [ "$runtime" = executorch ]; then
    run "$flatc" --cpp --cpp-std c++11 --gen-mutable --scoped-enums -o "$schema_include/executorch/schema" \
        "$executorch_src/schema/program.fbs" "$executorch_src/schema/scalar_type.fbs"
fi

# One CMake build per SDK. Tests, examples and the stand-in bundle need a host runtime and
# Python: not built here. The runtime's headers: the pod's; or the slice's ExecuTorch framework
# headers, then from the sources what the frameworks leave out (the data loader, malloc allocator
# and thread pool extensions, the program schema, flatbuffers, pthreadpool.h).
build_slice() { # sdk architectures executorch-framework-slice
    local sdk="$1" archs="$2" dir="$out/$1" runtime_options
    if [ "$runtime" = executorch ]; then
        runtime_options=(-DEDGETAM_WITH_LIBTORCH=OFF -DEDGETAM_WITH_EXECUTORCH=ON
            "-DEDGETAM_EXECUTORCH_HEADER_DIRS=$executorch/executorch.xcframework/$3/Headers;$schema_include;$(dirname "$executorch_src");$flatbuffers_include;$pthreadpool_include")
    else
        runtime_options=("-DEDGETAM_TORCH_INCLUDE_DIR=$torch_include" -DEDGETAM_TORCH_LITE="$lite_flag")
    fi
    run cmake -S "$source_dir" -B "$dir" -G Xcode \
        -DCMAKE_SYSTEM_NAME=iOS \
        -DCMAKE_OSX_SYSROOT="$sdk" \
        -DCMAKE_OSX_ARCHITECTURES="$archs" \
        -DCMAKE_OSX_DEPLOYMENT_TARGET="$deployment_target" \
        -DCMAKE_XCODE_ATTRIBUTE_ONLY_ACTIVE_ARCH=NO \
        -DBUILD_SHARED_LIBS=OFF \
        -DEDGETAM_BUILD_TESTS=OFF \
        -DEDGETAM_BUILD_EXAMPLES=OFF \
        "${runtime_options[@]}"
    run cmake --build "$dir" --config Release
    run cmake --install "$dir" --config Release --prefix "$dir/install"
}

build_slice iphoneos arm64 ios-arm64
build_slice iphonesimulator "$simulator_archs" ios-arm64-simulator

# Headers/edgetam/: the C API and the module map, nothing of a runtime (Swift cannot import C++).
headers="$out/headers/edgetam"
run rm -rf "$out/headers" "$out/edgetam.xcframework"
run mkdir -p "$headers"
run cp "$source_dir/include/edgetam.h" "$source_dir/include/edgetam_apple.h" \
    "$source_dir/cmake/apple/module.modulemap" "$headers/"

run xcodebuild -create-xcframework \
    -library "$out/iphoneos/install/lib/libedgetam.a" -headers "$out/headers" \
    -library "$out/iphonesimulator/install/lib/libedgetam.a" -headers "$out/headers" \
    -output "$out/edgetam.xcframework"
if [ "$runtime" = executorch ]; then
    echo "edgetam.xcframework (runtime: ExecuTorch, frameworks in $executorch) in $out/"
else
    echo "edgetam.xcframework (runtime: libtorch, pod $pod) in $out/"
fi
