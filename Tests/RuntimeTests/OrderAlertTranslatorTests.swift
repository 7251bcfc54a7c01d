import Dhan
import Domain
import Testing

@testable import Runtime

/// Order-stream alerts carry cumulative quantities; the translator turns them into fills exactly once.
@Suite("Order alerts to events")
struct OrderAlertTranslatorTests {
    static func alert(
        status: String, traded: Int, price: Double, average: Double? = nil, legNo: Int = 1, remarks: String = "",
        orderNo: String = "5225"
    ) -> OrderAlert {
        OrderAlert(
            exchange: "NSE", segment: "D", securityId: "35123", clientId: "SIMCLIENT", orderNo: orderNo, product: "I",
            txnType: "B", orderType: "MKT", quantity: 150, remainingQuantity: 150 - traded, tradedQty: traded,
            price: 0, triggerPrice: 0, tradedPrice: price, avgTradedPrice: average ?? price,
            time: "2025-11-04 10:30:05",
            remarks: remarks, reasonDescription: status == "REJECTED" ? "RMS: margin" : "CONFIRMED", legNo: legNo,
            instrument: "OPTIDX", symbol: "NIFTY", status: status, lotSize: 75, strikePrice: 25_800,
            expiryDate: "2025-11-11 14:30:00", optType: "CE", displayName: "", correlationId: "AS20251104-7-0")
    }

