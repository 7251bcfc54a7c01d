import Dhan
import Domain
import Foundation
import MarketModel
import TestSupport
import Testing

@testable import DhanSim

/// dhan-sim's `POST /v2/charts/rollingoption`: the expired-options data a history download and a backtest
/// on recorded premiums read, with the service's validation and error envelope.
@Suite("dhan-sim expired options data (rollingoption)")
struct RollingOptionTests {
    /// One request at virtual second `at` (the simulator holds data calls to five a second, as DhanHQ does).
    static func ask(_ world: inout SimWorld, _ body: [String: Any], at second: Int = 1) throws -> SimAnswer {
        world.rest(
            method: "POST", path: "/v2/charts/rollingoption", body: try JSONSerialization.data(withJSONObject: body),
            accessToken: world.accessToken, virtualSeconds: Double(second))
    }

    /// The documentation's request for NIFTY, as the official SDK sends it (numbers as numbers).
    static func request(_ changes: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "exchangeSegment": "NSE_FNO", "interval": 5, "securityId": "13", "instrument": "OPTIDX",
            "expiryFlag": "WEEK", "expiryCode": 1, "strike": "ATM", "drvOptionType": "CALL",
            "requiredData": RollingOptionRequest.allData, "fromDate": "2025-10-27", "toDate": "2025-11-01",
        ]
        for (key, value) in changes { body[key] = value }
        return body
    }

    @Test("a week of NIFTY ATM calls in 5-minute bars: 75 bars a trading day, the strike re-chosen from the spot")
    func atmWeek() throws {
        var world = SimWorld(try SimCoreTests.configuration(), behaviour: SimBehaviour())
        let answer = try Self.ask(&world, Self.request())
        #expect(answer.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        let data = try #require(json["data"] as? [String: Any])
        #expect(data["pe"] is NSNull, "the side not asked for is null, not missing")
        let response = try JSONDecoder().decode(RollingOptionResponse.self, from: answer.body)
        let bars = try response.columns(.call).bars(source: "test")
        // 27–31 October 2025 (the 1 November toDate is exclusive): five trading days.
        #expect(bars.count == 5 * 75)
        #expect(bars.first?.start == Timestamp.ist(CivilDate(2025, 10, 27), 9, 15).epochSeconds)
        #expect(bars.last?.start == Timestamp.ist(CivilDate(2025, 10, 31), 15, 25).epochSeconds)
        #expect(zip(bars, bars.dropFirst()).allSatisfy { $0.start < $1.start })
        // Each bar's strike is the 50-point strike nearest the index at the bar's start.
        let index = InstrumentKey(.indexValue, 13)
        var core = SimCore(configuration: try SimCoreTests.configuration())
        let minutes = core.market.minuteCandles(index, on: CivilDate(2025, 10, 28), untilSecondOfDay: 86_400)
        for bar in bars where bar.start >= minutes[0].start && bar.start < minutes[0].start + 86_400 {
            let open = try #require(minutes.first { $0.start == bar.start }).open.value
            #expect(bar.strike.value == (open + 2_500) / 5_000 * 5_000, "\(bar.start)")
        }
        #expect(
            bars.allSatisfy { $0.low <= $0.open && $0.open <= $0.high && $0.low <= $0.close && $0.close <= $0.high })
        #expect(bars.allSatisfy { $0.low > .zero && $0.high.value % 5 == 0 && $0.impliedVolatility > 1 })
        #expect(bars.allSatisfy { $0.volume > 0 && $0.openInterest > 0 && abs(($0.spot - $0.strike).value) < 20_000 })
    }

    @Test(
        "only the requested columns are filled (the rest are []), a put answers under pe, ATM-2 sits two strikes lower")
    func columnsAndOffsets() throws {
        var world = SimWorld(try SimCoreTests.configuration(), behaviour: SimBehaviour())
        let answer = try Self.ask(
            &world,
            Self.request([
                "drvOptionType": "PUT", "strike": "ATM-2", "requiredData": ["close", "strike"], "interval": "60",
                "fromDate": "2025-10-31", "toDate": "2025-11-01",
            ]))
        #expect(answer.status == 200)
        let response = try JSONDecoder().decode(RollingOptionResponse.self, from: answer.body)
        #expect(response.data.ce == nil)
        let put = try #require(response.data.pe)
        // 09:15 to 15:30 in hourly bars from 09:15: six full hours and a last 15-minute bar.
        #expect(put.timestamp.count == 7 && put.close.count == 7 && put.strike.count == 7)
        #expect(put.open.isEmpty && put.iv.isEmpty && put.spot.isEmpty && put.volume.isEmpty)
        let atm = try Self.ask(
            &world,
            Self.request([
                "drvOptionType": "PUT", "strike": "ATM", "requiredData": ["strike"], "interval": "60",
                "fromDate": "2025-10-31", "toDate": "2025-11-01",
            ]), at: 2)
        let atmStrikes = try #require(try JSONDecoder().decode(RollingOptionResponse.self, from: atm.body).data.pe)
            .strike
        #expect(zip(put.strike, atmStrikes).allSatisfy { $0 == $1 - 100 })
    }

    @Test("bad requests answer 400 with DhanHQ's error envelope and say what is wrong")
    func validation() throws {
        var world = SimWorld(try SimCoreTests.configuration(), behaviour: SimBehaviour())
        let cases: [([String: Any], String)] = [
            (["strike": "ATM+11"], "strike must be ATM or ATM±n"),
            (["strike": "ATM+4", "expiryCode": 2], "strike must be ATM or ATM±n"),
            (["interval": 7], "interval must be 1, 5, 15, 25 or 60"),
            (["expiryFlag": "DAY"], "expiryFlag must be WEEK or MONTH"),
            (["drvOptionType": "CE"], "drvOptionType must be CALL or PUT"),
            (["requiredData": ["close", "delta"]], "requiredData must list some of"),
            (["fromDate": "2025-09-01", "toDate": "2025-10-15"], "30 days at a time"),
            (["exchangeSegment": "BSE_FNO"], "does not trade NIFTY options"),
            (["securityId": 99], "Invalid securityId 99"),
            (["toDate": "2025-10-27"], "toDate must be after fromDate"),
        ]
        for (number, (change, message)) in cases.enumerated() {
            let answer = try Self.ask(&world, Self.request(change), at: number + 1)
            #expect(answer.status == 400, "\(change)")
            let error = try JSONDecoder().decode(DhanErrorBody.self, from: answer.body)
            #expect(error.errorCode == "DH-905" && error.errorMessage.contains(message), "\(change): \(error)")
        }
    }
}
