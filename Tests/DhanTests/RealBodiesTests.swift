import Dhan
import Domain
import Foundation
import TestSupport
import Testing

/// Real DhanHQ bodies from Tests/Fixtures/dhan through the client's wire types, with spot checks.
@Suite("Real DhanHQ chart and expiry-list bodies")
struct RealBodiesTests {
    static func response(_ name: String) throws -> Data {
        let object = try JSONSerialization.jsonObject(with: try ReferenceData.data("dhan/" + name)) as! [String: Any]
        return try JSONSerialization.data(withJSONObject: object["response"]!)
    }

    @Test("the NIFTY 1m chart: 2,251 bars from 09:15 IST on 24 Oct 2025, float timestamps accepted, prices in paise")
    func chart() throws {
        let response = try JSONDecoder().decode(
            ChartResponse.self, from: try Self.response("nifty-intraday-1m-2025-10-24..31.json"))
        let candles = try response.candles(source: "nifty-intraday-1m")
        #expect(candles.count == 2_251)
        #expect(candles[0].start == Timestamp.ist(CivilDate(2025, 10, 24), 9, 15).epochSeconds)
        // 25935.099609375 (a float32 artefact) becomes ₹25,935.10.
        #expect(candles[0].open == Paise(2_593_510) && candles[0].high == Paise(2_594_415))
        #expect(candles[0].low == Paise(2_587_635) && candles[0].close == Paise(2_588_220))
        #expect(candles.last?.close == Paise(2_573_255) && candles.last?.start == 1_761_904_800)
    }

    @Test("the expiry list: ascending dates, weekly then monthly and long-dated")
    func expiries() throws {
        let response = try JSONDecoder().decode(
            ExpiryListResponse.self, from: try Self.response("nifty-expirylist-2025-11-01.json"))
        let dates = try response.dates(source: "expirylist")
        #expect(dates.count == 18 && dates.first == CivilDate(2025, 11, 4) && dates.last == CivilDate(2030, 6, 25))
        #expect(dates == dates.sorted())
    }

    @Test("the recorded chart request decodes with its string interval")
    func request() throws {
        let object =
            try JSONSerialization.jsonObject(
                with: try ReferenceData.data("dhan/nifty-intraday-1m-2025-10-24..31.json")) as! [String: Any]
        let request = try JSONDecoder().decode(
            ChartRequest.self, from: try JSONSerialization.data(withJSONObject: object["request"]!))
        #expect(request.interval == 1 && request.securityId == "13" && request.instrument == "INDEX")
    }
}
