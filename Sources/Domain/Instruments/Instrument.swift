/// A DhanHQ exchange segment, with the numeric code the binary market feed uses.
public enum ExchangeSegment: UInt8, Sendable, CaseIterable, Comparable, CustomStringConvertible, Codable {
    case indexValue = 0
    case nseEquity = 1
    case nseFNO = 2
    case nseCurrency = 3
    case bseEquity = 4
    case mcxCommodity = 5
    case bseCurrency = 7
    case bseFNO = 8

    /// The string DhanHQ's JSON uses, such as `IDX_I` or `NSE_FNO`.
    public var apiName: String {
        switch self {
        case .indexValue: "IDX_I"
        case .nseEquity: "NSE_EQ"
        case .nseFNO: "NSE_FNO"
        case .nseCurrency: "NSE_CURRENCY"
        case .bseEquity: "BSE_EQ"
        case .mcxCommodity: "MCX_COMM"
        case .bseCurrency: "BSE_CURRENCY"
        case .bseFNO: "BSE_FNO"
        }
    }

    /// Parses DhanHQ's JSON name.
    public init?(apiName: String) {
        guard let match = Self.allCases.first(where: { $0.apiName == apiName }) else { return nil }
        self = match
    }

    public var description: String { apiName }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A DhanHQ security id (unique only together with its segment).
public struct SecurityID: Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible, Codable
{
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }
    public init(integerLiteral value: UInt32) { self.value = value }

    /// Parses the decimal string form DhanHQ's JSON uses.
    public init?(_ text: String) {
        guard let value = UInt32(text) else { return nil }
        self.value = value
    }

    public var description: String { String(value) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// One tradable or watchable instrument: segment plus security id.
public struct InstrumentKey: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var segment: ExchangeSegment
    public var securityID: SecurityID

    public init(_ segment: ExchangeSegment, _ securityID: SecurityID) {
        self.segment = segment
        self.securityID = securityID
    }

    public var description: String { "\(segment.apiName):\(securityID)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.segment, lhs.securityID) < (rhs.segment, rhs.securityID)
    }
}

/// Call or put.
public enum OptionType: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case call = 1
    case put = 2

    /// `CE` or `PE`, as in trading symbols and tags.
    public var code: String { self == .call ? "CE" : "PE" }
    public var description: String { code }
}
