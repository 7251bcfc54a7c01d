import Domain
import Engine
import EngineTestSupport
import TestSupport
import Testing

/// The order and position lifecycle against a broker that answers late, partially and differently from
/// its documentation (the lifecycle issue's items 1, 4, 6, 7, 11), under this build's rules.
@Suite("Lifecycle against the real broker")
struct BrokerLifecycleTests {
    let option = RiskFixtures.option
    func t(_ h: Int, _ m: Int, _ s: Int = 0) -> Timestamp { RiskFixtures.time(h, m, s) }
    func id(_ seq: UInt64) -> CorrelationID { CorrelationID(session: RiskFixtures.day, causeSeq: seq, slot: 1) }

    func niftyTick(_ at: Timestamp) -> Event {
        .tick(Tick(instrument: EngineScenario.nifty, lastPrice: .rupees(25_700), lastTradeTime: at.epochSeconds))
    }

    func optionTick(_ paise: Int64) -> Event {
        .tick(Tick(instrument: option, lastPrice: Paise(paise), lastTradeTime: 0))
    }

    func fill(
        _ id: CorrelationID, _ order: String, _ side: TransactionSide, _ quantity: Int64, _ paise: Int64,
        leg: OrderLeg? = nil
    ) -> Event {
        .fill(
            Fill(
                correlationID: id, orderID: order, tradeID: "\(order)-\(quantity)", instrument: option, side: side,
                leg: leg, quantity: quantity, price: Paise(paise), tradeTime: 0))
    }

    /// This build's rules without the funds refresh: its requests every 30 s and after each fill would be in
    /// every expectation here; `fundsRefresh` tests it on its own.
    static let lifecycleRules: EngineRules = {
        var rules = EngineRules.current
        rules.refreshesFunds = false
        return rules
    }()

    /// An entry of `lots` NIFTY lots at seq 5, accepted as O1 (seq 6), this build's rules unless told.
    func accepted(
        lots: Int64 = 1, superOrders: Bool = false, rules: EngineRules = Self.lifecycleRules, resendLimit: Int = 5
    )
        throws -> EngineTestStore
    {
        var ready = try RiskFixtures.readyState(lots: lots, superOrders: superOrders)
        ready.rules = rules
        ready.config?.risk.exitResendLimit = resendLimit
        let store = EngineTestStore(state: ready, seq: 4)
        let placed = store.skip(niftyTick(t(10, 30, 1)), at: t(10, 30, 1))
        #expect(placed.count == 1)
        store.skip(
            .orderAccepted(OrderAccepted(correlationID: id(5), orderID: "O1", status: .transit)), at: t(10, 30, 2))
        return store
    }

