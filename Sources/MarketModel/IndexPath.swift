import Domain
import Foundation

/// One index the market model simulates: where it trades, how it moves and how its options are cut.
public struct IndexSpec: Sendable, Equatable {
    public var symbol: String
    public var securityID: SecurityID
    public var exchange: Exchange
    /// Level on the model's anchor date; later days chain from it.
    public var anchorLevel: Double
    /// Annualised volatility of the index.
    public var volatility: Double
    /// Strike step and option segment; nil when the index has no options here (INDIA VIX).
    public var strikeStep: Paise?
    /// Implied-volatility level of its options (the smile is added on top).
    public var impliedVolatility: Double

    public init(
        symbol: String, securityID: SecurityID, exchange: Exchange, anchorLevel: Double, volatility: Double,
        strikeStep: Paise?, impliedVolatility: Double
    ) {
        self.symbol = symbol
        self.securityID = securityID
        self.exchange = exchange
        self.anchorLevel = anchorLevel
        self.volatility = volatility
        self.strikeStep = strikeStep
        self.impliedVolatility = impliedVolatility
    }

    public var key: InstrumentKey { InstrumentKey(.indexValue, securityID) }
    public var optionSegment: ExchangeSegment { exchange == .bse ? .bseFNO : .nseFNO }

    /// Lot size by expiry (PROTOCOL/RULES: the Oct-2025 revision applies to expiries from Jan 2026).
    public func lotSize(expiry: CivilDate) -> Int64 {
        let revised = expiry >= CivilDate(2026, 1, 1)
        switch symbol {
        case "NIFTY": return revised ? 65 : 75
        case "BANKNIFTY": return revised ? 30 : 35
        case "SENSEX": return 20
        default: return 1
        }
    }

    /// NIFTY (IDX_I 13), BANKNIFTY (25), SENSEX (51) and INDIA VIX (21) at late-2025 levels.
    public static let standard: [IndexSpec] = [
        IndexSpec(
            symbol: "NIFTY", securityID: 13, exchange: .nse, anchorLevel: 25_800, volatility: 0.12,
            strikeStep: Paise(5_000), impliedVolatility: 0.11),
        IndexSpec(
            symbol: "BANKNIFTY", securityID: 25, exchange: .nse, anchorLevel: 58_000, volatility: 0.14,
            strikeStep: Paise(10_000), impliedVolatility: 0.12),
        IndexSpec(
            symbol: "SENSEX", securityID: 51, exchange: .bse, anchorLevel: 84_500, volatility: 0.12,
            strikeStep: Paise(10_000), impliedVolatility: 0.115),
        IndexSpec(
            symbol: "INDIA VIX", securityID: 21, exchange: .nse, anchorLevel: 11.5, volatility: 0.6, strikeStep: nil,
            impliedVolatility: 0),
    ]
}

/// The seconds of the regular session the model fills: 09:15:00 through 15:30:00 IST inclusive.
public enum SessionSeconds {
    public static let open = 9 * 3600 + 15 * 60
    public static let close = 15 * 3600 + 30 * 60
    public static let count = close - open + 1
}

/// One day's per-second path of an index over the regular session.
///
/// Built from the seed, the index and the date only: a daily close chained from the anchor date, and an
/// intraday walk with regime changes (trending stretches up or down, and chop) bridged to that close.
public struct DayPath: Sendable {
    public let date: CivilDate
    public let previousClose: Double
    /// Levels at 09:15:00 + i seconds.
    public private(set) var levels: [Double]

    public init(date: CivilDate, previousClose: Double, levels: [Double]) {
        self.date = date
        self.previousClose = previousClose
        self.levels = levels
    }

    /// The level at an IST second of the day, clamped to the session.
    public func level(atSecondOfDay second: Int) -> Double {
        levels[min(max(second - SessionSeconds.open, 0), levels.count - 1)]
    }

    /// One-minute candles from 09:15 up to (not including) the minute that starts at `untilSecond`.
    public func minuteCandles(untilSecondOfDay untilSecond: Int = SessionSeconds.close) -> [Candle] {
        var out: [Candle] = []
        let lastMinute = min((untilSecond - SessionSeconds.open) / 60, 375)
        guard lastMinute > 0 else { return out }
        for minute in 0..<lastMinute {
            let from = minute * 60
            let to = min(from + 59, levels.count - 1)
            var high = levels[from]
            var low = levels[from]
            for i in from...to {
                high = max(high, levels[i])
                low = min(low, levels[i])
            }
            // The minute's close is the next minute's first print, as a feed-built candle would see it.
            let closeIndex = min(to + 1, levels.count - 1)
            high = max(high, levels[closeIndex])
            low = min(low, levels[closeIndex])
            let start = Timestamp.ist(date, 9, 15).epochSeconds + Int64(from)
            out.append(
                Candle(
                    start: start, open: paise(levels[from]), high: paise(high), low: paise(low),
                    close: paise(levels[closeIndex]), volume: 0))
        }
        return out
    }

    /// Replaces the path with a scripted one (a scenario).
    public mutating func override(with levels: [Double]) {
        precondition(levels.count == self.levels.count)
        self.levels = levels
    }
}

