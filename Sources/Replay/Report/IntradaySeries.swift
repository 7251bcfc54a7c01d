import Domain
import Engine

/// Each trading day's path, minute by minute: the day's net PnL (marked to market) and each index's price.
///
/// Filled from a replay (`JournalReplayer.replay(everyMinute:)`), one sample a minute within the session
/// (09:15–15:30 IST), so the report can draw each day's MTM and the trades on the index they were taken on.
public struct IntradaySeries: Sendable {
    /// One trading day's samples, in time order.
    public struct Day: Sendable {
        public var date: CivilDate
        public var mtm: [(time: Timestamp, net: Paise)] = []
        /// Index key → its last price at each sample.
        public var prices: [String: [(time: Timestamp, price: Paise)]] = [:]
    }

    public private(set) var days: [Day] = []

    public init() {}

    /// The session's bounds, IST seconds of the day.
    static let open = 9 * 3600 + 15 * 60
    static let close = 15 * 3600 + 30 * 60

    /// Records `state` as it stood at `time` (the end of a minute) when that is within a session it traded.
    public mutating func sample(_ state: EngineState, at time: Timestamp) {
        let second = Int(time.istSecondOfDay)
        let date = time.istDate
        guard second >= Self.open && second <= Self.close, state.session?.tradingDate == date else { return }
        if days.last?.date != date { days.append(Day(date: date)) }
        days[days.count - 1].mtm.append((time, state.dayNetPnL))
        for index in state.indices {
            guard let price = index.lastPrice else { continue }
            days[days.count - 1].prices[index.key, default: []].append((time, price))
        }
    }
}
