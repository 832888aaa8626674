#!/bin/sh
# cmake/build_xcframework.sh cannot run without a Mac: check it with shellcheck, check that its dry
# runs (libtorch pods, ExecuTorch frameworks) print the commands an iOS build needs, each with its
# own runtime's options only, that bad arguments are refused, and that the module map names the
# headers it ships.
# Usage: xcframework_script_test.sh SOURCE_DIR
set -eu
src="$1"
script="$src/cmake/build_xcframework.sh"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

shellcheck "$script"

expect() { # file pattern
    if ! grep -qF -- "$2" "$1"; then
        echo "dry run lacks: $2" >&2
        cat "$1" >&2
        exit 1
    fi
}

lacks() { # file pattern
    if grep -qF -- "$2" "$1"; then
        echo "dry run has: $2" >&2
        cat "$1" >&2
        exit 1
    fi
}

# What every variant prints: two slices built, configured, installed; the headers; the XCFramework.
common() { # file
    for sdk in iphoneos iphonesimulator; do
        expect "$1" "+ cmake -S $src -B /tmp/xcf/$sdk -G Xcode -DCMAKE_SYSTEM_NAME=iOS -DCMAKE_OSX_SYSROOT=$sdk"
        expect "$1" "+ cmake --build /tmp/xcf/$sdk --config Release"
        expect "$1" "+ cmake --install /tmp/xcf/$sdk --config Release --prefix /tmp/xcf/$sdk/install"
    done
    expect "$1" "-DCMAKE_OSX_SYSROOT=iphoneos -DCMAKE_OSX_ARCHITECTURES=arm64 "
    expect "$1" "-DCMAKE_OSX_DEPLOYMENT_TARGET=15.0"
    expect "$1" "-DEDGETAM_BUILD_TESTS=OFF -DEDGETAM_BUILD_EXAMPLES=OFF"
    expect "$1" "+ cp $src/include/edgetam.h $src/include/edgetam_apple.h $src/cmake/apple/module.modulemap /tmp/xcf/headers/edgetam/"
    expect "$1" "+ xcodebuild -create-xcframework -library /tmp/xcf/iphoneos/install/lib/libedgetam.a -headers /tmp/xcf/headers -library /tmp/xcf/iphonesimulator/install/lib/libedgetam.a -headers /tmp/xcf/headers -output /tmp/xcf/edgetam.xcframework"
}

for torch in lite full; do
    bash "$script" --pods /Apps/Demo/Pods --torch "$torch" --out /tmp/xcf --dry-run >"$out/$torch.txt"
    f="$out/$torch.txt"
    if [ "$torch" = lite ]; then pod=LibTorch-Lite lite=ON; else pod=LibTorch lite=OFF; fi
    common "$f"
    expect "$f" "-DCMAKE_OSX_SYSROOT=iphonesimulator -DCMAKE_OSX_ARCHITECTURES=arm64\;x86_64 "
    expect "$f" "-DEDGETAM_TORCH_INCLUDE_DIR=/Apps/Demo/Pods/$pod/install/include -DEDGETAM_TORCH_LITE=$lite"
    lacks "$f" "EXECUTORCH"
    lacks "$f" "flatc"
    # two slices, each built once: nothing else runs
    [ "$(grep -c '^+ ' "$f")" -eq 10 ] || { echo "expected 10 commands" >&2; cat "$f" >&2; exit 1; }
done
# libtorch is the default runtime: the same commands without --runtime
bash "$script" --runtime libtorch --pods /Apps/Demo/Pods --out /tmp/xcf --dry-run >"$out/named.txt"
cmp -s "$out/named.txt" "$out/lite.txt" || { echo "--runtime libtorch differs from the default" >&2; exit 1; }

# ExecuTorch: the frameworks' headers per slice, then those the frameworks leave out (from the
# source tree, and the program schema that flatc writes first); no libtorch option, no x86_64
# simulator slice (ExecuTorch's has none).
f="$out/executorch.txt"
et=/Apps/ExecuTorch/cmake-out
et_src=/src/executorch
bash "$script" --runtime executorch --executorch "$et" --executorch-src "$et_src" --flatc /opt/flatc \
    --out /tmp/xcf --dry-run >"$f"
