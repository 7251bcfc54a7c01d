import Domain
import Engine
import History

/// The index 1m candles a backtest on recorded premiums trades, read from the history store with ten days
/// before `from` to warm the indicators up (the first day read is never traded).
public enum RecordedSeries {
    /// Why the store cannot give a backtest its candles.
    public enum Failure: Error, CustomStringConvertible {
        /// An index asked for by name that the configuration does not have.
        case notConfigured(String, configured: [String])
        /// A store file could not be read.
        case unreadable(String)
        /// An index asked for by name lacks candles or option series.
        case missing(String)
        /// Nothing at all to trade in the range.
        case empty(root: String, from: CivilDate, to: CivilDate)

        public var description: String {
            switch self {
            case .notConfigured(let name, let configured):
                "--index \(name) is not configured (the configuration has \(configured.joined(separator: ", ")))"
            case .unreadable(let message): "\(message) (fetch it again with scalper history fetch)"
            case .missing(let message): message
            case .empty(let root, let from, let to):
                "the store \(root) has nothing to backtest from \(from) to \(to) (scalper history ls)"
            }
        }
    }

    /// The series of each wanted index (all configured ones when `indices` is empty; then one the store
    /// lacks is skipped and `skipped` gets the note), with their names.
    public static func load(
        config: AlgoConfig, history: HistoryStore, root: String, premiums: RecordedPremiums, from first: CivilDate,
        to last: CivilDate, indices: [String], skipped: (String) -> Void
    ) throws(Failure) -> (series: [(instrument: InstrumentKey, candles: [Candle])], names: [InstrumentKey: String]) {
        let warmup = first.adding(days: -10)
        var wanted = config.indices
        if !indices.isEmpty {
            wanted = []
            for name in indices {
                guard let index = config.index(name.uppercased()) else {
                    throw .notConfigured(name, configured: config.indices.map(\.key))
                }
                wanted.append(index)
            }
        }
        var series: [(instrument: InstrumentKey, candles: [Candle])] = []
        var names: [InstrumentKey: String] = [:]
        for index in wanted {
            var candles: [Candle] = []
            do {
                for month in Month.covering(from: warmup, to: last.adding(days: 1)) {
                    guard
                        let file = try history.read(index: index.key, series: .indexIntraday(interval: 1), month: month)
                    else { continue }
                    for bar in file.bars {
                        let day = Timestamp(epochSeconds: bar.start).istDate
                        guard day >= warmup && day <= last else { continue }
                        candles.append(
                            Candle(
                                start: bar.start, open: bar.open, high: bar.high, low: bar.low, close: bar.close,
                                volume: bar.volume))
                    }
                }
            } catch {
                throw .unreadable("\(error)")
            }
            let hasOptions = premiums.hasOptions(index.key)
            if candles.isEmpty || !hasOptions {
                // Only an index asked for by name is an error; the others are skipped with a note.
                let what = candles.isEmpty ? "1m candles from \(warmup) to \(last)" : "1m option series"
                let message =
                    "\(index.key): the store \(root) has no \(what); fetch them with scalper history fetch --index \(index.key) --from \(warmup) --to \(last)"
                if indices.isEmpty {
                    skipped(message)
                    continue
                }
                throw .missing(message)
            }
            series.append((index.instrument, candles))
            names[index.instrument] = index.key
        }
        guard !series.isEmpty else { throw .empty(root: root, from: first, to: last) }
        return (series, names)
    }
}
