import Dhan
import Domain
import Foundation
import MarketModel
import TestSupport
import Testing

@testable import DhanSim

/// dhan-sim's broker driven in-process (`SimWorld`), with the live API's quirks the observed profile switches
/// on (LIVE-BEHAVIOUR.md #4 and #5), over the same JSON bodies the HTTP server carries.
@Suite("dhan-sim in-process world and its broker quirks")
struct SimWorldTests {
    static func world(_ behaviour: SimBehaviour) throws -> (SimWorld, InstrumentKey) {
        let world = SimWorld(try SimCoreTests.configuration(), behaviour: behaviour)
        let call = SimCoreTests.atmCall(SimCore(configuration: try SimCoreTests.configuration()))
        return (world, call.instrument)
    }

    /// Places a BUY super order of one lot and advances until its entry has traded; returns the entry id.
    static func enter(_ world: inout SimWorld, _ instrument: InstrumentKey) throws -> (String, [OrderAlert]) {
        let request = SuperOrderRequest(
            correlationId: "AS20251104-5-1", transactionType: "BUY", exchangeSegment: instrument.segment.apiName,
            productType: "INTRADAY", orderType: "MARKET", securityId: instrument.securityID.description,
            quantity: 75, price: 0, targetPrice: 9_000, stopLossPrice: 0.05, trailingJump: 0)
        let answer = world.rest(
            method: "POST", path: "/v2/super/orders", body: try JSONEncoder().encode(request),
            accessToken: world.accessToken, virtualSeconds: 1)
        #expect(answer.status == 200)
        let ack = try JSONDecoder().decode(OrderAck.self, from: answer.body)
        var alerts = answer.output.alerts
        alerts += world.advanceOneSecond(virtualSeconds: 2).alerts
        return (ack.orderId, try alerts.map { try JSONDecoder().decode(OrderAlertMessage.self, from: $0).data })
    }

    @Test(
        "once the entry traded, cancelling ENTRY_LEG is refused with DH-906 when the quirk is on; the legs cancel one by one"
    )
    func entryLegCancelRefused() throws {
        var behaviour = SimBehaviour()
        behaviour.refuseEntryLegCancelAfterTrade = true
        var (world, instrument) = try Self.world(behaviour)
        let (entry, _) = try Self.enter(&world, instrument)
        let refused = world.rest(
            method: "DELETE", path: "/v2/super/orders/\(entry)/ENTRY_LEG", accessToken: world.accessToken,
            virtualSeconds: 3)
        #expect(refused.status == 400)
        let error = try JSONDecoder().decode(DhanErrorBody.self, from: refused.body)
        #expect(error.errorCode == "DH-906")
        for leg in ["TARGET_LEG", "STOP_LOSS_LEG"] {
            let cancelled = world.rest(
                method: "DELETE", path: "/v2/super/orders/\(entry)/\(leg)", accessToken: world.accessToken,
                virtualSeconds: 3)
            #expect(cancelled.status == 200, "\(leg)")
            #expect(cancelled.output.alerts.count == 1)
        }
        // Without the quirk (the docs' word), ENTRY_LEG cancels every open leg.
        var (documented, key) = try Self.world(SimBehaviour())
        let (other, _) = try Self.enter(&documented, key)
        let all = documented.rest(
            method: "DELETE", path: "/v2/super/orders/\(other)/ENTRY_LEG", accessToken: documented.accessToken,
            virtualSeconds: 3)
        #expect(all.status == 200 && all.output.alerts.count == 2)
    }