    @Test(
        "item 1: an entry remainder that fills after the exit began is sold by a follow-up exit; flat once all is sold")
    func lateEntryFillDuringExit() throws {
        let store = try accepted(lots: 2)
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        #expect(store.state.positions[0].phase == .active && store.state.positions[0].orderedQuantity == 150)
        // The stop: sell what is held, and cancel the entry's unfilled 75 so it stops buying.
        let exit = store.skip(optionTick(6_900), at: t(10, 31))
        #expect(
            exit == [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(8), instrument: option, side: .sell, quantity: 75, tag: "stop_loss_30pct")),
                .cancelOrder(
                    OrderCancellation(
                        correlationID: id(5), orderID: "O1", leg: nil,
                        reason: "exit stopLoss: cancel the entry's unfilled 75")),
            ])
        // The remainder beats the cancel: the position stays exiting (not active with an exit intent set) and
        // holds 150 at a cost basis of ₹84.50.
        #expect(store.skip(fill(id(5), "O1", .buy, 75, 6_900), at: t(10, 31, 1)) == [])
        var held = store.state.positions[0]
        #expect(held.phase == .exiting && held.quantity == 150 && held.entryFilled == 150)
        #expect(held.entryAverage == Paise(8_450))
        #expect(held.exit == ExitIntent(correlationID: id(8), reason: .stopLoss, quantity: 75))
        // The first exit fills: a follow-up exit sells the rest, under a new correlation id.
        let followUp = store.skip(fill(id(8), "O2", .sell, 75, 6_850), at: t(10, 31, 2))
        #expect(
            followUp == [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(10), instrument: option, side: .sell, quantity: 75, tag: "stop_loss_30pct"))
            ])
        held = store.state.positions[0]
        #expect(held.phase == .exiting && held.quantity == 75 && held.exitAttempts == 2)
        #expect(held.realized == Paise((6_850 - 8_450) * 75))
        // The follow-up fills: flat, exited, the whole position's PnL in one place.
        store.skip(fill(id(10), "O3", .sell, 75, 6_800), at: t(10, 31, 3))
        held = store.state.positions[0]
        #expect(held.phase == .exited && held.quantity == 0 && held.exitReason == .stopLoss)
        #expect(held.realized == Paise((6_850 - 8_450) * 75 + (6_800 - 8_450) * 75))
        #expect(held.realized == Paise(6_850 * 75 + 6_800 * 75 - 10_000 * 75 - 6_900 * 75))
    }

    @Test("item 1: an exit that sold everything waits for the entry's remainder to be cancelled before it settles")
    func exitWaitsForEntryCancel() throws {
        let store = try accepted(lots: 2)
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(optionTick(6_900), at: t(10, 31))
        #expect(store.skip(fill(id(8), "O2", .sell, 75, 6_900), at: t(10, 31, 1)) == [])
        #expect(store.state.positions[0].phase == .exiting && store.state.positions[0].quantity == 0)
        // The broker confirms the remainder cancelled: the position is what filled, and it is flat.
        store.send(
            .orderUpdate(
                OrderUpdate(
                    correlationID: id(5), orderID: "O1", instrument: option, side: .buy, status: .cancelled,
                    quantity: 150, tradedQuantity: 75, averagePrice: .rupees(100))), at: t(10, 31, 2),
            commands: [.unsubscribe(FeedSubscription(mode: .full, instruments: [option]))]
        ) {
            $0.positions[0].orderActivityAt = t(10, 31, 2)
            $0.positions[0].orderedQuantity = 75
            $0.positions[0].stage = .exited($0.positions[0].exit)
            $0.positions[0].exitReason = .stopLoss
            $0.positions[0].closedAt = t(10, 31, 2)
            $0.settledPositions = 1
            $0.cooldowns = [Cooldown(instrument: option, until: t(10, 34, 2), index: "NIFTY", direction: .bullish)]
            $0.subscriptions.removeAll { $0.instrument == option }
            $0.indices[0].scale = nil
        }
    }

    @Test("item 6: ENTRY_LEG cancel refused after the entry traded: the legs are cancelled one by one, then the sell")
    func entryLegCancelRefused() throws {
        let store = try accepted(superOrders: true)
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        let exit = store.skip(optionTick(6_900), at: t(10, 31))
        #expect(
            exit == [
                .cancelOrder(
                    OrderCancellation(correlationID: id(5), orderID: "O1", leg: .entry, reason: "exit stop_loss_30pct"))
            ])
        let reason = "ENTRY_LEG cancel refused (DH-906): cancelling the legs one by one"
        store.send(
            .cancelRejected(
                OrderOperationRefused(
                    correlationID: id(5), orderID: "O1", leg: .entry, code: "DH-906",
                    message: "ENTRY_LEG has traded")), at: t(10, 31, 1),
            commands: [
                .cancelOrder(OrderCancellation(correlationID: id(5), orderID: "O1", leg: .target, reason: reason)),
                .cancelOrder(OrderCancellation(correlationID: id(5), orderID: "O1", leg: .stopLoss, reason: reason)),
            ]
        ) { $0.positions[0].orderActivityAt = t(10, 31, 1) }
        func legCancelled(_ leg: OrderLeg) -> Event {
            .orderUpdate(
                OrderUpdate(
                    correlationID: id(5), orderID: "O1", instrument: option, side: .sell, status: .cancelled, leg: leg,
                    quantity: 75, tradedQuantity: 0, averagePrice: .zero))
        }
        store.send(legCancelled(.target), at: t(10, 31, 2)) {
            $0.positions[0].protection?.targetCancelled = true
            $0.positions[0].orderActivityAt = t(10, 31, 2)
        }
        store.send(
            legCancelled(.stopLoss), at: t(10, 31, 3),
            commands: [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(8), instrument: option, side: .sell, quantity: 75, tag: "stop_loss_30pct"))
            ]
        ) {
            $0.positions[0].protection?.stopCancelled = true
            $0.positions[0].orderActivityAt = t(10, 31, 3)
        }
    }

    @Test("item 7: a SELL under the entry's id is a leg's exit even without its leg number; without legs it is refused")
    func sellNeverAddsToLong() throws {
        let protected = try accepted(superOrders: true)
        protected.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        // The leg's alert carried the parent's order number and no leg: at ₹70 it is the stop-loss leg.
        protected.skip(fill(id(5), "O1", .sell, 75, 7_000), at: t(10, 31))
        #expect(protected.state.positions[0].phase == .exited)
        #expect(
            protected.state.positions[0].quantity == 0 && protected.state.positions[0].exitReason == .superOrderStop)
        #expect(protected.state.positions[0].entryFilled == 75)

        let plain = try accepted()
        plain.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        plain.send(fill(id(5), "O1", .sell, 75, 10_500), at: t(10, 31)) {
            $0.positions[0].orderActivityAt = t(10, 31)
            $0.anomalies.append(
                Anomaly(
                    seq: 8,
                    message:
                        "SELL fill O1 (75 × 105.00) under the entry id of \(id(5)) cannot be attributed; not applied"))
        }
    }

    @Test("item 4: after the breaker, a refused exit is sent again and an entry that fills late is sold at once")
    func breakerFlattensUntilFlat() throws {
        let store = try accepted()
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(.operatorCommand(.killSwitch(engaged: true)), at: t(10, 31))
        #expect(store.state.positions[0].phase == .exiting)
        let exitID = try #require(store.state.positions[0].exit?.correlationID)
        store.skip(
            .orderRejected(OrderRejected(correlationID: exitID, code: "DH-906", message: "RMS")), at: t(10, 31, 1))
        #expect(store.state.positions[0].phase == .active)
        store.skip(optionTick(10_000), at: t(10, 31, 1))  // a fresh price: no quote fetch due
        // The next second's timer sells again.
        let again = store.skip(.timer(TimerFired(kind: .second)), at: t(10, 31, 2))
        #expect(
            again == [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(11), instrument: option, side: .sell, quantity: 75, tag: "kill_switch"))
            ])

        // An entry still working at the trip is cancelled; when its fill beats the cancel it is sold at once.
        let late = try accepted()
        let trip = late.skip(.operatorCommand(.killSwitch(engaged: true)), at: t(10, 31))
        #expect(
            trip == [
                .cancelOrder(
                    OrderCancellation(
                        correlationID: id(5), orderID: "O1", leg: nil, reason: "cancel entry: kill_switch"))
            ])
        let sold = late.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 31, 1))
        #expect(
            sold == [
                .placeOrder(
                    OrderIntent(correlationID: id(8), instrument: option, side: .sell, quantity: 75, tag: "kill_switch")
                )
            ])
        #expect(late.state.positions[0].phase == .exiting)
    }

    @Test("item 11: the scale multiplier grows the allocation, never the money at risk beyond the band's")
    func noEscalatingRisk() throws {
        let config = try RiskFixtures.config()
        let index = try #require(config.index("NIFTY"))
        let balance = Paise.rupees(200_000)
        for multiplier in 1...config.signals.maxScaleMultiplier {
            let sizing = PositionSizer.size(
                balance: balance, premium: .rupees(20), lotSize: 65, index: index, sizing: config.sizing,
                stopLoss: config.risk.stopLoss, scaleMultiplier: multiplier)
            let band = config.sizing.bands[sizing.band]
            let atRisk = config.risk.stopLoss.of(Paise.rupees(20)) * sizing.quantity
            #expect(atRisk <= band.risk.of(balance), "multiplier \(multiplier): ₹\(atRisk) at risk")
            #expect(sizing.riskCapital == band.risk.of(balance))
        }
        // Builds before 0.4.0 scaled the risk capital too; their journals replay with that rule.
        let legacy = PositionSizer.size(
            balance: balance, premium: .rupees(20), lotSize: 65, index: index, sizing: config.sizing,
            stopLoss: config.risk.stopLoss, scaleMultiplier: 3, riskCapitalScales: true)
        #expect(legacy.riskCapital == config.sizing.bands[legacy.band].risk.of(balance) * 3)
        #expect(EngineRules.recorded(by: "0.3.1") == .legacy && EngineRules.recorded(by: Engine.build) == .current)
        #expect(EngineRules.recorded(by: "0.4.0") == .build040 && EngineRules.recorded(by: "test") == .legacy)
    }

    @Test(
        "item 5: an exit the broker goes quiet about is looked up in the order book every 10 s and escalated after 60 s; a repeated acceptance is not news"
    )
    func quietExitIsLookedUpAndEscalated() throws {
        // The watch as 0.4.2 built it (0.4.3 also cancels and re-sends the quiet exit: `exitIsResent`).
        let store = try accepted(rules: .build042)
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(optionTick(6_900), at: t(10, 31))  // stop loss: exit id(8) sent at 10:31:00
        let timer = Event.timer(TimerFired(kind: .second))
        #expect(store.skip(timer, at: t(10, 31, 9)) == [])
        store.send(timer, at: t(10, 31, 10), commands: [.fetchData(.orderByCorrelation(id(8)))]) {
            $0.positions[0].lookupAt = t(10, 31, 10)
        }
        // The book's answer repeats the acceptance: nothing moved, so the clock of silence keeps running.
        store.skip(
            .orderAccepted(OrderAccepted(correlationID: id(8), orderID: "O2", status: .pending)), at: t(10, 31, 11))
        #expect(store.skip(timer, at: t(10, 31, 15)) == [])
        #expect(store.skip(timer, at: t(10, 31, 20)) == [.fetchData(.orderByCorrelation(id(8)))])
        for second in stride(from: 30, through: 50, by: 10) { store.skip(timer, at: t(10, 31, second)) }
        // 60 s of silence (the minute's timer also closes the index's 1m bar): looked up again, and escalated.
        #expect(store.skip(timer, at: t(10, 32)) == [.fetchData(.orderByCorrelation(id(8)))])
        #expect(store.state.positions[0].stallReported && store.state.positions[0].lookupAt == t(10, 32))
        #expect(
            store.state.anomalies.last
                == Anomaly(
                    seq: store.seq,
                    message:
                        "\(id(5)) exiting with no word from the broker for 60 s: asking the order book for \(id(8)) every 10 s"
                ))
        // A fill is news: the exit completes and the watch stops.
        store.skip(fill(id(8), "O2", .sell, 75, 6_900), at: t(10, 32, 1))
        #expect(store.state.positions[0].phase == .exited)
        #expect(store.skip(timer, at: t(10, 32, 30)).isEmpty)
    }

    @Test(
        "0.4.5: a position sold to flat books its cash flow to the paisa, not each sell against the rounded average"
    )
    func realisedFromCashFlow() throws {
        func sold(_ rules: EngineRules) throws -> (EngineTestStore, Int64) {
            let store = try accepted(lots: 2, rules: rules)
            // ₹100.00 and ₹100.05: an average of ₹100.025, which the position keeps as ₹100.03.
            store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
            store.skip(fill(id(5), "O1", .buy, 75, 10_005), at: t(10, 30, 4))
            store.skip(.operatorCommand(.manualExit(instrument: option)), at: t(10, 31))
            let before = store.state.positions[0].chargeUnits
            return (store, before)
        }
        let config = try RiskFixtures.config()
        let charges = config.charges.charges(
            side: .sell, price: Paise(10_100), quantity: 150, exchange: .nse, date: RiskFixtures.day)
        let (store, units) = try sold(Self.lifecycleRules)
        #expect(store.state.positions[0].entryAverage == Paise(10_003))
        store.send(
            fill(id(9), "O2", .sell, 150, 10_100), at: t(10, 31, 1),
            commands: [.unsubscribe(FeedSubscription(mode: .full, instruments: [option]))]
        ) {
            $0.positions[0].exit?.filled = 150
            $0.positions[0].orderActivityAt = t(10, 31, 1)
            $0.positions[0].quantity = 0
            $0.positions[0].soldValue = Paise(1_515_000)
            // ₹15,150.00 − (₹7,500.00 + ₹7,503.75): ₹146.25, where (₹101.00 − ₹100.03) × 150 is ₹145.50.
            $0.positions[0].realized = Paise(14_625)
            $0.positions[0].chargeUnits = units + charges.totalUnits
            $0.positions[0].exitReason = .manual
            $0.positions[0].closedAt = t(10, 31, 1)
            $0.positions[0].stage = .exited($0.positions[0].exit)
            // The day's best so far: the realised ₹146.25 less both sides' charges.
            $0.dayRisk?.maxMTM = Paise(14_625) - ChargeBreakdown.paise(units + charges.totalUnits)
            $0.dayRisk?.maxMTMTime = t(10, 31, 1)
            $0.settledPositions = 1
            $0.cooldowns = [
                Cooldown(instrument: option, until: t(10, 34, 1), index: "NIFTY", direction: .bullish)
            ]
            $0.subscriptions.removeAll { $0.instrument == option }
        }
        var older = Self.lifecycleRules
        older.realisedFromCashFlow = false
        let (before, _) = try sold(older)
        before.skip(fill(id(9), "O2", .sell, 150, 10_100), at: t(10, 31, 1))
        #expect(before.state.positions[0].realized == Paise(14_550))
    }

    @Test("0.4.6: the entry average is the buys' cost rounded once, as the broker's, not a re-rounded running average")
    func averageFromBuys() throws {
        func filled(_ rules: EngineRules) throws -> Paise {
            let store = try accepted(lots: 3, rules: rules)
            // ₹282.02 and ₹282.03 (an alert whose average was ₹282.025), then ₹282.02 again: ₹282.0233.
            store.skip(fill(id(5), "O1", .buy, 75, 28_202), at: t(10, 30, 3))
            store.skip(fill(id(5), "O1", .buy, 75, 28_203), at: t(10, 30, 3))
            #expect(store.state.positions[0].entryAverage == Paise(28_203), "₹282.025 rounds half up")
            store.skip(fill(id(5), "O1", .buy, 75, 28_202), at: t(10, 30, 4))
            #expect(store.state.positions[0].boughtValue == Paise(28_202 * 150 + 28_203 * 75))
            return store.state.positions[0].entryAverage
        }
        // The broker's average: (282.02 × 150 + 282.03 × 75) / 225 = ₹282.0233, ₹282.02 to the paisa.
        #expect(try filled(Self.lifecycleRules) == Paise(28_202))
        // Before: (₹282.03 × 150 + ₹282.02 × 75) / 225 = ₹282.0267, re-rounded to ₹282.03.
        var older = Self.lifecycleRules
        older.averageFromBuys = false
        #expect(try filled(older) == Paise(28_203))
        #expect(EngineRules.recorded(by: "0.4.5") == .build045 && !EngineRules.build045.averageFromBuys)
        #expect(EngineRules.recorded(by: "0.4.6") == .build046 && EngineRules.build046.averageFromBuys)
    }

    @Test(
        "0.4.7: an entry that fills after it was resolved as never sent is taken back, managed and exited; before, refused"
    )
    func lateFillAfterRejection() throws {
        func rejectedThenFilled(_ rules: EngineRules) throws -> (EngineTestStore, [Command]) {
            var ready = try RiskFixtures.readyState()
            ready.rules = rules
            let store = EngineTestStore(state: ready, seq: 4)
            #expect(store.skip(niftyTick(t(10, 30, 1)), at: t(10, 30, 1)).count == 1)
            // A restart found no order for id(5), and a minute of lookups found none: resolved as never sent.
            store.skip(
                .orderRejected(OrderRejected(correlationID: id(5), code: "NOT_SENT", message: "not in the book")),
                at: t(10, 31, 5))
            #expect(store.state.positions[0].phase == .rejected)
            #expect(store.state.settledPositions == 1)
            // The killed process's request reached the broker after all, and traded.
            let commands = store.skip(fill(id(5), "O9", .buy, 75, 10_000), at: t(10, 31, 6))
            return (store, commands)
        }
        let (store, commands) = try rejectedThenFilled(Self.lifecycleRules)
        let held = store.state.positions[0]
        #expect(held.phase == .active && held.quantity == 75 && held.entryFilled == 75)
        #expect(held.entryOrderID == "O9" && held.entryAverage == Paise(10_000))
        #expect(store.state.settledPositions == 0, "the position is in view of the exit rules again")
        #expect(store.state.subscriptions.contains { $0.instrument == option })
        #expect(commands.contains { if case .subscribe = $0 { true } else { false } })
        #expect(store.state.anomalies.last?.message.contains("position taken back") == true)
        // Managed like any other: the stop sells it.
        let exit = store.skip(optionTick(6_900), at: t(10, 32))
        #expect(
            exit == [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(8), instrument: option, side: .sell, quantity: 75, tag: "stop_loss_30pct"))
            ])
        store.skip(fill(id(8), "O10", .sell, 75, 6_900), at: t(10, 32, 1))
        #expect(store.state.positions[0].phase == .exited && store.state.positions[0].quantity == 0)
        #expect(store.state.positions[0].realized == Paise((6_900 - 10_000) * 75))

        // 0.4.6 refused the fill: the broker held 75 that nothing would ever sell.
        let (before, none) = try rejectedThenFilled(EngineRules.build046)
        #expect(none == [])
        #expect(before.state.positions[0].phase == .rejected && before.state.positions[0].quantity == 0)
        #expect(before.state.anomalies.last?.message.contains("entry fill refused in phase rejected") == true)
        #expect(EngineRules.recorded(by: "0.4.7") == .build047 && EngineRules.current.adoptsLateEntryFills)
    }

    @Test(
        "0.4.7: an entry the kill switch cancelled whose fill is reported after the cancel is taken back and sold at once"
    )
    func cancelledEntryFilledAfterKillSwitch() throws {
        let store = try accepted()
        store.skip(.operatorCommand(.killSwitch(engaged: true)), at: t(10, 31))
        // The broker confirms the cancel with nothing traded; the position is settled as cancelled.
        store.skip(
            .orderUpdate(
                OrderUpdate(
                    correlationID: id(5), orderID: "O1", instrument: option, side: .buy, status: .cancelled,
                    quantity: 75, tradedQuantity: 0, averagePrice: .zero)), at: t(10, 31, 1))
        #expect(store.state.positions[0].phase == .cancelled)
        #expect(store.state.settledPositions == 1)
        // Then a trade the broker made before the cancel is reported (alerts out of order): the broker holds
        // 75. The engine takes the position back and, with the kill switch engaged, sells it at once.
        let sold = store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 31, 2))
        #expect(
            sold == [
                .subscribe(FeedSubscription(mode: .full, instruments: [option])),
                .placeOrder(
                    OrderIntent(correlationID: id(9), instrument: option, side: .sell, quantity: 75, tag: "kill_switch")
                ),
            ])
        #expect(store.state.positions[0].phase == .exiting && store.state.positions[0].quantity == 75)
        #expect(store.state.anomalies.last?.message.contains("position taken back") == true)
        store.skip(fill(id(9), "O2", .sell, 75, 9_900), at: t(10, 31, 3))
        #expect(store.state.positions[0].phase == .exited && store.state.positions[0].quantity == 0)
    }

    @Test(
        "a planned stop cancels an accepted entry and an unfilled remainder once each; a filled position stays open"
    )
    func stoppingCancelsWorkingEntries() throws {
        let store = try accepted(lots: 2)
        #expect(store.state.workingEntriesToCancel == 1)
        #expect(store.state.ordersInFlight == [id(5)])
        store.send(
            .operatorCommand(.stopping), at: t(10, 30, 3),
            commands: [
                .cancelOrder(
                    OrderCancellation(correlationID: id(5), orderID: "O1", leg: nil, reason: "cancel entry: stopping"))
            ]
        ) {
            $0.positions[0].entryCancelRequested = true
        }
        // Asked once: a second stop request sends nothing more.
        store.send(.operatorCommand(.stopping), at: t(10, 30, 4), commands: [])
        #expect(store.state.workingEntriesToCancel == 0)
        // Half traded before the cancel reached the broker: the position is what filled, and it stays open.
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 5))
        store.skip(
            .orderUpdate(
                OrderUpdate(
                    correlationID: id(5), orderID: "O1", instrument: option, side: .buy, status: .cancelled,
                    quantity: 150, tradedQuantity: 75, averagePrice: Paise(10_000))), at: t(10, 30, 6))
        #expect(store.state.positions[0].phase == .active && store.state.positions[0].quantity == 75)
        #expect(store.state.positions[0].orderedQuantity == 75)
        #expect(store.state.ordersInFlight.isEmpty)
        store.send(.operatorCommand(.stopping), at: t(10, 30, 7), commands: [])
    }

    @Test(
        "item 1 (0.4.3): a remainder that fills after the exit sold everything and its cancel was refused is sold at once"
    )
    func remainderAfterRefusedCancelIsSold() throws {
        let store = try accepted(lots: 2)
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(optionTick(6_900), at: t(10, 31))  // exit id(8) for 75; the remainder's cancel goes out
        #expect(store.skip(fill(id(8), "O2", .sell, 75, 6_900), at: t(10, 31, 1)) == [])
        store.skip(
            .cancelRejected(
                OrderOperationRefused(
                    correlationID: id(5), orderID: "O1", leg: nil, code: "DH-906", message: "order already traded")),
            at: t(10, 31, 2))
        #expect(store.state.positions[0].phase == .exiting && store.state.positions[0].quantity == 0)
        // The remainder's fill (here from the order book, its alert lost): a follow-up exit for all of it.
        store.send(
            fill(id(5), "O1", .buy, 75, 6_800), at: t(10, 31, 20),
            commands: [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(11), instrument: option, side: .sell, quantity: 75, tag: "stop_loss_30pct"))
            ]
        ) {
            $0.positions[0].entryFilled = 150
            $0.positions[0].boughtValue = Paise(75 * 10_000 + 75 * 6_800)
            $0.positions[0].quantity = 75
            $0.positions[0].entryAverage = Paise(6_800)
            $0.positions[0].stop = Paise(4_760)
            $0.positions[0].exit = ExitIntent(correlationID: id(11), reason: .stopLoss, quantity: 75)
            $0.positions[0].exitAttempts = 2
            $0.positions[0].orderActivityAt = t(10, 31, 20)
            $0.positions[0].chargeUnits += 2_297_213  // the buy's charges: 75 × ₹68, no second brokerage
        }
    }

    @Test(
        "item 5 (0.4.3): an active position whose entry remainder has gone quiet is looked up; so are legs whose cancel is unconfirmed"
    )
    func quietRemainderAndLegsAreLookedUp() throws {
        let store = try accepted(lots: 2)
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(optionTick(10_000), at: t(10, 30, 10))  // a fresh price: no quote fetch due
        let timer = Event.timer(TimerFired(kind: .second))
        #expect(store.skip(timer, at: t(10, 30, 12)) == [])
        store.send(timer, at: t(10, 30, 13), commands: [.fetchData(.orderByCorrelation(id(5)))]) {
            $0.positions[0].lookupAt = t(10, 30, 13)
        }
        // Under 0.4.2 an active position is never watched.
        #expect(OrderWatch.watched(store.state.positions[0], rules: .build042) == [])
        #expect(OrderWatch.watched(store.state.positions[0], rules: .current) == [id(5)])
        // A super order whose legs are being cancelled: the entry's rows carry the legs' confirmations.
        var legs = store.state.positions[0]
        legs.stage = .exiting(ExitIntent(correlationID: id(9), reason: .stopLoss, quantity: 75))
        legs.orderedQuantity = 75
        legs.protection = BrokerProtectionLegs(stopTrigger: Paise(7_000), target: Paise(15_000))
        legs.protection?.cancelRequested = true
        legs.protection?.stopCancelled = true
        #expect(OrderWatch.watched(legs, rules: .current) == [id(5)])
        // Both gone and the sell out: its own id.
        legs.protection?.targetCancelled = true
        #expect(OrderWatch.watched(legs, rules: .current) == [id(9)])
    }

    @Test(
        "item 5 (0.4.3): an exit with no fill for 20 s is cancelled and, once the cancel is confirmed, sent again for what is held; bounded"
    )
    func exitIsResent() throws {
        let store = try accepted(resendLimit: 1)
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(optionTick(6_900), at: t(10, 31))  // stop loss: exit id(8)
        store.skip(
            .orderAccepted(OrderAccepted(correlationID: id(8), orderID: "O2", status: .pending)), at: t(10, 31, 1))
        for second in [4, 8, 12, 16] { store.skip(optionTick(6_800), at: t(10, 31, second)) }
        let timer = Event.timer(TimerFired(kind: .second))
        #expect(store.skip(timer, at: t(10, 31, 19)) == [.fetchData(.orderByCorrelation(id(8)))])
        store.send(
            timer, at: t(10, 31, 20),
            commands: [
                .cancelOrder(
                    OrderCancellation(
                        correlationID: id(8), orderID: "O2", leg: nil,
                        reason: "exit unfilled for 20 s: cancel and send again"))
            ]
        ) {
            $0.positions[0].exit?.cancelRequestedAt = t(10, 31, 20)
        }
        // The broker confirms the cancel: the same exit, sent again under a new id.
        store.send(
            .orderUpdate(
                OrderUpdate(
                    correlationID: id(8), orderID: "O2", instrument: option, side: .sell, status: .cancelled,
                    quantity: 75, tradedQuantity: 0, averagePrice: .zero)), at: t(10, 31, 21),
            commands: [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(16), instrument: option, side: .sell, quantity: 75, tag: "stop_loss_30pct"))
            ]
        ) {
            $0.positions[0].exit = ExitIntent(correlationID: id(16), reason: .stopLoss, quantity: 75)
            $0.positions[0].exitAttempts = 2
            $0.positions[0].orderActivityAt = t(10, 31, 21)
        }
        // Past `exit_resend_limit` (1 here) re-sends the engine stops and says so once.
        store.skip(
            .orderAccepted(OrderAccepted(correlationID: id(16), orderID: "O3", status: .pending)), at: t(10, 31, 22))
        store.skip(optionTick(6_800), at: t(10, 31, 40))
        #expect(store.skip(timer, at: t(10, 31, 41)) == [.fetchData(.orderByCorrelation(id(16)))])
        #expect(store.skip(timer, at: t(10, 31, 42)) == [])
        #expect(store.state.positions[0].exitStuckReported && store.state.positions[0].exit?.cancelRequestedAt == nil)
        #expect(
            store.state.anomalies.last?.message
                == "\(id(5)) exit \(id(16)) unfilled after 2 attempts: not re-sent again; sell 75 by hand")
    }

    @Test("item 13 (0.4.3): a held option without a tick gets a quote fetch; a zero price is refused and counted")
    func stalePricesAndZeroPrices() throws {
        let store = try accepted()
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(optionTick(10_500), at: t(10, 30, 4))
        let timer = Event.timer(TimerFired(kind: .second))
        // The timer re-checks the rules on the last price but keeps its time.
        #expect(store.skip(timer, at: t(10, 30, 8)) == [])
        #expect(store.state.positions[0].lastPriceTime == t(10, 30, 4))
        store.send(timer, at: t(10, 30, 9), commands: [.fetchData(.quote([option]))]) {
            $0.positions[0].quoteAskedAt = t(10, 30, 9)
        }
        #expect(store.skip(timer, at: t(10, 30, 10)) == [])
        // A zero premium would fire the stop loss: refused, counted, nothing else changes.
        store.send(optionTick(0), at: t(10, 30, 11)) { $0.refusedOptionPrices = 1 }
    }

    @Test("item 14 (0.4.3): once the entry has filled, the super order's legs move from the quote to the fill")
    func legsFollowTheFill() throws {
        let store = try accepted(superOrders: true)
        #expect(
            store.state.positions[0].protection
                == BrokerProtectionLegs(stopTrigger: Paise(7_000), target: Paise(16_000)))
        let moved = store.skip(fill(id(5), "O1", .buy, 75, 10_200), at: t(10, 30, 3))
        #expect(
            moved == [
                .modifyOrder(
                    OrderModification(
                        correlationID: id(5), orderID: "O1", leg: .target, price: Paise(16_320), triggerPrice: .zero,
                        quantity: 75, reason: "entry_fill")),
                .modifyOrder(
                    OrderModification(
                        correlationID: id(5), orderID: "O1", leg: .stopLoss, price: .zero, triggerPrice: Paise(7_140),
                        quantity: 75, reason: "entry_fill")),
            ])
        var legs = BrokerProtectionLegs(stopTrigger: Paise(7_140), target: Paise(16_320))
        legs.modifications = 2
        #expect(store.state.positions[0].protection == legs)
        // Filled at the quote: nothing to move.
        let same = try accepted(superOrders: true)
        #expect(same.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3)) == [])
    }

    @Test(
        "item 14 (0.4.3): the cooldown holds for the index and side, and a put blocks a call on the same index unless allowed"
    )
    func cooldownAndBothSides() throws {
        func guardResult(_ prepare: (inout EngineState) -> Void) throws -> String? {
            var ready = try RiskFixtures.readyState()
            ready.rules = Self.lifecycleRules
            prepare(&ready)
            let store = EngineTestStore(state: ready, seq: 4)
            store.skip(niftyTick(t(10, 30, 1)), at: t(10, 30, 1))
            guard case .decided(let proposal) = store.state.indices[0].selection else { return nil }
            return proposal.guardResult?.description
        }
        let otherStrike = InstrumentKey(.nseFNO, SecurityID(49_999))
        #expect(
            try guardResult {
                $0.cooldowns = [
                    Cooldown(instrument: otherStrike, until: t(10, 32), index: "NIFTY", direction: .bullish)
                ]
            } == "blocked: re-entry cooldown on NIFTY bullish until \(t(10, 32)) (after \(otherStrike))")
        // The other side, or a cooldown that has run out, does not block.
        #expect(
            try guardResult {
                $0.cooldowns = [
                    Cooldown(instrument: otherStrike, until: t(10, 32), index: "NIFTY", direction: .bearish)
                ]
            }?.hasPrefix("entered") == true)
        var put = RiskFixtures.activePosition()
        put.direction = .bearish
        put.optionType = .put
        #expect(
            try guardResult { $0.appendPosition(put) }
                == "blocked: a bearish position is open on NIFTY (allow_call_and_put: false)")
        #expect(
            try guardResult {
                $0.appendPosition(put)
                $0.config?.risk.allowCallAndPut = true
            }?.hasPrefix("entered") == true)
    }

    @Test("item 8 (0.4.3): a partly filled entry resting 30 s without a fill has its remainder cancelled")
    func restingEntryRemainderIsCancelled() throws {
        let store = try accepted(lots: 2)
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        let timer = Event.timer(TimerFired(kind: .second))
        for second in stride(from: 4, through: 32, by: 1) {
            if second % 4 == 0 { store.skip(optionTick(10_000), at: t(10, 30, second)) }
            store.skip(timer, at: t(10, 30, second))
        }
        #expect(store.state.positions[0].entryCancelRequested == false)
        store.send(
            timer, at: t(10, 30, 33),
            commands: [
                .fetchData(.orderByCorrelation(id(5))),
                .cancelOrder(
                    OrderCancellation(
                        correlationID: id(5), orderID: "O1", leg: nil,
                        reason: "entry rested 30 s with 75 unfilled: keep the 75 filled")),
            ]
        ) {
            $0.positions[0].lookupAt = t(10, 30, 33)
            $0.positions[0].entryCancelRequested = true
        }
    }

    @Test("item 11 (0.4.3): funds are asked for every 30 s and on the timer after a fill, at most every 5 s")
    func fundsRefresh() throws {
        let store = try accepted(rules: .current)  // funds arrived at 10:30:00 (seq 2)
        let timer = Event.timer(TimerFired(kind: .second))
        #expect(store.skip(timer, at: t(10, 30, 2)) == [])
        // A fill moves the balance: the next timer asks.
        store.skip(fill(id(5), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        #expect(store.state.lastFillAt == t(10, 30, 3))
        store.skip(optionTick(10_000), at: t(10, 30, 3))
        store.send(timer, at: t(10, 30, 4), commands: [.fetchData(.funds)]) {
            $0.fundsRequestedAt = t(10, 30, 4)
        }
        // Not again before the answer, for 5 s.
        #expect(store.skip(timer, at: t(10, 30, 5)) == [])
        store.skip(
            .funds(FundsSnapshot(available: .rupees(192_000), startOfDayLimit: .rupees(200_000))), at: t(10, 30, 6))
        for second in 7...29 {
            if second % 4 == 0 { store.skip(optionTick(10_000), at: t(10, 30, second)) }
            #expect(store.skip(timer, at: t(10, 30, second)).allSatisfy { $0 != .fetchData(.funds) })
        }
        // 30 s after the last snapshot: asked again.
        store.skip(optionTick(10_000), at: t(10, 30, 35))
        #expect(store.skip(timer, at: t(10, 30, 36)).contains(.fetchData(.funds)))
    }
}
