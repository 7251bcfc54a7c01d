import Dhan
import Domain
import EngineTestSupport
import Foundation
import History
import TestSupport
import Testing

/// `scalper history ls` and `export` over a store written here (the fetch itself is tested against dhan-sim).
@Suite("scalper history commands")
struct HistoryCommandTests {
    @Test("ls and export print the golden listing and CSV; a bad series name is refused")
    func lsAndExport() throws {
        let scratch = TemporaryDirectory("history-cli")
        let store = HistoryStore(root: scratch.sub("store"))
        let day = CivilDate(2025, 10, 27)
        let put = HistorySeries.options(interval: 5, expiry: .week, code: 1, offset: StrikeOffset(-1), type: .put)
        let bars = (0..<3).map { bar in
            RecordedOptionBar(
                start: Timestamp.ist(day, 9, 15 + 5 * bar).epochSeconds, open: Paise(8_000 + Int64(bar) * 50),
                high: Paise(8_300), low: Paise(7_900), close: Paise(8_050 + Int64(bar) * 50), volume: 3_000,
                openInterest: 45_000, impliedVolatility: 12.5, strike: .rupees(25_650), spot: Paise(2_571_010))
        }
        try store.write(
            HistoryFile(from: CivilDate(2025, 10, 1), through: CivilDate(2025, 11, 1), bars: bars), index: "NIFTY",
            series: put, month: Month(2025, 10))
        try store.write(
            HistoryFile(
                from: CivilDate(2025, 10, 20), through: CivilDate(2025, 10, 28),
                bars: [
                    RecordedOptionBar(
                        start: Timestamp.ist(day, 0, 0).epochSeconds, open: .rupees(25_600), high: .rupees(25_750),
                        low: .rupees(25_580), close: .rupees(25_710), volume: 0, openInterest: 0, impliedVolatility: 0,
                        strike: .zero, spot: .rupees(25_710))
                ]), index: "NIFTY", series: .indexDaily, month: Month(2025, 10))
        let ls = try Executables.scalper("history", "ls", "--store", store.root)
        #expect(ls.status == 0)
        try expectGolden(ls.stdout, "Tests/ScalperCLITests/Golden/history-ls.txt")
        let csv = try Executables.scalper(
            "history", "export", "--store", store.root, "--index", "nifty", "--series", "options/5m/week-1/ATM-1-PE",
            "--from", "2025-10-27", "--to", "2025-10-27")
        #expect(csv.status == 0)
        try expectGolden(csv.stdout, "Tests/ScalperCLITests/Golden/history-export.csv")
        let bad = try Executables.scalper(
            "history", "export", "--store", store.root, "--index", "NIFTY", "--series", "options/5m/ATM",
            "--from", "2025-10-27", "--to", "2025-10-27")
        #expect(bad.status != 0 && bad.stderr.contains("--series 'options/5m/ATM' is not a series name"))
        let empty = try Executables.scalper("history", "ls", "--store", scratch.sub("nothing"))
        #expect(empty.stdout == "history: nothing stored in \(scratch.sub("nothing"))\n")
    }

    @Test("the user's path: history fetch from a dhan-sim child, backtest --options history (golden), replay identical")
    func fetchThenBacktest() throws {
        let folder = EmptyFolder()
        let sim = try DhanSimChild(in: folder, arguments: ["--speed", "0", "--date", "2025-11-04"])
        defer { sim.stop() }
        let fetch = try folder.run(
            Executables.scalper,
            [
                "history", "fetch", "--index", "NIFTY", "--from", "2025-10-13", "--to", "2025-10-24", "--store",
                "store",
                "--dhan-rest", "http://127.0.0.1:\(sim.port)/v2",
            ])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout.contains("0 refused"), "\(fetch.stdout)")
        // A REST URL without /v2: every request is unknown to the service; the fetch stops and says so.
        let wrongURL = try folder.run(
            Executables.scalper,
            [
                "history", "fetch", "--index", "NIFTY", "--from", "2025-09-01", "--to", "2025-09-02", "--store",
                "store",
                "--dhan-rest", "http://127.0.0.1:\(sim.port)",
            ])
        #expect(wrongURL.status != 0 && wrongURL.stderr.contains("(is the REST URL right? DhanHQ's ends in /v2)"))
        sim.stop()
        let backtest = try folder.run(
            Executables.scalper,
            [
                "backtest", "--options", "history", "--store", "store", "--index", "NIFTY", "--from", "2025-10-23",
                "--to", "2025-10-24", "--journal", "journal", "--out", "out",
            ])
        #expect(backtest.status == 0, "\(backtest.stderr)")
        try expectGolden(maskingSeconds(backtest.stdout), "Tests/ScalperCLITests/Golden/backtest-recorded-premiums.txt")
        for file in ["report.html", "trades.csv", "summary.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.path + "/out/" + file), "\(file)")
        }
        // The report page says how exits inside a bar were decided and what the store lacked.
        let page = try String(contentsOfFile: folder.path + "/out/report.html", encoding: .utf8)
        #expect(page.contains("<li>recorded premiums: spread 0.5%, slippage 1 tick(s); "))
        #expect(page.contains("decided inside a bar (low before high)</li><li>not in the store: "))
        let replay = try folder.run(Executables.scalper, ["replay", "journal"])
        #expect(replay.status == 0 && replay.stdout.contains(": identical\n"), "\(replay.stdout)\(replay.stderr)")
        // A sweep on the same store: the cell with the configuration's own values makes what the backtest made.
        try """
        kind: engine
        options: history
        store: store
        indices: [NIFTY]
        from: 2025-10-23
        to: 2025-10-24
        vary:
          risk.sl_pct: [0.3, 0.25]

        """.write(toFile: folder.path + "/sweep.yml", atomically: true, encoding: .utf8)
        let sweep = try folder.run(
            Executables.scalper, ["sweep", "run", "sweep.yml", "--workers", "2", "--out", "sweep"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let row = try String(contentsOfFile: folder.path + "/sweep/results.csv", encoding: .utf8)
            .split(separator: "\n")[1].split(separator: ",")
        #expect(row[1] == "0.3" && row[2] == "rupees")
        #expect(backtest.stdout.contains("net ₹\(row[5])\n"), "sweep net \(row[5])")
        // What the store does not hold is an error naming the store and the fetch that fills it.
        let missing = try folder.run(
            Executables.scalper,
            [
                "backtest", "--options", "history", "--store", "store", "--index", "BANKNIFTY", "--from", "2025-10-23",
                "--to", "2025-10-24",
            ])
        #expect(missing.status == 1)
        #expect(
            missing.stderr.contains(
                "BANKNIFTY: the store store has no 1m candles from 2025-10-13 to 2025-10-24; fetch them with scalper history fetch --index BANKNIFTY"
            ), "\(missing.stderr)")
        let mixed = try folder.run(
            Executables.scalper,
            ["backtest", "--options", "history", "--data", "x.csv", "--from", "2025-10-23", "--to", "2025-10-24"])
        #expect(
            mixed.status != 0
                && mixed.stderr.contains("--options history reads the index's candles from --store; drop --data"))
    }
}
