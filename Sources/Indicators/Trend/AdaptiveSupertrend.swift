/// A Supertrend whose multiplier is chosen bar by bar among candidates (1.5…3.5 by default), as the
/// original system's "adaptive multiplier" mode did, but deterministic: same bars in, same values out.
///
/// Every candidate runs its own Supertrend bands on the shared TA-Lib ATR. Each bar:
/// 1. each candidate's previous direction is scored against this bar's close change: an exponentially
///    decayed hit rate (decay 0.9; every score starts at 0.5, nothing random);
/// 2. the volatility regime is the ATR over its slow Wilder average (`regimePeriod` bars): below 0.85 is
///    calm (candidates ≤ 2.5 allowed), above 1.15 is volatile (≥ 3.0), otherwise normal (2.0…3.0);
/// 3. the allowed candidate with the best score wins; a tie goes to the larger (more conservative) one.
/// O(candidates) per bar, no allocation after `init`.
public struct AdaptiveSupertrend: Sendable, Equatable {
    /// The volatility regime a bar fell into.
    public enum Regime: Int8, Sendable, Equatable, CustomStringConvertible {
        case calm = -1
        case normal = 0
        case volatile = 1

        public var description: String {
            switch self {
            case .calm: "calm"
            case .normal: "normal"
            case .volatile: "volatile"
            }
        }
    }

    /// One bar's output: the chosen candidate's Supertrend, its multiplier and the regime.
    public struct Value: Sendable, Equatable {
        public var supertrend: SupertrendValue
        public var multiplier: Double
        public var regime: Regime
    }

    public static let defaultCandidates = [1.5, 2.0, 2.5, 3.0, 3.5]
    static let scoreDecay = 0.9

    public let candidates: [Double]
    public let regimePeriod: Int
    private var atr: AverageTrueRange
    private var slowATR: Double?
    private var bands: [SupertrendBands]
    private var latest: [SupertrendValue?]
    private var scores: [Double]
    private var previousClose: Double?
    public private(set) var current: Value?

    public init(period: Int, candidates: [Double] = defaultCandidates, regimePeriod: Int = 50) {
        precondition(!candidates.isEmpty && candidates.allSatisfy { $0 > 0 }, "candidates must be positive")
        self.candidates = candidates.sorted()
        self.regimePeriod = max(2, regimePeriod)
        atr = AverageTrueRange(period: period)
        bands = Array(repeating: SupertrendBands(), count: candidates.count)
        latest = Array(repeating: nil, count: candidates.count)
        scores = Array(repeating: 0.5, count: candidates.count)
    }

    /// Folds in one bar and returns the chosen Supertrend at it (nil during warm-up).
    @discardableResult
    public mutating func update(high: Double, low: Double, close: Double) -> Value? {
        if let previousClose {
            let change = close - previousClose
            for index in candidates.indices {
                guard let direction = latest[index]?.direction else { continue }
                let hit: Double = change == 0 ? 0.5 : ((change > 0) == (direction == .up) ? 1 : 0)
                scores[index] = scores[index] * Self.scoreDecay + hit * (1 - Self.scoreDecay)
            }
        }
        previousClose = close
        let range = atr.update(high: high, low: low, close: close)
        for index in candidates.indices {
            latest[index] = bands[index].update(
                high: high, low: low, close: close, atr: range, multiplier: candidates[index])
        }
        guard let range else { return nil }
        let slow = slowATR.map { ($0 * Double(regimePeriod - 1) + range) / Double(regimePeriod) } ?? range
        slowATR = slow
        let ratio = slow > 0 ? range / slow : 1
        let regime: Regime = ratio < 0.85 ? .calm : (ratio > 1.15 ? .volatile : .normal)
        var best: Int?
        for index in candidates.indices where Self.allowed(candidates[index], in: regime) && latest[index] != nil {
            if let chosen = best, scores[index] < scores[chosen] { continue }
            best = index
        }
        let chosen = best ?? (candidates.count - 1)
        guard let value = latest[chosen] else { return nil }
        current = Value(supertrend: value, multiplier: candidates[chosen], regime: regime)
        return current
    }

    private static func allowed(_ multiplier: Double, in regime: Regime) -> Bool {
        switch regime {
        case .calm: multiplier <= 2.5
        case .normal: multiplier >= 2.0 && multiplier <= 3.0
        case .volatile: multiplier >= 3.0
        }
    }
}
