import Domain
import Engine
import Indicators
import TestSupport
import Testing

/// The validation modes' checks on one set of readings: the ADX floors, the theta cutoff, trend confirmation
/// and the IV-rank gate (only the conservative and aggressive modes check the rank).
@Suite("Validation modes and the IV-rank gate")
struct ValidationModeTests {
    static func config(mode: String) throws -> AlgoConfig {
        let calendar = try TradingCalendar.parse(yaml: try ConfigFixtures.calendarText(), file: "calendar.yml")
        let text = try ConfigFixtures.algoText().replacingOccurrences(
            of: "validation_mode: balanced", with: "validation_mode: \(mode)")
        return try AlgoConfig.parse(yaml: text, file: "algo.yml", calendar: calendar)
    }

    /// 1m ADX 20 and 5m ADX 22, both up, at 14:10 on a trading day, the last three 1m bars down, up, up.
    static func context(_ config: AlgoConfig, ivRank: Double?, recent: [TrendDirection] = [.down, .up, .up])
        -> SignalEvaluator.Context
    {
        let time = Timestamp.ist(CivilDate(2025, 11, 4), 14, 10)
        return SignalEvaluator.Context(
            index: config.index("NIFTY")!, barStart: time.epochSeconds - 60, time: time,
            primary: TimeframeReading(supertrend: 25_600, direction: .up, adx: 20, bars: 200),
            confirmation: TimeframeReading(supertrend: 25_550, direction: .up, adx: 22, bars: 60),
            primaryRecentDirections: recent, ivRank: ivRank, ivRankSource: "ATM IV over 12 sessions")
    }

    @Test("conservative: the 5m threshold 30, the 1m floor 25, the 14:00 theta cutoff, confirmation, IV rank 20–70")
    func conservative() throws {
        let config = try Self.config(mode: "conservative")
        let signal = SignalEvaluator.evaluate(Self.context(config, ivRank: 75), config: config)
        #expect(signal.direction == .avoid && signal.confidence == 0)
        #expect(
            signal.reasons == [
                "5m ADX 22.0 below 30.0",
                "1m ADX 20.0 below the conservative floor 25.0",
                "after the conservative theta cutoff 14:00",
                "IV rank 75.0 outside 20.0–70.0 (ATM IV over 12 sessions)",
            ])
        // Inside the rank band the gate says nothing; a rank not yet known (too few sessions) does not block.
        #expect(
            !SignalEvaluator.evaluate(Self.context(config, ivRank: 50), config: config).reasons.contains {
                $0.hasPrefix("IV rank")
            })
        #expect(
            !SignalEvaluator.evaluate(Self.context(config, ivRank: nil), config: config).reasons.contains {
                $0.hasPrefix("IV rank")
            })
    }

    @Test("balanced: ADX passes (18/20) and the rank is not checked, but the trend is not confirmed over 3 bars")
    func balanced() throws {
        let config = try Self.config(mode: "balanced")
        let signal = SignalEvaluator.evaluate(Self.context(config, ivRank: 95), config: config)
        #expect(signal.direction == .avoid && signal.reasons == ["trend not confirmed over 3 bars"])
        let confirmed = SignalEvaluator.evaluate(
            Self.context(config, ivRank: 95, recent: [.up, .up, .up]), config: config)
        #expect(confirmed.direction == .bullish && confirmed.reasons.isEmpty)
    }

    @Test("aggressive: floors 15/18, no theta cutoff, no confirmation: bullish, unless the rank is outside 5–90")
    func aggressive() throws {
        let config = try Self.config(mode: "aggressive")
        let signal = SignalEvaluator.evaluate(Self.context(config, ivRank: 50), config: config)
        #expect(signal.direction == .bullish && signal.reasons.isEmpty)
        #expect(signal.confidence == (20.0 / 50 + 22.0 / 50) / 2)
        let gated = SignalEvaluator.evaluate(Self.context(config, ivRank: 95), config: config)
        #expect(
            gated.direction == .avoid
                && gated.reasons == ["IV rank 95.0 outside 5.0–90.0 (ATM IV over 12 sessions)"])
    }
}
