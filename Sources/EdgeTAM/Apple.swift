// CoreVideo in and out, through include/edgetam_apple.h. Apple platforms only: NOT compiled or
// tested here (no Mac); the C adapter underneath is tested against a CoreVideo double.
#if canImport(CoreVideo)
import CEdgeTAM
import CoreVideo

extension Frame {
    /// Describes `pixelBuffer` (32BGRA, 32RGBA, 24BGR, 24RGB, OneComponent8, 420YpCbCr8BiPlanar
    /// and 420YpCbCr8Planar, video or full range; the YUV matrix from its attachment). The frame
    /// keeps a reference to the buffer while it exists; the library locks it read-only during the
    /// call the frame is passed to and never retains, releases or keeps it. Throws
    /// `.unsupportedFormat` or `.badPlane`.
    public init(pixelBuffer: CVPixelBuffer) throws {
        var descriptor = edgetam_frame_default()
        try check(edgetam_frame_from_cvpixelbuffer(pixelBuffer, &descriptor))
        self.init(descriptor: descriptor, owner: pixelBuffer)
    }
}

extension Mask {
    /// Copies the mask into `destination`, a OneComponent8 buffer of the mask's size that the
    /// caller created and owns (e.g. from a CVPixelBufferPool), locked only during the call.
    public func write(to destination: CVPixelBuffer) throws {
        let status = bytes.withUnsafeBufferPointer {
            edgetam_mask_to_cvpixelbuffer($0.baseAddress, width, Int32(width), Int32(height), destination)
        }
        try check(status)
    }
}
#endif
