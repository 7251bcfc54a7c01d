import Domain
import Engine
import EngineTestSupport
import TestSupport
import Testing

/// risk.broker_protection: super_order — broker-side legs, the engine's stop moves, and exits through the legs.
@Suite("Super-order protection")
struct SuperOrderTests {
    let option = RiskFixtures.option
    func t(_ h: Int, _ m: Int, _ s: Int = 0) -> Timestamp { RiskFixtures.time(h, m, s) }

    func niftyTick(_ at: Timestamp) -> Event {
        .tick(Tick(instrument: EngineScenario.nifty, lastPrice: .rupees(25_700), lastTradeTime: at.epochSeconds))
    }

    func optionTick(_ paise: Int64) -> Event {
        .tick(Tick(instrument: option, lastPrice: Paise(paise), lastTradeTime: 0))
    }

    func legUpdate(_ id: CorrelationID, _ leg: OrderLeg, _ status: OrderStatus) -> Event {
        .orderUpdate(
            OrderUpdate(
                correlationID: id, orderID: "O1-\(leg.apiName)", instrument: option, side: .sell, status: status,
                leg: leg, quantity: 75, tradedQuantity: 0, averagePrice: .zero))
    }

    /// Entered, accepted as O1 and filled at ₹100: the legs sit at ₹160 (take profit) and ₹70 (hard stop).
    func entered() throws -> (EngineState, CorrelationID) {
        var state = try RiskFixtures.readyState(superOrders: true)
        let commands = Engine.reduce(&state, niftyTick(t(10, 30, 1)), seq: 5, at: t(10, 30, 1))
        let id = CorrelationID(session: RiskFixtures.day, causeSeq: 5, slot: 1)
        #expect(
            commands == [
                .placeOrder(
                    OrderIntent(
                        correlationID: id, instrument: option, side: .buy, quantity: 75, tag: "entry_NIFTY_CE_25700",
                        superOrder: SuperOrderLegs(target: .rupees(160), stopLoss: .rupees(70))))
            ])
        _ = Engine.reduce(
            &state, .orderAccepted(OrderAccepted(correlationID: id, orderID: "O1", status: .transit)), seq: 6,
            at: t(10, 30, 2))
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O1", tradeID: "T1", instrument: option, side: .buy, quantity: 75,
                    price: .rupees(100), tradeTime: 0)), seq: 7, at: t(10, 30, 3))
        #expect(state.positions[0].protection == BrokerProtectionLegs(stopTrigger: .rupees(70), target: .rupees(160)))
        return (state, id)
    }

    @Test("breakeven then the trail move the stop-loss leg, in steps of at least 2 % of the entry")
    func stopFollows() throws {
        var (state, id) = try entered()
        // +12 %: breakeven arms; the stop leg goes to max(entry, HWM − 3 %) = ₹108.64 → tick ₹108.65.
        let armed = Engine.reduce(&state, optionTick(11_200), seq: 8, at: t(10, 31))
        #expect(
            armed == [
                .modifyOrder(
                    OrderModification(
                        correlationID: id, orderID: "O1", leg: .stopLoss, price: .zero, triggerPrice: Paise(10_865),
                        quantity: 75, reason: "trail"))
            ])
        // +1 tick of HWM moves the trail by less than ₹2: no modification (the broker's limit is 25 per order).
        #expect(Engine.reduce(&state, optionTick(11_300), seq: 9, at: t(10, 31, 1)).isEmpty)
        let moved = Engine.reduce(&state, optionTick(11_500), seq: 10, at: t(10, 31, 2))
        #expect(
            moved == [
                .modifyOrder(
                    OrderModification(
                        correlationID: id, orderID: "O1", leg: .stopLoss, price: .zero, triggerPrice: Paise(11_155),
                        quantity: 75, reason: "trail"))
            ])
        #expect(state.positions[0].protection?.modifications == 2)
    }

    @Test(
        "0.4.8: once the broker refused a stop-leg modification (DH-906) or reported the leg cancelled, the trail stops asking; 0.4.7 kept asking"
    )
    func closedStopLegIsLeftAlone() throws {
        for rules in [EngineRules.current, .build047] {
            // Refused: the trail's next step sends nothing under 0.4.8.
            var (state, id) = try entered()
            state.rules = rules
            _ = Engine.reduce(&state, optionTick(11_200), seq: 8, at: t(10, 31))
            let refusal = Event.modifyRejected(
                OrderOperationRefused(
                    correlationID: id, orderID: "O1", leg: .stopLoss, code: "DH-906",
                    message: "Order cannot be modified or cancelled: STOP_LOSS_LEG"))
            #expect(Engine.reduce(&state, refusal, seq: 9, at: t(10, 31, 1)).isEmpty)
            let next = Engine.reduce(&state, optionTick(11_500), seq: 10, at: t(10, 31, 2))
            #expect(next.isEmpty == (rules == .current), "\(next)")
            #expect(state.positions[0].protection?.modifications == (rules == .current ? 20 : 2))

            // Reported cancelled at the broker: the same.
            (state, id) = try entered()
            state.rules = rules
            _ = Engine.reduce(&state, optionTick(11_200), seq: 8, at: t(10, 31))
            _ = Engine.reduce(&state, legUpdate(id, .stopLoss, .cancelled), seq: 9, at: t(10, 31, 1))
            #expect(state.positions[0].protection?.stopCancelled == true)
            let after = Engine.reduce(&state, optionTick(11_500), seq: 10, at: t(10, 31, 2))
            #expect(after.isEmpty == (rules == .current), "\(after)")
        }
    }

    @Test("the engine's own exit cancels the legs first and sells only after both are confirmed cancelled")
    func exitThroughLegs() throws {
        var (state, id) = try entered()
        let exit = Engine.reduce(&state, .timer(TimerFired(kind: .second)), seq: 8, at: t(15, 20))
        #expect(
            exit == [
                .cancelOrder(
                    OrderCancellation(correlationID: id, orderID: "O1", leg: .entry, reason: "exit time_exit_1520"))
            ])
        #expect(state.positions[0].phase == .exiting && state.positions[0].protection?.cancelRequested == true)
        #expect(Engine.reduce(&state, legUpdate(id, .target, .cancelled), seq: 9, at: t(15, 20, 1)).isEmpty)
        let sell = Engine.reduce(&state, legUpdate(id, .stopLoss, .cancelled), seq: 10, at: t(15, 20, 1))
        let exitID = CorrelationID(session: RiskFixtures.day, causeSeq: 8, slot: 1)
        #expect(
            sell == [
                .placeOrder(
                    OrderIntent(
                        correlationID: exitID, instrument: option, side: .sell, quantity: 75, tag: "time_exit_1520"))
            ])
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: exitID, orderID: "O2", tradeID: "T2", instrument: option, side: .sell, quantity: 75,
                    price: .rupees(101), tradeTime: 0)), seq: 11, at: t(15, 20, 2))
        #expect(state.positions[0].phase == .exited && state.positions[0].exitReason == .timeExit)
        #expect(state.anomalies.isEmpty)
    }

    @Test(
        "the race: a stop leg fires while the engine is cancelling — the leg's fill closes it and no sell is ever sent")
    func legWinsTheRace() throws {
        var (state, id) = try entered()
        _ = Engine.reduce(&state, .timer(TimerFired(kind: .second)), seq: 8, at: t(15, 20))
        // The broker filled the stop leg before the cancel arrived (the cancel then fails at the broker).
        let closed = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O1-SL", tradeID: "T9", instrument: option, side: .sell, leg: .stopLoss,
                    quantity: 75, price: .rupees(69), tradeTime: 0)), seq: 9, at: t(15, 20, 1))
        #expect(closed == [.unsubscribe(FeedSubscription(mode: .full, instruments: [option]))])
        #expect(state.positions[0].phase == .exited && state.positions[0].exitReason == .superOrderStop)
        #expect(state.positions[0].realized == Paise(-31 * 75 * 100))
        // Late cancellation notices change nothing and send nothing.
        #expect(Engine.reduce(&state, legUpdate(id, .target, .cancelled), seq: 10, at: t(15, 20, 2)).isEmpty)
        #expect(state.positions[0].phase == .exited)
    }

    @Test("a target leg firing while the engine is not exiting closes the position with the leg's own tag")
    func targetLeg() throws {
        var (state, id) = try entered()
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O1-T", tradeID: "T9", instrument: option, side: .sell, leg: .target,
                    quantity: 75, price: .rupees(160), tradeTime: 0)), seq: 8, at: t(11, 0))
        #expect(state.positions[0].phase == .exited && state.positions[0].exitReason == .superOrderTarget)
        #expect(
            ExitReason.superOrderTarget.tag(try RiskFixtures.config().risk, dailyLossLimit: BasisPoints(600))
                == "super_order_target")
    }
}

extension SuperOrderTests {
    @Test("a leg fill that arrives before its entry's fill is held, then closes the position once the entry is in")
    func legBeforeEntry() throws {
        var state = try RiskFixtures.readyState(superOrders: true)
        _ = Engine.reduce(&state, niftyTick(t(10, 30, 1)), seq: 5, at: t(10, 30, 1))
        let id = CorrelationID(session: RiskFixtures.day, causeSeq: 5, slot: 1)
        let held = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O1-T", tradeID: "T9", instrument: option, side: .sell, leg: .target,
                    quantity: 75, price: .rupees(160), tradeTime: 0)), seq: 6, at: t(10, 30, 2))
        #expect(held.isEmpty && state.positions[0].heldLegFills.count == 1 && state.positions[0].exit == nil)
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O1", tradeID: "T1", instrument: option, side: .buy, quantity: 75,
                    price: .rupees(100), tradeTime: 0)), seq: 7, at: t(10, 30, 3))
        #expect(state.positions[0].phase == .exited && state.positions[0].exitReason == .superOrderTarget)
        #expect(state.positions[0].realized == Paise(60 * 75 * 100) && state.positions[0].heldLegFills.isEmpty)
    }
}
