/// A forward-only reader over the bytes of one JSON document, for the bodies read often enough that
/// Foundation's `JSONDecoder` dominates (the option chain: 80–200 strikes of a dozen numbers each).
///
/// It allocates nothing for keys (they are compared as bytes) and reads numbers from the bytes with no
/// intermediate tree. Errors name the byte offset and the key path the caller was reading. Object keys are
/// taken as written (DhanHQ's keys have no escapes); string values unescape the common escapes.
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    /// The key path being read, for errors (`data.oc[25650.000000].ce`).
    var path: [String] = []

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func error(_ reason: String) -> DhanDecodingError {
        DhanDecodingError(
            context: path.isEmpty ? "the top level" : path.joined(separator: "."), reason: "\(reason) at byte \(offset)"
        )
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    private mutating func expect(_ byte: UInt8) throws(DhanDecodingError) {
        guard peek() == byte else {
            throw error("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        offset += 1
    }

    /// Reads `{`; then call `nextKey()` until it returns nil.
    mutating func beginObject() throws(DhanDecodingError) { try expect(UInt8(ascii: "{")) }

    /// The next key of the object being read (its bytes' range), after its `:`; nil at the closing `}`.
    mutating func nextKey() throws(DhanDecodingError) -> Range<Int>? {
        guard var byte = peek() else { throw error("unterminated object") }
        if byte == UInt8(ascii: "}") {
            offset += 1
            return nil
        }
        if byte == UInt8(ascii: ",") {
            offset += 1
            guard let next = peek() else { throw error("unterminated object") }
            byte = next
        }
        guard byte == UInt8(ascii: "\"") else { throw error("expected a key") }
        offset += 1
        let start = offset
        while offset < bytes.count && bytes[offset] != UInt8(ascii: "\"") {
            offset += bytes[offset] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard offset < bytes.count else { throw error("unterminated key") }
        let key = start..<offset
        offset += 1
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// Whether the key's bytes are exactly `name`.
    func key(_ key: Range<Int>, is name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for index in 0..<key.count where bytes[key.lowerBound + index] != expected[index] { return false }
        return true
    }

    /// The key's text.
    func text(_ key: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[key]), as: UTF8.self)
    }

    /// Whether the next value is `null` (consumed if so).
    mutating func null() -> Bool {
        guard peek() == UInt8(ascii: "n"), offset + 4 <= bytes.count, bytes[offset + 1] == UInt8(ascii: "u"),
            bytes[offset + 2] == UInt8(ascii: "l"), bytes[offset + 3] == UInt8(ascii: "l")
        else { return false }
        offset += 4
        return true
    }

    /// The bytes of a number literal.
    mutating func numberBytes() throws(DhanDecodingError) -> Range<Int> {
        _ = peek()
        let start = offset
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                offset += 1
            default:
                guard offset > start else { throw error("expected a number") }
                return start..<offset
            }
        }
        guard offset > start else { throw error("expected a number") }
        return start..<offset
    }

    /// A number.
    mutating func double() throws(DhanDecodingError) -> Double {
        let range = try numberBytes()
        if let value = exactDecimal(range) { return value }
        guard let value = Double(text(range)) else { throw error("'\(text(range))' is not a number") }
        return value
    }

    /// Powers of ten a `Double` holds exactly.
    private static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// `-?digits(.digits)?` with at most 15 significant digits, without text or `strtod`.
    ///
    /// Both the digits as a whole number (below 2^53) and the power of ten (up to 10^22) are exact doubles, so
    /// one division rounds once and gives the correctly rounded value `strtod` gives (Clinger's fast path).
    /// Anything else (exponents, long mantissas) returns nil for the general parser.
    private func exactDecimal(_ range: Range<Int>) -> Double? {
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: Int64 = 0
        var digits = 0
        var fraction = -1
        while index < range.upperBound {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                mantissa = mantissa * 10 + Int64(byte &- UInt8(ascii: "0"))
                digits += 1
                if fraction >= 0 { fraction += 1 }
                guard digits <= 15 else { return nil }
            } else if byte == UInt8(ascii: "."), fraction < 0, digits > 0 {
                fraction = 0
            } else {
                return nil
            }
            index += 1
        }
        guard digits > 0, fraction != 0 else { return nil }
        let value = Double(mantissa) / Self.exactPowersOfTen[max(fraction, 0)]
        return negative ? -value : value
    }

    /// A whole number (DhanHQ sends some counts as `10780.0`; a fraction is refused).
    mutating func int64() throws(DhanDecodingError) -> Int64 {
        let range = try numberBytes()
        var value: Int64 = 0
        var negative = false
        var plain = true
        for index in range {
            let byte = bytes[index]
            if byte == UInt8(ascii: "-") && index == range.lowerBound {
                negative = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), value < Int64.max / 10 - 9 {
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            } else {
                plain = false
                break
            }
        }
        if plain { return negative ? -value : value }
        guard let double = Double(text(range)), double.rounded() == double, abs(double) < 9e18 else {
            throw error("'\(text(range))' is not a whole number")
        }
        return Int64(double)
    }

    /// A string value, unescaped.
    mutating func string() throws(DhanDecodingError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        var escaped = false
        while offset < bytes.count && bytes[offset] != UInt8(ascii: "\"") {
            if bytes[offset] == UInt8(ascii: "\\") {
                escaped = true
                offset += 1
            }
            offset += 1
        }
        guard offset < bytes.count else { throw error("unterminated string") }
        let raw = text(start..<offset)
        offset += 1
        guard escaped else { return raw }
        var out = ""
        var iterator = raw.makeIterator()
        while let character = iterator.next() {
            guard character == "\\", let next = iterator.next() else {
                out.append(character)
                continue
            }
            switch next {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "u":
                var hex = ""
                for _ in 0..<4 { if let digit = iterator.next() { hex.append(digit) } }
                if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                    out.append(Character(scalar))
                }
            default: out.append(next)
            }
        }
        return out
    }

    /// Values nested deeper than this are refused: skipping recurses, and a hostile body of a million `[`
    /// overflowed the stack (found by the option-chain fuzz target).
    static let maxDepth = 128

    /// Skips one value of any kind.
    mutating func skipValue(depth: Int = 0) throws(DhanDecodingError) {
        guard depth < Self.maxDepth else { throw error("values nested deeper than \(Self.maxDepth) levels") }
        guard let byte = peek() else { throw error("expected a value") }
        switch byte {
        case UInt8(ascii: "{"):
            offset += 1
            while try nextKey() != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            offset += 1
            if peek() == UInt8(ascii: "]") {
                offset += 1
                return
            }
            while true {
                try skipValue(depth: depth + 1)
                guard let next = peek() else { throw error("unterminated array") }
                offset += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
            }
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            while offset < bytes.count, bytes[offset] >= UInt8(ascii: "a"), bytes[offset] <= UInt8(ascii: "z") {
                offset += 1
            }
        default:
            _ = try numberBytes()
        }
    }

    /// Nothing but whitespace is left.
    mutating func end() throws(DhanDecodingError) {
        if peek() != nil { throw error("trailing bytes after the document") }
    }
}
