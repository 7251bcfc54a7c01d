import Domain
import Foundation
import TestSupport
import Testing

/// The byte-level number reader must give exactly what `Double(String)` gives, or refuse what it refuses.
@Suite("decimal numbers from bytes")
struct FastDecimalTests {
    static func read(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { FastDecimal.parse($0, 0..<bytes.count) }
    }

    static func reference(_ text: String) -> Double? {
        Double(text.trimmingCharacters(in: CharacterSet(charactersIn: " \t")))
    }

    @Test("edge cases: signs, points, exponents, long mantissas, spaces, and what is not a number")
    func edges() {
        let cases = [
            "0", "-0.0", "+7", ".5", "5.", "25935.099609375", "  12.5 ", "1e5", "-2.5E-3", "1.7976931348623157e308",
            "9007199254740993", "123456789012345678901.5", "0.0000000000000000000000001", "99999999999999999",
            "1761277500.0", "abc", "", "1.2.3", "--1", "-", "12a", " ",
        ]
        for text in cases {
            #expect(Self.read(text)?.bitPattern == Self.reference(text)?.bitPattern, "\(text)")
        }
    }

    @Test("every power of ten the fast path divides by, and the 19-digit boundary where it hands over to strtod")
    func powersAndDigitLimit() {
        var cases: [String] = []
        for places in 0...24 {
            for digits in ["1", "7", "123456789", "9007199254740991", "9007199254740993", "1234567890123456789"] {
                let padded = String(repeating: "0", count: max(0, places - digits.count)) + digits
                let split = padded.index(padded.endIndex, offsetBy: -places)
                cases.append(padded[..<split] + "." + padded[split...])
                cases.append("-" + (padded[..<split].isEmpty ? "0" : padded[..<split]) + "." + padded[split...])
            }
        }
        cases += [
            "999999999999999999", "1000000000000000000", "9999999999999999999", "10000000000000000000",
            "0000000000000000000000012.5", "1.0000000000000000000000", "0.1234567890123456789",
            "0.12345678901234567891",
        ]
        for text in cases {
            #expect(Self.read(text)?.bitPattern == Self.reference(text)?.bitPattern, "\(text)")
        }
    }

    @Test("200,000 prices and timestamps as files write them read bit for bit as Double(String) reads them")
    func random() {
        var random = XorShift64(seed: 0x9E37_79B9_7F4A_7C15)
        func next() -> UInt64 { random.next() }
        for _ in 0..<50_000 {
            let price = Double(next() % 10_000_000) / 100 + Double(next() % 1000) / 1_000_000_000
            let texts = [
                String(format: "%.2f", price), price.description, String(next() % 2_000_000_000),
                String(format: "%.9f", Double(next() % 100_000_000) / 7),
            ]
            for text in texts {
                #expect(Self.read(text)?.bitPattern == Self.reference(text)?.bitPattern, "\(text)")
            }
        }
    }
}
