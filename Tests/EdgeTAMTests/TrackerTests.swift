import CEdgeTAM
import EdgeTAM
import XCTest

/// The Swift tracker against the C API driven directly, on the same frames of the same bundle.
final class TrackerTests: XCTestCase {
    /// The session through the C API: frame 0, a click on object 1 and a box on object 2, then
    /// frames 1...5. Returns each call's results (prompt results first) as ObjectResult-like
    /// tuples.
    private func cSession(frames: Int) throws -> [[(id: Int32, mask: [UInt8], box: edgetam_box, area: Int64, iou: Float, score: Float, present: Int32)]] {
        var mp = edgetam_model_default_params()
        mp.num_threads = 1
        mp.adapt_threads = 0
        var model: OpaquePointer?
        var err = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(edgetam_model_load(try bundlePath(), &mp, &model, &err, err.count), EDGETAM_OK)
        defer { edgetam_model_free(model) }
        var tp = edgetam_tracker_default_params()
        var tracker: OpaquePointer?
        XCTAssertEqual(edgetam_tracker_create(model, &tp, &tracker), EDGETAM_OK)
        defer { edgetam_tracker_destroy(tracker) }

        let pixels = Scene.width * Scene.height
        var masks = [UInt8](repeating: 0, count: 2 * pixels) // two frame-size masks
        var out: [[(id: Int32, mask: [UInt8], box: edgetam_box, area: Int64, iou: Float, score: Float, present: Int32)]] = []
        func call(_ body: (UnsafeMutablePointer<edgetam_object_result>) -> (edgetam_status, Int32)) {
            masks.withUnsafeMutableBufferPointer { m in
                var r = [edgetam_object_result](repeating: edgetam_object_result(), count: 2)
                for i in 0..<2 {
                    r[i].struct_size = UInt32(MemoryLayout<edgetam_object_result>.size)
                    r[i].mask = m.baseAddress! + i * pixels
                    r[i].mask_stride = Scene.width
                }
                let (status, count) = body(&r)
                XCTAssertEqual(status, EDGETAM_OK)
                out.append((0..<Int(count)).map { i in
                    (r[i].object_id, Array(m[(i * pixels)..<((i + 1) * pixels)]), r[i].box, r[i].area,
                     r[i].iou, r[i].object_score, r[i].present)
                })
            }
        }
        func frame(_ k: Int, _ body: (UnsafePointer<edgetam_frame>) -> Void) {
            Scene.gray(k).withUnsafeBytes { bytes in
                var f = edgetam_frame_default()
                f.format = EDGETAM_FORMAT_GRAY8
                f.width = Int32(Scene.width)
                f.height = Int32(Scene.height)
                f.planes.data.0 = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                f.planes.stride.0 = Int32(Scene.stride)
                body(&f)
            }
        }
        frame(0) { XCTAssertEqual(edgetam_tracker_track(tracker, $0, nil, 0, nil), EDGETAM_OK) }
        var click = edgetam_point(x: Scene.click.x, y: Scene.click.y, label: 1)
        var prompt = edgetam_prompt_default()
        prompt.num_points = 1
        withUnsafePointer(to: &click) { p in
            prompt.points = p
            call { (edgetam_tracker_add_prompt(tracker, 1, &prompt, $0), 1) }
        }
        var boxPrompt = edgetam_prompt_default()
        boxPrompt.has_box = 1
        boxPrompt.box = (Scene.box.x0, Scene.box.y0, Scene.box.x1, Scene.box.y1)
        call { (edgetam_tracker_add_prompt(tracker, 2, &boxPrompt, $0), 1) }
        for k in 1...frames {
            frame(k) { f in
                call { r in
                    var count: Int32 = 0
                    return (edgetam_tracker_track(tracker, f, r, 2, &count), count)
                }
            }
        }
        return out
    }

    func testSwiftTrackerGivesTheCAPIsMasks() throws {
        let frames = 5
        let expected = try cSession(frames: frames)
        let model = try deterministicModel()
        let tracker = try Tracker(model: model)
        XCTAssertEqual(try Scene.withFrame(0) { try tracker.track($0) }, [])
        var got: [[ObjectResult]] = []
        got.append([try tracker.addPrompt(.points([Scene.click]), objectID: 1)])
        got.append([try tracker.addPrompt(.box(Scene.box), objectID: 2)])
        for k in 1...frames {
            model.trim() // gives cached memory back between frames: the masks stay the C API's
            got.append(try Scene.withFrame(k) { try tracker.track($0) })
        }

        XCTAssertEqual(got.count, expected.count)
        for (call, (g, e)) in zip(got, expected).enumerated() {
            XCTAssertEqual(g.map(\.objectID), e.map { Int($0.id) }, "call \(call)")
            for (r, c) in zip(g, e) {
                let differ = r.mask.map { m in zip(m.bytes, c.mask).filter { $0 != $1 }.count }
                XCTAssertEqual(differ, 0, "call \(call), object \(r.objectID): pixels differing from the C API's mask")
                XCTAssertEqual(r.mask?.width, Scene.width)
                XCTAssertEqual(r.box, Box(x0: Int(c.box.x0), y0: Int(c.box.y0), x1: Int(c.box.x1), y1: Int(c.box.y1)))
                XCTAssertEqual(r.area, Int(c.area))
                XCTAssertEqual(r.score, c.iou)
                XCTAssertEqual(r.objectScore, c.score)
                XCTAssertEqual(r.visible, c.present != 0)
                XCTAssertEqual(r.mask.map { $0.bytes.filter { $0 != 0 }.count }, r.area)
            }
        }
        // the comparison means something: both objects tracked, masks not all empty (the stand-in's
        // masks mean nothing, but they are not all blank)
        XCTAssertEqual(got.last?.count, 2)
        XCTAssertGreaterThan(got.joined().filter { $0.area > 0 }.count, 0)
        let stats = tracker.stats
        XCTAssertEqual([stats.submitted, stats.processed, stats.dropped, stats.failed], [6, 6, 0, 0])
    }

    func testWithoutMasksTheRestIsTheSame() throws {
        let model = try deterministicModel()
        let a = try Tracker(model: model), b = try Tracker(model: model)
        for t in [a, b] {
            _ = try Scene.withFrame(0) { try t.track($0) }
            try t.addPrompt(.points([Scene.click]), objectID: 1)
        }
        let withMasks = try Scene.withFrame(1) { try a.track($0) }
        let without = try Scene.withFrame(1) { try b.track($0, masks: false) }
        XCTAssertNotNil(withMasks[0].mask)
        XCTAssertNil(without[0].mask)
        var stripped = withMasks[0]
        stripped.mask = nil
        XCTAssertEqual(without, [stripped])
    }

    func testRemoveAndReset() throws {
        let tracker = try Tracker(model: deterministicModel())
        _ = try Scene.withFrame(0) { try tracker.track($0) }
        try tracker.addPrompt(.points([Scene.click]), objectID: 1)
        try tracker.addPrompt(.box(Scene.box), objectID: 2)
        try tracker.removeObject(1)
        XCTAssertEqual(try Scene.withFrame(1) { try tracker.track($0) }.map(\.objectID), [2])
        try tracker.reset()
        XCTAssertEqual(tracker.objectCount, 0)
    }
}
