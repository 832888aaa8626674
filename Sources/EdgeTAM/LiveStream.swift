import CEdgeTAM
import Foundation

/// Live camera mode: a tracker driven by its own worker thread. `push` never waits for the model:
/// while the worker is busy a frame is dropped untouched (`Push.dropped`, a result, not an error).
/// Results go to a closure on the worker thread, one frame at a time, in push order, or to an
/// `AsyncStream` (`makeWithResults`). Keeps its model alive. Releasing the last reference stops the
/// worker (a frame being processed finishes and is delivered, a waiting one is discarded) and no
/// result is delivered after that; the `AsyncStream` then finishes.
///
/// Sendable: every call may come from any thread (the C stream is thread-safe). Named LiveStream,
/// not Stream, so that it does not collide with Foundation's `Stream` in files importing both.
public final class LiveStream: @unchecked Sendable {
    public struct Options: Sendable {
        public var tracker = Tracker.Options()
        /// While the worker is busy: false (default) drops the new frame untouched; true converts
        /// it and lets it replace the waiting frame (the worker always gets the freshest).
        public var keepLatest = false
        /// Frame-size masks in the results (default true).
        public var masks = true
        public init() {}
    }

    /// What `push` did with a frame.
    public enum Push: Sendable, Equatable {
        /// Converted (the caller's buffer is already released) and handed to the worker.
        case accepted
        /// The worker was busy: the frame was not read or locked.
        case dropped
    }

    /// Counters since creation: every push is rejected, droppedBusy or converted; every converted
    /// frame ends processed, failed, droppedReplaced or droppedShutdown (or is in flight).
    public struct Stats: Sendable, Equatable {
        public var submitted, rejected, droppedBusy, converted: UInt64
        public var droppedReplaced, droppedShutdown, processed, failed: UInt64
        /// Push to delivery over every delivered frame.
        public var latencyMillisecondsP50, latencyMillisecondsP99: Double
    }

    public let model: Model
    let handle: OpaquePointer
    private let sink: Unmanaged<ResultSink>
    /// Held across each push and each mask prompt: a mask prompt is checked against the size of
    /// the latest frame pushed, which the C call copies it at. A push that arrives while another
    /// converts therefore waits for it (instead of being dropped, as in C); pushes from one camera
    /// queue never meet.
    private let pushLock = NSLock()
    private var latestSize: (width: Int, height: Int)?

    /// Creates the stream and starts its worker. `onResult` runs on the worker thread for every
    /// processed frame, in order; it may push and prompt, and holds up the next frame while it
    /// runs. It must not hold the stream strongly: the stream keeps it until it stops, so that
    /// cycle would never stop.
    public convenience init(model: Model, options: Options = Options(),
                            onResult: @escaping @Sendable (StreamResult) -> Void) throws {
        try self.init(model: model, options: options, sink: ResultSink(deliver: onResult, finish: nil))
    }

    /// A stream and the sequence of its results, which finishes when the stream is released.
    public static func makeWithResults(
        model: Model, options: Options = Options(),
        bufferingPolicy: AsyncStream<StreamResult>.Continuation.BufferingPolicy = .unbounded
    ) throws -> (stream: LiveStream, results: AsyncStream<StreamResult>) {
        let (results, continuation) = AsyncStream<StreamResult>.makeStream(bufferingPolicy: bufferingPolicy)
        let sink = ResultSink(deliver: { continuation.yield($0) }, finish: { continuation.finish() })
        do {
            return (try LiveStream(model: model, options: options, sink: sink), results)
        } catch {
            continuation.finish()
            throw error
        }
    }

    private init(model: Model, options: Options, sink: ResultSink) throws {
        var params = edgetam_stream_default_params()
        params.tracker = try options.tracker.cValue
        params.policy = options.keepLatest ? EDGETAM_STREAM_KEEP_LATEST : EDGETAM_STREAM_DROP_NEW
        params.output_masks = options.masks ? 1 : 0
        // The stream holds the sink until it is destroyed: no callback outlives it.
        let retained = Unmanaged.passRetained(sink)
        params.user_data = retained.toOpaque()
        params.on_result = { result, userData in
            guard let result, let userData else { return }
            Unmanaged<ResultSink>.fromOpaque(userData).takeUnretainedValue()
                .deliver(StreamResult(result.pointee))
        }
        var stream: OpaquePointer?
        let status = edgetam_stream_create(model.handle, &params, &stream)
        guard status == EDGETAM_OK, let stream else {
            retained.release()
            throw EdgeTAMError(Status(status), "")
        }
        self.model = model
        self.sink = retained
        handle = stream
    }

    deinit {
        edgetam_stream_destroy(handle) // joins the worker: no callback after this
        sink.takeUnretainedValue().finish?()
        sink.release()
    }