    @Test("a partial then a full fill become two fills of the increments; a repeated alert adds nothing")
    func cumulative() {
        var translator = OrderAlertTranslator()
        #expect(translator.events(for: Self.alert(status: "PENDING", traded: 0, price: 0)).isEmpty)
        let first = translator.events(for: Self.alert(status: "PART_TRADED", traded: 75, price: 120.5))
        let second = translator.events(for: Self.alert(status: "TRADED", traded: 150, price: 121, average: 120.75))
        let again = translator.events(for: Self.alert(status: "TRADED", traded: 150, price: 121, average: 120.75))
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

    @Test("a remainder is priced from the cumulative average as sent, not from the average rounded to the paisa")
    func remainderPrecision() {
        var translator = OrderAlertTranslator()
        _ = translator.events(for: Self.alert(status: "PART_TRADED", traded: 60, price: 20.5))
        // 60 @ ₹20.50 then 90 @ ₹20.60: the average 20.56 is exact here, 20.553846… in general.
        let average = (60 * 20.5 + 90 * 20.6) / 150
        let rest = translator.events(for: Self.alert(status: "TRADED", traded: 150, price: 20.6, average: average))
        guard case .fill(let fill) = rest.first else {
            Issue.record("expected a fill, got \(rest)")
            return
        }
        #expect(fill.quantity == 90 && fill.price == Paise(2_060))
        let odd = (450 * 20.5 + 525 * 20.6) / 975
        var second = OrderAlertTranslator()
        _ = second.events(for: Self.alert(status: "PART_TRADED", traded: 450, price: 20.5))
        let late = second.events(for: Self.alert(status: "TRADED", traded: 975, price: 20.6, average: odd))
        guard case .fill(let lateFill) = late.first else {
            Issue.record("expected a fill, got \(late)")
            return
        }
        // Rounding the average to ₹20.55 first would have priced these 525 at ₹20.59.
        #expect(lateFill.quantity == 525 && lateFill.price == Paise(2_060))
    }

    @Test("an increase whose average is not a whole paisa goes out as two fills, a paisa apart, of the exact value")
    func exactValue() {
        // 300 @ ₹34.40 and 375 @ ₹34.38 in one alert (the first's alert was overtaken): ₹23,212.50 for 675 units,
        // an average of ₹34.3888…; booked at ₹34.39 a unit it would be ₹23,213.25, 75 paise off the broker's.
        var translator = OrderAlertTranslator()
        let average = (300 * 34.40 + 375 * 34.38) / 675
        let events = translator.events(for: Self.alert(status: "TRADED", traded: 675, price: 34.38, average: average))
        let instrument = InstrumentKey(.nseFNO, 35_123)
        let time = Timestamp.ist(CivilDate(2025, 11, 4), 10, 30, 5).epochSeconds
        func fill(_ tradeID: String, _ quantity: Int64, _ paise: Int64) -> Event {
            .fill(
                Fill(
                    correlationID: CorrelationID("AS20251104-7-0"), orderID: "5225", tradeID: tradeID,
                    instrument: instrument, side: .buy, quantity: quantity, price: Paise(paise), tradeTime: time))
        }
        // 2,321,250 paise = 75 × 3,438 + 600 × 3,439.
        #expect(events == [fill("5225-675a", 75, 3_438), fill("5225-675", 600, 3_439)])
        #expect(translator.traded["5225"] == OrderAlertTranslator.Traded(quantity: 675, value: 2_321_250))
        // The late alert of the first trade adds nothing.
        #expect(translator.events(for: Self.alert(status: "PART_TRADED", traded: 300, price: 34.40)).isEmpty)
    }

    @Test(
        "resumed from the journal's fills after a restart, the translator counts only what is new, at its exact value")
    func resumesAfterRestart() {
        var live = OrderAlertTranslator()
        let average = (300 * 34.40 + 375 * 34.38) / 675
        var fills: [Fill] = []
        for event in live.events(for: Self.alert(status: "TRADED", traded: 675, price: 34.38, average: average)) {
            if case .fill(let fill) = event { fills.append(fill) }
        }
        var resumed = RestartReconciliation.translator(resumingAfter: fills)
        #expect(resumed.traded == live.traded)
        // The book's row read again after the restart is no new fill.
        #expect(resumed.events(for: Self.alert(status: "TRADED", traded: 675, price: 34.38, average: average)).isEmpty)
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
        // The same terminal status again (a duplicate alert, or a lookup reading the book row) is not news.
        #expect(translator.events(for: Self.alert(status: "REJECTED", traded: 0, price: 0)).isEmpty)
        #expect(translator.finished == ["5225": .rejected])
        let leg = translator.events(
            for: Self.alert(status: "TRADED", traded: 150, price: 150, legNo: 3, remarks: "Super Order"))
        guard case .fill(let fill) = leg.first else {
            Issue.record("expected a fill, got \(leg)")
            return
        }
        #expect(fill.leg == .target && fill.quantity == 150)
    }

    @Test("alerts out of order: the newest cumulative alert makes one fill at the average; the older adds nothing")
    func reordered() {
        var translator = OrderAlertTranslator()
        let newest = translator.events(for: Self.alert(status: "TRADED", traded: 150, price: 121, average: 120.75))
        let older = translator.events(for: Self.alert(status: "PART_TRADED", traded: 75, price: 120.5))
        guard case .fill(let fill) = newest.first else {
            Issue.record("expected a fill, got \(newest)")
            return
        }
        // What the broker traded (75 × ₹120.50 + 75 × ₹121) is what the engine is told.
        #expect(fill.quantity == 150 && fill.price == Paise(12_075))
        #expect(older.isEmpty)
    }

    @Test("a leg's alert under its parent's order number is the leg's fill, not swallowed by the entry's count")
    func legUnderParentOrderNumber() {
        var translator = OrderAlertTranslator()
        let entry = translator.events(
            for: Self.alert(status: "TRADED", traded: 150, price: 100, legNo: 1, remarks: "Super Order"))
        let target = translator.events(
            for: Self.alert(status: "TRADED", traded: 150, price: 160, legNo: 3, remarks: "Super Order"))
        guard case .fill(let entryFill) = entry.first, case .fill(let legFill) = target.first else {
            Issue.record("expected two fills, got \(entry) and \(target)")
            return
        }
        #expect(entryFill.leg == .entry && entryFill.quantity == 150)
        #expect(legFill.leg == .target && legFill.quantity == 150 && legFill.price == .rupees(160))
        #expect(legFill.orderID == "5225" && legFill.tradeID != entryFill.tradeID)
    }
}
