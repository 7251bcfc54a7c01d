import Domain
import Engine
import Foundation
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
    public let series: [Series]
    /// Every trading day of the data a cell can trade, ascending (the engine's warm-up day left out).
    public let dates: [CivilDate]
    /// Where an engine cell writes its throwaway journal.
    let scratch: String

    /// Reads the plan's data files (a format error names the file, line and field).
    public init(plan: SweepPlan, configs: SweepConfigs, scratch: String) throws {
        self.plan = plan
        self.configs = configs
        self.scratch = scratch
        var series: [Series] = []
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
            let first = plan.from?.daysSinceEpoch ?? .min
            let last = plan.to?.daysSinceEpoch ?? .max
            if plan.kind == .proxy {
                bars.removeAll { bar in
                    let day = Timestamp(epochSeconds: bar.start).istDayNumber
                    return day < first || day > last
                }
            }
            series.append(Series(symbol: symbol, bars: bars))
        }
        guard !series.isEmpty else { throw SweepError.noData(indices: plan.indices) }
        self.series = series
        var dates = Set<CivilDate>()
        for one in series {
            var own = Set(one.bars.map { Timestamp(epochSeconds: $0.start).istDate })
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
        var candles: [(instrument: InstrumentKey, candles: [Candle])] = []
        for one in series {
            guard let index = config.config.indices.first(where: { one.symbol.hasPrefix($0.key) }) else {
                throw SweepError.unknownIndex(
                    symbol: one.symbol, configured: config.config.indices.map(\.key))
            }
            candles.append((index.instrument, try one.bars.map { try $0.candle() }))
        }
        let path = scratch + "/journal-" + cell.id
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try Journal.openForWriting(at: path, options: JournalOptions(durability: .fast))
        defer { journal.close() }
        var options = PaperSession.Options()
        options.startingBalance = .rupees(plan.balanceRupees)
        let session = PaperSession(
            journal: journal,
            files: [
                ConfigFile(name: "algo.yml", text: config.text),
                ConfigFile(name: "calendar.yml", text: configs.calendarText),
            ], config: config.config, options: options, premiums: nil)
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

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .noData(let indices): "no data file left after the indices filter (\(indices.joined(separator: ", ")))"
        case .config(let cell, let error): "cell \(cell): \(error)"
        case .unknownIndex(let symbol, let configured):
            "\(symbol): the file name does not start with a configured index (\(configured.joined(separator: ", ")))"
        }
    }
}
