/// A strike named by its distance from the at-the-money strike, as DhanHQ's expired-options data indexes
/// them (`ATM`, `ATM+1`, `ATM-3`): the contract it names changes as the spot moves.
public struct StrikeOffset: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Strike steps above (positive) or below (negative) the at-the-money strike.
    public var steps: Int

    /// The widest offset DhanHQ serves (index options near expiry).
    public static let maximum = 10

    public init(_ steps: Int) { self.steps = steps }

    /// `ATM`, `ATM+2`, `ATM-1`; nil for anything else or beyond ±10.
    public init?(label: String) {
        guard label.hasPrefix("ATM") else { return nil }
        let rest = label.dropFirst(3)
        if rest.isEmpty {
            steps = 0
            return
        }
        guard let sign = rest.first, sign == "+" || sign == "-", let value = Int(rest.dropFirst()), value > 0,
            value <= Self.maximum
        else { return nil }
        steps = sign == "+" ? value : -value
    }

    /// The label DhanHQ's `strike` field takes.
    public var label: String { steps == 0 ? "ATM" : steps > 0 ? "ATM+\(steps)" : "ATM\(steps)" }
    public var description: String { label }

    public static func < (lhs: StrikeOffset, rhs: StrikeOffset) -> Bool { lhs.steps < rhs.steps }

    /// `ATM-3..ATM+3`: every offset from the first to the last, ascending; nil when either end is not a label.
    public static func range(_ text: String) -> [StrikeOffset]? {
        let parts = text.split(separator: "..", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let low = StrikeOffset(label: parts[0]), let high = StrikeOffset(label: parts[1]),
            low <= high
        else {
            return StrikeOffset(label: text).map { [$0] }
        }
        return (low.steps...high.steps).map(StrikeOffset.init)
    }
}

/// One bar of an expired option's recorded trading, as DhanHQ's expired-options data gives it: the premium's
/// OHLC, volume, open interest, implied volatility, the strike the offset named then, and the spot.
public struct RecordedOptionBar: Equatable, Sendable, Codable {
    /// Bar start, epoch seconds.
    public var start: Int64
    public var open: Paise
    public var high: Paise
    public var low: Paise
    public var close: Paise
    public var volume: Int64
    public var openInterest: Int64
    /// Implied volatility in percent (0 when not recorded).
    public var impliedVolatility: Double
    /// The strike the offset named during this bar.
    public var strike: Paise
    public var spot: Paise

    public init(
        start: Int64, open: Paise, high: Paise, low: Paise, close: Paise, volume: Int64, openInterest: Int64,
        impliedVolatility: Double, strike: Paise, spot: Paise
    ) {
        self.start = start
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.openInterest = openInterest
        self.impliedVolatility = impliedVolatility
        self.strike = strike
        self.spot = spot
    }
}
