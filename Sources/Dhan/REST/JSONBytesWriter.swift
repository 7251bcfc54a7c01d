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
}
