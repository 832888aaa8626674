import CEdgeTAM

/// Facts about the linked C library. Any thread.
public enum Library {
    /// "MAJOR.MINOR.PATCH" of the library actually linked.
    public static var version: String { String(cString: edgetam_version_string()) }
    /// MAJOR * 10000 + MINOR * 100 + PATCH of the library actually linked.
    public static var versionNumber: Int { Int(edgetam_version_number()) }
    /// How many allocations the library has made since the process started (a diagnostic for
    /// "no allocation per frame"; it never decreases). The model runtime's own allocations and
    /// this Swift layer's result arrays are not counted.
    public static var allocationCount: UInt64 { edgetam_allocation_count() }
}
