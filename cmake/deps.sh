#!/bin/sh
# Installs everything edgetam needs to build, test and benchmark on Debian 12, with apt.
#   build:      build-essential (C compiler, libc headers, make), cmake, pkg-config
#   model:      libtorch-dev (runs the model bundle; 1.13 on Debian 12), libopenblas0-pthread
#               (without it libtorch's matrix products fall back to reference BLAS, ~8x slower),
#               python3-torch (generates the stand-in bundle and the golden reference at build time)
#   examples:   libavformat-dev, libavcodec-dev, libswscale-dev, libavutil-dev (edgetam-track decodes
#               real video with FFmpeg and writes PNG overlays), libyuv-dev (the benchmark's
#               "full-size RGB first" comparison)
#   tests:      libcmocka-dev; python3-pil + python3-numpy and opencv-doc (real photos and the
#               vtest.avi street scene) for the parity test against PIL, the official EdgeTAM
#               preprocessing, and the demo; shellcheck (checks the iOS XCFramework script)
#   fuzzing:    clang and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes), cmake/fuzz.sh
set -eu
packages="build-essential cmake pkg-config libtorch-dev libopenblas0-pthread python3-torch libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libyuv-dev libcmocka-dev python3-pil python3-numpy opencv-doc shellcheck clang libclang-rt-14-dev"
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