/// Rounds a model level to the paisa.
@inline(__always) func paise(_ level: Double) -> Paise { Paise(Int64((level * 100).rounded())) }

/// Generates day paths for an index; the same seed, index and date always give the same path.
public struct IndexPathModel: Sendable {
    public let spec: IndexSpec
    public let seed: UInt64
    /// The first day of the daily chain; every later day's close depends only on the days since.
    public static let anchorDate = CivilDate(2025, 1, 1)

    public init(spec: IndexSpec, seed: UInt64) {
        self.spec = spec
        self.seed = seed
    }

    /// Open and close of every trading day from the anchor to `date` (inclusive), chained by daily returns.
    public func dailyLevels(through date: CivilDate, calendar: TradingCalendar) -> [(
        date: CivilDate, open: Double, close: Double
    )] {
        var rng = SeededRandom(seed: seed, key: "daily:\(spec.symbol)")
        var close = spec.anchorLevel
        var out: [(date: CivilDate, open: Double, close: Double)] = []
        var day = Self.anchorDate
        let dailySigma = spec.volatility / (252.0).squareRoot()
        while day <= date {
            if isTradingDay(day, calendar) {
                // A pull of 4 % a day back toward the anchor keeps levels realistic over a long chain.
                let pull = -0.04 * log(close / spec.anchorLevel)
                let open = close * exp(rng.normal() * dailySigma * 0.3 + pull / 2)
                let next = open * exp(rng.normal() * dailySigma * 0.9 + pull / 2)
                out.append((day, open, next))
                close = next
            }
            day = day.adding(days: 1)
        }
        return out
    }

    private func isTradingDay(_ day: CivilDate, _ calendar: TradingCalendar) -> Bool {
        calendar.covers(day) ? calendar.isTradingDay(day, exchange: spec.exchange) : !day.isWeekend
    }

    /// The per-second path of one trading day.
    public func path(on date: CivilDate, calendar: TradingCalendar) -> DayPath {
        let days = dailyLevels(through: date, calendar: calendar)
        guard let today = days.last, today.date == date else {
            let close = days.last?.close ?? spec.anchorLevel
            return DayPath(
                date: date, previousClose: close, levels: Array(repeating: close, count: SessionSeconds.count))
        }
        return dayPath(days, at: days.count - 1)
    }

    /// The per-second paths of every trading day from `start` through `end`, as `path(on:)` gives each one.
    ///
    /// The daily chain from the anchor is walked once, not once a day: a year of days one by one walked it
    /// 31,000 times per index.
    public func paths(from start: CivilDate, through end: CivilDate, calendar: TradingCalendar) -> [DayPath] {
        let days = dailyLevels(through: end, calendar: calendar)
        return days.indices.filter { days[$0].date >= start }.map { dayPath(days, at: $0) }
    }

    /// Day `index` of a daily chain, its previous close the day before's (the anchor level on the first day).
    ///
    /// Public so a caller can build the days of one chain (`dailyLevels`) concurrently: each day's path
    /// depends only on the chain, and is the one `path(on:)` gives.
    public func dayPath(_ days: [(date: CivilDate, open: Double, close: Double)], at index: Int) -> DayPath {
        let today = days[index]
        let previousClose = index > 0 ? days[index - 1].close : spec.anchorLevel
        return DayPath(
            date: today.date, previousClose: previousClose,
            levels: intraday(date: today.date, open: today.open, close: today.close))
    }

    /// A walk with regimes from `open`, bridged linearly so it ends at `close`.
    func intraday(date: CivilDate, open: Double, close: Double) -> [Double] {
        var rng = SeededRandom(seed: seed, key: "intraday:\(spec.symbol):\(date)")
        let count = SessionSeconds.count
        let secondSigma = spec.volatility / (252.0 * Double(count)).squareRoot()
        var levels = [Double](repeating: open, count: count)
        var logLevel = 0.0
        var regimeLeft = 0
        var drift = 0.0
        var noise = 1.0
        var reversion = 0.0
        var anchor = 0.0
        for i in 1..<count {
            if regimeLeft == 0 {
                regimeLeft = 900 + Int(rng.unit() * 3600)
                let pick = rng.unit()
                let hourlyMove = (0.0025 + rng.unit() * 0.0045) / 3600
                if pick < 0.35 {
                    (drift, noise, reversion) = (hourlyMove, 1.0, 0)
                } else if pick < 0.7 {
                    (drift, noise, reversion) = (-hourlyMove, 1.0, 0)
                } else {
                    (drift, noise, reversion) = (0, 0.8, 0.002)
                }
                anchor = logLevel
            }
            regimeLeft -= 1
            logLevel += drift + noise * secondSigma * rng.normal() - reversion * (logLevel - anchor)
            levels[i] = logLevel
        }
        let end = levels[count - 1]
        let target = log(close / open)
        for i in 0..<count {
            let bridged = levels[i] + (target - end) * Double(i) / Double(count - 1)
            levels[i] = (open * exp(bridged) * 100).rounded() / 100
        }
        levels[0] = open
        return levels
    }
}

extension CivilDate {
    var isWeekend: Bool { weekday >= 6 }
}
