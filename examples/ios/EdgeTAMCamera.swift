// Live camera segmentation on iOS with edgetam: AVCaptureVideoDataOutput frames go into the
// library's live-stream mode; a tap starts tracking an object; masks come back as
// OneComponent8 pixel buffers this class creates and owns. README.md, "iOS", says how to add
// edgetam.xcframework and the LibTorch-Lite pod to an Xcode project.
//
// Ownership, the whole story: the camera's CVPixelBuffer belongs to the sample buffer, which
// AVFoundation keeps alive during captureOutput(_:didOutput:from:). edgetam only borrows it
// during edgetam_stream_push (lock, copy, unlock, return) - nothing here retains, releases or
// keeps it. The mask buffers are ours (from our pool); edgetam writes into them during the call.
import AVFoundation
import CoreImage
import CoreVideo
import edgetam

final class EdgeTAMCamera: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let session = AVCaptureSession()
    /// Called on the main queue with each new mask of object 1 (white = object).
    var onMask: ((CIImage) -> Void)?

    private var model: OpaquePointer?   // edgetam_model *
    private var stream: OpaquePointer?  // edgetam_stream *
    private var maskPool: CVPixelBufferPool?
    private var maskSize = (width: 0, height: 0)
    private let cameraQueue = DispatchQueue(label: "camera")

    /// bundlePath: a .ptl bundle exported with `shim/export_edgetam.py --lite`, shipped in the app.
    init(bundlePath: String) throws {
        super.init()
        var params = edgetam_model_default_params()
        var error = [CChar](repeating: 0, count: 512)
        guard edgetam_model_load(bundlePath, &params, &model, &error, error.count) == EDGETAM_OK else {
            throw NSError(domain: "edgetam", code: 1,
                          userInfo: [NSLocalizedDescriptionKey: String(cString: error)])
        }
        var streamParams = edgetam_stream_default_params()
        // The stream is destroyed in deinit, before self goes away, so an unretained pointer is safe.
        streamParams.user_data = Unmanaged.passUnretained(self).toOpaque()
        streamParams.on_result = { result, userData in
            guard let result = result, let userData = userData else { return }
            Unmanaged<EdgeTAMCamera>.fromOpaque(userData).takeUnretainedValue().deliver(result.pointee)
        }
        guard edgetam_stream_create(model, &streamParams, &stream) == EDGETAM_OK else {
            throw NSError(domain: "edgetam", code: 2) // deinit frees the model
        }
        try configureCamera()
    }

    deinit {
        session.stopRunning()
        edgetam_stream_destroy(stream) // joins the worker: no callback after this
        edgetam_model_free(model)
    }

    private func configureCamera() throws {
        guard let camera = AVCaptureDevice.default(for: .video) else { throw NSError(domain: "edgetam", code: 3) }
        session.beginConfiguration()
        session.sessionPreset = .hd1280x720
        session.addInput(try AVCaptureDeviceInput(device: camera))
        let output = AVCaptureVideoDataOutput()
        // NV12 straight from the camera: edgetam converts it without an RGB detour.
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String:
                                    kCVPixelFormatType_420YpCbCr8BiPlanarFullRange]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: cameraQueue)
        session.addOutput(output)
        session.commitConfiguration()
    }

    // Camera queue, every frame. Never blocks: a frame that arrives while the model is busy is
    // dropped by edgetam without being touched (EDGETAM_DROPPED).
    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer,
                       from connection: AVCaptureConnection) {
        guard let pixels = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        var frame = edgetam_frame_default()
        guard edgetam_frame_from_cvpixelbuffer(pixels, &frame) == EDGETAM_OK else { return }
        let time = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        let microseconds = Int64(CMTimeGetSeconds(time) * 1_000_000)
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

    // The stream's worker thread. `result` and its masks are valid only during this call:
    // copy the mask into a pixel buffer we own, then hand that to the UI.
    private func deliver(_ result: edgetam_stream_result) {
        guard result.status == EDGETAM_OK, result.num_objects > 0, let objects = result.objects,
              let mask = objects[0].mask, let maskBuffer = newMaskBuffer(result.width, result.height)
        else { return }
        let object = objects[0]
        guard edgetam_mask_to_cvpixelbuffer(mask, object.mask_stride, result.width, result.height,
                                            maskBuffer) == EDGETAM_OK else { return }
        let image = CIImage(cvPixelBuffer: maskBuffer)
        DispatchQueue.main.async { [weak self] in self?.onMask?(image) }
    }

    private func newMaskBuffer(_ width: Int32, _ height: Int32) -> CVPixelBuffer? {
        if maskPool == nil || maskSize != (Int(width), Int(height)) {
            let attributes: [String: Any] = [
                kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_OneComponent8,
                kCVPixelBufferWidthKey as String: Int(width),
                kCVPixelBufferHeightKey as String: Int(height),
                kCVPixelBufferIOSurfacePropertiesKey as String: [:],
            ]
            CVPixelBufferPoolCreate(nil, nil, attributes as CFDictionary, &maskPool)
            maskSize = (Int(width), Int(height))
        }
        guard let pool = maskPool else { return nil }
        var buffer: CVPixelBuffer?
        CVPixelBufferPoolCreatePixelBuffer(nil, pool, &buffer) // ARC owns it; no manual release
        return buffer
    }
}
