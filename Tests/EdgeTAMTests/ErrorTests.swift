import CEdgeTAM
import EdgeTAM
import Foundation
import XCTest

/// Load failures, bad arguments and short buffers surface as EdgeTAMError with the library's
/// status and message, and change nothing.
final class ErrorTests: XCTestCase {
    func testMissingFileThrowsWithTheLoadersMessage() throws {
        let path = "/nonexistent/edgetam-swift-test.edgetam"
        XCTAssertThrowsError(try Model(path: path)) { error in
            let e = error as! EdgeTAMError
            XCTAssertEqual(e.status, .modelLoad)
            XCTAssertTrue(e.message.contains(path), e.message)
        }
    }

    func testBadBundleThrowsWithTheLoadersMessage() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("edgetam-swift-bad-\(getpid()).edgetam")
        try Data("this is not a model bundle\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try Model(path: url.path)) { error in
            let e = error as! EdgeTAMError
            XCTAssertTrue(e.status == .modelLoad || e.status == .badBundle, "\(e.status)")
            XCTAssertNotEqual(e.message, e.status.description, "no message from the loader")
            XCTAssertFalse(e.message.isEmpty)
        }
    }

    func testStatusNamesComeFromTheLibrary() {
        XCTAssertEqual(Status.badStride.rawValue, -4)
        XCTAssertTrue(Status.badStride.description.hasPrefix("EDGETAM_ERR_BAD_STRIDE"), Status.badStride.description)
        XCTAssertEqual(Status(rawValue: 1234).description, "unknown edgetam_status")
        XCTAssertEqual(Library.versionNumber, Int(EDGETAM_VERSION_MAJOR * 10000 + EDGETAM_VERSION_MINOR * 100 + EDGETAM_VERSION_PATCH))
        XCTAssertEqual(Library.version, "\(EDGETAM_VERSION_MAJOR).\(EDGETAM_VERSION_MINOR).\(EDGETAM_VERSION_PATCH)")
    }

    func testShortBuffersAreRefusedBeforeTheLibraryReadsThem() throws {
        let bytes = [UInt8](repeating: 0, count: 322 * 241)
        try bytes.withUnsafeBytes { buffer in
            let all = UnsafeRawBufferPointer(rebasing: buffer[0..<(320 * 240)])
            let short = UnsafeRawBufferPointer(rebasing: all[0..<(320 * 239 + 319)])
            XCTAssertThrowsError(try Frame(format: .gray8, width: 320, height: 240,
                                           planes: [.init(short, bytesPerRow: 320)])) {
                XCTAssertEqual(($0 as! EdgeTAMError).status, .badPlane)
            }
            // the same bytes are exactly enough as 320 x 240 gray, and too few as BGRA
            XCTAssertNoThrow(try Frame(format: .gray8, width: 320, height: 240, planes: [.init(all, bytesPerRow: 320)]))
            XCTAssertThrowsError(try Frame(format: .bgra, width: 320, height: 240,
                                           planes: [.init(all, bytesPerRow: 1280)])) {
                XCTAssertEqual(($0 as! EdgeTAMError).status, .badPlane)
            }
            // NV12: the chroma plane of an odd width needs ceil(w/2) pairs per row, ceil(h/2) rows
            let y = UnsafeRawBufferPointer(rebasing: buffer[0..<(321 * 241)])
            let uv = UnsafeRawBufferPointer(rebasing: buffer[0..<(322 * 121 - 1)])
            XCTAssertThrowsError(try Frame(format: .nv12, width: 321, height: 241,
                                           planes: [.init(y, bytesPerRow: 321), .init(uv, bytesPerRow: 322)])) {
                let e = $0 as! EdgeTAMError
                XCTAssertEqual(e.status, .badPlane)
                XCTAssertTrue(e.message.hasPrefix("plane 1"), e.message)
            }
            // rows shorter than the format's, a missing plane, an empty buffer
            XCTAssertThrowsError(try Frame(format: .rgb24, width: 100, height: 10, planes: [.init(all, bytesPerRow: 299)])) {
                XCTAssertEqual(($0 as! EdgeTAMError).status, .badStride)
            }
            XCTAssertThrowsError(try Frame(format: .i420, width: 16, height: 16, planes: [.init(all, bytesPerRow: 16)])) {
                XCTAssertEqual(($0 as! EdgeTAMError).status, .invalidArgument)
            }
            XCTAssertThrowsError(try Frame(format: .gray8, width: 1, height: 1, planes: [.init(UnsafeRawBufferPointer(start: nil, count: 0), bytesPerRow: 1)])) {
                XCTAssertEqual(($0 as! EdgeTAMError).status, .badPlane)
            }
            XCTAssertThrowsError(try Frame(format: .gray8, width: 0, height: 10, planes: [.init(all, bytesPerRow: 16)])) {
                XCTAssertEqual(($0 as! EdgeTAMError).status, .badDimensions)
            }
        }
    }

    func testBadPromptsAndOptionsThrowAndChangeNothing() throws {
        let model = try deterministicModel()
        var options = Tracker.Options()
        options.maxObjects = 0
        XCTAssertThrowsError(try Tracker(model: model, options: options)) {
            XCTAssertEqual(($0 as! EdgeTAMError).status, .invalidArgument)
        }
        let tracker = try Tracker(model: model)
        XCTAssertThrowsError(try tracker.addPrompt(.points([Scene.click]), objectID: 1)) {
            XCTAssertEqual(($0 as! EdgeTAMError).status, .noFrame)
        }
        _ = try Scene.withFrame(0) { try tracker.track($0) }
        try tracker.addPrompt(.points([Scene.click]), objectID: 1)
        XCTAssertThrowsError(try tracker.addPrompt(.points([Point(x: 500, y: 10)]), objectID: 2)) {
            let e = $0 as! EdgeTAMError
            XCTAssertEqual(e.status, .badPrompt)
            XCTAssertNotEqual(e.message, e.status.description, "the tracker's message")
        }
        XCTAssertThrowsError(try tracker.addPrompt(.mask(Mask(width: 2, height: 2, bytes: [0, 1, 1, 0])), objectID: 2)) {
            XCTAssertEqual(($0 as! EdgeTAMError).status, .badPrompt)
        }
        XCTAssertThrowsError(try tracker.removeObject(7)) {
            XCTAssertEqual(($0 as! EdgeTAMError).status, .unknownObject)
        }
        XCTAssertEqual(tracker.objectCount, 1)
        XCTAssertEqual(try Scene.withFrame(1) { try tracker.track($0) }.map(\.objectID), [1])
        XCTAssertThrowsError(try Mask(width: 3, height: 3, bytes: [1])) {
            XCTAssertEqual(($0 as! EdgeTAMError).status, .badDimensions)
        }
    }
}
