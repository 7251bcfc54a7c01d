import Dhan
import DhanClient
import Domain
import Foundation

/// Where history comes from: DhanHQ's data API (`DhanRESTClient`), or anything that answers as it does.
public protocol HistorySource: Sendable {
    func recordedOptionBars(_ request: RollingOptionRequest) async throws(DhanError) -> [RecordedOptionBar]
    func intradayCandles(_ instrument: InstrumentKey, instrumentType: String, interval: Int, from: String, to: String)
        async throws(DhanError) -> [Candle]
    func dailyCandles(_ instrument: InstrumentKey, instrumentType: String, from: String, to: String)
        async throws(DhanError) -> [Candle]
}

extension DhanRESTClient: HistorySource {}

/// Why a fetch stopped.
public enum HistoryFetchError: Error, CustomStringConvertible {
    /// DH-901: nothing more can be fetched with this token.
    case tokenRefused(String)
    /// The network or the service failed; what is stored stays, and running again resumes.
    case failed(String)
    case store(HistoryStoreError)

    public var description: String {
        switch self {
        case .tokenRefused(let detail):
            "the access token was refused (DH-901): renew it (DHAN_ACCESS_TOKEN or --credentials) and run again; "
                + "what is stored is kept and not fetched again (\(detail))"
        case .failed(let detail): "\(detail); what is stored is kept, run again to resume"
        case .store(let error): "\(error)"
        }
    }
}

/// A download of history into the store: for each index, series and month of `[from, to)`, what the store
/// does not hold yet, a request at a time under the data API's limits (`scalper history fetch`).
public struct HistoryFetch: Sendable {
    /// One index to fetch: its name in the store, its `IDX_I` key and the segment its options trade in.
    public struct Target: Sendable, Equatable {
        public var index: String
        public var underlying: InstrumentKey
        public var optionSegment: ExchangeSegment

        public init(index: String, underlying: InstrumentKey, optionSegment: ExchangeSegment) {
            self.index = index
            self.underlying = underlying
            self.optionSegment = optionSegment
        }
    }

    /// One month of one series still to fetch: the days wanted and the requests that cover them.
    public struct Item: Sendable, Equatable {
        public var target: Target
        public var series: HistorySeries
        public var month: Month
        public var from: CivilDate
        public var through: CivilDate
        /// `[from, through)` split at the series' longest request.
        public var requests: [(from: CivilDate, through: CivilDate)] {
            var out: [(CivilDate, CivilDate)] = []
            var start = from
            while start < through {
                let end = min(start.adding(days: series.daysPerRequest), through)
                out.append((start, end))
                start = end
            }
            return out
        }

        public static func == (lhs: Item, rhs: Item) -> Bool {
            lhs.target == rhs.target && lhs.series == rhs.series && lhs.month == rhs.month && lhs.from == rhs.from
                && lhs.through == rhs.through
        }
    }

    /// How a fetch went.
    public struct Summary: Sendable, Equatable {
        public var requests = 0
        public var monthsWritten = 0
        public var monthsAlreadyStored = 0
        public var bars = 0
        /// Series the service refused (a bad request for it), with its message; the rest went on.
        public var refused: [String] = []
    }

    public var targets: [Target]
    public var series: [HistorySeries]
    public var from: CivilDate
    /// Exclusive.
    public var to: CivilDate

    public init(targets: [Target], series: [HistorySeries], from: CivilDate, to: CivilDate) {
        self.targets = targets
        self.series = series
        self.from = from
        self.to = to
    }

    /// What is still to fetch, in index, series and month order, and how many months the store already holds.
    public func plan(_ store: HistoryStore) throws(HistoryStoreError) -> (items: [Item], stored: Int) {
        var items: [Item] = []
        var stored = 0
        for target in targets {
            for series in series.sorted() {
                for month in Month.covering(from: from, to: to) {
                    let wantFrom = max(from, month.first)
                    let wantThrough = min(to, month.next.first)
                    if let file = try store.read(index: target.index, series: series, month: month),
                        file.from <= wantFrom && file.through >= wantThrough
                    {
                        stored += 1
                        continue
                    }
                    items.append(
                        Item(target: target, series: series, month: month, from: wantFrom, through: wantThrough))
                }
            }
        }
        return (items, stored)
    }

