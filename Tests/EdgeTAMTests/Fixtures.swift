import EdgeTAM
import Foundation
import XCTest

/// The stand-in bundle the CMake build writes (build/standin.edgetam), named by
/// EDGETAM_TEST_BUNDLE. Unset is a failure, not a skip: CI must never pass without it.
func bundlePath(file: StaticString = #filePath, line: UInt = #line) throws -> String {
    guard let path = ProcessInfo.processInfo.environment["EDGETAM_TEST_BUNDLE"], !path.isEmpty else {
        XCTFail("set EDGETAM_TEST_BUNDLE to the stand-in bundle (build/standin.edgetam)", file: file, line: line)
        throw EdgeTAMError(.modelLoad, "EDGETAM_TEST_BUNDLE is not set")
    }
    return path
}

/// One thread, no adaptation: runs that must match bit for bit (README, Threads).
func deterministicModel() throws -> Model {
    var options = Model.Options()
    options.threads = 1
    options.adaptThreads = false
    return try Model(path: try bundlePath(), options: options)
}

/// The repository's root, from this file's place in it (Tests/EdgeTAMTests/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A synthetic gray sequence: a bright disc moving right and a dimmer square moving down, on a
/// dark background, 320 x 240 with rows padded to 336 bytes.
enum Scene {
    static let width = 320, height = 240, stride = 336

    static func gray(_ k: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 30, count: stride * height)
        let cx = 110 + 6 * k, cy = 120, sx = 230, sy = 60 + 5 * k
        for y in 0..<height {
            for x in 0..<width {
                if (x - cx) * (x - cx) + (y - cy) * (y - cy) < 40 * 40 { pixels[y * stride + x] = 220 }
                else if abs(x - sx) < 25 && abs(y - sy) < 25 { pixels[y * stride + x] = 140 }
            }
        }
        return pixels
    }

    static let click = Point(x: 110, y: 120)
    static let box = Rect(x0: 200, y0: 30, x1: 260, y1: 90)

    /// `body` with frame k of the scene as a Frame.
    static func withFrame<R>(_ k: Int, _ body: (Frame) throws -> R) throws -> R {
        try gray(k).withUnsafeBytes { bytes in
            try body(Frame(format: .gray8, width: width, height: height,
                           planes: [.init(bytes, bytesPerRow: stride)]))
        }
    }
}

/// Values appended from the stream's worker, read from the test.
final class Recorder<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ item: T) { lock.withLock { items.append(item) } }
    var values: [T] { lock.withLock { items } }
}
