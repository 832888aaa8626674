import CEdgeTAM
import EdgeTAM
import Foundation
import XCTest

/// Blocks the library holds, counted by an allocator installed through edgetam_set_allocator.
private final class BlockCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var live = 0, made = 0
    func alloc() { lock.withLock { live += 1; made += 1 } }
    func free() { lock.withLock { live -= 1 } }
    var counts: (live: Int, made: Int) { lock.withLock { (live, made) } }
}

/// Nothing leaks: every block the library allocates for models, trackers, streams and results
/// made through the Swift layer is freed once the Swift objects are gone.
/// edgetam_allocation_count() counts allocations made, never frees, so the live count comes from
/// the library's allocator hook, which also refuses to be changed while any block is live.
final class LeakTests: XCTestCase {
    func testEveryLibraryBlockIsFreedWhenTheObjectsAreGone() throws {
        let counter = BlockCounter()
        var allocator = edgetam_allocator(
            alloc: { userData, size, alignment in
                Unmanaged<BlockCounter>.fromOpaque(userData!).takeUnretainedValue().alloc()
                return aligned_alloc(alignment, size)
            },
            free: { userData, block in
                Unmanaged<BlockCounter>.fromOpaque(userData!).takeUnretainedValue().free()
                Foundation.free(block)
            },
            user_data: Unmanaged.passUnretained(counter).toOpaque())
        // Refused while the library holds memory: another test left objects alive.
        XCTAssertEqual(edgetam_set_allocator(&allocator), EDGETAM_OK, "library memory is live before the test")
        let before = Library.allocationCount
        try withExtendedLifetime(counter) {
            try session()
            let counts = counter.counts
            XCTAssertGreaterThan(counts.made, 10, "the session allocated through the library")
            XCTAssertEqual(counts.live, 0, "blocks still held after every object is gone")
        }
        XCTAssertEqual(edgetam_set_allocator(nil), EDGETAM_OK, "library memory is still live")
        XCTAssertGreaterThan(Library.allocationCount, before)
    }

    /// Models, a tracker, a stream with prompts and a frame it drops and one it discards at
    /// shutdown, and failing calls; every object released on return.
    private func session() throws {
        let model = try deterministicModel()
        XCTAssertThrowsError(try Model(path: "/nonexistent.edgetam"))
        let tracker = try Tracker(model: model)
        _ = try Scene.withFrame(0) { try tracker.track($0) }
        try tracker.addPrompt(.points([Scene.click]), objectID: 1)
        XCTAssertThrowsError(try tracker.addPrompt(.points([Point(x: -5, y: 0)]), objectID: 2))
        _ = try Scene.withFrame(1) { try tracker.track($0) }
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let stream = try LiveStream(model: model) { result in
            if result.timestamp == 1 { inside.signal(); release.wait() }
        }
        try Scene.withFrame(0) { frame in
            _ = try stream.push(frame, timestamp: 0)
            try stream.flush()
            try stream.addPrompt(.box(Scene.box), objectID: 3)
            _ = try stream.push(frame, timestamp: 1)
            inside.wait()
            XCTAssertEqual(try stream.push(frame, timestamp: 2), .dropped)
            release.signal()
        }
    }
}
