import Domain
import EngineTestSupport
import Foundation
import Indicators
import Replay
import TestSupport
import Testing

@Suite("Index-proxy signal study")
struct ProxyStudyTests {
    static func bars() throws -> [PriceBar] {
        try CandleFile.parse(try ReferenceData.data("dhan/nifty-intraday-1m-2025-10-24..31.json"), source: "nifty 1m")
    }

    let parameters = ProxyStudy.Parameters(
        supertrendPeriod: 10, supertrendMultiplier: 3, adxPeriod: 14, adx1mThreshold: 18, adx5mThreshold: 20)

    @Test("on the real NIFTY week the rules hold for every trade")
    func rules() throws {
        let bars = try Self.bars()
        let trades = ProxyStudy(parameters: parameters).run(symbol: "NIFTY", bars: bars)
        #expect(trades.count == 15)
        let byStart = Dictionary(uniqueKeysWithValues: bars.map { ($0.start, $0) })
        var lastExit: Int64 = .min
        for trade in trades {
            let entry = Timestamp(epochSeconds: trade.entryTime)
            let exit = Timestamp(epochSeconds: trade.exitTime)
            #expect(trade.entryTime > lastExit, "never an exit and an entry on the same bar, never overlapping")
            #expect(trade.exitTime > trade.entryTime)
            #expect(entry.istSecondOfDay < 15 * 3600 + 19 * 60, "entries only on bars closing before 15:20")
            #expect(entry.istDate == exit.istDate, "nothing is held overnight")
            #expect(
                byStart[trade.entryTime]?.close == trade.entryPrice && byStart[trade.exitTime]?.close == trade.exitPrice
            )
            switch trade.reason {
            case .timeExit: #expect(exit.istSecondOfDay == 15 * 3600 + 19 * 60)
            case .reverseSignal: #expect(exit.istSecondOfDay < 15 * 3600 + 19 * 60)
            case .endOfDay, .endOfData: Issue.record("the week has a 15:19 bar every day")
            }
            lastExit = trade.exitTime
        }
        #expect(trades.filter { $0.reason == .timeExit }.count <= 6)
    }

    @Test("stricter thresholds never add trades; the CSV has the documented header")
    func thresholds() throws {
        let bars = try Self.bars()
        var strict = parameters
        strict.adx1mThreshold = 30
        strict.adx5mThreshold = 30
        #expect(ProxyStudy(parameters: strict).run(symbol: "NIFTY", bars: bars).count <= 15)
        let csv = ProxyStudy.csv(ProxyStudy(parameters: parameters).run(symbol: "NIFTY", bars: bars))
        #expect(
            csv.hasPrefix(
                "symbol,side,entry_time,entry_price,exit_time,exit_price,reason\nNIFTY,long,1761285960,25822.8,1761293040,25755.9,reverse_signal\n"
            ))
    }

    @Test("scalper backtest --proxy index over CSV files of two symbols writes the golden trades.csv")
    func cliGolden() throws {
        let scratch = TemporaryDirectory()
        var csv = "timestamp,open,high,low,close,volume\n"
        for bar in try Self.bars() {
            csv += "\(bar.start),\(bar.open),\(bar.high),\(bar.low),\(bar.close),\(Int(bar.volume))\n"
        }
        try csv.write(toFile: scratch.sub("NIFTY_1m.csv"), atomically: true, encoding: .utf8)
        try csv.write(toFile: scratch.sub("COPY.csv"), atomically: true, encoding: .utf8)
        let result = try Executables.run(
            Executables.scalper,
            [
                "backtest", "--proxy", "index", "--data", scratch.sub("NIFTY_1m.csv"), "--data",
                scratch.sub("COPY.csv"), "--out", scratch.sub("out"),
                "--config", Fixtures.path("config/algo.yml"),
            ])
        #expect(result.status == 0, "\(result.stderr)")
        // The files are studied side by side; the summary keeps the order they were given in.
        let nifty = try #require(result.stdout.range(of: "NIFTY: 2251 bars, 15 trades"))
        let copy = try #require(result.stdout.range(of: "COPY: 2251 bars, 15 trades"))
        #expect(nifty.lowerBound < copy.lowerBound)
        // Of several bad files, the first given is the one reported, with its exit code.
        try "timestamp,open,high,low,close\n1,2,3,1,2\n2,2,x,1,2\n".write(
            toFile: scratch.sub("BAD.csv"), atomically: true, encoding: .utf8)
        for (files, status, message) in [
            (["NIFTY_1m.csv", "BAD.csv", "NONE.csv"], Int32(1), "BAD.csv: line 3: 'high' is not a number"),
            (["NONE.csv", "BAD.csv"], Int32(2), "cannot read \(scratch.sub("NONE.csv"))"),
        ] {
            let bad = try Executables.run(
                Executables.scalper,
                ["backtest", "--proxy", "index", "--out", scratch.sub("bad")]
                    + files.flatMap { ["--data", scratch.sub($0)] })
            #expect(bad.status == status && bad.stderr.contains(message), "\(bad.stderr)")
        }
        try expectGolden(
            try String(contentsOfFile: scratch.sub("out/trades.csv"), encoding: .utf8),
            "journal-fixtures/proxy-study/trades.csv")
        let filtered = try Executables.run(
            Executables.scalper,
            [
                "backtest", "--proxy", "index", "--data", scratch.sub("NIFTY_1m.csv"), "--from", "2025-10-30",
                "--index", "NIFTY", "--adx-1m", "25",
                "--out", scratch.sub("out2"), "--config", Fixtures.path("config/algo.yml"),
            ])
        #expect(filtered.status == 0 && filtered.stdout.contains("NIFTY: 751 bars"))
        let before = try Executables.run(
            Executables.scalper,
            [
                "backtest", "--proxy", "index", "--data", scratch.sub("NIFTY_1m.csv"), "--to", "2025-10-29",
                "--out", scratch.sub("out3"), "--config", Fixtures.path("config/algo.yml"),
            ])
        #expect(before.status == 0 && before.stdout.contains("NIFTY: 1500 bars"), "\(before.stdout)")
        // Without --proxy: the option backtest writes a journal that scalper replay verifies.
        let options = try Executables.run(
            Executables.scalper,
            [
                "backtest", "--data", scratch.sub("NIFTY_1m.csv"), "--from", "2025-10-30", "--journal",
                scratch.sub("journal"), "--out", scratch.sub("report"),
                "--config", Fixtures.path("config/algo.yml"),
            ])
        #expect(options.status == 0, "\(options.stderr)")
        #expect(options.stdout.hasPrefix("option backtest (model premiums): 2 day(s), 751 bars"))
        #expect(FileManager.default.fileExists(atPath: scratch.sub("report/trades.csv")))
        // With super-order protection (the default) the engine's exits go through the legs: nothing is left open.
        #expect(options.stdout.contains(", 0 open;"), "\(options.stdout)")
        let replay = try Executables.scalper("replay", scratch.sub("journal"))
        #expect(replay.status == 0 && replay.stdout.contains(": identical\n"))
    }
}
