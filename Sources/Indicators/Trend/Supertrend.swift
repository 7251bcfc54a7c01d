/// Trend direction of a Supertrend.
public enum TrendDirection: Int8, Sendable, Equatable, CustomStringConvertible, Codable {
    case up = 1
    case down = -1

    public var description: String { self == .up ? "up" : "down" }
}

/// One Supertrend output: the active band and the direction.
public struct SupertrendValue: Sendable, Equatable, Codable {
    public var value: Double
    public var direction: TrendDirection
}

/// Streaming Supertrend with pandas-ta's rules on hl2 and TA-Lib's ATR; O(1) per bar, no allocation.
///
/// Bands are hl2 ± multiplier·ATR. The direction starts up; it turns up when the close is above the
/// previous upper band and down when below the previous lower band; otherwise it keeps its direction and
/// the band of that direction ratchets (the lower band only rises in an uptrend, the upper only falls in a
/// downtrend). The value is the lower band in an uptrend and the upper band in a downtrend. The first
/// value is at bar `period`, when the ATR first exists.
public struct Supertrend: Sendable, Equatable, Codable {
    public let multiplier: Double
    private var atr: AverageTrueRange
    private var bands = SupertrendBands()
    public private(set) var current: SupertrendValue?

    public init(period: Int, multiplier: Double) {
        precondition(multiplier > 0, "Supertrend multiplier must be positive")
        self.multiplier = multiplier
        atr = AverageTrueRange(period: period)
    }

    public var period: Int { atr.period }

    /// The ATR underneath (nil before bar `period`).
    public var averageTrueRange: Double? { atr.value }

    /// Folds in one bar and returns the Supertrend at it (nil during warm-up).
    @discardableResult
    public mutating func update(high: Double, low: Double, close: Double) -> SupertrendValue? {
        let range = atr.update(high: high, low: low, close: close)
        current = bands.update(high: high, low: low, close: close, atr: range, multiplier: multiplier)
        return current
    }
}

/// The band-ratchet state machine shared by the fixed and adaptive Supertrends.
///
/// Missing values are NaN, as in pandas: every comparison with NaN is false, which is exactly pandas-ta's
/// behaviour during the ATR warm-up, and keeps the per-bar work free of optionals.
struct SupertrendBands: Sendable, Equatable, Codable {
    // Compared by bit pattern, so two fresh (NaN) states are equal.
    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.previousUpper.bitPattern == rhs.previousUpper.bitPattern
            && lhs.previousLower.bitPattern == rhs.previousLower.bitPattern
            && lhs.direction == rhs.direction && lhs.started == rhs.started
    }

    private var previousUpper = Double.nan
    private var previousLower = Double.nan
    private(set) var direction = TrendDirection.up
    private var started = false

    /// Folds in one bar (`atr` NaN during warm-up); returns the active band, NaN during warm-up.
    @inline(__always)
    mutating func step(high: Double, low: Double, close: Double, atr: Double, multiplier: Double) -> Double {
        let hl2 = 0.5 * (high + low)
        var upper = hl2 + multiplier * atr
        var lower = hl2 - multiplier * atr
        if started {
            if close > previousUpper {
                direction = .up
            } else if close < previousLower {
                direction = .down
            } else if direction == .up {
                if lower < previousLower { lower = previousLower }
            } else if upper > previousUpper {
                upper = previousUpper
            }
        }
        started = true
        previousUpper = upper
        previousLower = lower
        return direction == .up ? lower : upper
    }

    mutating func update(high: Double, low: Double, close: Double, atr: Double?, multiplier: Double) -> SupertrendValue?
    {
        let value = step(high: high, low: low, close: close, atr: atr ?? .nan, multiplier: multiplier)
        return value.isNaN ? nil : SupertrendValue(value: value, direction: direction)
    }
}
