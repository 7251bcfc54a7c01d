import Domain
import Foundation

/// `POST /v2/charts/rollingoption` body: expired index options by strike relative to the spot.
///
/// `securityId` is the underlying's (13 for NIFTY); `interval` and `securityId` arrive as numbers or
/// strings (the docs send `"1"` and `13`, the official SDK sends what it was given). `toDate` is exclusive.
public struct RollingOptionRequest: Codable, Equatable, Sendable {
    public var exchangeSegment: String
    public var interval: Int
    public var securityId: String
    public var instrument: String
    public var expiryFlag: String
    public var expiryCode: Int
    public var strike: String
    public var drvOptionType: String
    public var requiredData: [String]
    public var fromDate: String
    public var toDate: String

    /// Every column the service can return.
    public static let allData = ["open", "high", "low", "close", "iv", "volume", "strike", "oi", "spot"]
    /// Candle sizes in minutes.
    public static let intervals = [1, 5, 15, 25, 60]
    /// The longest range one request may cover, in days.
    public static let maximumDays = 30

    enum CodingKeys: String, CodingKey {
        case exchangeSegment, interval, securityId, instrument, expiryFlag, expiryCode, strike, drvOptionType
        case requiredData, fromDate, toDate
    }

    public init(
        underlying: SecurityID, segment: ExchangeSegment, interval: Int, expiry: ExpiryKind, expiryCode: Int,
        strike: StrikeOffset, type: OptionType, from: CivilDate, to: CivilDate,
        requiredData: [String] = RollingOptionRequest.allData
    ) {
        exchangeSegment = segment.apiName
        self.interval = interval
        securityId = underlying.description
        instrument = "OPTIDX"
        expiryFlag = expiry.apiName
        self.expiryCode = expiryCode
        self.strike = strike.label
        drvOptionType = type == .call ? "CALL" : "PUT"
        self.requiredData = requiredData
        fromDate = from.description
        toDate = to.description
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        exchangeSegment = try c.decode(String.self, forKey: .exchangeSegment)
        let intervalText = try c.decodeFlexibleString(.interval)
        guard let interval = Int(intervalText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .interval, in: c, debugDescription: "interval '\(intervalText)' is not a number")
        }
        self.interval = interval
        securityId = try c.decodeFlexibleString(.securityId)
        instrument = try c.decode(String.self, forKey: .instrument)
        expiryFlag = try c.decode(String.self, forKey: .expiryFlag)
        let codeText = try c.decodeFlexibleString(.expiryCode)
        guard let code = Int(codeText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .expiryCode, in: c, debugDescription: "expiryCode '\(codeText)' is not a number")
        }
        expiryCode = code
        strike = try c.decode(String.self, forKey: .strike)
        drvOptionType = try c.decode(String.self, forKey: .drvOptionType)
        requiredData = try c.decode([String].self, forKey: .requiredData)
        fromDate = try c.decode(String.self, forKey: .fromDate)
        toDate = try c.decode(String.self, forKey: .toDate)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(exchangeSegment, forKey: .exchangeSegment)
        try c.encode(String(interval), forKey: .interval)
        try c.encode(Int(securityId) ?? 0, forKey: .securityId)
        try c.encode(instrument, forKey: .instrument)
        try c.encode(expiryFlag, forKey: .expiryFlag)
        try c.encode(expiryCode, forKey: .expiryCode)
        try c.encode(strike, forKey: .strike)
        try c.encode(drvOptionType, forKey: .drvOptionType)
        try c.encode(requiredData, forKey: .requiredData)
        try c.encode(fromDate, forKey: .fromDate)
        try c.encode(toDate, forKey: .toDate)
    }
}

/// Weekly or monthly expiries (`expiryFlag`).
public enum ExpiryKind: String, Sendable, CaseIterable, Codable {
    case week, month

    public var apiName: String { self == .week ? "WEEK" : "MONTH" }

    public init?(apiName: String) {
        switch apiName {
        case "WEEK": self = .week
        case "MONTH": self = .month
        default: return nil
        }
    }
}

