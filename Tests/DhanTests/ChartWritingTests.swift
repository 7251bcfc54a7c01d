import Domain
import Foundation
import Testing

@testable import Dhan

/// dhan-sim writes chart bodies from their columns: the bytes `JSONEncoder` with sorted keys wrote.
@Suite struct ChartWritingTests {
    @Test func bytesAreWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var candles: [Candle] = []
        for minute in Int64(0)..<50 {
            let start: Int64 = 1_762_227_900 + minute * 60
            let open = Paise(2_747_087 + minute * 5)
            let high = Paise(2_747_500 + minute)
            let low = Paise(2_746_900 - minute * 100)
            let close = Paise(2_747_000 + minute % 7)
            candles.append(Candle(start: start, open: open, high: high, low: low, close: close, volume: minute * 1_000))
        }
        for response in [
            ChartResponse(candles: candles), ChartResponse(candles: candles, openInterest: false),
            ChartResponse(candles: []),
        ] {
            #expect(
                String(decoding: response.jsonBody(), as: UTF8.self)
                    == String(decoding: try encoder.encode(response), as: UTF8.self))
            #expect(try JSONDecoder().decode(ChartResponse.self, from: response.jsonBody()) == response)
        }
    }
}
