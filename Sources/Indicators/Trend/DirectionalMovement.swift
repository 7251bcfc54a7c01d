/// Streaming +DI, −DI and ADX exactly as TA-Lib's `PLUS_DI`, `MINUS_DI` and `ADX`, warm-up included.
///
/// Bars 1…n−1 accumulate raw +DM, −DM and TR; from bar n each is Wilder-smoothed (s − s/n + x) and the
/// DIs are output. DX values from bar n to 2n−1 are averaged into the first ADX (at bar 2n−1); after that
/// ADX = (ADX·(n−1) + DX) / n. Like TA-Lib, a bar whose smoothed TR (or DI sum) is zero leaves the
/// ADX unchanged and gives DIs of 0. O(1) per bar, no allocation.
public struct DirectionalMovement: Sendable, Equatable, Codable {
    /// The indicator values at one bar; a field is nil before its first valid bar.
    public struct Values: Sendable, Equatable, Codable {
        public var plusDI: Double?
        public var minusDI: Double?
        public var adx: Double?
    }

    public let period: Int
    private var barsSeen = 0
    private var previousHigh = 0.0
    private var previousLow = 0.0
    private var previousClose = 0.0
    private var plusDM = 0.0
    private var minusDM = 0.0
    private var trueRangeSum = 0.0
    private var dxSum = 0.0
    public private(set) var values = Values()

    public init(period: Int) {
        precondition(period >= 2, "ADX period must be at least 2")
        self.period = period
    }

    /// TA-Lib's `TA_IS_ZERO`.
    private static func isZero(_ value: Double) -> Bool { value > -0.000_000_01 && value < 0.000_000_01 }

    /// Folds in one bar and returns +DI, −DI and ADX at it.
    @discardableResult
    public mutating func update(high: Double, low: Double, close: Double) -> Values {
        defer {
            previousHigh = high
            previousLow = low
            previousClose = close
            barsSeen += 1
        }
        guard barsSeen > 0 else { return values }
        let upMove = high - previousHigh
        let downMove = previousLow - low
        var barPlusDM = 0.0
        var barMinusDM = 0.0
        if downMove > 0 && upMove < downMove {
            barMinusDM = downMove
        } else if upMove > 0 && upMove > downMove {
            barPlusDM = upMove
        }
        let range = trueRange(high: high, low: low, previousClose: previousClose)
        let n = Double(period)
        if barsSeen < period {
            plusDM += barPlusDM
            minusDM += barMinusDM
            trueRangeSum += range
            return values
        }
        plusDM = plusDM - plusDM / n + barPlusDM
        minusDM = minusDM - minusDM / n + barMinusDM
        trueRangeSum = trueRangeSum - trueRangeSum / n + range

        var dx: Double?
        if Self.isZero(trueRangeSum) {
            values.plusDI = 0
            values.minusDI = 0
        } else {
            let plus = 100.0 * (plusDM / trueRangeSum)
            let minus = 100.0 * (minusDM / trueRangeSum)
            values.plusDI = plus
            values.minusDI = minus
            let sum = plus + minus
            if !Self.isZero(sum) { dx = 100.0 * (abs(minus - plus) / sum) }
        }
        if barsSeen < 2 * period - 1 {
            dxSum += dx ?? 0
        } else if barsSeen == 2 * period - 1 {
            values.adx = (dxSum + (dx ?? 0)) / n
        } else if let dx, let adx = values.adx {
            values.adx = (adx * (n - 1) + dx) / n
        }
        return values
    }
}
