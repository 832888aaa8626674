import EdgeTAM
import Foundation
import XCTest

/// The README's Swift example is ReadmeExample.swift exactly (the code block after the line
/// naming it), and it runs.
final class ReadmeTests: XCTestCase {
    func testTheReadmeShowsTheCompiledExample() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let file = try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/EdgeTAMTests/ReadmeExample.swift"),
                              encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        guard let named = lines.firstIndex(where: { $0.contains("`Tests/EdgeTAMTests/ReadmeExample.swift`") }),
              let open = lines[named...].firstIndex(of: "```swift"),
              let close = lines[(open + 1)...].firstIndex(of: "```") else {
            return XCTFail("README.md has no swift block after a line naming Tests/EdgeTAMTests/ReadmeExample.swift")
        }
        XCTAssertEqual(lines[(open + 1)..<close].joined(separator: "\n") + "\n", file)
    }

    func testTheReadmeExampleTracks() throws {
        let (w, h) = (320, 240)
        var gray = [UInt8](repeating: 40, count: w * h)
        for y in 0..<h { for x in 0..<w where (x - 160) * (x - 160) + (y - 120) * (y - 120) < 2500 { gray[y * w + x] = 220 } }
        let results = try trackClick(bundle: bundlePath(), gray: gray, width: w, height: h)
        XCTAssertEqual(results.map(\.objectID), [1, 1, 1])
        XCTAssertEqual(results.map { $0.mask?.bytes.count }, [w * h, w * h, w * h])
    }
}
