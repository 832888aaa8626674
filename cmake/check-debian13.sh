#!/bin/sh
# CI's Debian 13 job, as root (debootstrap, mounts, chroot), inside a Debian 13 (trixie) root: the
# README's quick start (its cmake/deps.sh installs the packages, as a new user's would), then the
# release test suite (ctest of that optimised build; the sanitizer builds and fuzzing of the
# libtorch build run on the host, cmake/check.sh), and the Swift package on that build
# (cmake/check-swift.sh: swift build, swift test). Then cmake/check-cross-runtime.sh: bundles
# exported by either torch in the other's libtorch (needs this host's optimised build,
# build-check-release, which it makes when absent). Then the ExecuTorch backend's suite,
# cmake/check-executorch.sh (the README's second test command), with ExecuTorch's sources from
# ../shared/deps (mounted at the root's /shared) when the host has them.
#   sh cmake/check-debian13.sh
# The root, build-debian13/root, is made by debootstrap from the mirror the host's apt uses when it
# is absent, and reused when present, with its packages and its build folder (/build inside);
# delete it to start from scratch.
set -eu
cd "$(dirname "$0")/.."
root=$PWD/build-debian13/root
if [ ! -d "$root" ]; then
    command -v debootstrap >/dev/null || {
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
    }
    # the host's own Debian mirror (deb822 or one-line sources), not its security archive
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
        tr ' ' '\n' | grep -v security | head -n 1 || true)
    [ -n "$mirror" ] || mirror=$(grep -hs '^deb ' /etc/apt/sources.list | tr ' ' '\n' |
        grep '^http' | grep -v security | head -n 1 || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    # built aside and renamed when complete, so an interrupted run never leaves a root to reuse
    rm -rf "$root.tmp"
    mkdir -p "$(dirname "$root")"
    echo "=== debootstrap trixie from $mirror ==="
    debootstrap --variant=minbase trixie "$root.tmp" "$mirror" >"$root.log" 2>&1 ||
        { tail -n 30 "$root.log"; exit 1; }
    mv "$root.tmp" "$root"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The tree as it is (tracked and new files), keeping modification times so the build inside is
# incremental when the root is reused.
rm -rf "$root/src"
mkdir "$root/src"
git ls-files -z --cached --others --exclude-standard |
    tar --null -T - --ignore-failed-read -cf - | tar -xf - -C "$root/src"

unmount() {
    for m in var/cache/edgetam shared dev sys proc; do
        if mountpoint -q "$root/$m"; then umount "$root/$m"; fi
    done
}
trap unmount EXIT
trap 'exit 1' INT TERM
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys" # libtorch reads the CPU's caches and cores there
mount --bind /dev "$root/dev"
# ExecuTorch's source archives for an offline build (cmake/executorch/assemble.sh looks for them
# at ../shared/deps from /src)
if [ -d ../shared/deps ]; then
    mkdir -p "$root/shared"
    mount --bind ../shared "$root/shared"
    mount -o remount,bind,ro "$root/shared"
fi
# ExecuTorch's runtime builds, cached by cmake/executorch/build.sh under a digest of everything
# they are built from: the host's cache, so that later runs in a new root reuse them
cache=${EDGETAM_CACHE_DIR:-/var/cache/edgetam}
if mkdir -p "$cache" "$root/var/cache/edgetam" 2>/dev/null; then
    mount --bind "$cache" "$root/var/cache/edgetam"
fi

# The README's quick start exactly as written (deps.sh, the default build, the demo on vtest.avi),
# its build folder kept outside the copied tree so that a reused root builds incrementally; then
# every test of that build.
awk '/^## Quick start/ { q = 1 } q && /^```sh$/ { c = 1; next } c && /^```$/ { exit } c' \
    README.md >"$root/quickstart.sh"
[ -s "$root/quickstart.sh" ]
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    /bin/sh -ec '
cd /src
. /etc/os-release
echo "=== $PRETTY_NAME: the README quick start ==="
cat /quickstart.sh
mkdir -p /build && ln -s /build build
sh -e /quickstart.sh
echo "=== $PRETTY_NAME: ctest ==="
ctest --test-dir build --output-on-failure
echo "=== $PRETTY_NAME: the Swift package ==="
sh cmake/deps.sh swift
sh cmake/check-swift.sh build'

sh cmake/check-cross-runtime.sh "$root"

chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    /bin/sh -ec 'cd /src && sh cmake/check-executorch.sh'
