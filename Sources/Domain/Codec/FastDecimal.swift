/// Decimal numbers read straight from bytes, with the same `Double` as `Double(String)` gives.
///
/// Up to 19 significant digits with a power of ten within ±22 take Clinger's fast path (both the digits and
/// the power are exact doubles, so one division or multiplication rounds once, correctly); anything else
/// (more digits, larger exponents) goes to `strtod`. Spaces around the number are allowed.
public enum FastDecimal {
    /// 10^exponent for 0...22, every one an exact double.
    ///
    /// Literals in a switch, not a lazily built array: the array's once-check and bounds check were a few per
    /// cent of reading a year of CSV.
    @inline(__always)
    private static func power(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
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
        var scale = 0
        var sawDigit = false
        var sawPoint = false
        while index < end {
            let byte = bytes[index]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                sawDigit = true
                // Below 10^18 the mantissa has at most 18 significant digits, so one more keeps it within 19.
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
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
        return exact(mantissa: mantissa, scale: scale, negative: negative) ?? slow(bytes, start..<end)
    }

    /// `mantissa` × 10^`scale` (`scale` ≤ 0), negated when `negative`, where one division gives it exactly
    /// rounded; nil where it would not (a mantissa of 2^53 or more, or a scale below -22).
    @usableFromInline
    static func exact(mantissa: UInt64, scale: Int, negative: Bool) -> Double? {
        guard mantissa < (1 << 53), scale >= -22 else { return nil }
        let value = Double(mantissa) / power(-scale)
        return negative ? -value : value
    }

    /// `strtod` over a copy that ends in a NUL, accepting only a number that fills the whole field.
    private static func slow(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Double? {
        Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
    }
}
