import Domain
import Foundation
import TestSupport
import Testing

/// A journal payload `tools/fuzz.sh` found that trapped the decoder (Tests/Fixtures/fuzz).
@Suite("Fuzz findings: journal payloads")
struct JournalFuzzRegressionTests {
    @Test("a date field millions of years out is a decode error naming the field, not a trap")
    func absurdDate() throws {
        let bytes = [UInt8](try ReferenceData.data("fuzz/journal-7ccda625"))
        let kind = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        let version = UInt16(bytes[2]) | UInt16(bytes[3]) << 8
        let error = #expect(throws: DecodeError.self) {
            try bytes[4...].withUnsafeBytes { try JournalEntry.decode(kind: kind, version: version, payload: $0) }
        }
        #expect(error?.reason.contains("is outside 1900-2199") == true, "\(String(describing: error))")
    }
}

/// A calendar file the config fuzz target found that kept Yams's duplicate-key check busy for minutes.
@Suite("Fuzz findings: configuration files")
struct ConfigFuzzRegressionTests {
    @Test("explicit keys nested fifty deep are refused at once, naming the line and column, before Yams composes")
    func nestedCollectionKeys() throws {
        let bytes = try ReferenceData.data("fuzz/config-hang-d807017f")
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        let text = String(decoding: bytes[..<split], as: UTF8.self)
        let error = #expect(throws: ConfigError.self) {
            try TradingCalendar.parse(yaml: text, file: "calendar.yml")
        }
        #expect(
            error?.description
                == "calendar.yml: (top level): line 3, column 6: a mapping key must be plain text, not a mapping or a list",
            "\(String(describing: error))")
    }
}