    /// Fetches `items` into `store`; `progress` hears (requests done, requests in all) after each request.
    public func run(
        _ items: [Item], stored: Int, source: any HistorySource, store: HistoryStore,
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws(HistoryFetchError) -> Summary {
        var summary = Summary()
        summary.monthsAlreadyStored = stored
        let total = items.reduce(0) { $0 + $1.requests.count }
        var refusedSeries: Set<String> = []
        for item in items {
            let key = "\(item.target.index) \(item.series)"
            if refusedSeries.contains(key) { continue }
            var bars: [RecordedOptionBar] = []
            var refused = false
            for request in item.requests {
                do {
                    bars += try await fetch(item, from: request.from, through: request.through, source: source)
                } catch {
                    switch error {
                    case .authExpired: throw .tokenRefused("\(error)")
                    case .badInput(_, let code, _) where code != "DH-905" && code != "DH-907":
                        // Not DhanHQ refusing this series' input (an unknown path, a 404): every request would
                        // fail alike, so stop and say where to look.
                        throw .failed("\(error) (is the REST URL right? DhanHQ's ends in /v2)")
                    case .badInput(_, _, let message), .orderRejected(_, let message):
                        summary.refused.append("\(key): \(message)")
                        refusedSeries.insert(key)
                        refused = true
                    default: throw .failed("\(error)")
                    }
                }
                summary.requests += 1
                progress(summary.requests, total)
                if refused { break }
            }
            if refused { continue }
            var file = HistoryFile(from: item.from, through: item.through, bars: bars)
            do {
                // A partly stored month keeps what it had when the new days touch it (a later --to extends it).
                if let old = try store.read(index: item.target.index, series: item.series, month: item.month),
                    old.through >= item.from && old.from <= item.through
                {
                    let fresh = Set(bars.map(\.start))
                    file = HistoryFile(
                        from: min(old.from, item.from), through: max(old.through, item.through),
                        bars: (old.bars.filter { !fresh.contains($0.start) } + bars).sorted { $0.start < $1.start })
                }
                try store.write(file, index: item.target.index, series: item.series, month: item.month)
            } catch { throw .store(error) }
            summary.monthsWritten += 1
            summary.bars += bars.count
        }
        return summary
    }

    private func fetch(_ item: Item, from: CivilDate, through: CivilDate, source: any HistorySource)
        async throws(DhanError) -> [RecordedOptionBar]
    {
        let target = item.target
        func bars(_ candles: [Candle]) -> [RecordedOptionBar] {
            let start = Timestamp.ist(from, 0, 0).epochSeconds
            let end = Timestamp.ist(through, 0, 0).epochSeconds
            return candles.filter { $0.start >= start && $0.start < end }.map {
                RecordedOptionBar(
                    start: $0.start, open: $0.open, high: $0.high, low: $0.low, close: $0.close, volume: $0.volume,
                    openInterest: 0, impliedVolatility: 0, strike: .zero, spot: $0.close)
            }
        }
        switch item.series {
        case .options(let interval, let expiry, let code, let offset, let type):
            return try await source.recordedOptionBars(
                RollingOptionRequest(
                    underlying: target.underlying.securityID, segment: target.optionSegment, interval: interval,
                    expiry: expiry, expiryCode: code, strike: offset, type: type, from: from, to: through))
        case .indexIntraday(let interval):
            return bars(
                try await source.intradayCandles(
                    target.underlying, instrumentType: "INDEX", interval: interval, from: "\(from) 09:15:00",
                    to: "\(through.adding(days: -1)) 15:30:00"))
        case .indexDaily:
            return bars(
                try await source.dailyCandles(
                    target.underlying, instrumentType: "INDEX", from: from.description, to: through.description))
        }
    }
}
