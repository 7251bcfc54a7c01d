import Domain
import Journal
import TestSupport
import Testing
import Workloads

/// One value of every entry kind (and every variant of the enum payloads).
let everyEntry: [JournalEntry] = {
    let nifty = InstrumentKey(.indexValue, 13)
    let call = InstrumentKey(.nseFNO, 49081)
    let id = CorrelationID(session: CivilDate(2025, 10, 27), commandSeq: 42)
    let quote = OptionQuote(
        securityID: 49081, lastPrice: Paise(12_345), impliedVolatility: 9.79, delta: 0.52, gamma: 0.001, theta: -12.5,
        vega: 8.1, openInterest: 1_200_000, volume: 30_000, bestBid: Paise(12_340), bestAsk: Paise(12_350),
        previousClose: Paise(11_000))
    var put = quote
    put.delta = -0.48
    let events: [Event] = [
        .sessionStarted(
            SessionStarted(
                engineVersion: "0.1.0", mode: .paper, tradingDate: CivilDate(2025, 10, 27), configText: "a: 1\n")),
        .tick(
            Tick(
                instrument: call, lastPrice: Paise(24_510), lastTradeTime: 1_761_536_700, lastQuantity: 75,
                volume: 9_000, openInterest: 1_000_000, bestBid: Paise(24_505), bestAsk: Paise(24_515))),
        .candleBatch(
            CandleBatch(
                instrument: nifty, intervalMinutes: 5, source: .history,
                candles: [
                    Candle(
                        start: 1_761_536_700, open: Paise(2_593_510), high: Paise(2_594_000), low: Paise(2_590_000),
                        close: Paise(2_591_000), volume: 0)
                ])),
        .optionChain(
            OptionChainSnapshot(
                underlying: nifty, expiry: CivilDate(2025, 11, 4), underlyingPrice: Paise(2_593_510),
                strikes: [
                    OptionStrike(strike: .rupees(25_900), call: quote, put: put),
                    OptionStrike(strike: .rupees(26_000), call: nil, put: put),
                ])),
        .expiryList(ExpiryList(underlying: nifty, expiries: [CivilDate(2025, 11, 4), CivilDate(2025, 11, 11)])),
        .funds(
            FundsSnapshot(
                available: .rupees(100_000), startOfDayLimit: .rupees(120_000), utilized: .rupees(20_000),
                withdrawable: .rupees(90_000))),
        .positions(
            PositionsSnapshot(positions: [
                BrokerPosition(
                    instrument: call, productType: .intraday, netQuantity: 75, buyQuantity: 75, sellQuantity: 0,
                    buyAverage: Paise(12_000), sellAverage: .zero, realizedProfit: Paise(-500),
                    unrealizedProfit: Paise(2_500))
            ])),
        .orderAccepted(OrderAccepted(correlationID: id, orderID: "1125102700001", status: .transit)),
        .orderRejected(OrderRejected(correlationID: id, code: "DH-906", message: "Order is in Transit state")),
        .cancelRejected(
            OrderOperationRefused(
                correlationID: id, orderID: "52251000010", leg: .entry, code: "DH-906",
                message: "ENTRY_LEG has traded; cancel TARGET_LEG and STOP_LOSS_LEG")),
        .modifyRejected(
            OrderOperationRefused(
                correlationID: id, orderID: "52251000010", leg: nil, code: "DH-905", message: "price out of band")),
        .orderUpdate(
            OrderUpdate(
                correlationID: id, orderID: "1125102700001", instrument: call, side: .buy, status: .partTraded,
                leg: .entry, quantity: 150, tradedQuantity: 75, averagePrice: Paise(12_005), reason: "CONFIRMED")),
        .orderUpdate(
            OrderUpdate(
                correlationID: nil, orderID: "X", instrument: call, side: .sell, status: .other("MODIFIED"),
                quantity: 75, tradedQuantity: 0, averagePrice: .zero)),
        .fill(
            Fill(
                correlationID: id, orderID: "1125102700001", tradeID: "T1", instrument: call, side: .buy,
                leg: .stopLoss, quantity: 75, price: Paise(12_005), tradeTime: 1_761_536_760)),
        .timer(TimerFired(kind: .timeExit)),
        .operatorCommand(.killSwitch(engaged: true)),
        .operatorCommand(.circuitReset),
        .operatorCommand(.watchlistSet(instrument: nifty, label: "NIFTY", active: false)),
        .operatorCommand(.watchlistRemove(instrument: call)),
        .operatorCommand(.manualExit(instrument: call)),
        .operatorCommand(.manualExit(instrument: nil)),
        .operatorCommand(.stopping),
        .feedStatus(
            FeedStatus(channel: .marketFeed, state: .disconnected, reasonCode: 805, detail: "too many connections")),
        .reconciliation(ReconciliationResult(clean: false, notes: ["AS20251027-42: broker has 75, journal has 0"])),
        .contracts(
            ContractList(
                underlying: "NIFTY",
                contracts: [
                    ContractSpec(
                        underlying: "NIFTY", instrument: call, expiry: CivilDate(2025, 11, 4), strike: .rupees(25_700),
                        type: .call, lotSize: 75, tickSize: Paise(5))
                ])),
    ]
    let commands: [Command] = [
        .placeOrder(
            OrderIntent(
                correlationID: id, instrument: call, side: .buy, quantity: 75, tag: "entry_NIFTY_CE_25900",
                superOrder: SuperOrderLegs(target: Paise(19_200), stopLoss: Paise(8_400), trailingJump: Paise(100)))),
        .placeOrder(
            OrderIntent(
                correlationID: id, instrument: call, side: .sell, quantity: 75, orderType: .limit, price: Paise(13_000),
                tag: "take_profit_60pct")),
        .modifyOrder(
            OrderModification(
                correlationID: id, orderID: "1", leg: .stopLoss, price: Paise(12_000), quantity: 75, reason: "breakeven"
            )),
        .cancelOrder(OrderCancellation(correlationID: id, orderID: "1", leg: nil, reason: "exit")),
        .subscribe(FeedSubscription(mode: .quote, instruments: [nifty, call])),
        .unsubscribe(FeedSubscription(mode: .full, instruments: [call])),
        .fetchData(.quote([nifty])),
        .fetchData(.optionChain(underlying: nifty, expiry: CivilDate(2025, 11, 4))),
        .fetchData(.expiryList(underlying: nifty)),
        .fetchData(.funds),
        .fetchData(.positions),
        .fetchData(
            .history(instrument: nifty, intervalMinutes: 1, from: CivilDate(2025, 10, 24), to: CivilDate(2025, 10, 31))),
        .fetchData(.orderByCorrelation(id)),
    ]
    return events.map { .event($0) } + commands.enumerated().map { .command($1, causeSeq: UInt64($0 + 7)) }
}()