    @Test("leg alerts carry the parent's order number when the quirk is on, their own otherwise; the leg number stays")
    func legAlertsUnderParentOrderNumber() throws {
        var behaviour = SimBehaviour()
        behaviour.legAlertsCarryParentOrderNo = true
        var (world, instrument) = try Self.world(behaviour)
        let (entry, alerts) = try Self.enter(&world, instrument)
        let legs = alerts.filter { $0.legNo != 1 }
        #expect(legs.map(\.legNo).sorted() == [2, 3])
        #expect(legs.allSatisfy { $0.orderNo == entry && $0.remarks == "Super Order" })
        var (documented, key) = try Self.world(SimBehaviour())
        let (parent, own) = try Self.enter(&documented, key)
        let ownLegs = own.filter { $0.legNo != 1 }
        #expect(ownLegs.count == 2 && ownLegs.allSatisfy { $0.orderNo != parent })
    }

    @Test(
        "market price protection: a market order becomes a limit a band beyond the touch and fills at the touch inside it"
    )
    func marketPriceProtection() throws {
        var behaviour = SimBehaviour()
        behaviour.marketPriceProtection = 0.02
        var (world, instrument) = try Self.world(behaviour)
        func place(_ side: String, quantity: Int, id: String) throws -> OrderRecord {
            let request = PlaceOrderRequest(
                dhanClientId: "SIMCLIENT", correlationId: id, transactionType: side,
                exchangeSegment: instrument.segment.apiName, productType: "INTRADAY", orderType: "MARKET",
                validity: "DAY", securityId: instrument.securityID.description, quantity: quantity, price: 0)
            let answer = world.rest(
                method: "POST", path: "/v2/orders", body: try JSONEncoder().encode(request),
                accessToken: world.accessToken, virtualSeconds: 1)
            #expect(answer.status == 200)
            let ack = try JSONDecoder().decode(OrderAck.self, from: answer.body)
            let book = world.rest(
                method: "GET", path: "/v2/orders/\(ack.orderId)", accessToken: world.accessToken, virtualSeconds: 1)
            return try JSONDecoder().decode(OrderRecord.self, from: book.body)
        }
        let bought = try place("BUY", quantity: 75, id: "AS20251104-7-1")
        // Turned into a limit 2 % above the ask (rounded up to the tick), filled at once at the touch.
        #expect(bought.orderType == "LIMIT" && bought.orderStatus == "TRADED" && bought.filledQty == 75)
        #expect(bought.averageTradedPrice < bought.price)
        #expect(abs(bought.price - (bought.averageTradedPrice * 1.02)) < 0.1)
        let sold = try place("SELL", quantity: 75, id: "AS20251104-9-1")
        #expect(sold.orderType == "LIMIT" && sold.orderStatus == "TRADED" && sold.averageTradedPrice > sold.price)
        // Without the behaviour (the docs' word) a market order stays a market order.
        (world, _) = try Self.world(SimBehaviour())
        #expect(try place("BUY", quantity: 75, id: "AS20251104-11-1").orderType == "MARKET")
    }

    @Test("dhan-sim --profile names the broker-side behaviours; an unknown name is refused")
    func profiles() {
        #expect(SimBehaviour.profile("documented") == SimBehaviour())
        let observed = SimBehaviour.profile("observed")
        #expect(observed?.partialFills == true && observed?.refuseEntryLegCancelAfterTrade == true)
        #expect(observed?.legAlertsCarryParentOrderNo == true && observed?.marketPriceProtection == 0.02)
        #expect(SimBehaviour.profile("hostile")?.marketPriceProtection == SimBehaviour.hostileProtectionBand)
        #expect(SimBehaviour.profile("kind") == nil)
    }

    @Test("the world's positions and parent orders are the broker's book")
    func brokerViews() throws {
        var (world, instrument) = try Self.world(SimBehaviour())
        #expect(world.positions.isEmpty && world.parentOrdersByCorrelationID.isEmpty)
        _ = try Self.enter(&world, instrument)
        #expect(world.positions.map(\.instrument) == [instrument])
        #expect(world.positions.first?.net == 75 && world.positions.first?.boughtValue ?? .zero > .zero)
        #expect(world.parentOrdersByCorrelationID == ["AS20251104-5-1": 1])
        #expect(world.openOrderCount == 2)  // the target and stop-loss legs
    }
}
