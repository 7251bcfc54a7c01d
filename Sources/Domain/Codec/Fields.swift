/// A value in an entry's audit listing (`journal dump`): typed so text and NDJSON render it faithfully.
public indirect enum FieldValue: Equatable, Sendable {
    case int(Int64)
    case paise(Paise)
    case double(Double)
    case string(String)
    case bool(Bool)
    case list([FieldValue])
    case object([Field])

    /// Compact text: paise as rupees with two decimals, lists in brackets, objects in braces.
    public var text: String {
        switch self {
        case .int(let value): String(value)
        case .paise(let value): value.description
        case .double(let value): value.isFinite ? "\(value)" : "null"
        case .string(let value): value.contains(" ") || value.isEmpty ? "\"\(value)\"" : value
        case .bool(let value): value ? "true" : "false"
        case .list(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let fields): "{" + fields.text + "}"
        }
    }

    /// JSON: paise as a number of rupees with two decimals (exact), keys in declaration order.
    public var json: String {
        switch self {
        case .int(let value): String(value)
        case .paise(let value): value.description
        case .double(let value): value.isFinite ? "\(value)" : "null"
        case .string(let value): jsonString(value)
        case .bool(let value): value ? "true" : "false"
        case .list(let values): "[" + values.map(\.json).joined(separator: ",") + "]"
        case .object(let fields): fields.json
        }
    }
}

/// One named field of an entry's listing.
public struct Field: Equatable, Sendable {
    public var name: String
    public var value: FieldValue

    public init(_ name: String, _ value: FieldValue) {
        self.name = name
        self.value = value
    }

    public static func int<I: BinaryInteger>(_ name: String, _ value: I) -> Field { Field(name, .int(Int64(value))) }
    public static func paise(_ name: String, _ value: Paise) -> Field { Field(name, .paise(value)) }
    public static func string(_ name: String, _ value: String) -> Field { Field(name, .string(value)) }
    public static func text(_ name: String, _ value: some CustomStringConvertible) -> Field {
        Field(name, .string(value.description))
    }
}

extension [Field] {
    /// The audit line: `name=value` pairs in order, separated by spaces (what `journal dump` prints).
    public var text: String {
        map { "\($0.name)=\($0.value.text)" }.joined(separator: " ")
    }

    /// A JSON object with the fields in order.
    public var json: String {
        "{" + map { jsonString($0.name) + ":" + $0.value.json }.joined(separator: ",") + "}"
    }
}

/// A JSON string literal with the escapes RFC 8259 requires.
public func jsonString(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case let s where s.value < 0x20: out += "\\u00" + zeroPad(String(s.value, radix: 16), width: 2)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

private func zeroPad(_ text: String, width: Int) -> String {
    String(repeating: "0", count: max(0, width - text.count)) + text
}

/// A value with a binary form in the journal and a field listing for audits.
public protocol JournalPayload: Equatable, Sendable {
    /// Writes the current version's binary form.
    func encode(to writer: inout BinaryWriter)
    /// Reads any supported version's binary form, upgrading older versions to the current shape.
    init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError)
    /// The fields an auditor sees, in a stable order.
    var fields: [Field] { get }
    /// The instrument this payload concerns, for `dump --security-id`; nil when none or many.
    var securityIDs: [SecurityID] { get }
}

extension JournalPayload {
    public var securityIDs: [SecurityID] { [] }
}
