import CEdgeTAM

/// A status of the C library (`edgetam_status`): its values never change between releases.
/// Errors are negative; `.dropped` is the one positive value and never thrown: a dropped frame is
/// a result (`LiveStream.Push.dropped`).
public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ status: edgetam_status) { rawValue = Int32(status.rawValue) }

    public static let ok = Status(EDGETAM_OK)
    public static let invalidArgument = Status(EDGETAM_ERR_INVALID_ARGUMENT)
    public static let unsupportedFormat = Status(EDGETAM_ERR_UNSUPPORTED_FORMAT)
    public static let badDimensions = Status(EDGETAM_ERR_BAD_DIMENSIONS)
    public static let badStride = Status(EDGETAM_ERR_BAD_STRIDE)
    public static let badPlane = Status(EDGETAM_ERR_BAD_PLANE)
    public static let lockFailed = Status(EDGETAM_ERR_LOCK_FAILED)
    public static let outOfMemory = Status(EDGETAM_ERR_OUT_OF_MEMORY)
    public static let abiMismatch = Status(EDGETAM_ERR_ABI_MISMATCH)
    public static let modelLoad = Status(EDGETAM_ERR_MODEL_LOAD)
    public static let badBundle = Status(EDGETAM_ERR_BAD_BUNDLE)
    public static let inference = Status(EDGETAM_ERR_INFERENCE)
    public static let badPrompt = Status(EDGETAM_ERR_BAD_PROMPT)
    public static let unknownObject = Status(EDGETAM_ERR_UNKNOWN_OBJECT)
    public static let noFrame = Status(EDGETAM_ERR_NO_FRAME)
    public static let tooManyObjects = Status(EDGETAM_ERR_TOO_MANY_OBJECTS)
    public static let bufferTooSmall = Status(EDGETAM_ERR_BUFFER_TOO_SMALL)
    public static let badTimestamp = Status(EDGETAM_ERR_BAD_TIMESTAMP)
    public static let queueFull = Status(EDGETAM_ERR_QUEUE_FULL)
    public static let dropped = Status(EDGETAM_DROPPED)

    var cValue: edgetam_status { edgetam_status(rawValue: .init(truncatingIfNeeded: rawValue)) }

    /// The library's name and meaning of the status, e.g. "EDGETAM_ERR_BAD_STRIDE: stride shorter
    /// than a row".
    public var description: String { String(cString: edgetam_status_str(cValue)) }
}

/// What every throwing call of this module throws: the library's status and its message (the
/// object's last error, or the status's description where the C call gives no message).
public struct EdgeTAMError: Error, Sendable, CustomStringConvertible {
    public let status: Status
    public let message: String

    public init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message.isEmpty ? status.description : message
    }

    public var description: String { message }
}

/// Throws for every status but `EDGETAM_OK`; `message` is read only on failure.
func check(_ status: edgetam_status, _ message: @autoclosure () -> String = "") throws {
    if status != EDGETAM_OK { throw EdgeTAMError(Status(status), message()) }
}

/// An `Int` as the C API's `int32_t`, or an error naming the argument.
func int32(_ value: Int, _ name: String) throws -> Int32 {
    guard let v = Int32(exactly: value) else {
        throw EdgeTAMError(.invalidArgument, "\(name) \(value) is out of range")
    }
    return v
}
