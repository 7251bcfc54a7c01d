/// A JSON body that did not decode, naming where (the key path) and why.
public struct JSONDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var context: String
    public var reason: String

    public init(context: String, reason: String) {
        self.context = context
        self.reason = reason
    }

    public var description: String { "\(context): \(reason)" }
}

/// A forward-only reader over the bytes of one JSON document, for the bodies read often enough that
/// Foundation's `JSONDecoder` dominates (the option chain: 80–200 strikes of a dozen numbers each; a year
/// of chart candles).
///
/// It allocates nothing for keys (they are compared as bytes) and reads numbers from the bytes with no
/// intermediate tree. Errors name the byte offset and the key path the caller was reading. Object keys are
/// taken as written (DhanHQ's keys have no escapes); string values unescape the common escapes.
///
/// The small steps are inlinable: the readers that use them (the option chain's, the order book's) live in
/// other modules, where every peek and key comparison was a call.
public struct JSONScanner {
    public let bytes: UnsafeRawBufferPointer
    public var offset = 0
    /// The key path being read, for errors (`data.oc[25650.000000].ce`).
    public var path: [String] = []

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public func error(_ reason: String) -> JSONDecodingError {
        JSONDecodingError(
            context: path.isEmpty ? "the top level" : path.joined(separator: "."), reason: "\(reason) at byte \(offset)"
        )
    }

    @inlinable @inline(__always)
    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    @inlinable @inline(__always)
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    @inlinable @inline(__always)
    mutating func expect(_ byte: UInt8) throws(JSONDecodingError) {
        guard peek() == byte else {
            throw error("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        offset += 1
    }

    /// Reads `{`; then call `nextKey()` until it returns nil.
    @inlinable @inline(__always)
    public mutating func beginObject() throws(JSONDecodingError) { try expect(UInt8(ascii: "{")) }

    /// Reads `[`; true when an element follows, false when the array was empty (its `]` read too).
    @inlinable
    public mutating func beginArray() throws(JSONDecodingError) -> Bool {
        try expect(UInt8(ascii: "["))
        guard peek() == UInt8(ascii: "]") else { return true }
        offset += 1
        return false
    }

    /// After an element: true when another follows (its `,` read), false at the closing `]` (read).
    @inlinable
    public mutating func nextElement() throws(JSONDecodingError) -> Bool {
        guard let next = peek() else { throw error("unterminated array") }
        offset += 1
        if next == UInt8(ascii: "]") { return false }
        guard next == UInt8(ascii: ",") else {
            offset -= 1
            throw error("expected ',' or ']'")
        }
        return true
    }

    /// The next key of the object being read (its bytes' range), after its `:`; nil at the closing `}`.
    @inlinable
    public mutating func nextKey() throws(JSONDecodingError) -> Range<Int>? {
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
    @inlinable @inline(__always)
    public func key(_ key: Range<Int>, is name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for index in 0..<key.count where bytes[key.lowerBound + index] != expected[index] { return false }
        return true
    }

    /// The key's text.
    public func text(_ key: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[key]), as: UTF8.self)
    }

    /// Whether the next value is `null` (consumed if so).
    @inlinable @inline(__always)
    public mutating func null() -> Bool {
        guard peek() == UInt8(ascii: "n"), offset + 4 <= bytes.count, bytes[offset + 1] == UInt8(ascii: "u"),
            bytes[offset + 2] == UInt8(ascii: "l"), bytes[offset + 3] == UInt8(ascii: "l")
        else { return false }
        offset += 4
        return true
    }

    /// The bytes of a number literal.
    @inlinable
    public mutating func numberBytes() throws(JSONDecodingError) -> Range<Int> {
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
    ///
    /// The usual literal (a minus, up to 19 digits, a point) is read in one pass, as `FastDecimal.parse`
    /// reads it; anything else (an exponent, a plus, more digits, no digit) is delimited by `numberBytes()`
    /// and read by `FastDecimal.parse`. Delimiting every number and then reading it again was two passes over
    /// each of an option chain's 2,700 numbers.
    @inlinable
    public mutating func double() throws(JSONDecodingError) -> Double {
        let start = literalStart()
        var index = start.index
        let negative = start.negative
        var mantissa: UInt64 = 0
        var scale = 0
        var sawDigit = false
        var sawPoint = false
        var plain = true
        while index < bytes.count {
            let byte = bytes[index]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                // FastDecimal's bound: below 10^18 one more digit keeps the mantissa within 19.
                guard mantissa < 1_000_000_000_000_000_000 else {
                    plain = false
                    break
                }
                sawDigit = true
                mantissa = mantissa &* 10 &+ UInt64(digit)
                if sawPoint { scale -= 1 }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                // Where `numberBytes()` would read on (an exponent, a sign, a second point), it decides.
                switch byte {
                case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                    plain = false
                default: break
                }
                break
            }
            index += 1
        }
        if plain, sawDigit, let value = FastDecimal.exact(mantissa: mantissa, scale: scale, negative: negative) {
            offset = index
            return value
        }
        let range = try numberBytes()
        guard let value = FastDecimal.parse(bytes, range) else { throw error("'\(text(range))' is not a number") }
        return value
    }

    /// A whole number (DhanHQ sends some counts as `10780.0`; a fraction is refused).
    @inlinable
    public mutating func int64() throws(JSONDecodingError) -> Int64 {
        // The usual literal (a minus and digits) in one pass; anything else is delimited, then read.
        let start = literalStart()
        var index = start.index
        let minus = start.negative
        var whole: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10, whole < Int64.max / 10 - 9 {
            whole = whole * 10 + Int64(bytes[index] &- UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        if digits > 0 {
            let next = index < bytes.count ? bytes[index] : UInt8(ascii: " ")
            switch next {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                break
            default:
                offset = index
                return minus ? -whole : whole
            }
        }
        let range = try numberBytes()
        return try wholeNumber(range)
    }

    /// The whole number a literal `numberBytes()` delimited holds (`10780.0` as 10780; a fraction is
    /// refused): how `int64()` reads whatever its one pass leaves.
    public func wholeNumber(_ range: Range<Int>) throws(JSONDecodingError) -> Int64 {
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

    /// Where a number literal's digits start, past its minus, and whether it had one (the one-pass reads).
    @inlinable @inline(__always)
    mutating func literalStart() -> (index: Int, negative: Bool) {
        _ = peek()
        let negative = offset < bytes.count && bytes[offset] == UInt8(ascii: "-")
        return (negative ? offset + 1 : offset, negative)
    }

    /// A string value, unescaped.
    public mutating func string() throws(JSONDecodingError) -> String {
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
    public static let maxDepth = 128

    /// Skips one value of any kind.
    public mutating func skipValue(depth: Int = 0) throws(JSONDecodingError) {
        guard depth < Self.maxDepth else { throw error("values nested deeper than \(Self.maxDepth) levels") }
        guard let byte = peek() else { throw error("expected a value") }
        switch byte {
        case UInt8(ascii: "{"):
            offset += 1
            while try nextKey() != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            guard try beginArray() else { return }
            repeat { try skipValue(depth: depth + 1) } while try nextElement()
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
    public mutating func end() throws(JSONDecodingError) {
        if peek() != nil { throw error("trailing bytes after the document") }
    }
}
