/// Buy or sell.
public enum TransactionSide: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case buy = 1
    case sell = 2

    public var apiName: String { self == .buy ? "BUY" : "SELL" }
    public var description: String { apiName }
}

/// DhanHQ product type.
public enum ProductType: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case cnc = 1
    case intraday, margin, mtf, coverOrder, bracketOrder

    public var apiName: String {
        switch self {
        case .cnc: "CNC"
        case .intraday: "INTRADAY"
        case .margin: "MARGIN"
        case .mtf: "MTF"
        case .coverOrder: "CO"
        case .bracketOrder: "BO"
        }
    }

    public init?(apiName: String) {
        guard let match = Self.allCases.first(where: { $0.apiName == apiName }) else { return nil }
        self = match
    }

    public var description: String { apiName }
}

/// DhanHQ order type.
public enum OrderType: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case limit = 1
    case market, stopLoss, stopLossMarket

    public var apiName: String {
        switch self {
        case .limit: "LIMIT"
        case .market: "MARKET"
        case .stopLoss: "STOP_LOSS"
        case .stopLossMarket: "STOP_LOSS_MARKET"
        }
    }

    public var description: String { apiName }
}

/// DhanHQ order validity.
public enum OrderValidity: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case day = 1
    case immediateOrCancel

    public var apiName: String { self == .day ? "DAY" : "IOC" }
    public var description: String { apiName }
}

/// A super-order leg.
public enum OrderLeg: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case entry = 1
    case target, stopLoss

    public var apiName: String {
        switch self {
        case .entry: "ENTRY_LEG"
        case .target: "TARGET_LEG"
        case .stopLoss: "STOP_LOSS_LEG"
        }
    }

    public var description: String { apiName }
}

/// DhanHQ order status; values this build does not know are kept verbatim rather than refused.
public enum OrderStatus: Equatable, Sendable, CustomStringConvertible, Codable {
    case transit, pending, partTraded, traded, rejected, cancelled, expired, closed, triggered
    case other(String)

    private static let known: [(OrderStatus, String)] = [
        (.transit, "TRANSIT"), (.pending, "PENDING"), (.partTraded, "PART_TRADED"), (.traded, "TRADED"),
        (.rejected, "REJECTED"), (.cancelled, "CANCELLED"), (.expired, "EXPIRED"), (.closed, "CLOSED"),
        (.triggered, "TRIGGERED"),
    ]

    /// Parses DhanHQ's status text case-insensitively (the order stream has sent `Cancelled`).
    public init(apiName: String) {
        let upper = apiName.uppercased()
        self = Self.known.first(where: { $0.1 == upper })?.0 ?? .other(apiName)
    }

    public var apiName: String {
        if case .other(let text) = self { return text }
        return Self.known.first(where: { $0.0 == self })!.1
    }

    /// True once the broker will change nothing more about the order.
    public var isFinal: Bool {
        switch self {
        case .traded, .rejected, .cancelled, .expired, .closed: true
        default: false
        }
    }

    public var description: String { apiName }
}

extension BinaryWriter {
    mutating func status(_ value: OrderStatus) { string(value.apiName) }
}

extension BinaryReader {
    mutating func status(_ field: StaticString) throws(DecodeError) -> OrderStatus {
        OrderStatus(apiName: try string(field))
    }
}

/// The id the broker files an order under on our behalf, derived from the placing command's seq.
///
/// DhanHQ accepts at most 25 characters of letters, digits, `-` and `_` here.
public struct CorrelationID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let value: String

    /// Validates a correlation id's length and alphabet.
    public init?(_ value: String) {
        guard !value.isEmpty, value.utf8.count <= 25,
            value.utf8.allSatisfy({
                $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
                    || (0x61...0x7A).contains($0)
            })
        else { return nil }
        self.value = value
    }

    /// `AS<yyyymmdd>-<seq>`: unique per trading day's journal and stable across restarts.
    public init(session date: CivilDate, commandSeq: UInt64) {
        self.value = "AS\(date.year)\(pad(date.month))\(pad(date.day))-\(commandSeq)"
    }

    /// `AS<yyyymmdd>-<cause seq>-<slot>`: the n-th order caused by the event at `causeSeq`; the same
    /// event always yields the same ids, so a replay or a restart never invents a new intent.
    public init(session date: CivilDate, causeSeq: UInt64, slot: Int) {
        self.value = "AS\(date.year)\(pad(date.month))\(pad(date.day))-\(causeSeq)-\(slot)"
    }

    public var description: String { value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}
