import Domain
import Engine
import Foundation
import History
import Indicators
import Journal

/// Runs a sweep's cells on data parsed once: a worker process reads the candle files when it starts and
/// every cell it is given reuses them.
public final class SweepEvaluator {
    /// One symbol's bars as read.
    public struct Series: Sendable {
        public var symbol: String
        public var bars: [PriceBar]
    }

    public let plan: SweepPlan
    public let configs: SweepConfigs
    /// The proxy's bars by symbol (empty for the engine).
    public let series: [Series]
    /// The engine's 1m candles by index instrument (empty for the proxy).
    let candles: [(instrument: InstrumentKey, candles: [Candle])]
    /// The store and costs of recorded premiums; each cell gets its own reader, as `scalper backtest` does
    /// (the reader keeps only the current day's bars, and its counts are per run).
    let recorded: (store: HistoryStore, costs: RecordedPremiums.Costs)?
    /// Every trading day of the data a cell can trade, ascending (the engine's warm-up day left out).
    public let dates: [CivilDate]
    /// Where an engine cell writes its throwaway journal.
    let scratch: String

    /// Reads the plan's data once: the candle files (a format error names the file, line and field), or the
    /// history store's index candles with recorded premiums (`historyRoot` is the store when the plan names
    /// none).
    public init(plan: SweepPlan, configs: SweepConfigs, scratch: String, historyRoot: String? = nil) throws {
        self.plan = plan
        self.configs = configs
        self.scratch = scratch
        let base = try configs.config([]).config
        var series: [Series] = []
        var candles: [(instrument: InstrumentKey, candles: [Candle])] = []
        var recordedStore: (store: HistoryStore, costs: RecordedPremiums.Costs)?
        switch plan.premiums {
        case .model:
            for path in plan.data {
                let name = URL(fileURLWithPath: path).lastPathComponent
                let symbol = String(name.prefix { $0 != "_" && $0 != "." }).uppercased()
                if !plan.indices.isEmpty && !plan.indices.contains(where: { $0.uppercased() == symbol }) { continue }
                let contents: Data
                do {
                    contents = try Data(contentsOf: URL(fileURLWithPath: path))
                } catch {
                    throw SweepError.unreadable(path: path, reason: error.localizedDescription)
                }
                var bars = try CandleFile.parse(contents, source: path)
                if plan.kind == .proxy {
                    let first = plan.from?.daysSinceEpoch ?? .min
                    let last = plan.to?.daysSinceEpoch ?? .max
                    bars.removeAll { bar in
                        let day = Timestamp(epochSeconds: bar.start).istDayNumber
                        return day < first || day > last
                    }
                    series.append(Series(symbol: symbol, bars: bars))
                } else {
                    guard let index = base.indices.first(where: { symbol.hasPrefix($0.key) }) else {
                        throw SweepError.unknownIndex(symbol: symbol, configured: base.indices.map(\.key))
                    }
                    candles.append((index.instrument, try bars.map { try $0.candle() }))
                }
            }
        case .history(let store, let spreadPercent, let slippageTicks):
            guard let root = store ?? historyRoot else { throw SweepError.noStore }
            let history = HistoryStore(root: root)
            let recorded = RecordedPremiums(
                store: history, calendar: base.calendar,
                costs: .init(spreadPercent: spreadPercent, slippageTicks: slippageTicks))
            do {
                candles = try RecordedSeries.load(
                    config: base, history: history, root: root, premiums: recorded, from: plan.from!, to: plan.to!,
                    indices: plan.indices, skipped: { _ in }
                ).series
            } catch {
                throw SweepError.history(error)
            }
            recordedStore = (history, recorded.costs)
        }
        guard !series.isEmpty || !candles.isEmpty else { throw SweepError.noData(indices: plan.indices) }
        self.series = series
        self.candles = candles
        recorded = recordedStore
        var dates = Set<CivilDate>()
        for days in series.map({ $0.bars.map(\.start) }) + candles.map({ $0.candles.map(\.start) }) {
            var own = Set(days.map { Timestamp(epochSeconds: $0).istDate })
            if plan.kind == .engine, let warmup = own.min() { own.remove(warmup) }
            dates.formUnion(own.filter { Self.date($0, within: plan) })
        }
        self.dates = dates.sorted()
    }

    private static func date(_ date: CivilDate, within plan: SweepPlan) -> Bool {
        (plan.from.map { date >= $0 } ?? true) && (plan.to.map { date <= $0 } ?? true)
    }

    /// Runs one cell.
    public func run(_ cell: SweepPlan.Cell) throws -> SweepResult {
        let config: (text: String, config: AlgoConfig)
        do {
            config = try configs.config(cell.overrides)
        } catch {
            throw SweepError.config(cell: cell.id, error)
        }
        switch plan.kind {
        case .proxy: return runProxy(cell, config.config)
        case .engine: return try runEngine(cell, config)
        }
    }

    private func runProxy(_ cell: SweepPlan.Cell, _ config: AlgoConfig) -> SweepResult {
        let study = ProxyStudy(parameters: SweepConfigs.proxyParameters(config))
        var trades: [(date: CivilDate, net: Double)] = []
        for one in series {
            for trade in study.run(symbol: one.symbol, bars: one.bars) {
                trades.append((Timestamp(epochSeconds: trade.exitTime).istDate, trade.points))
            }
        }
        return SweepResult(cell: cell.id, trades: trades, dates: dates)
    }

    private func runEngine(_ cell: SweepPlan.Cell, _ config: (text: String, config: AlgoConfig)) throws -> SweepResult {
        let path = scratch + "/journal-" + cell.id
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try Journal.openForWriting(
            at: path, options: JournalOptions(durability: .fast, writeThroughMap: false))
        defer { journal.close() }
        var options = PaperSession.Options()
        options.startingBalance = .rupees(plan.balanceRupees)
        let session = PaperSession(
            journal: journal,
            files: [
                ConfigFile(name: "algo.yml", text: config.text),
                ConfigFile(name: "calendar.yml", text: configs.calendarText),
            ], config: config.config, options: options,
            premiums: recorded.map {
                RecordedPremiums(store: $0.store, calendar: config.config.calendar, costs: $0.costs)
            })
        try session.runDays(candles, from: plan.from, to: plan.to)
        let trades = Position.trades(session.state.positions.filter { $0.entryFilled > 0 }).map { slices in
            (
                date: slices[0].tradingDate,
                net: Double(slices.reduce(Paise.zero) { $0 + $1.netPnL }.value) / 100
            )
        }
        return SweepResult(cell: cell.id, trades: trades, dates: dates)
    }
}

/// Why a sweep could not run.
public enum SweepError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case noData(indices: [String])
    case config(cell: String, ConfigError)
    case unknownIndex(symbol: String, configured: [String])
    case noStore
    case history(RecordedSeries.Failure)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .noData(let indices): "no data file left after the indices filter (\(indices.joined(separator: ", ")))"
        case .config(let cell, let error): "cell \(cell): \(error)"
        case .unknownIndex(let symbol, let configured):
            "\(symbol): the file name does not start with a configured index (\(configured.joined(separator: ", ")))"
        case .noStore: "options: history needs a store (store: in the sweep file)"
        case .history(let failure): "\(failure)"
        }
    }
}
