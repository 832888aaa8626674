import CEdgeTAM

/// A width x height 8-bit mask, rows packed (stride = width): 255 where the object is, else 0 in
/// results; nonzero = object in prompts.
public struct Mask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let bytes: [UInt8]

    /// `bytes` must hold exactly width x height values.
    public init(width: Int, height: Int, bytes: [UInt8]) throws {
        guard width > 0, height > 0, bytes.count == width * height else {
            throw EdgeTAMError(.badDimensions,
                               "a \(width)x\(height) mask needs \(max(width, 0) * max(height, 0)) bytes, got \(bytes.count)")
        }
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// Copies rows of `stride` bytes (the library's buffer, valid only now).
    init(copying base: UnsafePointer<UInt8>, stride: Int, width: Int, height: Int) {
        self.width = width
        self.height = height
        bytes = [UInt8](unsafeUninitializedCapacity: width * height) { out, count in
            for y in 0..<height {
                (out.baseAddress! + y * width).update(from: base + y * stride, count: width)
            }
            count = width * height
        }
    }
}

/// A rectangle of whole pixels, half-open: x0 <= x < x1, y0 <= y < y1; all zero when empty.
public struct Box: Sendable, Equatable {
    public var x0, y0, x1, y1: Int
    public init(x0: Int, y0: Int, x1: Int, y1: Int) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }
}

/// One object in one frame.
public struct ObjectResult: Sendable, Equatable {
    public var objectID: Int
    /// Frame-size mask (nil when masks were not asked for).
    public var mask: Mask?
    /// Bounding box of the mask.
    public var box: Box
    /// Mask pixels.
    public var area: Int
    /// The model's predicted IoU of the mask.
    public var score: Float
    /// Object-presence logit; `visible` is `objectScore > 0`.
    public var objectScore: Float
    /// False when the object is lost in this frame (its mask is then empty).
    public var visible: Bool

    /// Copies `r` and its mask (the library's or the caller's buffer, read now).
    init(_ r: edgetam_object_result, width: Int, height: Int) {
        objectID = Int(r.object_id)
        mask = r.mask.map { Mask(copying: $0, stride: r.mask_stride, width: width, height: height) }
        box = Box(x0: Int(r.box.x0), y0: Int(r.box.y0), x1: Int(r.box.x1), y1: Int(r.box.y1))
        area = Int(r.area)
        score = r.iou
        objectScore = r.object_score
        visible = r.present != 0
    }
}

/// C result slots whose masks point into one scratch allocation of `capacity` frame-size masks,
/// for one call (uninitialised: only the masks the library writes are read).
final class ResultSlots {
    var results: [edgetam_object_result]
    let masks: UnsafeMutableRawBufferPointer?
    let width: Int, height: Int

    init(capacity: Int, width: Int, height: Int, masks wantMasks: Bool) {
        self.width = width
        self.height = height
        let pixels = width * height
        let scratch: UnsafeMutableRawBufferPointer? = wantMasks && pixels > 0
            ? .allocate(byteCount: capacity * pixels, alignment: 64) : nil
        masks = scratch
        var blank = edgetam_object_result()
        blank.struct_size = UInt32(MemoryLayout<edgetam_object_result>.size)
        results = (0..<capacity).map { i in
            var r = blank
            if let scratch {
                r.mask = (scratch.baseAddress! + i * pixels).assumingMemoryBound(to: UInt8.self)
                r.mask_stride = width
            }
            return r
        }
    }

    deinit { masks?.deallocate() }

    /// The first `count` results, copied out.
    func values(_ count: Int) -> [ObjectResult] {
        results.prefix(count).map { ObjectResult($0, width: width, height: height) }
    }
}
