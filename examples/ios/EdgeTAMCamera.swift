// Live camera segmentation on iOS with edgetam: AVCaptureVideoDataOutput frames go into the
// library's live-stream mode; a tap starts tracking an object; masks come back as
// OneComponent8 pixel buffers this code creates and owns. README.md, "iOS", says how to add
// edgetam.xcframework and ExecuTorch's frameworks (or, legacy, the LibTorch-Lite pod) to an Xcode
// project.
//
//     let path = Bundle.main.path(forResource: "edgetam", ofType: "pte")!
//     let camera = try EdgeTAMCamera(bundlePath: path) { mask in overlay.image = UIImage(ciImage: mask) }
//     camera.start()                        // asks for camera access, then runs
//     camera.track(objectAt: pixelPoint)    // on a tap
//     camera.stop()                         // before releasing it
//
// Ownership, the whole story: the camera's CVPixelBuffer belongs to the sample buffer, which
// AVFoundation keeps alive during captureOutput(_:didOutput:from:). edgetam only borrows it
// during edgetam_stream_push (lock, copy, unlock, return); nothing here retains, releases or
// keeps it. The mask buffers are ours (from our pool); edgetam writes into them during the call.
import AVFoundation
import CoreImage
import CoreVideo
import edgetam

final class EdgeTAMCamera: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let session = AVCaptureSession()
    private let sessionQueue = DispatchQueue(label: "edgetam.session")
    private let cameraQueue = DispatchQueue(label: "edgetam.camera")
    private var model: OpaquePointer?   // edgetam_model *
    private var stream: OpaquePointer?  // edgetam_stream *
    private var sink: Unmanaged<MaskSink>?

    /// bundlePath: the bundle shipped in the app, of the runtime edgetam.xcframework was built for:
    /// a .pte for ExecuTorch, a .ptl (`--lite`) for LibTorch-Lite. The library tells them apart by
    /// content, not by name.
    /// onMask runs on the main queue with each new mask of object 1 (white = object).
    init(bundlePath: String, onMask: @escaping (CIImage) -> Void) throws {
        super.init()
        var params = edgetam_model_default_params()
        var error = [CChar](repeating: 0, count: 512)
        guard edgetam_model_load(bundlePath, &params, &model, &error, error.count) == EDGETAM_OK else {
            throw NSError(domain: "edgetam", code: 1,
                          userInfo: [NSLocalizedDescriptionKey: String(cString: error)])
        }
        // The worker thread's callbacks reach only the sink, which the stream holds a reference
        // to until it is destroyed: tearing the camera down never races with a callback.
        let sink = Unmanaged.passRetained(MaskSink(onMask: onMask))
        self.sink = sink
        var streamParams = edgetam_stream_default_params()
        streamParams.user_data = sink.toOpaque()
        streamParams.on_result = { result, userData in
            guard let result = result, let userData = userData else { return }
            Unmanaged<MaskSink>.fromOpaque(userData).takeUnretainedValue().deliver(result.pointee)
        }
        guard edgetam_stream_create(model, &streamParams, &stream) == EDGETAM_OK else {
            throw NSError(domain: "edgetam", code: 2) // deinit frees the model and the sink
        }
    }

    deinit {
        edgetam_stream_destroy(stream) // joins the worker: no callback after this
        sink?.release()
        edgetam_model_free(model)
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
    // dropped by edgetam without being touched (EDGETAM_DROPPED).
    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer,
                       from connection: AVCaptureConnection) {
        guard let pixels = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        var frame = edgetam_frame_default()
        guard edgetam_frame_from_cvpixelbuffer(pixels, &frame) == EDGETAM_OK else { return }
        let time = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        let microseconds = CMTimeConvertScale(time, timescale: 1_000_000, method: .default).value
        _ = edgetam_stream_push(stream, &frame, microseconds)
    }

    /// A tap, in the camera frame's pixel coordinates (convert from the preview layer with
    /// captureDevicePointConverted(fromLayerPoint:) times the frame size). Any thread.
    func track(objectAt point: CGPoint) {
        let click = edgetam_point(x: Float(point.x), y: Float(point.y), label: 1)
        var prompt = edgetam_prompt_default()
        withUnsafePointer(to: click) { clickPointer in
            prompt.points = clickPointer
            prompt.num_points = 1
            _ = edgetam_stream_add_prompt(stream, 1, &prompt) // copied: click may go away after
        }
    }
}

/// Runs on the stream's worker thread only, one result at a time.
private final class MaskSink {
    private let onMask: (CIImage) -> Void
    private var pool: CVPixelBufferPool?
    private var poolSize = (width: 0, height: 0)

    init(onMask: @escaping (CIImage) -> Void) { self.onMask = onMask }

    // `result` and its masks are valid only during the callback: copy the mask into a pixel
    // buffer we own, then hand that to the UI.
    func deliver(_ result: edgetam_stream_result) {
        guard result.status == EDGETAM_OK, result.num_objects > 0, let objects = result.objects,
              let mask = objects[0].mask, let maskBuffer = newMaskBuffer(result.width, result.height)
        else { return }
        guard edgetam_mask_to_cvpixelbuffer(mask, objects[0].mask_stride, result.width, result.height,
                                            maskBuffer) == EDGETAM_OK else { return }
        let image = CIImage(cvPixelBuffer: maskBuffer)
        let onMask = self.onMask
        DispatchQueue.main.async { onMask(image) }
    }

    private func newMaskBuffer(_ width: Int32, _ height: Int32) -> CVPixelBuffer? {
        if pool == nil || poolSize != (Int(width), Int(height)) {
            let attributes: [String: Any] = [
                kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_OneComponent8,
                kCVPixelBufferWidthKey as String: Int(width),
                kCVPixelBufferHeightKey as String: Int(height),
                kCVPixelBufferIOSurfacePropertiesKey as String: [String: Any](),
            ]
            pool = nil
            CVPixelBufferPoolCreate(nil, nil, attributes as CFDictionary, &pool)
            poolSize = (Int(width), Int(height))
        }
        guard let pool = pool else { return nil }
        var buffer: CVPixelBuffer?
        CVPixelBufferPoolCreatePixelBuffer(nil, pool, &buffer) // ARC owns it; no manual release
        return buffer
    }
}
