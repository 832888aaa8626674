// Live camera segmentation on iOS with edgetam's Swift API: AVCaptureVideoDataOutput frames go
// into a live stream (CameraTracker.swift, the platform-neutral half); a tap starts tracking an
// object; masks come back as OneComponent8 pixel buffers this code creates and owns. README.md,
// "iOS" and "Swift", says how to add edgetam to an Xcode project. Apple only: CI parses this file
// but cannot type-check it without the Apple SDKs.
//
//     let path = Bundle.main.path(forResource: "edgetam", ofType: "pte")!
//     let camera = try EdgeTAMCamera(bundlePath: path) { mask in overlay.image = UIImage(ciImage: mask) }
//     camera.start()                        // asks for camera access, then runs
//     camera.track(objectAt: pixelPoint)    // on a tap
//     camera.stop()                         // before releasing it
//
// Ownership, the whole story: the camera's CVPixelBuffer belongs to the sample buffer, which
// AVFoundation keeps alive during captureOutput(_:didOutput:from:). edgetam only borrows it
// during the push (lock, copy, unlock, return); nothing here retains, releases or keeps it. The
// mask buffers are ours (from our pool); edgetam writes into them during the call.
import AVFoundation
import CoreImage
import CoreVideo
import EdgeTAM

final class EdgeTAMCamera: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate, @unchecked Sendable {
    // @unchecked: the session is configured and run on sessionQueue only; the tracker is Sendable.
    let session = AVCaptureSession()
    private let sessionQueue = DispatchQueue(label: "edgetam.session")
    private let cameraQueue = DispatchQueue(label: "edgetam.camera")
    private let tracker: CameraTracker

    /// bundlePath: the bundle shipped in the app, of the runtime edgetam was built for: a .pte for
    /// ExecuTorch, a .ptl for LibTorch-Lite (told apart by content, not by name).
    /// onMask runs on the main queue with each new mask of object 1 (white = object).
    init(bundlePath: String, onMask: @escaping @Sendable (CIImage) -> Void) throws {
        let sink = MaskSink()
        tracker = try CameraTracker(bundlePath: bundlePath) { mask in
            guard let image = sink.image(of: mask) else { return }
            DispatchQueue.main.async { onMask(image) }
        }
        super.init()
    }

    /// Asks for camera access (Info.plist needs NSCameraUsageDescription), then starts frames.
    func start() {
        AVCaptureDevice.requestAccess(for: .video) { granted in
            guard granted else { return }
            self.sessionQueue.async {
                if self.session.inputs.isEmpty && !self.configureCamera() { return }
                self.session.startRunning() // blocks until running: never on the main queue
            }
        }
    }

    /// Stops frames. Call it before releasing the camera object.
    func stop() {
        sessionQueue.sync { session.stopRunning() }
    }

    private func configureCamera() -> Bool {
        guard let camera = AVCaptureDevice.default(for: .video),
              let input = try? AVCaptureDeviceInput(device: camera) else { return false }
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        if session.canSetSessionPreset(.hd1280x720) { session.sessionPreset = .hd1280x720 }
        let output = AVCaptureVideoDataOutput()
        // NV12 straight from the camera: edgetam converts it without an RGB detour.
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String:
                                    kCVPixelFormatType_420YpCbCr8BiPlanarFullRange]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: cameraQueue)
        guard session.canAddInput(input), session.canAddOutput(output) else { return false }
        session.addInput(input)
        session.addOutput(output)
        return true
    }

    // Camera queue, every frame. Never blocks: a frame that arrives while the model is busy is
    // dropped by edgetam without being touched.
    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer,
                       from connection: AVCaptureConnection) {
        guard let pixels = CMSampleBufferGetImageBuffer(sampleBuffer),
              let frame = try? Frame(pixelBuffer: pixels) else { return }
        let time = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        tracker.push(frame, microseconds: CMTimeConvertScale(time, timescale: 1_000_000, method: .default).value)
    }

    /// A tap, in the camera frame's pixel coordinates (convert from the preview layer with
    /// captureDevicePointConverted(fromLayerPoint:) times the frame size). Any thread.
    func track(objectAt point: CGPoint) {
        tracker.track(objectAtX: Float(point.x), y: Float(point.y))
    }
}

/// Masks into pixel buffers from our own pool. Used on the stream's worker thread only, one mask
/// at a time (hence @unchecked).
private final class MaskSink: @unchecked Sendable {
    private var pool: CVPixelBufferPool?
    private var poolSize = (width: 0, height: 0)

    func image(of mask: Mask) -> CIImage? {
        guard let buffer = newMaskBuffer(mask.width, mask.height), (try? mask.write(to: buffer)) != nil
        else { return nil }
        return CIImage(cvPixelBuffer: buffer)
    }

    private func newMaskBuffer(_ width: Int, _ height: Int) -> CVPixelBuffer? {
        if pool == nil || poolSize != (width, height) {
            let attributes: [String: Any] = [
                kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_OneComponent8,
                kCVPixelBufferWidthKey as String: width,
                kCVPixelBufferHeightKey as String: height,
                kCVPixelBufferIOSurfacePropertiesKey as String: [String: Any](),
            ]
            pool = nil
            CVPixelBufferPoolCreate(nil, nil, attributes as CFDictionary, &pool)
            poolSize = (width, height)
        }
        guard let pool else { return nil }
        var buffer: CVPixelBuffer?
        CVPixelBufferPoolCreatePixelBuffer(nil, pool, &buffer) // ARC owns it; no manual release
        return buffer
    }
}
