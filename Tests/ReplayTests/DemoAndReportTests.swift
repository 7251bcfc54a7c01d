import Foundation
import TestSupport
import Testing

@Suite("scalper demo and scalper report")
struct DemoAndReportTests {
    @Test(
        "from an empty folder, on the built-in configuration and trend day, the demo paper-trades a session against dhan-sim in-process, proves the replay and writes the report"
    )
    func demo() throws {
        let folder = EmptyFolder()
        let scratch = folder.scratch
        let result = try folder.run(Executables.scalper, ["demo", "--out", scratch.sub("demo"), "--speed", "700"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("config: built-in defaults (scalper init writes editable copies)\n"))
        #expect(result.stdout.hasPrefix("AlgoScalper demo: dhan-sim on 127.0.0.1:"))
        #expect(result.stdout.contains("simulating 2025-11-04 at 700x; paper trading NIFTY, BANKNIFTY, SENSEX\n"))
        #expect(result.stdout.contains("commands identical; state hash "))
        let html = try String(contentsOfFile: scratch.sub("demo/report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("<polyline"))
        #expect(
            !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"),
            "the report loads nothing from the network")
        let csv = try String(contentsOfFile: scratch.sub("demo/trades.csv"), encoding: .utf8)
        #expect(
            csv.hasPrefix(
                "date,entry_tag,exit_tag,entry_time,exit_time,entry_price,exit_price,quantity,gross,charges,net\n"))
        let report = try Executables.scalper("report", scratch.sub("demo/journal"), "--out", scratch.sub("report"))
        #expect(report.status == 0 && report.stdout.contains("report: \(scratch.sub("report"))/report.html"))
        #expect(try String(contentsOfFile: scratch.sub("report/trades.csv"), encoding: .utf8) == csv)
    }
}
