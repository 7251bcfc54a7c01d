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

    /// Where each read stops and what it gives, for a literal followed by `,` (as in an object).
    private func read<T>(_ text: String, _ body: (inout JSONScanner) throws(JSONDecodingError) -> T) -> (T?, Int) {
        Array((text + ",").utf8).withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes)
            let value = try? body(&scanner)
            return (value, scanner.offset)
        }
    }

    /// The one-pass reads give what delimiting the literal and reading it gave, and stop where it stopped.
    @Test func onePassReadsAgreeWithDelimitThenRead() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let alphabet = Array("0123456789-+.eE".utf8)
        var literals = [
            "0", "-0", "-", "+5", "5-", "--5", "1.5.3", "1e5", "12a", "9223372036854775807", "-9223372036854775808",
            "922337203685477580", "922337203685477581", "10780.0", "10780.5", "1" + String(repeating: "0", count: 19),
        ]
        for _ in 0..<50_000 {
            // Mostly plain digits, with now and then any byte a number literal may hold.
            let length = 1 + Int(next() % 22)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                bytes.append(next() % 8 == 0 ? alphabet[Int(next() % UInt64(alphabet.count))] : UInt8(48 + next() % 10))
            }
            literals.append(String(decoding: bytes, as: UTF8.self))
        }
        var mismatches: [String] = []
        for text in literals {
            let delimited = read(text) { (scanner) throws(JSONDecodingError) in try scanner.numberBytes() }
            let double = read(text) { (scanner) throws(JSONDecodingError) in try scanner.double() }
            let expectedDouble = read(text) { (scanner) throws(JSONDecodingError) -> Double in
                let range = try scanner.numberBytes()
                guard let value = FastDecimal.parse(scanner.bytes, range) else { throw scanner.error("not a number") }
                return value
            }
            if double.0?.bitPattern != expectedDouble.0?.bitPattern || (double.0 != nil && double.1 != delimited.1) {
                mismatches.append("double \(text)")
            }
            let int = read(text) { (scanner) throws(JSONDecodingError) in try scanner.int64() }
            // Delimited first, then read as `int64()` reads what its one pass leaves (the reading before it).
            let expectedInt = read(text) { (scanner) throws(JSONDecodingError) -> Int64 in
                let range = try scanner.numberBytes()
                return try scanner.wholeNumber(range)
            }
            if int.0 != expectedInt.0 || (int.0 != nil && int.1 != delimited.1) { mismatches.append("int64 \(text)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count): \(mismatches.prefix(8))")
    }
}
