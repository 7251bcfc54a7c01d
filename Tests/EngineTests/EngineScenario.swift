import Dhan
import Domain
import Engine
import Foundation
import Indicators
import TestSupport

/// Real NIFTY data wired into engine events: the committed config, the recorded candles and chain.
enum EngineScenario {
    static let nifty = InstrumentKey(.indexValue, 13)
    static let day = CivilDate(2025, 10, 31)

    static func sessionStarted() throws -> SessionStarted {
        SessionStarted(
            engineVersion: "test", mode: .paper, tradingDate: day,
            configFiles: [
                ConfigFile(name: "algo.yml", text: try ConfigFixtures.algoText()),
                ConfigFile(name: "calendar.yml", text: try ConfigFixtures.calendarText()),
            ])
    }

    static func bars(_ name: String) throws -> [Candle] {
        try CandleFile.parse(try ReferenceData.data("dhan/" + name), source: name).map { try $0.candle() }
    }

    /// History before `day` as the two warm-up batches (5m first).
    static func history() throws -> [CandleBatch] {
        let cutoff = Timestamp.ist(day, 0, 0).epochSeconds
        let five = try bars("nifty-intraday-5m-2025-10-24..31.json").filter { $0.start < cutoff }
        let one = try bars("nifty-intraday-1m-2025-10-24..31.json").filter { $0.start < cutoff }
        return [
            CandleBatch(instrument: nifty, intervalMinutes: 5, source: .history, candles: five),
            CandleBatch(instrument: nifty, intervalMinutes: 1, source: .history, candles: one),
        ]
    }

    /// Ticks rebuilt from `day`'s 1m bars: open, high, low and close at :00, :15, :30 and :59 of each minute.
    static func liveTicks() throws -> [(Tick, Timestamp)] {
        let start = Timestamp.ist(day, 0, 0).epochSeconds
        return try bars("nifty-intraday-1m-2025-10-24..31.json").filter { $0.start >= start }.flatMap { bar in
            [(0, bar.open), (15, bar.high), (30, bar.low), (59, bar.close)].map { offset, price in
                let time = Timestamp(epochSeconds: bar.start + Int64(offset))
                return (Tick(instrument: nifty, lastPrice: price, lastTradeTime: time.epochSeconds), time)
            }
        }
    }

    static func chain() throws -> OptionChainSnapshot {
        try OptionChainResponse.decode(
            try ReferenceData.data("dhan/nifty-optionchain-exp-2025-11-04.json"), source: "chain"
        )
        .snapshot(underlying: nifty, expiry: CivilDate(2025, 11, 4), source: "chain")
    }
}
