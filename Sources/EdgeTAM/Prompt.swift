import CEdgeTAM

/// A click in frame pixels of the current frame.
public struct Point: Sendable, Equatable {
    public enum Label: Int32, Sendable {
        case background = 0
        case object = 1
    }

    public var x: Float
    public var y: Float
    public var label: Label

    public init(x: Float, y: Float, label: Label = .object) {
        self.x = x
        self.y = y
        self.label = label
    }
}

/// A rectangle in frame pixels, x0 < x1, y0 < y1.
public struct Rect: Sendable, Equatable {
    public var x0, y0, x1, y1: Float
    public init(x0: Float, y0: Float, x1: Float, y1: Float) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }
}

/// What marks an object on the current frame: clicks, a box (with optional clicks), or a mask
/// alone (frame-size, nonzero = object). At most 32 points, a box counting as 2.
public enum Prompt: Sendable, Equatable {
    case points([Point])
    case box(Rect, points: [Point] = [])
    case mask(Mask)

    /// Runs `body` with the C prompt; its pointers are valid only inside.
    func withCPrompt<R>(replacingPoints: Bool,
                        _ body: (UnsafePointer<edgetam_prompt>) throws -> R) rethrows -> R {
        var prompt = edgetam_prompt_default()
        prompt.clear_old_points = replacingPoints ? 1 : 0
        let points: [Point]
        switch self {
        case .points(let p):
            points = p
        case .box(let r, let p):
            points = p
            prompt.has_box = 1
            prompt.box = (r.x0, r.y0, r.x1, r.y1)
        case .mask(let mask):
            return try mask.bytes.withUnsafeBufferPointer { bytes in
                prompt.mask = bytes.baseAddress
                prompt.mask_stride = mask.width
                return try body(&prompt)
            }
        }
        let cPoints = points.map { edgetam_point(x: $0.x, y: $0.y, label: $0.label.rawValue) }
        return try cPoints.withUnsafeBufferPointer { p in
            prompt.points = p.baseAddress
            prompt.num_points = Int32(p.count)
            return try body(&prompt)
        }
    }
}
