import Dhan
import Domain
import Testing

@testable import Runtime

/// Order-stream alerts carry cumulative quantities; the translator turns them into fills exactly once.
@Suite("Order alerts to events")
struct OrderAlertTranslatorTests {
    static func alert(status: String, traded: Int, price: Double, legNo: Int = 1, remarks: String = "") -> OrderAlert {
        OrderAlert(
            exchange: "NSE", segment: "D", securityId: "35123", clientId: "SIMCLIENT", orderNo: "5225", product: "I",
            txnType: "B", orderType: "MKT", quantity: 150, remainingQuantity: 150 - traded, tradedQty: traded,
            price: 0, triggerPrice: 0, tradedPrice: price, avgTradedPrice: price, time: "2025-11-04 10:30:05",
            remarks: remarks, reasonDescription: status == "REJECTED" ? "RMS: margin" : "CONFIRMED", legNo: legNo,
            instrument: "OPTIDX", symbol: "NIFTY", status: status, lotSize: 75, strikePrice: 25_800,
            expiryDate: "2025-11-11 14:30:00", optType: "CE", displayName: "", correlationId: "AS20251104-7-0")
    }

    @Test("a partial then a full fill become two fills of the increments; a repeated alert adds nothing")
    func cumulative() {
        var translator = OrderAlertTranslator()
        #expect(translator.events(for: Self.alert(status: "PENDING", traded: 0, price: 0)).isEmpty)
        let first = translator.events(for: Self.alert(status: "PART_TRADED", traded: 75, price: 120.5))
        let second = translator.events(for: Self.alert(status: "TRADED", traded: 150, price: 121))
        let again = translator.events(for: Self.alert(status: "TRADED", traded: 150, price: 121))
        let instrument = InstrumentKey(.nseFNO, 35_123)
        let time = Timestamp.ist(CivilDate(2025, 11, 4), 10, 30, 5).epochSeconds
        #expect(
            first == [
                .fill(
                    Fill(
                        correlationID: CorrelationID("AS20251104-7-0"), orderID: "5225", tradeID: "5225-75",
                        instrument: instrument, side: .buy, quantity: 75, price: Paise(12_050), tradeTime: time))
            ])
        #expect(
            second == [
                .fill(
                    Fill(
                        correlationID: CorrelationID("AS20251104-7-0"), orderID: "5225", tradeID: "5225-150",
                        instrument: instrument, side: .buy, quantity: 75, price: Paise(12_100), tradeTime: time))
            ])
        #expect(again.isEmpty)
    }

    @Test("a rejection becomes an order update with the broker's reason; super-order legs keep their leg")
    func rejectionAndLegs() {
        var translator = OrderAlertTranslator()
        let rejected = translator.events(for: Self.alert(status: "REJECTED", traded: 0, price: 0))
        guard case .orderUpdate(let update) = rejected.first else {
            Issue.record("expected an order update, got \(rejected)")
            return
        }
        #expect(update.status == .rejected && update.reason == "RMS: margin")
        let leg = translator.events(
            for: Self.alert(status: "TRADED", traded: 150, price: 150, legNo: 3, remarks: "Super Order"))
        guard case .fill(let fill) = leg.first else {
            Issue.record("expected a fill, got \(leg)")
            return
        }
        #expect(fill.leg == .target && fill.quantity == 150)
    }
}
