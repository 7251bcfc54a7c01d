/// Decimal numbers read straight from bytes, with the same `Double` as `Double(String)` gives.
///
/// Up to 19 significant digits with a power of ten within ±22 take Clinger's fast path (both the digits and
/// the power are exact doubles, so one division or multiplication rounds once, correctly); anything else
/// (more digits, larger exponents) goes to `strtod`. Spaces around the number are allowed.
public enum FastDecimal {
    // Every power up to 10^22 is an exact double, so the products are exact too.
    private static let powers: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// The number in `bytes[range]`, or nil when the field is not one number.
    public static func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Double? {
        var start = range.lowerBound
        var end = range.upperBound
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        guard start < end else { return nil }
        var index = start
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var sawDigit = false
        var sawPoint = false
        while index < end {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                if digits < 19 {
                    if mantissa != 0 || byte != UInt8(ascii: "0") { digits += 1 }
                    mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                    if sawPoint { scale -= 1 }
                } else {
                    return slow(bytes, start..<end)
                }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                // An exponent, or something that is not a number: strtod decides.
                return slow(bytes, start..<end)
            }
            index += 1
        }
        guard sawDigit else { return nil }
        guard mantissa < (1 << 53), scale >= -22 else { return slow(bytes, start..<end) }
        let value = Double(mantissa) / powers[-scale]
        return negative ? -value : value
    }

    /// `strtod` over a copy that ends in a NUL, accepting only a number that fills the whole field.
    private static func slow(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Double? {
        Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
    }
}
