import Domain

/// The response code in byte 0 of every binary market-feed packet (PROTOCOL.md §3.10, §4).
public enum FeedResponseCode: UInt8, Sendable {
    case index = 1
    case ticker = 2
    case quote = 4
    case openInterest = 5
    case previousClose = 6
    case marketStatus = 7
    case full = 8
    case disconnect = 50

    /// The exact packet size the real feed sends for this code; index and market status carry only a header.
    public var packetLength: Int {
        switch self {
        case .index, .marketStatus: 8
        case .ticker, .previousClose: 16
        case .quote: 50
        case .openInterest: 12
        case .full: 162
        case .disconnect: 10
        }
    }
}

/// One level of the five-level depth in a full packet.
public struct DepthLevel: Equatable, Sendable {
    public var bidQuantity: UInt32
    public var askQuantity: UInt32
    public var bidOrders: UInt16
    public var askOrders: UInt16
    public var bidPrice: Float
    public var askPrice: Float

    public init(
        bidQuantity: UInt32, askQuantity: UInt32, bidOrders: UInt16, askOrders: UInt16, bidPrice: Float,
        askPrice: Float
    ) {
        self.bidQuantity = bidQuantity
        self.askQuantity = askQuantity
        self.bidOrders = bidOrders
        self.askOrders = askOrders
        self.bidPrice = bidPrice
        self.askPrice = askPrice
    }

    public static let empty = DepthLevel(
        bidQuantity: 0, askQuantity: 0, bidOrders: 0, askOrders: 0, bidPrice: 0, askPrice: 0)
}

/// The trade fields a quote packet and a full packet share.
public struct TradeSnapshot: Equatable, Sendable {
    public var lastPrice: Float
    public var lastQuantity: UInt16
    /// The feed's raw LTT: seconds since 1970 in Indian wall-clock time (true UTC epoch + 19,800).
    public var lastTradeTimeIST: UInt32
    public var averagePrice: Float
    public var volume: UInt32
    public var totalSellQuantity: UInt32
    public var totalBuyQuantity: UInt32
    public var open: Float
    public var close: Float
    public var high: Float
    public var low: Float

    public init(
        lastPrice: Float, lastQuantity: UInt16, lastTradeTimeIST: UInt32, averagePrice: Float, volume: UInt32,
        totalSellQuantity: UInt32, totalBuyQuantity: UInt32, open: Float, close: Float, high: Float, low: Float
    ) {
        self.lastPrice = lastPrice
        self.lastQuantity = lastQuantity
        self.lastTradeTimeIST = lastTradeTimeIST
        self.averagePrice = averagePrice
        self.volume = volume
        self.totalSellQuantity = totalSellQuantity
        self.totalBuyQuantity = totalBuyQuantity
        self.open = open
        self.close = close
        self.high = high
        self.low = low
    }
}

/// One decoded market-feed packet, with the instrument from its header.
public enum FeedPacket: Equatable, Sendable {
    case ticker(InstrumentKey, lastPrice: Float, lastTradeTimeIST: UInt32)
    case quote(InstrumentKey, TradeSnapshot)
    case openInterest(InstrumentKey, UInt32)
    case previousClose(InstrumentKey, price: Float, openInterest: UInt32)
    case full(
        InstrumentKey, TradeSnapshot, openInterest: UInt32, oiDayHigh: UInt32, oiDayLow: UInt32, depth: [DepthLevel])
    case marketStatus(InstrumentKey)
    case index(InstrumentKey)
    case disconnect(reason: UInt16)

    /// Converts the feed's IST-shifted LTT to true epoch seconds UTC (PROTOCOL.md §4.13).
    public static func utcEpochSeconds(fromFeedLTT ltt: UInt32) -> Int64 {
        Int64(ltt) - Timestamp.istOffsetSeconds
    }

    /// The feed's IST-shifted LTT for a true UTC time.
    public static func feedLTT(fromUTCEpochSeconds seconds: Int64) -> UInt32 {
        UInt32(clamping: seconds + Timestamp.istOffsetSeconds)
    }
}

/// Why a binary feed message could not be decoded.
public enum FeedDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case unknownCode(UInt8)
    case short(code: UInt8, expected: Int, got: Int)
    case unknownSegment(UInt8)

    public var description: String {
        switch self {
        case .empty: "empty feed message"
        case .unknownCode(let code): "unknown feed response code \(code)"
        case .short(let code, let expected, let got):
            "short feed packet: code \(code) needs \(expected) bytes, got \(got)"
        case .unknownSegment(let segment): "unknown exchange segment \(segment) in feed header"
        }
    }
}

