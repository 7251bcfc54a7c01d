import Foundation
import TestSupport
import Testing

/// Compares output with a committed golden file; `SCALPER_UPDATE_GOLDEN=1 swift test` rewrites them.
public func expectGolden(_ actual: String, _ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation)
    throws
{
    let path = Fixtures.path(relativePath)
    if ProcessInfo.processInfo.environment["SCALPER_UPDATE_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try actual.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOfFile: path, encoding: .utf8)
    if actual != expected {
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference =
            zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        let shownExpected = firstDifference < expectedLines.count ? String(expectedLines[firstDifference]) : "<end>"
        let shownActual = firstDifference < actualLines.count ? String(actualLines[firstDifference]) : "<end>"
        Issue.record(
            "output differs from \(relativePath) at line \(firstDifference + 1):\n  expected: \(shownExpected)\n  actual:   \(shownActual)\n(SCALPER_UPDATE_GOLDEN=1 rewrites golden files)",
            sourceLocation: sourceLocation)
    }
}
