import EdgeTAM
import Foundation
import XCTest

/// The live stream: drop-if-busy made deterministic by holding the worker inside a result
/// closure, results in push order, prompts applied to the next frame, a clean stop.
final class LiveStreamTests: XCTestCase {
    func testFramesPushedWhileTheWorkerIsHeldAreDroppedNotErrors() throws {
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let seen = Recorder<Int64>()
        let stream = try LiveStream(model: deterministicModel()) { result in
            seen.append(result.timestamp)
            if result.timestamp == 1 { // the gate: hold the worker inside this result
                inside.signal()
                release.wait()
            }
        }
        try Scene.withFrame(0) { frame in
            XCTAssertEqual(try stream.push(frame, timestamp: 1), .accepted)
            inside.wait()
            for t in Int64(2)...5 { XCTAssertEqual(try stream.push(frame, timestamp: t), .dropped) }
            release.signal()
            try stream.flush()
            XCTAssertEqual(try stream.push(frame, timestamp: 6), .accepted)
            try stream.flush()
        }
        XCTAssertEqual(seen.values, [1, 6])
        let stats = stream.stats
        XCTAssertEqual(stats.submitted, 6)
        XCTAssertEqual(stats.droppedBusy, 4)
        XCTAssertEqual(stats.processed, 2)
        // a timestamp not after the last push's (dropped ones count) is an error, not a drop
        try Scene.withFrame(0) { frame in
            XCTAssertThrowsError(try stream.push(frame, timestamp: 5)) {
                XCTAssertEqual(($0 as! EdgeTAMError).status, .badTimestamp)
            }
        }
    }

    func testResultsArriveInOrderWithPromptsAndTheSequenceEndsWithTheStream() async throws {
        var (stream, results) = try LiveStream.makeWithResults(model: deterministicModel())
        let consumer = Task {
            var all: [StreamResult] = []
            for await r in results { all.append(r) }
            return all // reached only when the stream finished the sequence
        }
        try Scene.withFrame(0) { XCTAssertEqual(try stream.push($0, timestamp: 10), .accepted) }
        try stream.flush()
        try stream.addPrompt(.points([Scene.click]), objectID: 1)
        try stream.addPrompt(.box(Scene.box), objectID: 2)
        for k in 1...4 {
            try Scene.withFrame(k) { XCTAssertEqual(try stream.push($0, timestamp: Int64(10 + k)), .accepted) }
            try stream.flush()
        }
        try stream.removeObject(9) // unknown: reported in the next result
        try Scene.withFrame(5) { _ = try stream.push($0, timestamp: 15) }
        try stream.flush()
        stream = try LiveStream(model: stream.model) { _ in } // releases the first stream
        let all = await consumer.value
        XCTAssertEqual(all.map(\.timestamp), [10, 11, 12, 13, 14, 15])
        XCTAssertEqual(all[0].objects.count, 0)
        XCTAssertEqual(all[1].promptsApplied, 2)
        XCTAssertNil(all[1].promptError)
        for r in all[1...] {
            XCTAssertNil(r.error)
            XCTAssertEqual(r.objects.map(\.objectID), [1, 2])
            XCTAssertEqual(r.objects[0].mask?.bytes.count, Scene.width * Scene.height)
        }
        XCTAssertEqual(all[5].promptError?.status, .unknownObject)
    }

    func testTheStreamTracksLikeATracker() throws {
        let model = try deterministicModel()
        let seen = Recorder<StreamResult>()
        let stream = try LiveStream(model: model) { seen.append($0) }
        for k in 0...3 {
            try Scene.withFrame(k) { XCTAssertEqual(try stream.push($0, timestamp: Int64(k)), .accepted) }
            try stream.flush()
            // queued after frame 0, applied right after the worker tracks frame 1
            if k == 0 { try stream.addPrompt(.points([Scene.click]), objectID: 1) }
        }
        // the same session on a tracker: the prompt on frame 1
        let tracker = try Tracker(model: model)
        var expected: [[ObjectResult]] = [try Scene.withFrame(0) { try tracker.track($0) }]
        _ = try Scene.withFrame(1) { try tracker.track($0) }
        expected.append([try tracker.addPrompt(.points([Scene.click]), objectID: 1)])
        for k in 2...3 { expected.append(try Scene.withFrame(k) { try tracker.track($0) }) }

        XCTAssertEqual(seen.values.map(\.timestamp), [0, 1, 2, 3])
        XCTAssertEqual(seen.values.map(\.objects), expected)
        XCTAssertEqual(expected.map(\.count), [0, 1, 1, 1])
    }

    func testMaskPromptsMustMatchTheLatestFrame() throws {
        let stream = try LiveStream(model: deterministicModel()) { _ in }
        let mask = try Mask(width: Scene.width, height: Scene.height,
                            bytes: [UInt8](repeating: 0, count: Scene.width * Scene.height - 8) + [1, 1, 1, 1, 1, 1, 1, 1])
        XCTAssertThrowsError(try stream.addPrompt(.mask(mask), objectID: 1)) {
            XCTAssertEqual(($0 as! EdgeTAMError).status, .noFrame)
        }
        try Scene.withFrame(0) { _ = try stream.push($0, timestamp: 0) }
        XCTAssertNoThrow(try stream.addPrompt(.mask(mask), objectID: 1))
        XCTAssertThrowsError(try stream.addPrompt(.mask(Mask(width: 4, height: 2, bytes: [UInt8](repeating: 1, count: 8))), objectID: 2)) {
            XCTAssertEqual(($0 as! EdgeTAMError).status, .badPrompt)
        }
        try stream.flush()
    }
}
