#!/bin/sh
# cmake/build_xcframework.sh cannot run without a Mac: check it with shellcheck, check that its dry
# run prints the commands an iOS build needs, that bad arguments are refused, and that the module
# map names the headers it ships.
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

for torch in lite full; do
    bash "$script" --pods /Apps/Demo/Pods --torch "$torch" --out /tmp/xcf --dry-run >"$out/$torch.txt"
    f="$out/$torch.txt"
    if [ "$torch" = lite ]; then pod=LibTorch-Lite lite=ON; else pod=LibTorch lite=OFF; fi
    for sdk in iphoneos iphonesimulator; do
        expect "$f" "+ cmake -S $src -B /tmp/xcf/$sdk -G Xcode -DCMAKE_SYSTEM_NAME=iOS -DCMAKE_OSX_SYSROOT=$sdk"
        expect "$f" "+ cmake --build /tmp/xcf/$sdk --config Release"
        expect "$f" "+ cmake --install /tmp/xcf/$sdk --config Release --prefix /tmp/xcf/$sdk/install"
    done
    expect "$f" "-DCMAKE_OSX_SYSROOT=iphoneos -DCMAKE_OSX_ARCHITECTURES=arm64 "
    expect "$f" "-DCMAKE_OSX_SYSROOT=iphonesimulator -DCMAKE_OSX_ARCHITECTURES=arm64\;x86_64 "
    expect "$f" "-DCMAKE_OSX_DEPLOYMENT_TARGET=15.0"
    expect "$f" "-DEDGETAM_BUILD_TESTS=OFF -DEDGETAM_BUILD_EXAMPLES=OFF"
    expect "$f" "-DEDGETAM_TORCH_INCLUDE_DIR=/Apps/Demo/Pods/$pod/install/include -DEDGETAM_TORCH_LITE=$lite"
    expect "$f" "+ cp $src/include/edgetam.h $src/include/edgetam_apple.h $src/cmake/apple/module.modulemap /tmp/xcf/headers/edgetam/"
    expect "$f" "+ xcodebuild -create-xcframework -library /tmp/xcf/iphoneos/install/lib/libedgetam.a -headers /tmp/xcf/headers -library /tmp/xcf/iphonesimulator/install/lib/libedgetam.a -headers /tmp/xcf/headers -output /tmp/xcf/edgetam.xcframework"
    # two slices, each built once: nothing else runs
    [ "$(grep -c '^+ ' "$f")" -eq 10 ] || { echo "expected 10 commands" >&2; cat "$f" >&2; exit 1; }
done

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
refused 1 --pods "$out/no-such-pods"       # a real run here: not macOS / no pod headers
if grep -q '^+ ' "$out/refused.txt"; then echo "a refused run ran commands" >&2; exit 1; fi

# the module map names exactly the headers that are shipped
for h in $(sed -n 's/^ *header "\(.*\)"$/\1/p' "$src/cmake/apple/module.modulemap"); do
    [ -f "$src/include/$h" ] || { echo "module.modulemap names missing header $h" >&2; exit 1; }
done
[ "$(grep -c '^ *header ' "$src/cmake/apple/module.modulemap")" -eq 2 ]
echo "build_xcframework.sh: shellcheck clean, dry runs (lite, full) as expected, bad arguments refused"
