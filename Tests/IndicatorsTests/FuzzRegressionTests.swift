import Foundation
import Indicators
import TestSupport
import Testing

/// A candle file `tools/fuzz.sh` found that trapped the parser (Tests/Fixtures/fuzz).
@Suite("Fuzz findings: candle files")
struct CandleFuzzRegressionTests {
    @Test("a timestamp beyond Int64 is a format error naming the line, not a trap")
    func hugeTimestamp() throws {
        let error = #expect(throws: CandleFile.FormatError.self) {
            try CandleFile.parse(try ReferenceData.data("fuzz/candles-d5266e08"), source: "fuzz.csv")
        }
        #expect(error?.reason.contains("is not an epoch second") == true, "\(String(describing: error))")
        let json = Data(#"{"timestamp":[1e300],"open":[1],"high":[1],"low":[1],"close":[1]}"#.utf8)
        #expect(throws: CandleFile.FormatError.self) { try CandleFile.parse(json, source: "fuzz.json") }
        let bar = PriceBar(start: 0, open: 1, high: 1, low: 1, close: 1, volume: 1e30)
        #expect(try bar.candle().volume == 0)
    }
}