/// Little-endian encoders for every market-feed packet, byte for byte as PROTOCOL.md §4 lays them out.
public enum FeedPacketEncoder {
    /// Encodes one packet into a fresh buffer of its exact size.
    public static func encode(_ packet: FeedPacket) -> [UInt8] {
        let code = responseCode(of: packet)
        let length = code.packetLength
        // Written in place into a buffer of the packet's size: appending byte by byte checked the array's
        // uniqueness and capacity at every byte, a tenth of dhan-sim's feed second.
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            var out = PacketWriter(buffer)
            switch packet {
            case .ticker(let key, let price, let ltt):
                out.header(code, key)
                out.f32(price)
                out.u32(ltt)
            case .quote(let key, let trade):
                out.header(code, key)
                out.trade(trade)
                out.f32(trade.open)
                out.f32(trade.close)
                out.f32(trade.high)
                out.f32(trade.low)
            case .openInterest(let key, let oi):
                out.header(code, key)
                out.u32(oi)
            case .previousClose(let key, let price, let oi):
                out.header(code, key)
                out.f32(price)
                out.u32(oi)
            case .full(let key, let trade, let oi, let oiHigh, let oiLow, let depth):
                out.header(code, key)
                out.trade(trade)
                out.u32(oi)
                out.u32(oiHigh)
                out.u32(oiLow)
                out.f32(trade.open)
                out.f32(trade.close)
                out.f32(trade.high)
                out.f32(trade.low)
                for level in 0..<5 {
                    let d = level < depth.count ? depth[level] : .empty
                    out.u32(d.bidQuantity)
                    out.u32(d.askQuantity)
                    out.u16(d.bidOrders)
                    out.u16(d.askOrders)
                    out.f32(d.bidPrice)
                    out.f32(d.askPrice)
                }
            case .marketStatus(let key), .index(let key):
                out.header(code, key)
            case .disconnect(let reason):
                out.header(code, InstrumentKey(.indexValue, 0))
                out.u16(reason)
            }
            precondition(out.offset == length, "a \(code) packet is \(length) bytes")
            initialized = length
        }
    }

    private static func responseCode(of packet: FeedPacket) -> FeedResponseCode {
        switch packet {
        case .ticker: .ticker
        case .quote: .quote
        case .openInterest: .openInterest
        case .previousClose: .previousClose
        case .full: .full
        case .marketStatus: .marketStatus
        case .index: .index
        case .disconnect: .disconnect
        }
    }
}

/// Writes a packet's fields little-endian into a buffer of its exact size.
private struct PacketWriter {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    var offset = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = UnsafeMutableRawPointer(buffer.baseAddress!)
        capacity = buffer.count
    }

    mutating func header(_ code: FeedResponseCode, _ key: InstrumentKey) {
        u8(code.rawValue)
        u16(UInt16(code.packetLength))
        u8(key.segment.rawValue)
        u32(key.securityID.value)
    }

    mutating func trade(_ t: TradeSnapshot) {
        f32(t.lastPrice)
        u16(t.lastQuantity)
        u32(t.lastTradeTimeIST)
        f32(t.averagePrice)
        u32(t.volume)
        u32(t.totalSellQuantity)
        u32(t.totalBuyQuantity)
    }

    mutating func u8(_ v: UInt8) { store(v) }
    mutating func u16(_ v: UInt16) { store(v.littleEndian) }
    mutating func u32(_ v: UInt32) { store(v.littleEndian) }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }

    private mutating func store<T: FixedWidthInteger>(_ value: T) {
        precondition(offset + MemoryLayout<T>.size <= capacity, "a packet field past the packet's end")
        base.storeBytes(of: value, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }
}

