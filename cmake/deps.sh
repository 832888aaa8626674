#!/bin/sh
# Installs everything edgetam needs to build, test and benchmark, with apt. Tested on Debian 12
# (bookworm: libtorch 1.13, clang 14, FFmpeg 5.1) and Debian 13 (trixie: libtorch 2.6, clang 19,
# FFmpeg 7.1; CI builds and tests there too, cmake/check-debian13.sh); elsewhere it tries the same
# names and says so.
#   build:      build-essential (C compiler, libc headers, make), cmake, pkg-config
#   model:      libtorch-dev (runs the model bundle), libopenblas0-pthread (without it libtorch's
#               matrix products fall back to reference BLAS, ~8x slower), python3-torch (generates
#               the stand-in bundle and the golden reference at build time)
#   examples:   libavformat-dev, libavcodec-dev, libswscale-dev, libavutil-dev (edgetam-track decodes
#               real video with FFmpeg and writes PNG overlays), libyuv-dev (the benchmark's
#               "full-size RGB first" comparison)
#   tests:      libcmocka-dev; python3-pil + python3-numpy and opencv-doc (real photos and the
#               vtest.avi street scene) for the parity test against PIL, the official EdgeTAM
#               preprocessing, and the demo; shellcheck (checks the iOS XCFramework script)
#   fuzzing:    clang and libclang-rt-dev (libFuzzer and the sanitizer runtimes, cmake/fuzz.sh).
#               Both come from Debian's llvm-defaults, so the unversioned runtime package always
#               matches the default clang (libclang-rt-14-dev on Debian 12, -19-dev on Debian 13);
#               a versioned name exists on one release only.
set -eu
release=unknown
[ -r /etc/os-release ] && release=$(. /etc/os-release && echo "${ID:-}-${VERSION_ID:-}")
case $release in
debian-12 | debian-13) ;;
*) echo "deps.sh: tested on Debian 12 and 13; trying the same packages on $release" >&2 ;;
esac
packages="build-essential cmake pkg-config libtorch-dev libopenblas0-pthread python3-torch libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libyuv-dev libcmocka-dev python3-pil python3-numpy opencv-doc shellcheck clang libclang-rt-dev"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing:$missing"
$sudo apt-get update -qq
# opencv-doc is only needed for its sample photos; skip its recommended extras
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
