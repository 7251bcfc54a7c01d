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
public struct AdaptiveSupertrend: Sendable, Equatable, Codable {
    /// The volatility regime a bar fell into.
    public enum Regime: Int8, Sendable, Equatable, CustomStringConvertible, Codable {
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
    public struct Value: Sendable, Equatable, Codable {
        public var supertrend: SupertrendValue
        public var multiplier: Double
        public var regime: Regime
    }

    public static let defaultCandidates = [1.5, 2.0, 2.5, 3.0, 3.5]
    static let scoreDecay = 0.9

    /// One candidate multiplier's running state.
    struct Candidate: Sendable, Equatable, Codable {
        static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.multiplier == rhs.multiplier && lhs.bands == rhs.bands && lhs.latest.bitPattern == rhs.latest.bitPattern
                && lhs.score == rhs.score
        }

        var multiplier: Double
        /// Bit r is set when this candidate may be chosen in regime r (calm 0, normal 1, volatile 2).
        var allowedRegimes: UInt8 = 0
        var bands = SupertrendBands()
        /// The latest band value, NaN during warm-up.
        var latest = Double.nan
        var score = 0.5
    }

    public var candidates: [Double] { states.map(\.multiplier) }
    public let regimePeriod: Int
    /// (n − 1) and 1 / n of the slow average, precomputed.
    private let slowKeep: Double
    private let slowWeight: Double
    private var atr: AverageTrueRange
    private var slowATR: Double?
    private var states: [Candidate]
    private var previousClose: Double?
    public private(set) var current: Value?

    public init(period: Int, candidates: [Double] = defaultCandidates, regimePeriod: Int = 50) {
        precondition(!candidates.isEmpty && candidates.allSatisfy { $0 > 0 }, "candidates must be positive")
        self.regimePeriod = max(2, regimePeriod)
        slowKeep = Double(max(2, regimePeriod) - 1)
        slowWeight = 1 / Double(max(2, regimePeriod))
        atr = AverageTrueRange(period: period)
        states = candidates.sorted().map { multiplier in
            var candidate = Candidate(multiplier: multiplier)
            for regime in [Regime.calm, .normal, .volatile] where Self.allowed(multiplier, in: regime) {
                candidate.allowedRegimes |= 1 << UInt8(regime.rawValue + 1)
            }
            return candidate
        }
    }

    /// Folds in one bar and returns the chosen Supertrend at it (nil during warm-up).
    @discardableResult
    public mutating func update(high: Double, low: Double, close: Double) -> Value? {
        let change = previousClose.map { close - $0 }
        previousClose = close
        let range = atr.update(high: high, low: low, close: close)
        var regime = Regime.normal
        if let range {
            let slow = slowATR.map { ($0 * slowKeep + range) * slowWeight } ?? range
            slowATR = slow
            // range / slow against 0.85 and 1.15, without a division on every bar.
            regime = slow > 0 && range < 0.85 * slow ? .calm : (slow > 0 && range > 1.15 * slow ? .volatile : .normal)
        }
        let decay = Self.scoreDecay
        let regimeBit: UInt8 = 1 << UInt8(regime.rawValue + 1)
        let best: Int? = states.withUnsafeMutableBufferPointer { states in
            var best: Int?
            var bestScore = -Double.infinity
            for index in states.indices {
                // Score the direction this candidate held before this bar against the bar's close change.
                if let change, !states[index].latest.isNaN {
                    let up = states[index].bands.direction == .up
                    let hit: Double = change == 0 ? 0.5 : ((change > 0) == up ? 1 : 0)
                    states[index].score = states[index].score * decay + hit * (1 - decay)
                }
                let value = states[index].bands.step(
                    high: high, low: low, close: close, atr: range ?? .nan, multiplier: states[index].multiplier)
                states[index].latest = value
                if !value.isNaN, states[index].allowedRegimes & regimeBit != 0, states[index].score >= bestScore {
                    best = index
                    bestScore = states[index].score
                }
            }
            return best
        }
        guard range != nil, let chosen = best ?? states.indices.last, !states[chosen].latest.isNaN else { return nil }
        let value = SupertrendValue(value: states[chosen].latest, direction: states[chosen].bands.direction)
        current = Value(supertrend: value, multiplier: states[chosen].multiplier, regime: regime)
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
