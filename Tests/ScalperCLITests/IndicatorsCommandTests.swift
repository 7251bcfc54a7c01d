import EngineTestSupport
import Foundation
import TestSupport
import Testing

@Suite("scalper indicators")
struct IndicatorsCommandTests {
    @Test("over the GOOG reference CSV it prints the reference values (1e-9 relative) and directions")
    func matchesReference() throws {
        let source = ReferenceData.path("vectors/GOOG_1d_reference.csv")
        let result = try Executables.scalper("indicators", source, "--supertrend", "10,3", "--adx", "14", "--atr", "14")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.first == "timestamp,open,high,low,close,atr,plus_di,minus_di,adx,supertrend,supertrend_dir")
        let reference = String(decoding: try ReferenceData.data("vectors/GOOG_1d_reference.csv"), as: UTF8.self)
            .split(whereSeparator: \.isNewline).dropFirst()
        #expect(lines.count - 1 == reference.count)
        for (line, expected) in zip(lines.dropFirst(), reference) {
            let ours = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let theirs = expected.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(ours.count == 11)
            #expect(ours[0] == theirs[0])
            // ours: atr, +DI, −DI, ADX, supertrend, dir  ↔  theirs: atr14, plus_di14, minus_di14, adx14, supertrend10_3, dir
            for (mine, reference) in [(5, 5), (6, 6), (7, 7), (8, 8), (9, 10)] {
                let a = Double(ours[mine])
                let b = theirs[reference] == "nan" ? nil : Double(theirs[reference])
                if let a, let b {
                    #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(ours[0]) column \(mine)")
                } else {
                    #expect(a == nil && b == nil, "\(ours[0]) column \(mine)")
                }
            }
            #expect(ours[10] == (theirs[11] == "nan" ? "" : String(Int(Double(theirs[11])!))))
        }
    }

    @Test("over DhanHQ chart JSON the output matches its golden file")
    func chartJSONGolden() throws {
        let result = try Executables.scalper(
            "indicators", ReferenceData.path("dhan/nifty-intraday-5m-2025-10-24..31.json"))
        #expect(result.status == 0)
        let head = result.stdout.split(separator: "\n").prefix(40).joined(separator: "\n") + "\n"
        try expectGolden(head, "Tests/ScalperCLITests/Golden/indicators-nifty-5m-head.csv")
    }

    @Test("bad input: exit 1 with file and row; unreadable file: exit 2; bad --supertrend: 64")
    func errors() throws {
        let scratch = TemporaryDirectory()
        let bad = scratch.sub("bad.csv")
        try "timestamp,open,high,low,close\n1,2,3,1,2\n2,2,3,1,nan\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        let corrupt = try Executables.scalper("indicators", bad)
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr == "error: \(bad): bar 2 (timestamp 2): close is nan\n")
        let missing = try Executables.scalper("indicators", scratch.sub("none.csv"))
        #expect(missing.status == 2)
        let usage = try Executables.scalper("indicators", bad, "--supertrend", "10")
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--supertrend must be PERIOD,MULTIPLIER"))
    }
}
