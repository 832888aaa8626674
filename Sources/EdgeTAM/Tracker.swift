import CEdgeTAM

/// Tracks objects through one sequence of frames (docs/tracking.md), each object with its own
/// bounded memory. Keeps its model alive.
///
/// Not Sendable: use a tracker from one task or thread at a time. Its prompt results are sized by
/// the last frame it tracked, which only holds while calls do not overlap. For camera callbacks
/// that must never block, and prompts from other threads, use `LiveStream`.
public final class Tracker {
    public struct Options: Sendable {
        /// Objects tracked at once, 1...64.
        public var maxObjects: Int
        /// Prompted frames kept per object, 1...16; beyond it the oldest but the first is dropped.
        public var maxConditioningFrames: Int
        /// Fill background holes up to this many low-res pixels; 0 disables.
        public var fillHoleArea: Int
        /// The official add_all_frames_to_correct_as_cond.
        public var correctionsAsConditioning: Bool

        public init() { self.init(edgetam_tracker_default_params()) }

        init(_ p: edgetam_tracker_params) {
            maxObjects = Int(p.max_objects)
            maxConditioningFrames = Int(p.max_conditioning_frames)
            fillHoleArea = Int(p.fill_hole_area)
            correctionsAsConditioning = p.corrections_as_conditioning != 0
        }

        var cValue: edgetam_tracker_params {
            get throws {
                var p = edgetam_tracker_default_params()
                p.max_objects = try int32(maxObjects, "maxObjects")
                p.max_conditioning_frames = try int32(maxConditioningFrames, "maxConditioningFrames")
                p.fill_hole_area = try int32(fillHoleArea, "fillHoleArea")
                p.corrections_as_conditioning = correctionsAsConditioning ? 1 : 0
                return p
            }
        }
    }

    /// Counters since creation.
    public struct Stats: Sendable, Equatable {
        public var submitted, processed, dropped, failed: UInt64
    }

    public let model: Model
    public let options: Options
    let handle: OpaquePointer
    /// Of the last frame tracked: what prompt results are sized by.
    var frameSize: (width: Int, height: Int)?

    /// Throws `.invalidArgument` for options out of range or that the model cannot attend.
    public init(model: Model, options: Options = Options()) throws {
        var params = try options.cValue
        var tracker: OpaquePointer?
        try check(edgetam_tracker_create(model.handle, &params, &tracker))
        self.model = model
        self.options = options
        handle = tracker!
    }

    deinit { edgetam_tracker_destroy(handle) }

    /// Tracks every object into `frame` (borrowed during the call only) and returns one result per
    /// object, by increasing id; with `masks`, each with its frame-size mask. A frame with no
    /// objects is still encoded: it becomes the frame prompts apply to. On failure the tracker is
    /// exactly as before.
    public func track(_ frame: Frame, masks: Bool = true) throws -> [ObjectResult] {
        let slots = ResultSlots(capacity: options.maxObjects, width: frame.width, height: frame.height,
                                masks: masks)
        var count: Int32 = 0
        let status = frame.withDescriptor { descriptor in
            slots.results.withUnsafeMutableBufferPointer {
                edgetam_tracker_track(handle, descriptor, $0.baseAddress, Int32($0.count), &count)
            }
        }
        // Not reachable while calls do not overlap (the type is not Sendable); never an error.
        if status == EDGETAM_DROPPED { return [] }
        try check(status, lastError)
        frameSize = (frame.width, frame.height)
        return slots.values(Int(count))
    }

    /// Adds object `objectID` (>= 0) with `prompt` on the current frame (the last tracked), or
    /// refines it, and returns its result there. `replacingPoints` false adds the points to this
    /// frame's earlier ones. A mask prompt must be the frame's size. Throws `.noFrame` before any
    /// frame, `.badPrompt` with the reason, `.tooManyObjects`; nothing changes then.
    @discardableResult
    public func addPrompt(_ prompt: Prompt, objectID: Int, replacingPoints: Bool = true) throws -> ObjectResult {
        let id = try int32(objectID, "objectID")
        guard let size = frameSize else {
            throw EdgeTAMError(.noFrame, "a prompt needs a tracked frame first")
        }
        if case .mask(let mask) = prompt, mask.width != size.width || mask.height != size.height {
            throw EdgeTAMError(.badPrompt, "the mask is \(mask.width)x\(mask.height), the frame \(size.width)x\(size.height)")
        }
        let slots = ResultSlots(capacity: 1, width: size.width, height: size.height, masks: true)
        let status = prompt.withCPrompt(replacingPoints: replacingPoints) { cPrompt in
            slots.results.withUnsafeMutableBufferPointer {
                edgetam_tracker_add_prompt(handle, id, cPrompt, $0.baseAddress)
            }
        }
        try check(status, lastError)
        return slots.values(1)[0]
    }

    /// Forgets one object and its memory. Throws `.unknownObject`.
    public func removeObject(_ objectID: Int) throws {
        try check(edgetam_tracker_remove_object(handle, try int32(objectID, "objectID")), lastError)
    }

    /// Forgets every object; the current frame stays, so prompts can follow at once.
    public func reset() throws {
        try check(edgetam_tracker_reset(handle), lastError)
    }

    public var objectCount: Int { Int(edgetam_tracker_object_count(handle)) }

    public var stats: Stats {
        var s = edgetam_tracker_stats()
        s.struct_size = UInt32(MemoryLayout<edgetam_tracker_stats>.size)
        _ = edgetam_tracker_get_stats(handle, &s) // cannot fail on a live tracker
        return Stats(submitted: s.submitted, processed: s.processed, dropped: s.dropped, failed: s.failed)
    }

    private var lastError: String { String(cString: edgetam_tracker_last_error(handle)) }
}
