import Dhan
import Domain
import Foundation
import Testing

/// `POST /v2/charts/rollingoption` bodies: the request as the docs and the SDK write it, and the columnar answer.
@Suite("Expired options data on the wire")
struct RollingOptionDecodingTests {
    @Test("the request reads numbers or strings for interval, securityId and expiryCode, and writes the docs' form")
    func request() throws {
        let sdk = Data(
            #"{"securityId":"13","exchangeSegment":"NSE_FNO","instrument":"OPTIDX","expiryFlag":"MONTH","expiryCode":"1","strike":"ATM-2","drvOptionType":"PUT","requiredData":["close"],"fromDate":"2025-10-01","toDate":"2025-10-31","interval":5}"#
                .utf8)
        let read = try JSONDecoder().decode(RollingOptionRequest.self, from: sdk)
        let built = RollingOptionRequest(
            underlying: 13, segment: .nseFNO, interval: 5, expiry: .month, expiryCode: 1, strike: StrikeOffset(-2),
            type: .put, from: CivilDate(2025, 10, 1), to: CivilDate(2025, 10, 31), requiredData: ["close"])
        #expect(read == built)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(
            String(decoding: try encoder.encode(built), as: UTF8.self)
                == #"{"drvOptionType":"PUT","exchangeSegment":"NSE_FNO","expiryCode":1,"expiryFlag":"MONTH","fromDate":"2025-10-01","instrument":"OPTIDX","interval":"5","requiredData":["close"],"securityId":13,"strike":"ATM-2","toDate":"2025-10-31"}"#
        )
    }

    @Test("strike offsets: labels, ranges, and what is refused")
    func offsets() {
        #expect(StrikeOffset(label: "ATM") == StrikeOffset(0) && StrikeOffset(label: "ATM+10") == StrikeOffset(10))
        #expect(StrikeOffset(label: "ATM-3")?.label == "ATM-3")
        #expect(StrikeOffset(label: "ATM+11") == nil && StrikeOffset(label: "ATM+0") == nil)
        #expect(StrikeOffset(label: "atm") == nil && StrikeOffset(label: "ATM2") == nil)
        #expect(StrikeOffset.range("ATM-1..ATM+1") == [StrikeOffset(-1), StrikeOffset(0), StrikeOffset(1)])
        #expect(StrikeOffset.range("ATM+2") == [StrikeOffset(2)])
        #expect(StrikeOffset.range("ATM+1..ATM-1") == nil)
    }

    @Test("the columns become bars in paise; a short column or a fractional count names the bar and column")
    func columns() throws {
        let body = Data(
            #"{"data":{"ce":{"open":[354,360.3],"high":[361,362],"low":[350,359.05],"close":[360,361.5],"iv":[],"volume":[1500,75.0],"oi":[],"strike":[25700,25750],"spot":[25712.4,25760.05],"timestamp":[1756698300,1756699200.0]},"pe":null}}"#
                .utf8)
        let response = try JSONDecoder().decode(RollingOptionResponse.self, from: body)
        #expect(response.data.pe == nil && response.columns(.put).timestamp.isEmpty)
        let bars = try response.columns(.call).bars(source: "test")
        #expect(
            bars[1]
                == RecordedOptionBar(
                    start: 1_756_699_200, open: Paise(36_030), high: Paise(36_200), low: Paise(35_905),
                    close: Paise(36_150), volume: 75, openInterest: 0, impliedVolatility: 0, strike: Paise(2_575_000),
                    spot: Paise(2_576_005)))
        var short = response.columns(.call)
        short.close.removeLast()
        #expect(throws: DhanDecodingError(context: "test", reason: "column close has 1 values but timestamp has 2")) {
            try short.bars(source: "test")
        }
        var fractional = response.columns(.call)
        fractional.volume[0] = 1.5
        #expect(throws: DhanDecodingError(context: "test", reason: "volume[0] = 1.5 is not a whole number")) {
            try fractional.bars(source: "test")
        }
    }
}
