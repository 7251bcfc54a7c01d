import Domain
import Engine
import TestSupport
import Testing

@Suite("Trading configuration")
struct AlgoConfigTests {
    @Test("the committed config/algo.yml parses with the original defaults")
    func committedConfig() throws {
        let config = try AlgoConfig.parse(yaml: try ConfigFixtures.algoText(), calendar: try ConfigFixtures.calendar())
        #expect(config.mode == .paper)
        #expect(config.indices.map(\.key) == ["NIFTY", "BANKNIFTY", "SENSEX"])
        let nifty = try #require(config.index("NIFTY"))
        #expect(nifty.instrument == InstrumentKey(.indexValue, 13))
        #expect(nifty.strikeStep == .rupees(50) && nifty.maxSameSide == 2 && nifty.cooldownSeconds == 180)
        #expect(config.index("BANKNIFTY")?.strikeStep == .rupees(100) && config.index("SENSEX")?.exchange == .bse)
        #expect(
            config.signals.supertrendPeriod == 10 && config.signals.supertrendMultiplier == 3
                && config.signals.supertrendMode == .standard)
        #expect(config.signals.adxMinStrength == 18 && config.signals.confirmationThreshold == 20)
        #expect(
            config.signals.validationModeName == "balanced"
                && config.signals.validationMode.thetaCutoff == 14 * 3600 + 30 * 60)
        #expect(config.signals.adaptiveCandidates == [1.5, 2.0, 2.5, 3.0, 3.5])
        #expect(config.signals.maxScaleMultiplier == 3 && config.signals.scaleDecaySeconds == 900)
        #expect(config.entryCutoff == 15 * 3600)
        #expect(config.risk.stopLoss == BasisPoints(3000) && config.risk.takeProfit == BasisPoints(6000))
        #expect(config.risk.exitDrop == BasisPoints(300) && config.risk.dailyLossLimit == BasisPoints(600))
        #expect(config.risk.minProfitLock == .rupees(1000) && config.risk.timeExit == 15 * 3600 + 20 * 60)
        #expect(config.risk.brokerProtection == .superOrder)
        #expect(
            config.sizing.bands.map(\.allocation) == [
                BasisPoints(3000), BasisPoints(2500), BasisPoints(2000), BasisPoints(2000),
            ])
        #expect(
            config.sizing.bands.map(\.risk) == [BasisPoints(500), BasisPoints(350), BasisPoints(300), BasisPoints(250)])
    }

    @Test(
        "unknown keys, wrong types and out-of-range values are refused with the file, key and reason",
        arguments: [
            (
                "  adx:\n    period: 14\n", "  adx:\n    strenght: 3\n    period: 14\n",
                "algo.yml: signals.adx.strenght: unknown key"
            ),
            (
                "    cooldown_sec: 180\n    expiry: weekly\n  BANKNIFTY",
                "    cooldown_sec: soon\n    expiry: weekly\n  BANKNIFTY",
                "algo.yml: indices.NIFTY.cooldown_sec: expected a whole number"
            ),
            ("  sl_pct: 0.30", "  sl_pct: 1.5", "algo.yml: risk.sl_pct: 1.5 is outside 0.01…0.99"),
            (
                "  validation_mode: balanced", "  validation_mode: reckless",
                "algo.yml: signals.validation_mode: no such validation mode"
            ),
            ("  time_exit: \"15:20\"", "  time_exit: \"3:20pm\"", "algo.yml: risk.time_exit: expected a time HH:MM"),
            ("mode: paper ", "mode: yolo ", "algo.yml: mode: 'yolo' is not paper or live"),
            (
                "security_id: 13\n    exchange: NSE", "security_id: 13\n    exchange: BSE",
                "algo.yml: indices.NIFTY.exchange: BSE, but the calendar lists NIFTY's expiries on NSE"
            ),
        ])
    func refusals(original: String, replacement: String, message: String) throws {
        let text = try ConfigFixtures.algoText()
        #expect(text.contains(original))
        let broken = text.replacingOccurrences(of: original, with: replacement)
        #expect {
            try AlgoConfig.parse(yaml: broken, file: "algo.yml", calendar: try ConfigFixtures.calendar())
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
