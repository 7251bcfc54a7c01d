import Crypto
import Domain

/// Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second steps, 6 digits, the TOTP
/// DhanHQ's `generateAccessToken` asks for.
public enum TOTP {
    /// Why a secret is unusable (never the secret itself).
    public struct BadSecret: Error, Equatable, CustomStringConvertible {
        public var description: String { "the TOTP secret is not base32 (RFC 4648: A–Z, 2–7)" }
    }

    /// The code for `time` from a base32 secret (spaces and padding ignored, any case).
    public static func code(secret: String, at time: Timestamp, digits: Int = 6, step: Int64 = 30) throws(BadSecret)
        -> String
    {
        guard let key = base32(secret), !key.isEmpty else { throw BadSecret() }
        return code(key: key, counter: UInt64(time.epochSeconds / step), digits: digits)
    }

    /// RFC 4226's HOTP for `counter`.
    static func code(key: [UInt8], counter: UInt64, digits: Int) -> String {
        var message = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 { message[index] = UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64(index))) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// RFC 4648 base32 decoding; nil on a character outside the alphabet.
    static func base32(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: " ") && character != UInt8(ascii: "=") {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = character - UInt8(ascii: "2") + 26
            default: return nil
            }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
