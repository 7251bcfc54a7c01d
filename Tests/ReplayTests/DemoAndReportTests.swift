import Foundation
import TestSupport
import Testing

@Suite("scalper demo and scalper report")
struct DemoAndReportTests {
    @Test(
        "from an empty folder, on the built-in configuration and trend day, the demo runs scalper run's process for a day against dhan-sim in memory on virtual time, holds every invariant, proves the replay and writes the report; a second run gives the same trades and journal"
    )
    func demo() throws {
        let folder = EmptyFolder()
        let scratch = folder.scratch
        let result = try folder.run(Executables.scalper, ["demo", "--out", scratch.sub("demo")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "config: built-in defaults (scalper init writes editable copies)\n")
        #expect(
            result.stdout.hasPrefix(
                "AlgoScalper demo: 2025-11-04 09:14–15:35 IST, scalper run against dhan-sim's broker in memory on virtual time (seed 7); trading NIFTY, BANKNIFTY, SENSEX, no real broker\n"
            ))
        #expect(result.stdout.contains("invariants: all 9 held\n"))
        #expect(result.stdout.contains("commands identical; state hash "))
        #expect(!result.stdout.contains("result: 0 trades"), "the trend day trades")
        // Deterministic: a second run in another folder gives the same lines (but the wall time and the path),
        // the same trades and the same final state.
        let again = try folder.run(Executables.scalper, ["demo", "--out", scratch.sub("again")])
        func stable(_ text: String, _ out: String) -> [String] {
            text.replacingOccurrences(of: out, with: "OUT").split(separator: "\n").map {
                $0.hasPrefix("journal:") ? String($0.prefix { $0 != ")" }) : String($0)
            }
        }
        #expect(stable(again.stdout, scratch.sub("again")) == stable(result.stdout, scratch.sub("demo")))
        // The same journal, record for record (time stamps included).
        let first = try Executables.scalper("journal", "dump", scratch.sub("demo/journal"))
        let second = try Executables.scalper("journal", "dump", scratch.sub("again/journal"))
        #expect(first.status == 0 && first.stdout.count > 10_000_000 && first.stdout == second.stdout)
        #expect(
            try String(contentsOfFile: scratch.sub("again/trades.csv"), encoding: .utf8)
                == String(contentsOfFile: scratch.sub("demo/trades.csv"), encoding: .utf8))
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
