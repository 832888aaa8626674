#!/bin/sh
# The Swift package (Package.swift) on Linux against a CMake build: installs BUILD into a scratch
# prefix, which the package finds through its pkg-config file, then `swift build` and `swift test`
# with the build's stand-in bundle (EDGETAM_TEST_BUNDLE: the tests fail without it). Then the iOS
# camera example: examples/ios/CameraTracker.swift (platform-neutral) is type-checked against the
# package's modules; examples/ios/EdgeTAMCamera.swift (AVFoundation, CoreVideo) is only parsed,
# as Linux has no Apple SDK. Needs swiftlang (Debian 13: cmake/deps.sh installs it).
#   sh cmake/check-swift.sh [BUILD_DIR]   (default: build)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
bundle=$PWD/$build/standin.edgetam
[ -f "$bundle" ] || { echo "check-swift.sh: no stand-in bundle $bundle: build $build first" >&2; exit 1; }
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
echo "=== swift build, swift test (Swift $(swift --version 2>/dev/null | sed -n 's/.*Swift version \([^ ]*\).*/\1/p')) ==="
swift build --build-tests
EDGETAM_TEST_BUNDLE=$bundle swift test --skip-build
echo "=== the iOS example: type-check CameraTracker.swift, parse EdgeTAMCamera.swift ==="
modules=$(swift build --show-bin-path)/Modules
swiftc -typecheck -swift-version 6 -I "$modules" -I "$prefix/include" \
    -Xcc -fmodule-map-file=Sources/CEdgeTAM/module.modulemap examples/ios/CameraTracker.swift
swiftc -parse examples/ios/EdgeTAMCamera.swift
echo "check-swift.sh: ok"
