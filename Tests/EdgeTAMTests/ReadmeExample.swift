import EdgeTAM

/// Clicks the object at (160, 120) of a gray frame and tracks it through three more frames.
func trackClick(bundle: String, gray: [UInt8], width: Int, height: Int) throws -> [ObjectResult] {
    let tracker = try Tracker(model: Model(path: bundle))
    return try gray.withUnsafeBytes { pixels in  // your camera's pixels, borrowed during each call
        let frame = try Frame(format: .gray8, width: width, height: height,
                              planes: [.init(pixels, bytesPerRow: width)])
        _ = try tracker.track(frame)  // the frame the click is on
        try tracker.addPrompt(.points([Point(x: 160, y: 120)]), objectID: 1)
        return try (1...3).map { _ in try tracker.track(frame)[0] }  // your next frames
    }
}
