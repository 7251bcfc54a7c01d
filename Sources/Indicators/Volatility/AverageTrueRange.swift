/// True range of a bar against the previous close, as TA-Lib's `TRANGE`.
@inlinable
public func trueRange(high: Double, low: Double, previousClose: Double) -> Double {
    max(high - low, abs(high - previousClose), abs(low - previousClose))
}

/// Streaming ATR exactly as TA-Lib's `ATR(n)`: O(1) per bar, no allocation.
///
/// Bar 0 has no true range. The first value, at bar n, is the mean of TR₁…TRₙ; after that
/// ATR = (ATR·(n−1) + TR) / n (Wilder's smoothing).
public struct AverageTrueRange: Sendable, Equatable, Codable {
    public let period: Int
    @usableFromInline var barsSeen = 0
    @usableFromInline var previousClose = 0.0
    @usableFromInline var sum = 0.0
    /// The current value; nil before bar `period`.
    public private(set) var value: Double?

    public init(period: Int) {
        precondition(period >= 1, "ATR period must be at least 1")
        self.period = period
    }

    /// Folds in one bar and returns the ATR at it (nil during warm-up).
    @discardableResult
    public mutating func update(high: Double, low: Double, close: Double) -> Double? {
        defer {
            previousClose = close
            barsSeen += 1
        }
        guard barsSeen > 0 else { return nil }
        let range = trueRange(high: high, low: low, previousClose: previousClose)
        if let current = value {
            value = (current * Double(period - 1) + range) / Double(period)
        } else {
            sum += range
            if barsSeen == period { value = sum / Double(period) }
        }
        return value
    }
}
