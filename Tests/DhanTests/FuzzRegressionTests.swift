import Dhan
import Domain
import Foundation
import TestSupport
import Testing

/// Inputs `tools/fuzz.sh` found that trapped the process, kept as regression tests (Tests/Fixtures/fuzz).
@Suite("Fuzz findings: order alerts and REST bodies")
struct FuzzRegressionTests {
    @Test("an order alert whose time has an absurd year or hour is refused, not computed with (it overflowed)")
    func orderAlertTime() throws {
        let message = try JSONDecoder().decode(
            OrderAlertMessage.self, from: try ReferenceData.data("fuzz/order-alert-8d08ca2b"))
        var translator = OrderAlertTranslator()
        for event in translator.events(for: message.data) {
            if case .fill(let fill) = event { #expect(fill.quantity > 0 && fill.price >= .zero) }
        }
        #expect(OrderAlertTranslator.epochSeconds("9999-12-31 09:15:00") == nil)
        #expect(OrderAlertTranslator.epochSeconds("2025-11-04 99999999999999:00:00") == nil)
        #expect(OrderAlertTranslator.epochSeconds("2025-11-04 24:00:00") == nil)
        #expect(OrderAlertTranslator.epochSeconds("2025-11-04 09:15:00") == 1_762_227_900)
    }

    @Test("an order-book row with such a time decodes to events without trapping")
    func orderBookTime() throws {
        let bytes = try ReferenceData.data("fuzz/rest-bodies-f281cc15")
        let book = try JSONDecoder().decode([OrderRecord].self, from: bytes.dropFirst())
        var translator = OrderAlertTranslator()
        for record in book {
            for event in translator.events(for: OrderAlert(record: record)) {
                if case .fill(let fill) = event { #expect(fill.quantity > 0 && fill.price >= .zero) }
            }
        }
    }

    @Test("an order alert with a number beyond Int reads it as 0 (the conversion trapped)")
    func hugeNumberInAlert() throws {
        let message = try JSONDecoder().decode(
            OrderAlertMessage.self, from: try ReferenceData.data("fuzz/order-alert-56705e76"))
        #expect(message.data.legNo == 0)
        // A cumulative value beyond Int64 is not a trade either.
        var alert = message.data
        alert.tradedQty = 999_999_999_999_999
        alert.avgTradedPrice = 1e9
        var translator = OrderAlertTranslator()
        #expect(!translator.events(for: alert).contains { if case .fill = $0 { true } else { false } })
    }

    @Test("an option chain with a million nested arrays under an unknown key is refused, not a stack overflow")
    func deeplyNestedChain() throws {
        // The option-chain fuzz target's finding (CI, session 11): skipping an unknown value recursed per level.
        let deep = String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000)
        let body = Data("{\"data\":{\"last_price\":1.0,\"x\":\(deep),\"oc\":{}},\"status\":\"success\"}".utf8)
        #expect(throws: DhanDecodingError.self) { try OptionChainResponse.parse(body) }
        // Nesting within the limit is still skipped.
        let shallow = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let fine = Data("{\"data\":{\"last_price\":1.0,\"x\":\(shallow),\"oc\":{}},\"status\":\"success\"}".utf8)
        #expect(try OptionChainResponse.parse(fine).data.lastPrice == 1.0)
    }

    @Test("a scrip-master row with a lot or tick beyond reason is refused with its line, not converted (it trapped)")
    func hugeLotInMaster() throws {
        let error = #expect(throws: InstrumentMaster.FormatError.self) {
            try InstrumentMaster.parse(
                try ReferenceData.data("fuzz/scrip-master-a75c12bb"), underlyings: ["NIFTY"], source: "fuzz.csv")
        }
        #expect(error?.description.contains("LOT_SIZE") == true, "\(String(describing: error))")
    }
}
