/// JSON strings and numbers written straight into a `JSONOutput`, for the bodies dhan-sim answers many times a
/// simulated second (order books, option chains) without `JSONEncoder`'s cost.
extension JSONOutput {
    private static let hex: StaticString = "0123456789abcdef"

    /// Appends `value` as a JSON string: quotes and backslashes escaped, control bytes as `\u00xx`, the rest
    /// (UTF-8 included) as is.
    mutating func appendString(_ value: String) {
        append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                append(UInt8(ascii: "\\"))
                append(byte)
            case 0..<0x20:
                append("\\u00")
                append(Self.hex.utf8Start[Int(byte >> 4)])
                append(Self.hex.utf8Start[Int(byte & 0xF)])
            default:
                append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }

    /// Appends `value.description`'s bytes (`null` when it is not finite), without making the `String`.
    ///
    /// A value that is the nearest double to a decimal of at most five places, between 0.0001 and 10^10 (every
    /// price, greek and volatility dhan-sim writes), is written digit by digit: that decimal is its shortest
    /// round-trip form, which is what `description` prints. Anything else goes through `description`.
    mutating func appendNumber(_ value: Double) {
        guard value.isFinite else { return append("null") }
        let magnitude = value.magnitude
        // Below 0.0001 `description` switches to an exponent; below 10^10 five places keep the digits within
        // fifteen, where no two decimals share a double (so the one found is the shortest).
        guard magnitude >= 0.0001, magnitude < 1e10 else { return append(contentsOf: value.description.utf8) }
        // Division is correctly rounded: equal means `magnitude` is the double nearest scaled / 10^5. Then the
        // decimal with fewer places that it is nearest to, if any, is that one with its trailing zeros dropped
        // (the error of `magnitude * 10^5` is far below a half, so it rounds to that decimal's digits exactly),
        // which is what trying 0, 1, … 5 places in turn found, with one multiply and one divide.
        let scaled = (magnitude * 100_000).rounded()
        guard scaled / 100_000 == magnitude else { return append(contentsOf: value.description.utf8) }
        var digits = UInt64(scaled)
        var places = 5
        while places > 0, digits % 10 == 0 {
            digits /= 10
            places -= 1
        }
        // Written in one pass from the last digit back: the fraction's `places` digits (or the `0` of `.0`),
        // the point, then the whole part (`0` when there is none). Splitting the digits at the point first
        // took a division by a power of ten found at run time and a second pass, for each of the ~2,700
        // numbers of a chain.
        var count = 1
        var rest = digits / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        let negative = value < 0
        let length = (negative ? 1 : 0) + max(count - places, 1) + 1 + max(places, 1)
        appendInPlace(length: length) { slots in
            var position = length - 1
            var rest = digits
            if places == 0 {
                slots[position] = UInt8(ascii: "0")
                position -= 1
            }
            for _ in 0..<places {
                slots[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                position -= 1
            }
            slots[position] = UInt8(ascii: ".")
            position -= 1
            repeat {
                slots[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                position -= 1
            } while rest > 0
            if negative { slots[position] = UInt8(ascii: "-") }
        }
    }

    /// Appends `value` as `JSONEncoder` writes a `Double`: `description`, less the `.0` of a whole number.
    ///
    /// Minus zero is `-0`. Past 2^53 `description` has an exponent and no `.0` (`9.007199254740994e+15`), so a
    /// whole number beyond it is written as `description` is.
    mutating func appendEncoderNumber(_ value: Double) {
        guard value == value.rounded(), value.magnitude <= 9_007_199_254_740_992 else { return appendNumber(value) }
        if value.sign == .minus { append(UInt8(ascii: "-")) }
        appendDigits(UInt64(value.magnitude))
    }

    /// Appends `value` in decimal, a minus sign first when it is negative.
    mutating func appendInteger(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude)
    }

    /// Appends `value`'s decimal digits, left-padded with zeros to `minimumCount`.
    mutating func appendDigits(_ value: UInt64, minimumCount: Int = 1) {
        // Counted first, then written from the last digit back in place.
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        count = max(count, minimumCount)
        appendInPlace(length: count) { slots in
            var rest = value
            for index in stride(from: count - 1, through: 0, by: -1) {
                slots[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
    }
}
