// swift-tools-version:6.0
// The Swift API over libedgetam (README.md, "Swift"). The C library itself is built with CMake:
// SwiftPM cannot give the AVX2 kernels their per-file flags, and the model runtimes (libtorch,
// ExecuTorch) come from CMake too. CEdgeTAM is that installed library, found through its
// pkg-config file: `cmake --install build --prefix P`, then PKG_CONFIG_PATH=P/lib/pkgconfig.
// No unsafeFlags and nothing fetched, so the package can be a version-pinned dependency.
import PackageDescription

// Linux: built and tested in CI (Debian 13, cmake/check-swift.sh). Apple hosts: NOT built or
// tested here (no Mac). A macOS app can use a macOS CMake install the same way. iOS is not
// available through this package yet: the plan is the C sources as a target (NEON needs no flags)
// plus ExecuTorch's Swift package, but ExecuTorch v0.5.0's Apple frameworks lack headers its shim
// includes (data loader, flatbuffers, the program schema flatc writes), which SwiftPM cannot
// supply without unsafeFlags. Until then an iOS app links cmake/build_xcframework.sh's
// edgetam.xcframework (README.md, iOS).
#if !os(Linux)
#warning("EdgeTAM: not built or tested on Apple platforms; iOS needs edgetam.xcframework (README.md, Swift)")
#endif

let package = Package(
    name: "EdgeTAM",
    // edgetam_apple.h's floor (its CoreVideo adapter)
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [.library(name: "EdgeTAM", targets: ["EdgeTAM"])],
    targets: [
        .systemLibrary(name: "CEdgeTAM", pkgConfig: "edgetam"),
        .target(name: "EdgeTAM", dependencies: ["CEdgeTAM"]),
        .testTarget(name: "EdgeTAMTests", dependencies: ["EdgeTAM", "CEdgeTAM"]),
    ],
    swiftLanguageModes: [.v6]
)
