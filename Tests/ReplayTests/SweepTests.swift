import Domain
import Engine
import EngineTestSupport
import Foundation
import Indicators
import Replay
import TestSupport
import Testing

@Suite("Parameter sweeps: plan, cells, metrics, walk-forward")
struct SweepTests {
    static func configs() throws -> SweepConfigs {
        SweepConfigs(
            algoText: try ConfigFixtures.algoText(), file: "algo.yml", calendar: try ConfigFixtures.calendar(),
            calendarText: try ConfigFixtures.calendarText())
    }

    static let nifty = ReferenceData.path("dhan/nifty-intraday-1m-2025-10-24..31.json")

    static func plan(_ vary: String, kind: String = "proxy", extra: String = "") throws -> SweepPlan {
        try SweepPlan.parse(
            "kind: \(kind)\ndata: [\(nifty)]\n\(extra)vary:\n\(vary)", file: "sweep.yml", folder: "/data")
    }

    @Test("cells are the grid in file order, last key fastest; a range is written with the step's decimals")
    func grid() throws {
        let plan = try Self.plan(
            "  signals.supertrend.multiplier: { from: 2, to: 3, step: 0.5 }\n  signals.adx.min_strength: [15, 25]\n")
        #expect(plan.axes.map(\.values) == [["2.0", "2.5", "3.0"], ["15", "25"]])
        let cells = plan.cells
        #expect(cells.count == 6)
        #expect(
            cells.map { $0.overrides.map(\.value) } == [
                ["2.0", "15"], ["2.0", "25"], ["2.5", "15"], ["2.5", "25"], ["3.0", "15"], ["3.0", "25"],
            ])
        #expect(Set(cells.map(\.id)).count == 6)
        // Reordering the keys keeps every cell's id.
        let swapped = try Self.plan(
            "  signals.adx.min_strength: [15, 25]\n  signals.supertrend.multiplier: { from: 2, to: 3, step: 0.5 }\n")
        #expect(Set(swapped.cells.map(\.id)) == Set(cells.map(\.id)))
        #expect(cells[0].id == "c" + cells[0].id.dropFirst() && cells[0].id.count == 17)
    }

    @Test("relative data paths start at the sweep file's folder; bad files are refused with the key")
    func fileErrors() throws {
        let plan = try SweepPlan.parse(
            "kind: proxy\ndata: [NIFTY_1m.csv]\nvary:\n  signals.adx.period: [10, 14]\n", file: "s.yml", folder: "/d")
        #expect(plan.data == ["/d/NIFTY_1m.csv"])
        #expect(throws: ConfigError(file: "s.yml", key: "kind", reason: "must be proxy or engine")) {
            try SweepPlan.parse("kind: grid\ndata: [a]\nvary:\n  x: [1]\n", file: "s.yml", folder: "")
        }
        #expect(throws: ConfigError(file: "s.yml", key: "vary.x", reason: "a value is listed twice")) {
            try SweepPlan.parse("kind: proxy\ndata: [a]\nvary:\n  x: [1, 1]\n", file: "s.yml", folder: "")
        }
        #expect(throws: ConfigError(file: "s.yml", key: "vary.x.step", reason: "must be above 0")) {
            try SweepPlan.parse(
                "kind: proxy\ndata: [a]\nvary:\n  x: {from: 1, to: 2, step: 0}\n", file: "s.yml", folder: "")
        }
    }

    @Test("recorded premiums: engine only, from and to required, candles from the store, not data")
    func historyOptions() throws {
        let plan = try SweepPlan.parse(
            "kind: engine\noptions: history\nstore: hist\nfrom: 2025-10-23\nto: 2025-10-24\nspread_pct: 1\nvary:\n  risk.sl_pct: [0.2]\n",
            file: "s.yml", folder: "/d")
        #expect(plan.premiums == .history(store: "/d/hist", spreadPercent: 1, slippageTicks: 1))
        #expect(plan.data.isEmpty)
        #expect(throws: ConfigError(file: "s.yml", key: "options", reason: "recorded premiums need kind: engine")) {
            try SweepPlan.parse(
                "kind: proxy\noptions: history\nfrom: 2025-10-23\nto: 2025-10-24\nvary:\n  x: [1]\n", file: "s.yml",
                folder: "")
        }
        #expect(throws: ConfigError(file: "s.yml", key: "", reason: "options: history needs from and to")) {
            try SweepPlan.parse("kind: engine\noptions: history\nvary:\n  x: [1]\n", file: "s.yml", folder: "")
        }
        #expect(
            throws: ConfigError(
                file: "s.yml", key: "data",
                reason: "recorded premiums read the index candles from the store; drop data")
        ) {
            try SweepPlan.parse(
                "kind: engine\noptions: history\ndata: [a]\nfrom: 2025-10-23\nto: 2025-10-24\nvary:\n  x: [1]\n",
                file: "s.yml", folder: "")
        }
        #expect(throws: ConfigError(file: "s.yml", key: "store", reason: "only with options: history")) {
            try SweepPlan.parse("kind: engine\ndata: [a]\nstore: s\nvary:\n  x: [1]\n", file: "s.yml", folder: "")
        }
    }

    @Test("every value goes through the config parser: an unknown key or a bad value is refused with its reason")
    func validation() throws {
        let configs = try Self.configs()
        try configs.validate(try Self.plan("  signals.supertrend.multiplier: [2.0, 4.0]\n"))
        #expect(throws: ConfigError.self) {
            try configs.validate(try Self.plan("  signals.supertrend.multipler: [2]\n"))
        }
        do {
            try configs.validate(try Self.plan("  signals.supertrend.multipler: [2.0]\n"))
        } catch let error as ConfigError {
            #expect(error.key == "signals.supertrend.multipler")
            #expect(error.reason.hasPrefix("with signals.supertrend.multipler = 2.0: unknown key (allowed: "))
        }
        do {
            try configs.validate(try Self.plan("  signals.adx.period: [14, 0]\n"))
            Issue.record("a period of 0 passed")
        } catch let error as ConfigError {
            #expect(error.key == "signals.adx.period")
            #expect(error.reason.hasPrefix("with signals.adx.period = 0: "))
        }
        do {
            try configs.validate(try Self.plan("  indices.NIFTY.strike_step.x: [1]\n"))
            Issue.record("a path through a single value passed")
        } catch let error as ConfigError {
            #expect(
                error.reason
                    == "with indices.NIFTY.strike_step.x = 1: 'x' is looked up in a single value, not a mapping (sweep keys go through mappings only)"
            )
        }
        // The proxy study reads only the signal keys; varying a risk key would give identical cells.
        do {
            try configs.validate(try Self.plan("  risk.sl_pct: [0.2, 0.3]\n"))
            Issue.record("the proxy accepted a key it does not read")
        } catch let error as ConfigError {
            #expect(error.key == "risk.sl_pct")
            #expect(error.reason.hasPrefix("the index proxy study does not read it"))
        }
        try configs.validate(try Self.plan("  risk.sl_pct: [0.2, 0.3]\n", kind: "engine"))
    }

    @Test("an override replaces the value and keeps the rest of the file")
    func override() throws {
        let text = try ConfigOverride.apply(
            [.init(key: "signals.supertrend.multiplier", value: "2.5"), .init(key: "risk.sl_pct", value: "0.25")],
            to: try ConfigFixtures.algoText(), file: "algo.yml")
        let config = try AlgoConfig.parse(yaml: text, file: "algo.yml", calendar: try ConfigFixtures.calendar())
        let base = try AlgoConfig.parse(
            yaml: try ConfigFixtures.algoText(), file: "algo.yml", calendar: try ConfigFixtures.calendar())
        #expect(config.signals.supertrendMultiplier == 2.5)
        #expect(config.risk.stopLoss == BasisPoints(2500))
        var expected = base
        expected.signals.supertrendMultiplier = 2.5
        expected.risk.stopLoss = BasisPoints(2500)
        #expect(config == expected)
    }

    @Test("figures of a hand-made result: win rate, profit factor, drawdown, Sharpe of daily net")
    func metrics() throws {
        let d = (1...4).map { CivilDate(2025, 11, $0 + 2) }
        let result = SweepResult(
            cell: "c1", trades: [(d[0], 100), (d[0], -40), (d[2], -80), (d[3], 30)], dates: d)
        #expect(result.trades == 4 && result.winners == 2)
        #expect(result.net == 10)
        #expect(result.profitFactor == 130.0 / 120.0)
        #expect(result.days.map(\.net) == [60, 0, -80, 30])
        #expect(result.maxDrawdown == 80)  // peak 60, trough -20
        let mean = 2.5
        let variance = ((57.5 * 57.5) + (2.5 * 2.5) + (82.5 * 82.5) + (27.5 * 27.5)) / 3
        #expect(abs(result.sharpe - mean / variance.squareRoot() * 252.0.squareRoot()) < 1e-12)
        let back = SweepFiles.parse(line: Substring(SweepFiles.line(result)))
        #expect(back == result)
        // A day keeps its trades' figures, so a window is judged per trade: d0 has a win of 100 and a loss of 40.
        let first = result.window(d[0], d[0])
        #expect(first.trades == 2 && first.winners == 1 && first.winRate == 0.5)
        #expect(first.grossWins == 100 && first.grossLosses == 40 && first.profitFactor == 2.5)
        #expect(SweepFiles.parse(line: Substring(SweepFiles.line(result).dropLast(3))) == nil)
        #expect(SweepResult(cell: "w", trades: [(d[0], 5)], dates: d).profitFactor == .infinity)
    }

    @Test("walk-forward picks the best cell on each training window and reports it on the next")
    func walkForward() throws {
        let plan = try Self.plan("  signals.adx.period: [10, 14]\n")
        let cells = plan.cells
        let d = (0..<6).map { CivilDate(2025, 11, 3).adding(days: $0) }
        // Cell 0 wins the first half and loses the second; cell 1 the opposite.
        let a = SweepResult(cell: cells[0].id, trades: zip(d, [5.0, 5, 5, -5, -5, -5]).map { ($0, $1) }, dates: d)
        let b = SweepResult(cell: cells[1].id, trades: zip(d, [1.0, 1, -1, 9, 9, 9]).map { ($0, $1) }, dates: d)
        let walk = WalkForward(
            cells: cells, results: [a.cell: a, b.cell: b], trainDays: 2, testDays: 2, objective: .net)
        #expect(walk.windows.count == 2)
        #expect(
            walk.windows[0].cell == a.cell && walk.windows[0].trainFirst == d[0] && walk.windows[0].testLast == d[3])
        #expect(walk.windows[0].inSample.net == 10 && walk.windows[0].outOfSample.net == 0)
        // Window 2 trains on d2…d3: a makes 0, b makes 8.
        #expect(walk.windows[1].cell == b.cell && walk.windows[1].outOfSample.net == 18)
        #expect(walk.netPerDay.inSample == 18.0 / 4 && walk.netPerDay.outOfSample == 18.0 / 4)
        #expect(WalkForward.lengths("120d:20d")! == (120, 20))

        // Judged per trade, not per day: cell 1 wins two trades in three (each day's net a loss), cell 0 one
        // in two (each day's net a gain). Daily totals would score cell 1's win rate 0 and its profit factor 0.
        let perDay = SweepResult(cell: cells[0].id, trades: d.flatMap { [($0, 5.0), ($0, -1.0)] }, dates: d)
        let perTrade = SweepResult(
            cell: cells[1].id, trades: d.flatMap { [($0, 1.0), ($0, 1.0), ($0, -3.0)] }, dates: d)
        let window = perTrade.window(d[0], d[1])
        #expect(window.trades == 6 && window.winners == 4 && window.grossWins == 4 && window.grossLosses == 6)
        let byWinRate = WalkForward(
            cells: cells, results: [perDay.cell: perDay, perTrade.cell: perTrade], trainDays: 2, testDays: 2,
            objective: .winRate)
        #expect(byWinRate.windows.map(\.cell) == [perTrade.cell, perTrade.cell])
        #expect(byWinRate.windows[0].inSample.winRate == 4.0 / 6 && byWinRate.windows[0].outOfSample.winners == 4)
        let byProfitFactor = WalkForward(
            cells: cells, results: [perDay.cell: perDay, perTrade.cell: perTrade], trainDays: 2, testDays: 2,
            objective: .profitFactor)
        #expect(byProfitFactor.windows.map(\.cell) == [perDay.cell, perDay.cell])
        #expect(byProfitFactor.windows[0].inSample.profitFactor == 10.0 / 2)
        #expect(WalkForward.lengths("120:0") == nil)
    }

    @Test("a proxy cell makes exactly what the proxy study makes with its parameters")
    func proxyCellIsTheStudy() throws {
        let plan = try Self.plan("  signals.supertrend.multiplier: [2.0, 3.0]\n")
        let scratch = TemporaryDirectory()
        let evaluator = try SweepEvaluator(plan: plan, configs: try Self.configs(), scratch: scratch.path)
        let result = try evaluator.run(plan.cells[0])
        let bars = try CandleFile.parse(try Data(contentsOf: URL(fileURLWithPath: Self.nifty)), source: "nifty")
        let trades = ProxyStudy(
            parameters: .init(
                supertrendPeriod: 10, supertrendMultiplier: 2.0, adxPeriod: 14, adx1mThreshold: 18,
                adx5mThreshold: 20)
        ).run(symbol: "NIFTY", bars: bars)
        #expect(result.trades == trades.count && result.trades > 0)
        #expect(abs(result.net - trades.reduce(0) { $0 + $1.points }) < 1e-9)
        #expect(result.days.count == Set(bars.map { Timestamp(epochSeconds: $0.start).istDate }).count)
    }
}