@Suite("Event codec")
struct CodecRoundTripTests {
    @Test("every kind is covered by the round-trip sample")
    func coverage() {
        #expect(Set(everyEntry.map(\.kind)) == Set(EntryKind.allCases))
    }

    @Test("every entry round-trips through its binary form at its current version", arguments: everyEntry)
    func roundTrip(entry: JournalEntry) throws {
        let record = entry.record(at: Timestamp(nanos: 1_761_536_700_123_000_000))
        #expect(record.kind == entry.kind.rawValue)
        #expect(record.kindVersion == entry.kind.currentVersion)
        let decoded = try JournalEntry.decode(
            JournalRecord(
                seq: 9, kind: record.kind, kindVersion: record.kindVersion, timestampNanos: record.timestampNanos,
                payload: record.payload))
        #expect(decoded == entry)
        #expect(!entry.fields.isEmpty)
    }

    @Test("a v1 tick (ticker fields only) upgrades to the current shape with quote fields zero")
    func tickUpgrade() throws {
        var writer = BinaryWriter()
        writer.u8(ExchangeSegment.indexValue.rawValue)
        writer.u32(13)
        writer.i64(2_593_510)
        writer.i64(1_761_536_700)
        let entry = try JournalEntry.decode(
            JournalRecord(
                seq: 3, kind: EntryKind.tick.rawValue, kindVersion: 1, timestampNanos: 0, payload: writer.bytes))
        #expect(
            entry
                == .event(
                    .tick(
                        Tick(
                            instrument: InstrumentKey(.indexValue, 13), lastPrice: Paise(2_593_510),
                            lastTradeTime: 1_761_536_700))))
    }

    @Test("a v1 session_started (one config text) upgrades to one file named config, with the same hash")
    func sessionStartedUpgrade() throws {
        var writer = BinaryWriter()
        writer.string("0.0.9")
        writer.u8(TradingMode.paper.rawValue)
        writer.date(CivilDate(2025, 10, 27))
        writer.string("mode: paper\n")
        writer.string(StableHash.hex(of: Array("mode: paper\n".utf8)))
        let entry = try JournalEntry.decode(
            JournalRecord(
                seq: 1, kind: EntryKind.sessionStarted.rawValue, kindVersion: 1, timestampNanos: 0,
                payload: writer.bytes))
        let expected = SessionStarted(
            engineVersion: "0.0.9", mode: .paper, tradingDate: CivilDate(2025, 10, 27), configText: "mode: paper\n")
        #expect(entry == .event(.sessionStarted(expected)))
        #expect(expected.configFiles == [ConfigFile(name: "config", text: "mode: paper\n")])
        #expect(expected.configHash == StableHash.hex(of: Array("mode: paper\n".utf8)))
        let two = SessionStarted(
            engineVersion: "1", mode: .live, tradingDate: CivilDate(2025, 10, 27),
            configFiles: [ConfigFile(name: "algo.yml", text: "a"), ConfigFile(name: "calendar.yml", text: "b")])
        #expect(two.configHash == StableHash.hex(of: [UInt8(ascii: "a"), 0, UInt8(ascii: "b")]))
        #expect(two.configText(named: "calendar.yml") == "b")
    }

    @Test("a v1 option_chain (every price and count a fixed 8 bytes) reads back as the same chain as v2")
    func optionChainUpgrade() throws {
        guard case .event(.optionChain(let chain)) = everyEntry.first(where: { $0.kind == .optionChain })! else {
            Issue.record("no option chain in the sample")
            return
        }
        var writer = BinaryWriter()
        writer.instrument(chain.underlying)
        writer.date(chain.expiry)
        writer.paise(chain.underlyingPrice)
        writer.array(chain.strikes) { writer, strike in
            writer.paise(strike.strike)
            for side in [strike.call, strike.put] {
                writer.optional(side) { writer, quote in
                    writer.optional(quote.securityID) { writer, id in writer.u32(id.value) }
                    writer.paise(quote.lastPrice)
                    for value in [quote.impliedVolatility, quote.delta, quote.gamma, quote.theta, quote.vega] {
                        writer.f64(value)
                    }
                    writer.i64(quote.openInterest)
                    writer.i64(quote.volume)
                    writer.paise(quote.bestBid)
                    writer.paise(quote.bestAsk)
                    writer.paise(quote.previousClose)
                }
            }
        }
        let v1 = try JournalEntry.decode(
            JournalRecord(
                seq: 4, kind: EntryKind.optionChain.rawValue, kindVersion: 1, timestampNanos: 0, payload: writer.bytes))
        #expect(v1 == .event(.optionChain(chain)))
        #expect(JournalEntry.event(.optionChain(chain)).encodedPayload().count < writer.bytes.count * 3 / 4)
    }

    /// A realistic chain record must fit one LMDB overflow page.
    ///
    /// LMDB stores a value over about 2 KB on overflow pages of its own: a record of 4,081 bytes or more
    /// (with the 16-byte page header) takes two 4 KB pages where 4,080 takes one. v1's 21-strike chain was
    /// 4,165 bytes, and half-empty second pages were a quarter of a year's backtest journal.
    @Test("a 21-strike chain with both sides at realistic prices is one LMDB overflow page")
    func chainFitsOnePage() {
        let strikes = (0..<21).map { step in
            let quote = OptionQuote(
                securityID: SecurityID(UInt32(40_000 + step)), lastPrice: Paise(Int64(1_000 + step * 997)),
                impliedVolatility: 14.25 + Double(step) / 7, delta: 0.5 - Double(step) / 41, gamma: 0.00123,
                theta: -11.75, vega: 7.5, openInterest: 12_345_675, volume: 98_765_400,
                bestBid: Paise(Int64(995 + step * 997)), bestAsk: Paise(Int64(1_005 + step * 997)),
                previousClose: Paise(Int64(1_250 + step * 1_003)))
            return OptionStrike(strike: .rupees(Int64(59_000 + step * 100)), call: quote, put: quote)
        }
        let chain = OptionChainSnapshot(
            underlying: InstrumentKey(.indexValue, 25), expiry: CivilDate(2025, 11, 26),
            underlyingPrice: .rupees(60_000), strikes: strikes)
        let record = RecordHeader.size + JournalEntry.event(.optionChain(chain)).encodedPayload().count
        #expect(record <= 4_096 - 16)
    }

    @Test("varints round-trip at every length and their edges; an overlong or cut one is an error naming the field")
    func varints() throws {
        var values: [Int64] = [0, 1, -1, 63, -64, 64, -65, .max, .min]
        for bits in 1..<63 { values += [1 << bits, -(1 << bits), (1 << bits) - 1, -(1 << bits) + 1] }
        var writer = BinaryWriter()
        for value in values { writer.varint(value) }
        let bytes = writer.bytes
        #expect(Array(bytes.prefix(3)) == [0, 2, 1])
        #expect(try Self.varints(bytes) == values)
        for (bad, reason) in [
            ([UInt8](repeating: 0xff, count: 10) + [0], "varint longer than 64 bits"),
            ([UInt8](repeating: 0xff, count: 9) + [2], "varint longer than 64 bits"),
            ([0x80, 0x80], "varint runs past the payload"),
        ] {
            #expect(throws: DecodeError(field: "value", offset: 0, reason: reason)) { try Self.varints(bad) }
        }
    }

    /// Every varint in `bytes`, in order.
    static func varints(_ bytes: [UInt8]) throws -> [Int64] {
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { raw.deallocate() }
        raw.copyBytes(from: bytes)
        var reader = BinaryReader(UnsafeRawBufferPointer(raw))
        var out: [Int64] = []
        while !reader.isAtEnd { out.append(try reader.varint("value")) }
        return out
    }

    @Test("an unknown kind is a decode error naming the seq, never a crash")
    func unknownKind() {
        #expect {
            try JournalEntry.decode(JournalRecord(seq: 77, kind: 999, kindVersion: 1, timestampNanos: 0, payload: []))
        } throws: { error in
            "\(error)" == "seq 77 (kind 999 v1): field 'kind' at byte 0: unknown entry kind 999"
        }
    }

    @Test("a version newer than this build reads is refused with the readable range")
    func futureVersion() {
        #expect {
            try JournalEntry.decode(
                JournalRecord(seq: 5, kind: EntryKind.tick.rawValue, kindVersion: 3, timestampNanos: 0, payload: []))
        } throws: { error in
            "\(error)"
                == "seq 5 (tick v3): field 'version' at byte 0: tick version 3 is not readable by this build (reads 1...2)"
        }
    }

    @Test("short, long and bad payloads name the field and byte")
    func malformedPayloads() throws {
        let tick = everyEntry.first { $0.kind == .tick }!.encodedPayload()
        #expect {
            try JournalEntry.decode(
                JournalRecord(seq: 8, kind: 2, kindVersion: 2, timestampNanos: 0, payload: Array(tick.dropLast(3))))
        } throws: { error in
            "\(error)" == "seq 8 (tick v2): field 'best_ask' at byte 53: needs 8 bytes, 5 left"
        }
        #expect {
            try JournalEntry.decode(
                JournalRecord(seq: 8, kind: 2, kindVersion: 2, timestampNanos: 0, payload: tick + [0]))
        } throws: { error in
            "\(error)".contains("1 bytes left over after the payload")
        }
        var badSegment = tick
        badSegment[0] = 6
        #expect {
            try JournalEntry.decode(
                JournalRecord(seq: 8, kind: 2, kindVersion: 2, timestampNanos: 0, payload: badSegment))
        } throws: { error in
            "\(error)" == "seq 8 (tick v2): field 'instrument' at byte 0: unknown exchange segment 6"
        }
    }

    @Test("the current-layout tick path decodes exactly what the field-by-field decoder does")
    func tickFastPath() throws {
        var generator = SystemRandomNumberGenerator()
        for segment in ExchangeSegment.allCases {
            for _ in 0..<50 {
                func any() -> Int64 { Int64.random(in: .min ... .max, using: &generator) }
                let tick = Tick(
                    instrument: InstrumentKey(segment, SecurityID(UInt32.random(in: 0 ... .max, using: &generator))),
                    lastPrice: Paise(any()), lastTradeTime: any(), lastQuantity: any(), volume: any(),
                    openInterest: any(), bestBid: Paise(any()), bestAsk: Paise(any()))
                let payload = JournalEntry.event(.tick(tick)).encodedPayload()
                let fieldByField = try payload.withUnsafeBytes { bytes throws(DecodeError) in
                    var reader = BinaryReader(bytes)
                    return try Tick(from: &reader, version: 2)
                }
                #expect(fieldByField == tick)
                let decoded = try JournalEntry.decode(
                    JournalRecord(seq: 1, kind: 2, kindVersion: 2, timestampNanos: 0, payload: payload))
                #expect(decoded == .event(.tick(tick)))
            }
        }
    }

    @Test("records encoded into a batch's reused buffer carry the same header and bytes as records of their own")
    func encodedBatchMatchesPendingRecords() {
        let time = Timestamp(epochSeconds: 1_762_141_500)
        let records = everyEntry.map { $0.unencodedRecord(at: time) }
        var batch = EncodedBatch()
        // Twice: the second pass writes over the first's bytes, in a buffer longer than it needs.
        for pass in 0..<2 {
            batch.removeAll()
            for record in records.dropFirst(pass) { record.encode(into: &batch) }
            let expected = records.dropFirst(pass).map { $0.pendingRecord() }
            #expect(batch.count == expected.count)
            var start = 0
            for (encoded, pending) in zip(batch.records, expected) {
                #expect(encoded.kind == pending.kind)
                #expect(encoded.kindVersion == pending.kindVersion)
                #expect(encoded.timestampNanos == pending.timestampNanos)
                #expect(encoded.start == start)
                #expect(encoded.length == pending.payload.count)
                start += encoded.length
            }
            #expect(batch.used == start)
            #expect(batch.payloadBytes == expected.flatMap(\.payload))
        }
    }

    @Test("a record view yields its tick only for a current-layout tick, and a bad one fails naming its seq")
    func currentTickFromView() throws {
        let tick = Tick(
            instrument: InstrumentKey(.indexValue, 13), lastPrice: Paise(2_590_000), lastTradeTime: 1_762_141_500,
            volume: 9)
        func view<T>(kind: UInt16, version: UInt16, _ payload: [UInt8], _ body: (RecordView) throws -> T) rethrows -> T
        {
            try payload.withUnsafeBytes { bytes in
                try body(
                    RecordView(
                        seq: 8,
                        header: RecordHeader(
                            kind: kind, kindVersion: version, timestampNanos: 0, payloadLength: UInt32(bytes.count)),
                        payload: bytes))
            }
        }
        let payload = JournalEntry.event(.tick(tick)).encodedPayload()
        #expect(try view(kind: 2, version: 2, payload) { try JournalEntry.currentTick($0) } == tick)
        // Anything else is left to `decode`: another kind, an older version, a payload of another length.
        for entry in everyEntry where entry.kind != .tick {
            #expect(
                try view(kind: entry.kind.rawValue, version: entry.kind.currentVersion, entry.encodedPayload()) {
                    try JournalEntry.currentTick($0)
                } == nil)
        }
        #expect(try view(kind: 2, version: 1, payload) { try JournalEntry.currentTick($0) } == nil)
        #expect(try view(kind: 2, version: 2, payload + [0]) { try JournalEntry.currentTick($0) } == nil)
        var badSegment = payload
        badSegment[0] = 6
        #expect {
            try view(kind: 2, version: 2, badSegment) { try JournalEntry.currentTick($0) }
        } throws: { error in
            "\(error)" == "seq 8 (tick v2): field 'instrument' at byte 0: unknown exchange segment 6"
        }
    }

    @Test("random bytes under every kind decode or fail cleanly")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        for kind in EntryKind.allCases {
            let valid = everyEntry.first { $0.kind == kind }!.encodedPayload()
            for _ in 0..<300 {
                var bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
                if Bool.random(using: &generator) {
                    bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
                }
                _ = try? JournalEntry.decode(
                    JournalRecord(
                        seq: 1, kind: kind.rawValue, kindVersion: kind.currentVersion, timestampNanos: 0, payload: bytes
                    ))
            }
        }
    }

    @Test("the sample session decodes at every seq")
    func sampleSession() throws {
        for seq in UInt64(1)...1_200 {
            let (entry, _) = SampleSession.entry(seq: seq)
            let record = SampleSession.record(seq: seq)
            #expect(
                try JournalEntry.decode(
                    JournalRecord(
                        seq: seq, kind: record.kind, kindVersion: record.kindVersion,
                        timestampNanos: record.timestampNanos, payload: record.payload)) == entry)
        }
    }
}

extension JournalEntry: CustomTestStringConvertible {
    public var testDescription: String { kind.name }
}
