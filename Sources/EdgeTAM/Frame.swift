import CEdgeTAM

/// A borrowed view of pixels the caller owns, for `Tracker.track` and `LiveStream.push`: the
/// library reads them only during that call (lock, convert, unlock) and keeps nothing. The caller
/// keeps the memory valid while the frame is in use (e.g. inside `withUnsafeBytes`). Not Sendable:
/// it holds raw pointers.
public struct Frame {
    /// Named by byte order in memory (`include/edgetam.h`, "Pixel formats"): iOS
    /// kCVPixelFormatType_32BGRA is `.bgra`, Android RGBA_8888 is `.rgba`.
    public enum PixelFormat: Sendable, CaseIterable {
        case bgra, rgba, bgr24, rgb24, gray8
        /// plane 0 Y, plane 1 interleaved U,V
        case nv12
        /// plane 0 Y, plane 1 interleaved V,U
        case nv21
        /// planes Y, U, V
        case i420
    }

    /// YUV matrix (ignored for RGB and gray).
    public enum ColorSpace: Sendable { case bt601, bt709 }
    /// YUV range (ignored for RGB and gray): video (Y 16-235) or full.
    public enum ColorRange: Sendable { case video, full }

    /// One plane: its bytes and the distance between the starts of two rows.
    public struct Plane {
        public var bytes: UnsafeRawBufferPointer
        public var bytesPerRow: Int
        public init(_ bytes: UnsafeRawBufferPointer, bytesPerRow: Int) {
            self.bytes = bytes
            self.bytesPerRow = bytesPerRow
        }
    }

    var descriptor: edgetam_frame
    /// What the descriptor borrows beyond the caller's scope (a CVPixelBuffer on Apple).
    let owner: AnyObject?

    public var width: Int { Int(descriptor.width) }
    public var height: Int { Int(descriptor.height) }

    /// Describes `planes` as a `width` x `height` frame of `format`. Checks what the C API
    /// cannot: that there is one plane per plane of the format and that each buffer holds every
    /// row the format needs at its `bytesPerRow`. Throws `.invalidArgument` (plane count),
    /// `.badDimensions`, `.badStride` (rows shorter than the format's) or `.badPlane` (a buffer
    /// too short), and touches no pixel.
    public init(format: PixelFormat, width: Int, height: Int, planes: [Plane],
                colorSpace: ColorSpace = .bt601, colorRange: ColorRange = .video) throws {
        let layout = format.planeLayout(width: width, height: height)
        guard planes.count == layout.count else {
            throw EdgeTAMError(.invalidArgument,
                               "\(format) takes \(layout.count) plane(s), got \(planes.count)")
        }
        guard (1...Int(EDGETAM_MAX_FRAME_DIM)).contains(width),
              (1...Int(EDGETAM_MAX_FRAME_DIM)).contains(height) else {
            throw EdgeTAMError(.badDimensions, "frame size \(width)x\(height) is outside 1...\(EDGETAM_MAX_FRAME_DIM)")
        }
        var d = edgetam_frame_default()
        d.format = format.cValue
        d.width = Int32(width)
        d.height = Int32(height)
        d.color_space = colorSpace == .bt709 ? EDGETAM_COLOR_SPACE_BT709 : EDGETAM_COLOR_SPACE_BT601
        d.color_range = colorRange == .full ? EDGETAM_COLOR_RANGE_FULL : EDGETAM_COLOR_RANGE_VIDEO
        var data: [UnsafePointer<UInt8>?] = [nil, nil, nil]
        var strides: [Int32] = [0, 0, 0]
        for (i, (plane, need)) in zip(planes, layout).enumerated() {
            guard plane.bytesPerRow >= need.rowBytes, let stride = Int32(exactly: plane.bytesPerRow) else {
                throw EdgeTAMError(.badStride, "plane \(i): \(plane.bytesPerRow) bytes per row; "
                                   + "\(format) at width \(width) needs \(need.rowBytes) to \(Int32.max)")
            }
            let length = (need.rows - 1) * plane.bytesPerRow + need.rowBytes
            guard plane.bytes.count >= length, let base = plane.bytes.baseAddress else {
                throw EdgeTAMError(.badPlane, "plane \(i) has \(plane.bytes.count) bytes; \(need.rows) rows "
                                   + "of \(plane.bytesPerRow) bytes (\(format), \(width)x\(height)) need \(length)")
            }
            data[i] = base.assumingMemoryBound(to: UInt8.self)
            strides[i] = stride
        }
        d.planes.data = (data[0], data[1], data[2])
        d.planes.stride = (strides[0], strides[1], strides[2])
        descriptor = d
        owner = nil
    }

    init(descriptor: edgetam_frame, owner: AnyObject) {
        self.descriptor = descriptor
        self.owner = owner
    }

    /// Runs `body` with the C descriptor, keeping `owner` alive until it returns.
    func withDescriptor<R>(_ body: (UnsafePointer<edgetam_frame>) throws -> R) rethrows -> R {
        try withExtendedLifetime(owner) {
            try withUnsafePointer(to: descriptor) { try body($0) }
        }
    }
}

extension Frame.PixelFormat {
    var cValue: edgetam_pixel_format {
        switch self {
        case .bgra: EDGETAM_FORMAT_BGRA
        case .rgba: EDGETAM_FORMAT_RGBA
        case .bgr24: EDGETAM_FORMAT_BGR24
        case .rgb24: EDGETAM_FORMAT_RGB24
        case .gray8: EDGETAM_FORMAT_GRAY8
        case .nv12: EDGETAM_FORMAT_NV12
        case .nv21: EDGETAM_FORMAT_NV21
        case .i420: EDGETAM_FORMAT_I420
        }
    }

    /// Bytes per row and rows of each plane (chroma planes are ceil(w/2) x ceil(h/2) samples).
    func planeLayout(width: Int, height: Int) -> [(rowBytes: Int, rows: Int)] {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        switch self {
        case .bgra, .rgba: return [(4 * width, height)]
        case .bgr24, .rgb24: return [(3 * width, height)]
        case .gray8: return [(width, height)]
        case .nv12, .nv21: return [(width, height), (2 * cw, ch)]
        case .i420: return [(width, height), (cw, ch), (cw, ch)]
        }
    }
}
