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
# Opt-ins (Debian 13 only: ExecuTorch v0.5.0's kernel codegen needs torch 2.6's torchgen):
#   sh cmake/deps.sh executorch        the ExecuTorch runtime build (cmake/executorch/build.sh) and
#               exporter: xz-utils (source archives), libxnnpack-dev, libpthreadpool-dev,
#               libcpuinfo-dev, flatbuffers-compiler, libflatbuffers-dev (Debian's XNNPACK at
#               ExecuTorch's pin and its libraries, flatc and its headers); python3-yaml (torchgen),
#               python3-flatbuffers, python3-ruamel.yaml, python3-tabulate, python3-expecttest (the
#               exporter, ExecuTorch's Python tree used from PYTHONPATH)
#   sh cmake/deps.sh executorch-arm64  the above, plus the aarch64 cross build: Debian's cross
#               compiler, arm64 multiarch XNNPACK (-dev) and pthreadpool/cpuinfo (the libraries
#               only: their -dev packages are not co-installable across architectures, and the
#               amd64 ones' headers serve both), qemu-user and libstdc++6:arm64 to run the result,
#               libcmocka-dev:arm64 for its tests
# Opt-in on Debian 13 only (Debian 12 packages no Swift toolchain):
#   sh cmake/deps.sh swift   the base packages and swiftlang (Swift 6.0.3 with XCTest; about 450 MB
#               to download, 2 GB installed) for the Swift package (Package.swift), built and
#               tested by cmake/check-swift.sh
set -eu
release=unknown
# shellcheck disable=SC1091 # the running system's file
[ -r /etc/os-release ] && release=$(. /etc/os-release && echo "${ID:-}-${VERSION_ID:-}")
case $release in
debian-12 | debian-13) ;;
*) echo "deps.sh: tested on Debian 12 and 13; trying the same packages on $release" >&2 ;;
esac
case ${1:-} in
"" | executorch | executorch-arm64 | swift) ;;
*) echo "usage: sh cmake/deps.sh [executorch | executorch-arm64 | swift]" >&2; exit 2 ;;
esac
if [ "${1:-}" = swift ] && [ "$release" = debian-12 ]; then
    echo "deps.sh: swift needs Debian 13 (swiftlang; Debian 12 packages no Swift toolchain)" >&2
    exit 1
elif [ -n "${1:-}" ] && [ "$release" = debian-12 ]; then
    echo "deps.sh: $1 needs Debian 13 (torch 2.6's torchgen for ExecuTorch v0.5.0)" >&2
    exit 1
fi
packages="build-essential cmake pkg-config libtorch-dev libopenblas0-pthread python3-torch libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libyuv-dev libcmocka-dev python3-pil python3-numpy opencv-doc shellcheck clang libclang-rt-dev"
executorch="xz-utils libxnnpack-dev libpthreadpool-dev libcpuinfo-dev flatbuffers-compiler libflatbuffers-dev python3-yaml python3-flatbuffers python3-ruamel.yaml python3-tabulate python3-expecttest"
executorch_arm64="gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libcmocka-dev:arm64 libxnnpack-dev:arm64 libpthreadpool0:arm64 libcpuinfo0:arm64 libstdc++6:arm64"
case ${1:-} in
swift) packages="$packages swiftlang" ;;
executorch) packages="$packages $executorch" ;;
executorch-arm64) packages="$packages $executorch $executorch_arm64" ;;
esac
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing:$missing"
# arm64 libraries come from Debian's multiarch archive
case $missing in
*:arm64*) dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64 ;;
esac
$sudo apt-get update -qq
# opencv-doc is only needed for its sample photos; skip its recommended extras
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
