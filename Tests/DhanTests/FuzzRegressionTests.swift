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
}
