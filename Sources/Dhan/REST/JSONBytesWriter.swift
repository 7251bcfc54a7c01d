/// JSON written straight into a byte buffer, for the bodies dhan-sim answers many times a simulated second
/// (order books, option chains) without `JSONEncoder`'s cost.
enum JSONBytesWriter {
    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends `value` as a JSON string: quotes and backslashes escaped, control bytes as `\u00xx`, the rest
    /// (UTF-8 included) as is.
    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `value.description`'s bytes (`null` when it is not finite), without making the `String`.
    ///
    /// A value that is the nearest double to a decimal of at most five places, between 0.0001 and 10^10 (every
    /// price, greek and volatility dhan-sim writes), is written digit by digit: that decimal is its shortest
    /// round-trip form, which is what `description` prints. Anything else goes through `description`.
    static func appendNumber(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else { return out.append(contentsOf: "null".utf8) }
        let magnitude = value.magnitude
        // Below 0.0001 `description` switches to an exponent; below 10^10 five places keep the digits within
        // fifteen, where no two decimals share a double (so the one found is the shortest).
        guard magnitude >= 0.0001, magnitude < 1e10 else { return out.append(contentsOf: value.description.utf8) }
        var scale = 1.0
        for places in 0...5 {
            let scaled = (magnitude * scale).rounded()
            // Division is correctly rounded: equal means `magnitude` is the double nearest scaled / 10^places.
            if scaled / scale == magnitude {
                if value < 0 { out.append(UInt8(ascii: "-")) }
                let digits = UInt64(scaled)
                var divisor: UInt64 = 1
                for _ in 0..<places { divisor *= 10 }
                appendDigits(digits / divisor, minimumCount: 1, to: &out)
                out.append(UInt8(ascii: "."))
                // The fewest places found first, so the fraction has no trailing zero (none at all: ".0").
                if places == 0 {
                    out.append(UInt8(ascii: "0"))
                } else {
                    appendDigits(digits % divisor, minimumCount: places, to: &out)
                }
                return
            }
            scale *= 10
        }
        out.append(contentsOf: value.description.utf8)
    }

    /// Appends `value`'s decimal digits, left-padded with zeros to `minimumCount`.
    static func appendDigits(_ value: UInt64, minimumCount: Int = 1, to out: inout [UInt8]) {
        // Counted first, then written from the last digit back in place (a reversal of the slice cost more
        // than the digits).
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        count = max(count, minimumCount)
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        rest = value
        var index = start + count - 1
        while rest > 0 {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }
}
