/// One market-feed update for an instrument, already converted to paise and true UTC time at the edge.
///
/// Version history: v1 carried only the ticker fields (LTP and last trade time); v2 adds the quote
/// fields (last quantity, volume, OI, best bid/ask). v1 records read back with the quote fields zero.
public struct Tick: JournalPayload {
    public var instrument: InstrumentKey
    public var lastPrice: Paise
    /// Last trade time, epoch seconds UTC (the feed's IST-shifted LTT corrected).
    public var lastTradeTime: Int64
    public var lastQuantity: Int64
    public var volume: Int64
    public var openInterest: Int64
    /// Best bid and ask; zero when the feed mode carries no depth.
    public var bestBid: Paise
    public var bestAsk: Paise

    public init(
        instrument: InstrumentKey, lastPrice: Paise, lastTradeTime: Int64, lastQuantity: Int64 = 0,
        volume: Int64 = 0, openInterest: Int64 = 0, bestBid: Paise = .zero, bestAsk: Paise = .zero
    ) {
        self.instrument = instrument
        self.lastPrice = lastPrice
        self.lastTradeTime = lastTradeTime
        self.lastQuantity = lastQuantity
        self.volume = volume
        self.openInterest = openInterest
        self.bestBid = bestBid
        self.bestAsk = bestAsk
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.instrument(instrument)
        writer.paise(lastPrice)
        writer.i64(lastTradeTime)
        writer.i64(lastQuantity)
        writer.i64(volume)
        writer.i64(openInterest)
        writer.paise(bestBid)
        writer.paise(bestAsk)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        instrument = try reader.instrument("instrument")
        lastPrice = try reader.paise("last_price")
        lastTradeTime = try reader.i64("last_trade_time")
        guard version >= 2 else {
            (lastQuantity, volume, openInterest, bestBid, bestAsk) = (0, 0, 0, .zero, .zero)
            return
        }
        lastQuantity = try reader.i64("last_quantity")
        volume = try reader.i64("volume")
        openInterest = try reader.i64("open_interest")
        bestBid = try reader.paise("best_bid")
        bestAsk = try reader.paise("best_ask")
    }

    /// Size of a current-version (v2) payload: segment, security id and seven 8-byte fields.
    static let currentPayloadSize = 1 + 4 + 7 * 8

    /// Decodes a current-version payload already known to be `currentPayloadSize` bytes.
    ///
    /// Ticks are nearly every record of a session, so replay and scans take this path: one length check
    /// (by the caller) instead of one per field. Errors are the ones the field-by-field decoder gives.
    @inline(__always)
    init(currentPayload payload: UnsafeRawBufferPointer) throws(DecodeError) {
        let code = payload.load(fromByteOffset: 0, as: UInt8.self)
        guard let segment = ExchangeSegment(rawValue: code) else {
            throw DecodeError(field: "instrument", offset: 0, reason: "unknown exchange segment \(code)")
        }
        func field(_ offset: Int) -> Int64 {
            Int64(littleEndian: payload.loadUnaligned(fromByteOffset: offset, as: Int64.self))
        }
        instrument = InstrumentKey(
            segment, SecurityID(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 1, as: UInt32.self))))
        lastPrice = Paise(field(5))
        lastTradeTime = field(13)
        lastQuantity = field(21)
        volume = field(29)
        openInterest = field(37)
        bestBid = Paise(field(45))
        bestAsk = Paise(field(53))
    }

    public var fields: [Field] {
        [
            .text("instrument", instrument), .paise("ltp", lastPrice),
            .string("ltt", Timestamp(epochSeconds: lastTradeTime).istString),
            .int("last_qty", lastQuantity), .int("volume", volume), .int("oi", openInterest),
            .paise("bid", bestBid), .paise("ask", bestAsk),
        ]
    }

    public var securityIDs: [SecurityID] { [instrument.securityID] }
}

/// One OHLC bar; `start` is the bar's opening minute in epoch seconds UTC (DhanHQ's convention).
public struct Candle: Equatable, Sendable, Codable {
    public var start: Int64
    public var open: Paise
    public var high: Paise
    public var low: Paise
    public var close: Paise
    public var volume: Int64

    public init(start: Int64, open: Paise, high: Paise, low: Paise, close: Paise, volume: Int64 = 0) {
        self.start = start
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    func encode(to writer: inout BinaryWriter) {
        writer.i64(start)
        writer.paise(open)
        writer.paise(high)
        writer.paise(low)
        writer.paise(close)
        writer.i64(volume)
    }

    init(from reader: inout BinaryReader) throws(DecodeError) {
        start = try reader.i64("candle.start")
        open = try reader.paise("candle.open")
        high = try reader.paise("candle.high")
        low = try reader.paise("candle.low")
        close = try reader.paise("candle.close")
        volume = try reader.i64("candle.volume")
    }
}

/// Where a batch of candles came from.
public enum CandleSource: UInt8, Sendable, CustomStringConvertible, Codable {
    /// Fetched from the broker's chart API (warm-up history).
    case history = 1
    /// Built by the engine from ticks.
    case live = 2

    public var description: String { self == .history ? "history" : "live" }
}

/// A run of candles for one instrument and interval.
public struct CandleBatch: JournalPayload {
    public var instrument: InstrumentKey
    public var intervalMinutes: UInt16
    public var source: CandleSource
    public var candles: [Candle]

    public init(instrument: InstrumentKey, intervalMinutes: UInt16, source: CandleSource, candles: [Candle]) {
        self.instrument = instrument
        self.intervalMinutes = intervalMinutes
        self.source = source
        self.candles = candles
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.instrument(instrument)
        writer.u16(intervalMinutes)
        writer.u8(source.rawValue)
        writer.array(candles) { writer, candle in candle.encode(to: &writer) }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        instrument = try reader.instrument("instrument")
        intervalMinutes = try reader.u16("interval_minutes")
        source = try reader.enumeration("source", CandleSource.self)
        candles = try reader.array("candles") { reader throws(DecodeError) in try Candle(from: &reader) }
    }

    public var fields: [Field] {
        var fields: [Field] = [
            .text("instrument", instrument), .int("interval_min", intervalMinutes), .text("source", source),
            .int("count", candles.count),
        ]
        if let first = candles.first, let last = candles.last {
            fields.append(.string("first", Timestamp(epochSeconds: first.start).istString))
            fields.append(.string("last", Timestamp(epochSeconds: last.start).istString))
            fields.append(.paise("last_close", last.close))
        }
        return fields
    }

    public var securityIDs: [SecurityID] { [instrument.securityID] }
}