common "$f"
expect "$f" "+ /opt/flatc --cpp --cpp-std c++11 --gen-mutable --scoped-enums -o /tmp/xcf/executorch-schema/executorch/schema $et_src/schema/program.fbs $et_src/schema/scalar_type.fbs"
expect "$f" "-DCMAKE_OSX_SYSROOT=iphonesimulator -DCMAKE_OSX_ARCHITECTURES=arm64 "
from_sources="\\;/tmp/xcf/executorch-schema\\;/src\\;$et_src/third-party/flatbuffers/include\\;$et_src/backends/xnnpack/third-party/pthreadpool/include"
for slice in ios-arm64 ios-arm64-simulator; do
    expect "$f" "-DEDGETAM_WITH_LIBTORCH=OFF -DEDGETAM_WITH_EXECUTORCH=ON -DEDGETAM_EXECUTORCH_HEADER_DIRS=$et/executorch.xcframework/$slice/Headers$from_sources"
done
lacks "$f" "TORCH_INCLUDE_DIR"
lacks "$f" "TORCH_LITE"
lacks "$f" "x86_64"
# the schema, then two slices
[ "$(grep -c '^+ ' "$f")" -eq 11 ] || { echo "expected 11 commands" >&2; cat "$f" >&2; exit 1; }
# relative folders become absolute (CMake would take include folders relative to shim/executorch/)
(cd /tmp && bash "$script" --runtime executorch --executorch cmake-out --executorch-src src/executorch \
    --out xcf --dry-run) >"$out/relative.txt"
expect "$out/relative.txt" "+ flatc --cpp --cpp-std c++11 --gen-mutable --scoped-enums -o /tmp/xcf/executorch-schema/executorch/schema /tmp/src/executorch/schema/program.fbs"
expect "$out/relative.txt" "-DEDGETAM_EXECUTORCH_HEADER_DIRS=/tmp/cmake-out/executorch.xcframework/ios-arm64/Headers\\;/tmp/xcf/executorch-schema\\;/tmp/src\\;"

refused() { # expected-status args...
    want="$1"
    shift
    set +e
    bash "$script" "$@" >"$out/refused.txt" 2>&1
    got=$?
    set -e
    [ "$got" -eq "$want" ] || { echo "'$*' exited $got, expected $want" >&2; cat "$out/refused.txt" >&2; exit 1; }
}
refused 2 --dry-run                        # no --pods
refused 2 --pods /p --torch half --dry-run # unknown pod kind
refused 2 --pods /p --frobnicate           # unknown argument
refused 2 --runtime coreml --pods /p --dry-run
refused 2 --runtime executorch --dry-run                          # no --executorch
refused 2 --runtime executorch --executorch-src /s/executorch --dry-run
refused 2 --runtime executorch --executorch /f --dry-run          # no --executorch-src
refused 2 --runtime executorch --executorch /f --executorch-src /s/et-0.5 --dry-run # not <executorch/...>
refused 2 --runtime executorch --executorch /f --executorch-src /s/executorch --pods /p --dry-run
refused 2 --runtime executorch --executorch /f --executorch-src /s/executorch --torch full --dry-run
refused 2 --pods /p --executorch /f --dry-run                     # ExecuTorch's options, libtorch
refused 2 --pods /p --flatc /opt/flatc --dry-run
refused 1 --pods "$out/no-such-pods"       # a real run here: not macOS / no pod headers
if grep -q '^+ ' "$out/refused.txt"; then echo "a refused run ran commands" >&2; exit 1; fi
refused 1 --runtime executorch --executorch "$out/none" --executorch-src "$out/executorch" # not macOS / no frameworks
if grep -q '^+ ' "$out/refused.txt"; then echo "a refused run ran commands" >&2; exit 1; fi

# the module map names exactly the headers that are shipped
for h in $(sed -n 's/^ *header "\(.*\)"$/\1/p' "$src/cmake/apple/module.modulemap"); do
    [ -f "$src/include/$h" ] || { echo "module.modulemap names missing header $h" >&2; exit 1; }
done
[ "$(grep -c '^ *header ' "$src/cmake/apple/module.modulemap")" -eq 2 ]
echo "build_xcframework.sh: shellcheck clean, dry runs (libtorch lite, full; ExecuTorch) as expected, bad arguments refused"