/// `POST /v2/charts/rollingoption` answer: `data.ce` / `data.pe`, each columnar arrays (an unrequested
/// column is `[]`, the side not asked for is `null`).
public struct RollingOptionResponse: Codable, Equatable, Sendable {
    /// One side's columns; every requested one as long as `timestamp`.
    public struct Columns: Codable, Equatable, Sendable {
        public var open: [Double] = []
        public var high: [Double] = []
        public var low: [Double] = []
        public var close: [Double] = []
        public var iv: [Double] = []
        public var volume: [Double] = []
        public var oi: [Double] = []
        public var strike: [Double] = []
        public var spot: [Double] = []
        public var timestamp: [Double] = []

        public init() {}

        enum CodingKeys: String, CodingKey {
            case open, high, low, close, iv, volume, oi, strike, spot, timestamp
        }

        /// Missing columns read as empty (the service sends `[]` for what was not asked for).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func column(_ key: CodingKeys) throws -> [Double] {
                try c.decodeIfPresent([Double].self, forKey: key) ?? []
            }
            open = try column(.open)
            high = try column(.high)
            low = try column(.low)
            close = try column(.close)
            iv = try column(.iv)
            volume = try column(.volume)
            oi = try column(.oi)
            strike = try column(.strike)
            spot = try column(.spot)
            timestamp = try column(.timestamp)
        }

        /// The bars, for a series fetched with every price column; a missing or short column, a non-price
        /// value or a fractional count names the bar and column.
        public func bars(source: String) throws(DhanDecodingError) -> [RecordedOptionBar] {
            let count = timestamp.count
            for (name, values) in [
                ("open", open), ("high", high), ("low", low), ("close", close), ("strike", strike), ("spot", spot),
            ] where values.count != count {
                throw DhanDecodingError(
                    context: source, reason: "column \(name) has \(values.count) values but timestamp has \(count)")
            }
            var out: [RecordedOptionBar] = []
            out.reserveCapacity(count)
            for i in 0..<count {
                func paise(_ values: [Double], _ column: String) throws(DhanDecodingError) -> Paise {
                    do { return try Paise(price: values[i], field: "\(column)[\(i)]") } catch {
                        throw DhanDecodingError(context: source, reason: error.description)
                    }
                }
                func whole(_ values: [Double], _ column: String) throws(DhanDecodingError) -> Int64 {
                    guard i < values.count else { return 0 }
                    let value = values[i]
                    guard value.isFinite, value == value.rounded(), abs(value) < 9e15 else {
                        throw DhanDecodingError(
                            context: source, reason: "\(column)[\(i)] = \(value) is not a whole number")
                    }
                    return Int64(value)
                }
                let start = try whole(timestamp, "timestamp")
                out.append(
                    RecordedOptionBar(
                        start: start, open: try paise(open, "open"), high: try paise(high, "high"),
                        low: try paise(low, "low"), close: try paise(close, "close"),
                        volume: try whole(volume, "volume"), openInterest: try whole(oi, "oi"),
                        impliedVolatility: i < iv.count ? iv[i] : 0, strike: try paise(strike, "strike"),
                        spot: try paise(spot, "spot")))
            }
            return out
        }
    }

    public struct Sides: Codable, Equatable, Sendable {
        public var ce: Columns?
        public var pe: Columns?

        public init(ce: Columns?, pe: Columns?) {
            self.ce = ce
            self.pe = pe
        }

        enum CodingKeys: String, CodingKey { case ce, pe }

        /// The side not asked for is `null`, not missing, as the service sends it.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(ce, forKey: .ce)
            try c.encode(pe, forKey: .pe)
        }
    }

    public var data: Sides

    public init(data: Sides) { self.data = data }

    /// The columns of `type`'s side (empty when the service sent `null`).
    public func columns(_ type: OptionType) -> Columns { (type == .call ? data.ce : data.pe) ?? Columns() }
}
