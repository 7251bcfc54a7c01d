import Dhan
import Domain
import Testing

/// RFC 6238's SHA-1 test vectors (appendix B) and base32 handling.
@Suite("TOTP")
struct TOTPTests {
    /// "12345678901234567890" in base32.
    static let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    @Test(
        "RFC 6238 appendix B, SHA-1, eight digits",
        arguments: [
            (Int64(59), "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"), (2_000_000_000, "69279037"),
        ])
    func rfcVectors(seconds: Int64, expected: String) throws {
        #expect(try TOTP.code(secret: Self.secret, at: Timestamp(epochSeconds: seconds), digits: 8) == expected)
    }

    @Test("six digits are the last six of the eight; case, spaces and padding do not matter; a bad secret is refused")
    func sixDigitsAndSpelling() throws {
        let time = Timestamp(epochSeconds: 1_111_111_109)
        #expect(try TOTP.code(secret: Self.secret, at: time) == "081804")
        #expect(try TOTP.code(secret: "gezd gnbv gy3t qojq gezd gnbv gy3t qojq====", at: time) == "081804")
        #expect(throws: TOTP.BadSecret.self) { try TOTP.code(secret: "not base32 1!", at: time) }
        #expect(throws: TOTP.BadSecret.self) { try TOTP.code(secret: "", at: time) }
    }
}
