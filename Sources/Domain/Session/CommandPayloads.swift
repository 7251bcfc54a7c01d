/// Market-feed mode of a subscription (DhanHQ request codes 15 / 17 / 21).
public enum FeedMode: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case ticker = 15
    case quote = 17
    case full = 21

    public var description: String {
        switch self {
        case .ticker: "ticker"
        case .quote: "quote"
        case .full: "full"
        }
    }
}

/// A subscribe or unsubscribe request for at most 100 instruments (one feed message).
public struct FeedSubscription: JournalPayload {
    public static let maxInstrumentsPerMessage = 100

    public var mode: FeedMode
    public var instruments: [InstrumentKey]

    public init(mode: FeedMode, instruments: [InstrumentKey]) {
        self.mode = mode
        self.instruments = instruments
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.u8(mode.rawValue)
        writer.array(instruments) { writer, key in writer.instrument(key) }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        mode = try reader.enumeration("mode", FeedMode.self)
        instruments = try reader.array("instruments") { reader throws(DecodeError) in
            try reader.instrument("instrument")
        }
    }

    public var fields: [Field] {
        [.text("mode", mode), Field("instruments", .list(instruments.map { .string($0.description) }))]
    }

    public var securityIDs: [SecurityID] { instruments.map(\.securityID) }
}

/// Data the engine asks an effect handler to fetch; the answer comes back as an event.
public enum DataRequest: JournalPayload, Hashable {
    case quote([InstrumentKey])
    case optionChain(underlying: InstrumentKey, expiry: CivilDate)
    case expiryList(underlying: InstrumentKey)
    case funds
    case positions
    case history(instrument: InstrumentKey, intervalMinutes: UInt16, from: CivilDate, to: CivilDate)
    case orderByCorrelation(CorrelationID)

    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .quote(let keys):
            writer.u8(1)
            writer.array(keys) { writer, key in writer.instrument(key) }
        case .optionChain(let underlying, let expiry):
            writer.u8(2)
            writer.instrument(underlying)
            writer.date(expiry)
        case .expiryList(let underlying):
            writer.u8(3)
            writer.instrument(underlying)
        case .funds: writer.u8(4)
        case .positions: writer.u8(5)
        case .history(let instrument, let interval, let from, let to):
            writer.u8(6)
            writer.instrument(instrument)
            writer.u16(interval)
            writer.date(from)
            writer.date(to)
        case .orderByCorrelation(let id):
            writer.u8(7)
            writer.correlation(id)
        }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        let start = reader.offset
        switch try reader.u8("request") {
        case 1:
            self = .quote(
                try reader.array("instruments") { reader throws(DecodeError) in try reader.instrument("instrument") })
        case 2: self = .optionChain(underlying: try reader.instrument("underlying"), expiry: try reader.date("expiry"))
        case 3: self = .expiryList(underlying: try reader.instrument("underlying"))
        case 4: self = .funds
        case 5: self = .positions
        case 6:
            self = .history(
                instrument: try reader.instrument("instrument"), intervalMinutes: try reader.u16("interval"),
                from: try reader.date("from"), to: try reader.date("to"))
        case 7: self = .orderByCorrelation(try reader.correlation("correlation_id"))
        case let other: throw DecodeError(field: "request", offset: start, reason: "unknown data request \(other)")
        }
    }

    public var fields: [Field] {
        switch self {
        case .quote(let keys):
            [.string("request", "quote"), Field("instruments", .list(keys.map { .string($0.description) }))]
        case .optionChain(let underlying, let expiry):
            [.string("request", "option_chain"), .text("underlying", underlying), .text("expiry", expiry)]
        case .expiryList(let underlying): [.string("request", "expiry_list"), .text("underlying", underlying)]
        case .funds: [.string("request", "funds")]
        case .positions: [.string("request", "positions")]
        case .history(let instrument, let interval, let from, let to):
            [
                .string("request", "history"), .text("instrument", instrument), .int("interval_min", interval),
                .text("from", from), .text("to", to),
            ]
        case .orderByCorrelation(let id): [.string("request", "order_by_correlation"), .text("correlation_id", id)]
        }
    }

    public var securityIDs: [SecurityID] {
        switch self {
        case .quote(let keys): keys.map(\.securityID)
        case .optionChain(let underlying, _), .expiryList(let underlying): [underlying.securityID]
        case .history(let instrument, _, _, _): [instrument.securityID]
        default: []
        }
    }
}
