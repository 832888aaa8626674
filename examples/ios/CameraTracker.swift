// The camera example's tracking side, platform-neutral (Foundation-free, no AVFoundation): one
// live stream, taps turned into prompts for object 1, and object 1's mask handed on. CI
// type-checks this file on Linux against the Swift package (cmake/check-swift.sh);
// EdgeTAMCamera.swift feeds it camera frames on iOS.
import EdgeTAM

final class CameraTracker: Sendable {
    private let stream: LiveStream

    /// bundlePath: the .pte (or .ptl) shipped with the app. onMask runs on the stream's worker
    /// thread with each new mask of object 1 while it is visible; the mask is a copy it may keep.
    init(bundlePath: String, onMask: @escaping @Sendable (Mask) -> Void) throws {
        stream = try LiveStream(model: Model(path: bundlePath)) { result in
            guard result.error == nil,
                  let object = result.objects.first(where: { $0.objectID == 1 }), object.visible,
                  let mask = object.mask else { return }
            onMask(mask)
        }
    }

    /// Camera queue, every frame; never waits for the model. A frame that arrives while the model
    /// is busy is dropped without being read (`.dropped`); nil for a frame the library refused.
    @discardableResult
    func push(_ frame: Frame, microseconds: Int64) -> LiveStream.Push? {
        try? stream.push(frame, timestamp: microseconds)
    }

    /// A tap, in the camera frame's pixel coordinates; any thread. Applied after the next frame.
    func track(objectAtX x: Float, y: Float) {
        try? stream.addPrompt(.points([Point(x: x, y: y)]), objectID: 1)
    }
}