    /// Offers a frame (borrowed during the call only). `timestamp` (any unit) must be greater
    /// than every earlier push's, accepted or dropped: else `.badTimestamp` and the frame is not
    /// touched. Frame errors (descriptor, lock) are thrown here.
    @discardableResult
    public func push(_ frame: Frame, timestamp: Int64) throws -> Push {
        pushLock.lock()
        defer { pushLock.unlock() }
        let status = frame.withDescriptor { edgetam_stream_push(handle, $0, timestamp) }
        if status == EDGETAM_DROPPED { return .dropped }
        try check(status)
        latestSize = (frame.width, frame.height)
        return .accepted
    }

    /// Queues a prompt for object `objectID` (>= 0), in pixels of the latest frame pushed, applied
    /// right after the next frame the worker tracks (its result then includes the object). Checked
    /// now (`.noFrame`, `.badPrompt`; a mask must be the latest frame's size) and again when
    /// applied (`StreamResult.promptError`). At most 16 wait at a time: `.queueFull`.
    public func addPrompt(_ prompt: Prompt, objectID: Int, replacingPoints: Bool = true) throws {
        let id = try int32(objectID, "objectID")
        guard case .mask(let mask) = prompt else {
            let status = prompt.withCPrompt(replacingPoints: replacingPoints) {
                edgetam_stream_add_prompt(handle, id, $0)
            }
            return try check(status)
        }
        pushLock.lock()
        defer { pushLock.unlock() }
        guard let size = latestSize else { throw EdgeTAMError(.noFrame, "") }
        guard mask.width == size.width, mask.height == size.height else {
            throw EdgeTAMError(.badPrompt, "the mask is \(mask.width)x\(mask.height), the latest frame \(size.width)x\(size.height)")
        }
        let status = prompt.withCPrompt(replacingPoints: replacingPoints) {
            edgetam_stream_add_prompt(handle, id, $0)
        }
        try check(status)
    }

    /// Queues removing one object (`.unknownObject` then shows in `promptError`).
    public func removeObject(_ objectID: Int) throws {
        try check(edgetam_stream_remove_object(handle, try int32(objectID, "objectID")))
    }

    /// Queues removing every object.
    public func reset() throws {
        try check(edgetam_stream_reset(handle))
    }

    /// Waits until no frame is waiting or being processed (its result delivered). Not from the
    /// result closure (`.invalidArgument`).
    public func flush() throws {
        try check(edgetam_stream_flush(handle))
    }

    public var stats: Stats {
        var s = edgetam_stream_stats()
        s.struct_size = UInt32(MemoryLayout<edgetam_stream_stats>.size)
        _ = edgetam_stream_get_stats(handle, &s) // cannot fail on a live stream
        return Stats(submitted: s.submitted, rejected: s.rejected, droppedBusy: s.dropped_busy,
                     converted: s.converted, droppedReplaced: s.dropped_replaced,
                     droppedShutdown: s.dropped_shutdown, processed: s.processed, failed: s.failed,
                     latencyMillisecondsP50: s.latency_ms_p50, latencyMillisecondsP99: s.latency_ms_p99)
    }
}

/// One processed frame of a `LiveStream`, copied out of the library's buffers.
public struct StreamResult: Sendable {
    /// As given to `push`.
    public var timestamp: Int64
    /// Why tracking this frame failed (then `objects` is empty and the objects are as before it).
    public var error: EdgeTAMError?
    public var width, height: Int
    /// Every object, by increasing id.
    public var objects: [ObjectResult]
    /// Prompt, remove and reset calls applied to this frame.
    public var promptsApplied: Int
    /// The first of them that failed.
    public var promptError: EdgeTAMError?
    /// From the start of its push to this result.
    public var latencyMilliseconds: Double

    init(_ r: edgetam_stream_result) {
        timestamp = r.timestamp
        width = Int(r.width)
        height = Int(r.height)
        let message = r.error.map { String(cString: $0) } ?? ""
        error = r.status == EDGETAM_OK ? nil : EdgeTAMError(Status(r.status), message)
        promptError = r.prompt_status == EDGETAM_OK ? nil : EdgeTAMError(Status(r.prompt_status), message)
        let count = Int(r.num_objects)
        objects = (0..<count).map { ObjectResult(r.objects[$0], width: Int(r.width), height: Int(r.height)) }
        promptsApplied = Int(r.prompts_applied)
        latencyMilliseconds = r.latency_ms
    }
}

/// What the stream's worker calls; the stream holds it until it is destroyed.
final class ResultSink: Sendable {
    let deliver: @Sendable (StreamResult) -> Void
    let finish: (@Sendable () -> Void)?
    init(deliver: @escaping @Sendable (StreamResult) -> Void, finish: (@Sendable () -> Void)?) {
        self.deliver = deliver
        self.finish = finish
    }
}
