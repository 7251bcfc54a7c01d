import Dhan
import Domain
import Foundation
import TestSupport
import Testing

/// The option chain read from its bytes must give what `JSONDecoder` gives, and name what is wrong.
@Suite("Option chain read from its bytes")
struct OptionChainParsingTests {
    let nifty = InstrumentKey(.indexValue, 13)
    let expiry = CivilDate(2025, 11, 4)

    func snapshot(_ response: OptionChainResponse) throws -> OptionChainSnapshot {
        try response.snapshot(underlying: nifty, expiry: expiry, source: "test")
    }

    @Test("the real NIFTY chain: the same snapshot as JSONDecoder's, strike for strike")
    func realChain() throws {
        let body = try RealBodiesTests.response("nifty-optionchain-exp-2025-11-04.json")
        let fast = try snapshot(try OptionChainResponse.parse(body))
        let reference = try snapshot(try JSONDecoder().decode(OptionChainResponse.self, from: body))
        #expect(fast.strikes.count > 100)
        #expect(fast == reference)
    }

    @Test("nulls for optional fields, unknown keys of every kind, escapes and a missing side are accepted")
    func tolerant() throws {
        let side = """
            {"greeks":{"delta":0.5,"theta":-1e1,"gamma":0.001,"vega":2,"rho":null},"implied_volatility":14.2,
             "last_price":120.05,"oi":10780.0,"previous_oi":null,"volume":null,"security_id":35081,
             "top_bid_price":120,"top_ask_price":120.1,"extra":{"a":[1,"x\\"y",{"b":true}],"c":false}}
            """
        let body = Data(
            """
            {"status":"succ\\u0065ss","data":{"oc":{"25700.000000":{"ce":\(side),"pe":null}},"last_price":25722.1,
             "note":[]}}
            """.utf8)
        let response = try OptionChainResponse.parse(body)
        #expect(response.status == "success")
        let chain = try snapshot(response)
        #expect(chain.underlyingPrice == Paise(2_572_210))
        #expect(chain.strikes.count == 1 && chain.strikes[0].put == nil)
        let call = try #require(chain.strikes[0].call)
        #expect(call.openInterest == 10_780 && call.lastPrice == Paise(12_005) && call.securityID == SecurityID(35_081))
        #expect(call.theta == -10 && call.bestAsk == Paise(12_010))
    }

    @Test("a missing field, a value of the wrong kind and trailing bytes are refused with the key path")
    func refused() {
        func reason(_ text: String) -> String {
            do {
                _ = try OptionChainResponse.parse(Data(text.utf8))
                return "accepted"
            } catch { return error.description }
        }
        let greeks = #""greeks":{"delta":0.5,"theta":0,"gamma":0,"vega":0}"#
        #expect(
            reason(
                #"{"data":{"last_price":1,"oc":{"25700.000000":{"ce":{\#(greeks),"implied_volatility":1,"oi":1,"top_bid_price":1,"top_ask_price":1}}}}}"#
            ) == "option chain data.oc[25700.000000].ce: missing 'last_price' at byte 170")
        #expect(
            reason(#"{"data":{"last_price":"25722.1","oc":{}}}"#)
                == "option chain data: expected a number at byte 22")
        #expect(
            reason(#"{"data":{"last_price":1,"oc":{}}} x"#)
                == "option chain the top level: trailing bytes after the document at byte 34")
        #expect(reason(#"{"data":{"oc":{}}}"#) == "option chain data: missing 'last_price' at byte 17")
        #expect(reason(#"{"status":"success"}"#) == "option chain the top level: missing 'data' at byte 20")
    }

    @Test("a price or greek the engine cannot use is refused naming its strike, side and field")
    func snapshotNamesTheField() throws {
        let body = try RealBodiesTests.response("nifty-optionchain-exp-2025-11-04.json")
        let response = try OptionChainResponse.parse(body)
        let key = try #require(response.data.oc.keys.sorted().dropFirst(3).first)
        func reason(_ change: (inout OptionChainResponse) -> Void) -> String {
            var changed = response
            change(&changed)
            do {
                _ = try changed.snapshot(underlying: nifty, expiry: expiry, source: "test")
                return "accepted"
            } catch { return error.reason }
        }
        #expect(reason { _ in } == "accepted")
        #expect(
            reason { $0.data.oc[key]?.ce?.lastPrice = -1 }
                == "invalid price in oc[\(key)].ce.last_price: -1.0 is negative")
        #expect(
            reason { $0.data.oc[key]?.pe?.topAskPrice = .infinity }
                == "invalid price in oc[\(key)].pe.top_ask_price: inf is infinite")
        #expect(
            reason { $0.data.oc[key]?.pe?.previousClosePrice = .nan }
                == "invalid price in oc[\(key)].pe.previous_close_price: nan is not a number")
        #expect(reason { $0.data.oc[key]?.ce?.greeks.delta = .nan } == "oc[\(key)].ce.delta is nan")
        #expect(reason { $0.data.lastPrice = -2 } == "invalid price in last_price: -2.0 is negative")
    }

    @Test(
        "the writer's bytes are JSONEncoder's and read back by JSONDecoder and the byte reader; a NaN names its field"
    )
    func writer() throws {
        let body = try RealBodiesTests.response("nifty-optionchain-exp-2025-11-04.json")
        var response = try OptionChainResponse.parse(body)
        let key = try #require(response.data.oc.keys.sorted().first)
        response.data.oc[key]?.ce?.securityId = 35_081
        response.data.oc[key]?.ce?.volume = nil
        let written = response.jsonBody()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded = try encoder.encode(response)
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
        let original = try snapshot(response)
        #expect(try snapshot(try OptionChainResponse.parse(written)) == original)
        #expect(try snapshot(try JSONDecoder().decode(OptionChainResponse.self, from: written)) == original)
        response.data.oc[key]?.pe?.impliedVolatility = .nan
        #expect(throws: DhanDecodingError.self) { try OptionChainResponse.parse(response.jsonBody()) }
        do {
            _ = try OptionChainResponse.parse(response.jsonBody())
        } catch {
            #expect(error.context == "option chain data.oc[\(key)].pe")
        }
    }
}
