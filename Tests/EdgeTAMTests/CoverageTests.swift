import Foundation
import XCTest

/// Every public function of the C headers is used by the Swift layer (Sources/EdgeTAM) or listed
/// here with the reason it is not wrapped.
final class CoverageTests: XCTestCase {
    static let notWrapped: [String: String] = [
        "edgetam_set_allocator": "process-wide, before any object exists: a C embedding concern (LeakTests uses it)",
        "edgetam_converter_default_params": "the converter alone (model input tensors) is for C pipelines and benchmarks; Tracker and LiveStream convert",
        "edgetam_converter_create": "as edgetam_converter_default_params",
        "edgetam_converter_destroy": "as edgetam_converter_default_params",
        "edgetam_convert_frame": "as edgetam_converter_default_params",
        "edgetam_converter_output": "as edgetam_converter_default_params",
        "edgetam_converter_input_size": "as edgetam_converter_default_params",
        "edgetam_converter_last_error": "as edgetam_converter_default_params",
    ]

    /// Names declared with EDGETAM_API in `header`.
    static func publicFunctions(_ header: String) -> [String] {
        header.components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("EDGETAM_API "), let paren = line.firstIndex(of: "(") else { return nil }
            let name = line[..<paren].split(whereSeparator: { $0 == " " || $0 == "*" }).last.map(String.init)
            return name?.hasPrefix("edgetam_") == true ? name : nil
        }
    }

    func testEveryPublicFunctionIsWrappedOrListed() throws {
        var functions: [String] = [], declarations = 0
        for header in ["include/edgetam.h", "include/edgetam_apple.h"] {
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent(header), encoding: .utf8)
            functions += Self.publicFunctions(text)
            declarations += text.components(separatedBy: "\n").filter {
                let code = $0.trimmingCharacters(in: .whitespaces)
                return code.contains("EDGETAM_API") && code.contains("edgetam_") && code.contains("(")
                    && !code.hasPrefix("#") && !code.hasPrefix("/*") && !code.hasPrefix("*")
            }.count
        }
        // the parse finds every declaration, however indented
        XCTAssertEqual(functions.count, declarations)
        XCTAssertEqual(functions.count, Set(functions).count)
        XCTAssertTrue(functions.contains("edgetam_version_number") && functions.contains("edgetam_stream_get_stats")
                      && functions.contains("edgetam_mask_to_cvpixelbuffer"), "\(functions)")
        let sourceDir = repositoryRoot.appendingPathComponent("Sources/EdgeTAM")
        let swift = try FileManager.default.contentsOfDirectory(atPath: sourceDir.path)
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: sourceDir.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n")
        for name in functions {
            let used = swift.contains(name + "(")
            if let reason = Self.notWrapped[name] {
                XCTAssertFalse(used, "\(name) is used by the Swift layer but listed as not wrapped (\(reason))")
            } else {
                XCTAssertTrue(used, "\(name) is neither used by Sources/EdgeTAM nor listed in CoverageTests.notWrapped")
            }
        }
        for name in Self.notWrapped.keys {
            XCTAssertTrue(functions.contains(name), "\(name) is listed as not wrapped but no header declares it")
        }
    }
}