/// A zero-copy decoder for binary market-feed messages: reads fields in place, never allocates for the
/// common packets, and reports malformed input as an error instead of trapping.
public enum FeedPacketDecoder {
    /// Decodes the first packet of a message (the real feed sends one per message); trailing bytes are ignored.
    @inlinable
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<FeedPacket, FeedDecodeError> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        let rawCode = bytes[0]
        guard let code = FeedResponseCode(rawValue: rawCode) else { return .failure(.unknownCode(rawCode)) }
        guard bytes.count >= code.packetLength else {
            return .failure(.short(code: rawCode, expected: code.packetLength, got: bytes.count))
        }
        if code == .disconnect { return .success(.disconnect(reason: u16(bytes, 8))) }
        guard let segment = ExchangeSegment(rawValue: bytes[3]) else { return .failure(.unknownSegment(bytes[3])) }
        let key = InstrumentKey(segment, SecurityID(u32(bytes, 4)))
        switch code {
        case .ticker: return .success(.ticker(key, lastPrice: f32(bytes, 8), lastTradeTimeIST: u32(bytes, 12)))
        case .quote:
            return .success(
                .quote(
                    key,
                    trade(bytes, open: f32(bytes, 34), close: f32(bytes, 38), high: f32(bytes, 42), low: f32(bytes, 46))
                ))
        case .openInterest: return .success(.openInterest(key, u32(bytes, 8)))
        case .previousClose: return .success(.previousClose(key, price: f32(bytes, 8), openInterest: u32(bytes, 12)))
        case .full:
            var depth: [DepthLevel] = []
            depth.reserveCapacity(5)
            for level in 0..<5 {
                let at = 62 + 20 * level
                depth.append(
                    DepthLevel(
                        bidQuantity: u32(bytes, at), askQuantity: u32(bytes, at + 4), bidOrders: u16(bytes, at + 8),
                        askOrders: u16(bytes, at + 10), bidPrice: f32(bytes, at + 12), askPrice: f32(bytes, at + 16)))
            }
            return .success(
                .full(
                    key,
                    trade(
                        bytes, open: f32(bytes, 46), close: f32(bytes, 50), high: f32(bytes, 54), low: f32(bytes, 58)),
                    openInterest: u32(bytes, 34), oiDayHigh: u32(bytes, 38), oiDayLow: u32(bytes, 42), depth: depth))
        case .marketStatus: return .success(.marketStatus(key))
        case .index: return .success(.index(key))
        case .disconnect: return .success(.disconnect(reason: u16(bytes, 8)))
        }
    }

    /// Decodes only what the engine's tick needs from a ticker, quote or full packet, without allocating.
    ///
    /// Returns nil for other packets; the hot path of the live feed.
    @inlinable
    public static func decodeTrade(_ bytes: UnsafeRawBufferPointer) -> FeedTrade? {
        guard bytes.count >= 16, let segment = ExchangeSegment(rawValue: bytes[3]) else { return nil }
        let key = InstrumentKey(segment, SecurityID(u32(bytes, 4)))
        switch bytes[0] {
        case FeedResponseCode.ticker.rawValue:
            return FeedTrade(
                instrument: key, lastPrice: f32(bytes, 8), lastTradeTimeIST: u32(bytes, 12), lastQuantity: 0,
                volume: 0, openInterest: 0, bestBid: 0, bestAsk: 0)
        case FeedResponseCode.quote.rawValue where bytes.count >= 50:
            return FeedTrade(
                instrument: key, lastPrice: f32(bytes, 8), lastTradeTimeIST: u32(bytes, 14),
                lastQuantity: u16(bytes, 12), volume: u32(bytes, 22), openInterest: 0, bestBid: 0, bestAsk: 0)
        case FeedResponseCode.full.rawValue where bytes.count >= 162:
            return FeedTrade(
                instrument: key, lastPrice: f32(bytes, 8), lastTradeTimeIST: u32(bytes, 14),
                lastQuantity: u16(bytes, 12), volume: u32(bytes, 22), openInterest: u32(bytes, 34),
                bestBid: f32(bytes, 74), bestAsk: f32(bytes, 78))
        default:
            return nil
        }
    }

    @usableFromInline
    static func trade(_ b: UnsafeRawBufferPointer, open: Float, close: Float, high: Float, low: Float)
        -> TradeSnapshot
    {
        TradeSnapshot(
            lastPrice: f32(b, 8), lastQuantity: u16(b, 12), lastTradeTimeIST: u32(b, 14), averagePrice: f32(b, 18),
            volume: u32(b, 22), totalSellQuantity: u32(b, 26), totalBuyQuantity: u32(b, 30), open: open, close: close,
            high: high, low: low)
    }

    @usableFromInline @inline(__always)
    static func u16(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
        UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }

    @usableFromInline @inline(__always)
    static func u32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    @usableFromInline @inline(__always)
    static func f32(_ b: UnsafeRawBufferPointer, _ at: Int) -> Float { Float(bitPattern: u32(b, at)) }
}

/// The trade fields of a ticker, quote or full packet, as raw feed values.
public struct FeedTrade: Equatable, Sendable {
    public var instrument: InstrumentKey
    public var lastPrice: Float
    public var lastTradeTimeIST: UInt32
    public var lastQuantity: UInt16
    public var volume: UInt32
    public var openInterest: UInt32
    public var bestBid: Float
    public var bestAsk: Float

    @inlinable
    public init(
        instrument: InstrumentKey, lastPrice: Float, lastTradeTimeIST: UInt32, lastQuantity: UInt16, volume: UInt32,
        openInterest: UInt32, bestBid: Float, bestAsk: Float
    ) {
        self.instrument = instrument
        self.lastPrice = lastPrice
        self.lastTradeTimeIST = lastTradeTimeIST
        self.lastQuantity = lastQuantity
        self.volume = volume
        self.openInterest = openInterest
        self.bestBid = bestBid
        self.bestAsk = bestAsk
    }

    /// The engine's tick: float prices become paise here (rounded to the paisa), LTT becomes true UTC.
    public func tick() throws(InvalidPriceError) -> Tick {
        Tick(
            instrument: instrument, lastPrice: try Self.paise(lastPrice, "LTP"),
            lastTradeTime: FeedPacket.utcEpochSeconds(fromFeedLTT: lastTradeTimeIST), lastQuantity: Int64(lastQuantity),
            volume: Int64(volume), openInterest: Int64(openInterest), bestBid: try Self.paise(bestBid, "best bid"),
            bestAsk: try Self.paise(bestAsk, "best ask"))
    }

    private static func paise(_ value: Float, _ field: String) throws(InvalidPriceError) -> Paise {
        try Paise(price: Double(value), field: "feed \(field)")
    }
}
