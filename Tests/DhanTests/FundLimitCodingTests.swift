import Foundation
import Testing

@testable import Dhan

/// The fund limit is written and read from its bytes: the same body `JSONEncoder` writes, the same value
/// `JSONDecoder` reads, and an error naming what is wrong.
@Suite struct FundLimitCodingTests {
    private func encoded(_ funds: FundLimit) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(funds)
    }

    private func sample(_ available: Double, _ sod: Double, _ utilised: Double) -> FundLimit {
        FundLimit(dhanClientId: "1000000132", availableBalance: available, sodLimit: sod, utilizedAmount: utilised)
    }

    @Test func bodyIsWhatJSONEncoderWrites() throws {
        var funds = sample(1_000_000, 1_000_000, 0)
        funds.collateralAmount = 12.5
        funds.receiveableAmount = -3
        funds.blockedPayoutAmount = 0.05
        let cases = [
            funds, sample(987_654.32, 1_000_000, 12_345.68), sample(0.1 + 0.2, 1e-5, 123_456_789_012.25),
            sample(-0.0, 9_007_199_254_740_994, 4_503_599_627_370_496.5), sample(1e16, -1e15, 0.05),
            sample(-12.0, 1e-5, 6.02e23),
        ]
        for funds in cases {
            #expect(
                String(decoding: funds.jsonBody(), as: UTF8.self) == String(decoding: try encoded(funds), as: UTF8.self)
            )
        }
    }

    @Test func parseReadsWhatJSONDecoderReads() throws {
        let live = Data(
            """
            {"dhanClientId":"1000000009","availabelBalance":98440.0,"sodLimit":113642,"collateralAmount":0.0,
             "receiveableAmount":0.0,"utilizedAmount":15202.0,"blockedPayoutAmount":0.0,"withdrawableBalance":98310.0,
             "extra":{"ignored":[1,2]}}
            """.utf8)
        let parsed = try FundLimit.parse(live)
        #expect(parsed == (try JSONDecoder().decode(FundLimit.self, from: live)))
        #expect(parsed.availabelBalance == 98_440 && parsed.sodLimit == 113_642 && parsed.withdrawableBalance == 98_310)
        let written = sample(987_654.32, 1_000_000, 12_345.68)
        #expect(try FundLimit.parse(written.jsonBody()) == written)
    }

    /// A key that comes twice: `JSONDecoder` keeps its first value, and so does the reader (the later value
    /// is skipped, whatever it is).
    @Test func aRepeatedKeyKeepsItsFirstValue() throws {
        let body = Data(
            """
            {"dhanClientId":"1000000009","availabelBalance":98440.0,"sodLimit":113642,"collateralAmount":0.0,
             "receiveableAmount":0.0,"utilizedAmount":15202.0,"blockedPayoutAmount":0.0,"withdrawableBalance":98310.0,
             "availabelBalance":1.5,"dhanClientId":"other","sodLimit":"text"}
            """.utf8)
        let parsed = try FundLimit.parse(body)
        #expect(parsed == (try JSONDecoder().decode(FundLimit.self, from: body)))
        #expect(parsed.availabelBalance == 98_440 && parsed.sodLimit == 113_642 && parsed.dhanClientId == "1000000009")
    }

    @Test func aMissingOrMistypedFieldIsNamed() {
        func reason(_ body: String) -> String? {
            do {
                _ = try FundLimit.parse(Data(body.utf8))
                return nil
            } catch { return "\(error)" }
        }
        let complete =
            #"{"dhanClientId":"1","availabelBalance":1,"sodLimit":1,"collateralAmount":0,"receiveableAmount":0,"utilizedAmount":0,"blockedPayoutAmount":0,"withdrawableBalance":1}"#
        #expect(reason(complete) == nil)
        #expect(
            reason(complete.replacingOccurrences(of: #""sodLimit":1,"#, with: ""))
                == "fund limit the top level: missing 'sodLimit' at byte 151")
        #expect(
            reason(complete.replacingOccurrences(of: #""sodLimit":1"#, with: #""sodLimit":"1""#))?.contains(
                "expected a number") == true)
        #expect(reason(#"{"dhanClientId":null}"#)?.hasPrefix("fund limit") == true)
    }
}
