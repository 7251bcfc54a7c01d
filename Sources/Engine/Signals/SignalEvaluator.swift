import Domain
import Indicators

/// The signal for one index at one closed primary bar: the direction, what each timeframe said, the
/// confidence, and every reason it is an avoid.
public struct SignalRecord: Sendable, Equatable, Codable {
    public var index: String
    /// The primary bar this signal was evaluated on (its start, epoch seconds).
    public var barStart: Int64
    /// When it was evaluated (the bar's close event).
    public var time: Timestamp
    public var direction: SignalDirection
    public var primary: TimeframeReading
    public var confirmation: TimeframeReading
    /// 0…1: the mean of each timeframe's ADX over 50 (capped at 1) when both agree; 0 for an avoid.
    public var confidence: Double
    public var ivRank: Double?
    public var ivRankSource: String
    /// The size multiplier from repeated same-side signals (1…max_multiplier).
    public var scaleMultiplier: Int
    /// Why the signal is an avoid (empty for bullish and bearish).
    public var reasons: [String]

    public init(
        index: String, barStart: Int64, time: Timestamp, direction: SignalDirection, primary: TimeframeReading,
        confirmation: TimeframeReading, confidence: Double, ivRank: Double?, ivRankSource: String, scaleMultiplier: Int,
        reasons: [String]
    ) {
        self.index = index
        self.barStart = barStart
        self.time = time
        self.direction = direction
        self.primary = primary
        self.confirmation = confirmation
        self.confidence = confidence
        self.ivRank = ivRank
        self.ivRankSource = ivRankSource
        self.scaleMultiplier = scaleMultiplier
        self.reasons = reasons
    }
}

/// Evaluates Supertrend + ADX on both timeframes, with the validation mode's checks, into a signal.
public enum SignalEvaluator {
    /// Inputs that are not indicator readings.
    public struct Context: Sendable, Equatable, Codable {
        public var index: IndexConfig
        public var barStart: Int64
        public var time: Timestamp
        public var primary: TimeframeReading
        public var confirmation: TimeframeReading
        public var primaryRecentDirections: [TrendDirection]
        public var ivRank: Double?
        public var ivRankSource: String

        public init(
            index: IndexConfig, barStart: Int64, time: Timestamp, primary: TimeframeReading,
            confirmation: TimeframeReading,
            primaryRecentDirections: [TrendDirection], ivRank: Double?, ivRankSource: String
        ) {
            self.index = index
            self.barStart = barStart
            self.time = time
            self.primary = primary
            self.confirmation = confirmation
            self.primaryRecentDirections = primaryRecentDirections
            self.ivRank = ivRank
            self.ivRankSource = ivRankSource
        }
    }

    public static func evaluate(_ context: Context, config: AlgoConfig) -> SignalRecord {
        let signals = config.signals
        let mode = signals.validationMode
        var reasons: [String] = []
        let date = context.time.istDate
        let second = Int(context.time.istSecondOfDay)

        // Market timing is real: no entries outside the session, on holidays, or after the entry cutoff.
        if let session = config.calendar.session(on: date, exchange: context.index.exchange) {
            if !session.contains(secondOfDay: second) {
                reasons.append("outside the session \(clock(session.open))–\(clock(session.close))")
            }
        } else {
            reasons.append(
                "\(date) is not a trading day"
                    + (config.calendar.holiday(on: date, exchange: context.index.exchange).map { " (\($0))" } ?? ""))
        }
        if second >= config.entryCutoff { reasons.append("after the entry cutoff \(clock(config.entryCutoff))") }

        func timeframe(_ reading: TimeframeReading, minutes: Int, threshold: Double) -> TrendDirection? {
            let label = "\(minutes)m"
            guard reading.bars >= signals.primaryWarmupBars, let adx = reading.adx, let direction = reading.direction
            else {
                reasons.append("warming up: \(label) has \(reading.bars) of \(signals.primaryWarmupBars) bars")
                return nil
            }
            guard adx >= threshold else {
                reasons.append("\(label) ADX \(format(adx)) below \(format(threshold))")
                return nil
            }
            return direction
        }
        let primary = timeframe(context.primary, minutes: signals.primaryMinutes, threshold: signals.adxMinStrength)
        let confirmation = timeframe(
            context.confirmation, minutes: signals.confirmationMinutes, threshold: signals.confirmationThreshold)
        var direction = SignalDirection.avoid
        if let primary, let confirmation {
            if primary == confirmation {
                direction = primary == .up ? .bullish : .bearish
            } else {
                reasons.append(
                    "\(signals.primaryMinutes)m \(primary) and \(signals.confirmationMinutes)m \(confirmation) disagree"
                )
            }
        }

        // The validation mode's checks.
        let modeName = signals.validationModeName
        if let adx = context.primary.adx, primary != nil, adx < mode.adxMinStrength {
            reasons.append(
                "\(signals.primaryMinutes)m ADX \(format(adx)) below the \(modeName) floor \(format(mode.adxMinStrength))"
            )
        }
        if mode.requireThetaRiskCheck && second >= mode.thetaCutoff {
            reasons.append("after the \(modeName) theta cutoff \(clock(mode.thetaCutoff))")
        }
        if mode.requireTrendConfirmation, direction != .avoid {
            let wanted: TrendDirection = direction == .bullish ? .up : .down
            let recent = context.primaryRecentDirections.suffix(mode.trendConfirmationBars)
            if recent.count < mode.trendConfirmationBars || recent.contains(where: { $0 != wanted }) {
                reasons.append("trend not confirmed over \(mode.trendConfirmationBars) bars")
            }
        }
        if mode.requireIVRankCheck, let rank = context.ivRank, !mode.ivRankRange.contains(rank) {
            reasons.append(
                "IV rank \(format(rank)) outside \(format(mode.ivRankRange.lowerBound))–\(format(mode.ivRankRange.upperBound)) (\(context.ivRankSource))"
            )
        }

        let final = reasons.isEmpty ? direction : .avoid
        var confidence = 0.0
        if final != .avoid, let a = context.primary.adx, let b = context.confirmation.adx {
            confidence = (min(a / 50, 1) + min(b / 50, 1)) / 2
        }
        return SignalRecord(
            index: context.index.key, barStart: context.barStart, time: context.time, direction: final,
            primary: context.primary,
            confirmation: context.confirmation, confidence: confidence, ivRank: context.ivRank,
            ivRankSource: context.ivRankSource,
            scaleMultiplier: 1, reasons: reasons)
    }

    static func clock(_ secondOfDay: Int) -> String {
        let hours = secondOfDay / 3600
        let minutes = secondOfDay / 60 % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }

    static func format(_ value: Double) -> String { StrikeSelector.format(value) }
}
