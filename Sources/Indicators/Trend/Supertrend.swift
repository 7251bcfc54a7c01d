/// Trend direction of a Supertrend.
public enum TrendDirection: Int8, Sendable, Equatable, CustomStringConvertible {
    case up = 1
    case down = -1

    public var description: String { self == .up ? "up" : "down" }
}

/// One Supertrend output: the active band and the direction.
public struct SupertrendValue: Sendable, Equatable {
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
public struct Supertrend: Sendable, Equatable {
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
struct SupertrendBands: Sendable, Equatable {
    private var previousUpper: Double?
    private var previousLower: Double?
    private var direction = TrendDirection.up
    private var started = false

    mutating func update(high: Double, low: Double, close: Double, atr: Double?, multiplier: Double) -> SupertrendValue?
    {
        let hl2 = 0.5 * (high + low)
        var upper = atr.map { hl2 + multiplier * $0 }
        var lower = atr.map { hl2 - multiplier * $0 }
        if started {
            if let previous = previousUpper, close > previous {
                direction = .up
            } else if let previous = previousLower, close < previous {
                direction = .down
            } else {
                if direction == .up, let previous = previousLower, let band = lower, band < previous {
                    lower = previous
                }
                if direction == .down, let previous = previousUpper, let band = upper, band > previous {
                    upper = previous
                }
            }
        }
        started = true
        previousUpper = upper
        previousLower = lower
        guard let value = direction == .up ? lower : upper else { return nil }
        return SupertrendValue(value: value, direction: direction)
    }
}
