import CEdgeTAM

/// A loaded model bundle (`.edgetam`, `.ptl` or `.pte`: shim/BUNDLE.md), shared read-only by any
/// number of trackers and streams on any threads, which keep it alive. Sendable: the C model is
/// read-only after loading and every call on it is thread-safe.
public final class Model: @unchecked Sendable {
    public struct Options: Sendable {
        /// Most threads for the model's math; 0: all cores. Process-wide.
        public var threads: Int
        /// Run on one thread while other work keeps the CPU busy (false when runs must match
        /// bit for bit: results can differ in the last bits with the thread count).
        public var adaptThreads: Bool

        public init() {
            let defaults = edgetam_model_default_params()
            threads = Int(defaults.num_threads)
            adaptThreads = defaults.adapt_threads != 0
        }
    }

    let handle: OpaquePointer

    /// Loads and checks the bundle at `path` and warms its methods up. A bundle is a program: load
    /// only bundles you trust. Throws `.modelLoad` or `.badBundle` with the loader's message.
    public init(path: String, options: Options = Options()) throws {
        var params = edgetam_model_default_params()
        params.num_threads = try int32(options.threads, "threads")
        params.adapt_threads = options.adaptThreads ? 1 : 0
        var model: OpaquePointer?
        var message = [CChar](repeating: 0, count: 1024)
        let status = edgetam_model_load(path, &params, &model, &message, message.count)
        try check(status, message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        handle = model!
    }

    deinit { edgetam_model_free(handle) }

    /// The model's square input size S.
    public var inputSize: Int { Int(edgetam_model_input_size(handle)) }

    /// Gives memory kept only for speed back to the system (the runtime's cached blocks, the C
    /// heap's free pages): call it on a memory warning or when a server goes idle. Results do not
    /// change; the next frame is slower while its memory comes back. Any thread, any time, also
    /// while trackers and streams run on the model. (`edgetam_model_trim` fails only for NULL.)
    public func trim() { _ = edgetam_model_trim(handle) }

    /// How many threads the model's math runs on now (fewer than `Options.threads` while the CPU
    /// is contended, with `adaptThreads`).
    public var currentThreads: Int { Int(edgetam_model_threads(handle)) }
}
