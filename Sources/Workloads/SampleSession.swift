import Domain
import Journal

/// A deterministic stream of realistic journal entries (mostly ticks, with candles, orders, fills and
/// timers mixed in), each a pure function of its seq: used by `journal bench`, the sample journal,
/// and tests that must check every record after a crash.
public enum SampleSession {
    public static let tradingDate = CivilDate(2025, 10, 27)
    public static let nifty = InstrumentKey(.indexValue, 13)
    public static let niftyCall = InstrumentKey(.nseFNO, 49081)
    public static let niftyPut = InstrumentKey(.nseFNO, 49082)

    /// The configuration text carried by the sample session-started record.
    public static let configText = "# sample session\nmode: paper\nindices: [NIFTY]\n"

    /// The entry at `seq` (1-based) and its time: one event every 10 ms from 09:15 IST.
    public static func entry(seq: UInt64) -> (JournalEntry, Timestamp) {
        let time = Timestamp(nanos: Timestamp.ist(tradingDate, 9, 15).nanos + Int64(seq - 1) * 10_000_000)
        if seq == 1 {
            return (
                .event(
                    .sessionStarted(
                        SessionStarted(
                            engineVersion: "0.1.0", mode: .paper, tradingDate: tradingDate, configText: configText))),
                time
            )
        }
        let noise = mix(seq)
        let indexLevel = Int64(2_593_500) + Int64(noise % 4001) - 2000
        let optionLevel = Int64(12_000) + Int64((noise >> 16) % 801) - 400
        let seconds = time.epochSeconds
        switch seq % 500 {
        case 0:
            return (.event(.timer(TimerFired(kind: .barClose))), time)
        case 100:
            let candles = (0..<5).map { minute in
                Candle(
                    start: seconds - 300 + Int64(minute) * 60, open: Paise(indexLevel - 500),
                    high: Paise(indexLevel + 800),
                    low: Paise(indexLevel - 900), close: Paise(indexLevel), volume: 0)
            }
            return (
                .event(
                    .candleBatch(CandleBatch(instrument: nifty, intervalMinutes: 1, source: .live, candles: candles))),
                time
            )
        case 200:
            let intent = OrderIntent(
                correlationID: CorrelationID(session: tradingDate, commandSeq: seq), instrument: niftyCall, side: .buy,
                quantity: 75, tag: "entry_NIFTY_CE_25950")
            return (.command(.placeOrder(intent), causeSeq: seq - 1), time)
        case 201:
            let id = CorrelationID(session: tradingDate, commandSeq: seq - 1)
            return (
                .event(.orderAccepted(OrderAccepted(correlationID: id, orderID: "SIM\(seq)", status: .transit))), time
            )
        case 202:
            let id = CorrelationID(session: tradingDate, commandSeq: seq - 2)
            let fill = Fill(
                correlationID: id, orderID: "SIM\(seq - 1)", tradeID: "T\(seq)", instrument: niftyCall, side: .buy,
                quantity: 75, price: Paise(optionLevel), tradeTime: seconds)
            return (.event(.fill(fill)), time)
        case 300:
            return (.event(.funds(FundsSnapshot(available: .rupees(200_000), startOfDayLimit: .rupees(200_000)))), time)
        default:
            let instrument = seq % 3 == 0 ? niftyCall : (seq % 3 == 1 ? nifty : niftyPut)
            let price = instrument == nifty ? indexLevel : optionLevel
            let tick = Tick(
                instrument: instrument, lastPrice: Paise(price), lastTradeTime: seconds, lastQuantity: 75,
                volume: Int64(seq) * 75, openInterest: instrument == nifty ? 0 : 1_250_000,
                bestBid: instrument == nifty ? .zero : Paise(price - 5),
                bestAsk: instrument == nifty ? .zero : Paise(price + 5))
            return (.event(.tick(tick)), time)
        }
    }

    /// The journal record for `seq`.
    public static func record(seq: UInt64) -> PendingRecord {
        let (entry, time) = entry(seq: seq)
        return entry.record(at: time)
    }

    /// SplitMix64: a fixed, seedless scramble so the sample is the same on every machine.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
