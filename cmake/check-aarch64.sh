#!/bin/sh
# The converter on aarch64, as CI checks it without an ARM machine:
#   1. installs (once) Debian's aarch64 cross compiler, qemu-user, arm64 cmocka (multiarch), valgrind,
#      and the qemu-plugin.h header from Debian's qemu source package (Debian ships no plugins);
#   2. cross-builds the converter alone (-DEDGETAM_WITH_LIBTORCH=OFF) with the NEON kernels and runs its
#      tests under qemu-aarch64, the NEON-vs-portable bit-identity test included (it must not skip);
#   3. counts instructions per converted frame (1920x1080 -> 1024, after a warm-up frame): aarch64
#      NEON and portable under a qemu TCG plugin, x86-64 AVX2 under callgrind, and prints them as
#      key=value lines ending with neon_vs_avx2_insns_bgra=R and neon_vs_avx2_insns_nv12=R.
#   sh cmake/check-aarch64.sh            (build trees: build-aarch64/, build-x86-insns/)
set -eu
cd "$(dirname "$0")/.."
root=$PWD
work=$root/build-aarch64
jobs=$(nproc)
mkdir -p "$work"

# ---- 1. packages -----------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
apt_get() { DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 -qq "$@"; }
packages="gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libcmocka-dev:arm64 valgrind cmake make xz-utils"
missing=""
for p in $packages; do installed "$p" || missing="$missing $p"; done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
    apt_get update
    # shellcheck disable=SC2086 # one word per package
    apt_get install -y --no-install-recommends $missing
fi

# qemu-plugin.h of the very qemu-user installed (the plugin API is versioned), from the source
# package through a private deb-src list: the system's apt sources stay as they are.
plugin_h=$work/qemu-plugin/qemu-plugin.h
if [ ! -f "$plugin_h" ]; then
    version=$(dpkg-query -W -f='${source:Version}' qemu-user)
    apt_dir=$work/apt
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/src"
    cat >"$apt_dir/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
EOF
    apt_private() {
        apt_get -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
            -o "Dir::State::Lists=$apt_dir/lists" "$@"
    }
    apt_private update
    (cd "$apt_dir/src" && apt_private source --download-only "qemu=$version")
    mkdir -p "$work/qemu-plugin"
    tar -xJf "$apt_dir"/src/qemu_*.orig.tar.xz -C "$work/qemu-plugin" --wildcards --strip-components=3 \
        '*/include/qemu/qemu-plugin.h'
fi

# ---- 2. cross build and tests under qemu ----------------------------------------------------
cmake -S . -B "$work/build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64-linux-gnu.cmake" \
    -DEDGETAM_WITH_LIBTORCH=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j "$jobs"
status=0
ctest --test-dir "$work/build" --output-on-failure --verbose -j "$jobs" >"$work/ctest.log" 2>&1 || status=$?
cat "$work/ctest.log"
[ "$status" -eq 0 ]
# the NEON-vs-portable test must have compared, not skipped: one line per geometry
grep -q "1920x1080 -> 1024: SIMD levels 1..1 equal the scalar path" "$work/ctest.log"
if grep -q "SKIPPED" "$work/ctest.log"; then echo "a converter test skipped on aarch64"; exit 1; fi

# ---- 3. instructions per frame --------------------------------------------------------------
plugin=$work/plugin/libqemu_insn_count.so
mkdir -p "$work/plugin"
cc -O2 -Wall -Wextra -shared -fPIC -I "$work/qemu-plugin" cmake/qemu_insn_count.c -o "$plugin"
x86=$root/build-x86-insns
cmake -S . -B "$x86" -DEDGETAM_WITH_LIBTORCH=OFF -DEDGETAM_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$x86" -j "$jobs" --target edgetam-convert-frames

aarch64_insns() { # $1: frames, then converter arguments
    n=$1
    shift
    qemu-aarch64 -d plugin -plugin "$plugin" "$work/build/examples/edgetam-convert-frames" --frames "$n" "$@" \
        2>&1 >"$work/run.out" | sed -n 's/^insns=//p'
}
x86_insns() {
    n=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$x86/examples/edgetam-convert-frames" \
        --frames "$n" "$@" 2>&1 >"$work/run.out" | sed -n 's/.*Collected : //p'
}
# One steady-state frame: the first one also plans the geometry, so (3 frames - 1 frame) / 2; the
# program reports the kernel set it ran (1: NEON or AVX2, 0: portable).
per_frame() { # $1: counter, $2: expected kernel set, then converter arguments
    counter=$1
    level=$2
    shift 2
    one=$($counter 1 "$@")
    three=$($counter 3 "$@")
    grep -qx "simd_level=$level" "$work/run.out" || { echo "$counter $*: not kernel set $level" >&2; exit 1; }
    echo $(((three - one) / 2))
}
ratios=""
for format in bgra nv12; do
    neon=$(per_frame aarch64_insns 1 --format "$format" --width 1920 --height 1080 --size 1024)
    portable=$(per_frame aarch64_insns 0 --format "$format" --width 1920 --height 1080 --size 1024 --portable)
    avx2=$(per_frame x86_insns 1 --format "$format" --width 1920 --height 1080 --size 1024)
    echo "aarch64_portable_insns_$format=$portable"
    echo "aarch64_neon_insns_$format=$neon"
    echo "x86_avx2_insns_$format=$avx2"
    ratio=$(awk "BEGIN { printf \"%.2f\", $neon / $avx2 }")
    ratios="${ratios}neon_vs_avx2_insns_$format=$ratio
"
done
printf "%s" "$ratios"
