import Domain
import Foundation
import Testing

/// The scanner's exact decimal fast path gives the same bits as `Double(String)` (strtod) for every number.
@Suite struct JSONScannerNumberTests {
    private func scanned(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes)
            return try? scanner.double()
        }
    }

    @Test func edgeCasesMatchStrtod() {
        for text in [
            "0", "-0", "0.05", "24850.000000", "1.", "-", ".5", "1e5", "2.5E-3", "007", "123456789012345",
            "1234567890123456", "0.000000000000001", "0.0000000000000001", "9007199254740993", "-61046.79",
            "0.1", "0.2", "0.3", "17.35", "999999999999999.9",
        ] {
            let expected = Double(text)
            let got = scanned(text)
            #expect(
                got?.bitPattern == expected?.bitPattern,
                "\(text): \(String(describing: got)) vs \(String(describing: expected))")
        }
    }

    @Test func randomDecimalsMatchStrtodBitForBit() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var mismatches: [String] = []
        for _ in 0..<200_000 {
            let whole = next() % [10, 1_000, 100_000, 10_000_000, 1_000_000_000_000_000][Int(next() % 5)]
            let places = Int(next() % 9)
            var text = (next() % 4 == 0 ? "-" : "") + String(whole)
            if places > 0 {
                text += "." + String((0..<places).map { _ in Character(String(next() % 10)) })
            }
            if scanned(text)?.bitPattern != Double(text)?.bitPattern { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
