import Domain
import Engine
import EngineTestSupport
import TestSupport
import Testing

@Suite("Position lifecycle through the reducer")
struct LifecycleTests {
    let nifty = EngineScenario.nifty
    let option = RiskFixtures.option
    func t(_ h: Int, _ m: Int, _ s: Int = 0) -> Timestamp { RiskFixtures.time(h, m, s) }

    func niftyTick(_ at: Timestamp) -> Event {
        .tick(Tick(instrument: nifty, lastPrice: .rupees(25_700), lastTradeTime: at.epochSeconds))
    }

    func optionTick(_ paise: Int64) -> Event {
        .tick(Tick(instrument: option, lastPrice: Paise(paise), lastTradeTime: 0))
    }

    @Test("entry → accepted (option subscribed) → filled → take profit → exit filled (flat, cooldown, unsubscribed)")
    func fullLife() throws {
        let ready = try RiskFixtures.readyState()
        let store = EngineTestStore(state: ready, seq: 4)
        let entryID = CorrelationID(session: RiskFixtures.day, causeSeq: 5, slot: 1)
        let entry = OrderIntent(
            correlationID: entryID, instrument: option, side: .buy, quantity: 75, tag: "entry_NIFTY_CE_25700")
        var position = Position(
            id: entryID, index: "NIFTY", instrument: option, exchange: .nse, optionType: .call, strike: .rupees(25_700),
            expiry: CivilDate(2025, 11, 4), direction: .bullish, entryTag: "entry_NIFTY_CE_25700", orderedQuantity: 75,
            tradingDate: RiskFixtures.day)
        store.send(niftyTick(t(10, 30, 1)), at: t(10, 30, 1), commands: [.placeOrder(entry)]) {
            $0.indices[0].lastPriceTime = t(10, 30, 1)
            $0.indices[0].minuteBars.add(price: .rupees(25_700), at: t(10, 30, 1)) { _ in }
            guard case .decided(var proposal) = $0.indices[0].selection else { return }
            proposal.guardResult = .entered([CorrelationID("AS20251103-5-1")!])
            $0.indices[0].selection = .decided(proposal)
            $0.positions = [position]
        }
        store.send(
            .orderAccepted(OrderAccepted(correlationID: entryID, orderID: "O1", status: .transit)), at: t(10, 30, 2),
            commands: [.subscribe(FeedSubscription(mode: .full, instruments: [option]))]
        ) {
            $0.positions[0].entryOrderID = "O1"
            $0.positions[0].stage = .accepted
            $0.subscriptions.append(Subscription(instrument: option, mode: .full))
            $0.subscriptions.sort { $0.instrument < $1.instrument }
        }
        let config = try RiskFixtures.config()
        let buyCharges = config.charges.charges(
            side: .buy, price: .rupees(100), quantity: 75, exchange: .nse, date: RiskFixtures.day)
        store.send(
            .fill(
                Fill(
                    correlationID: entryID, orderID: "O1", tradeID: "T1", instrument: option, side: .buy, quantity: 75,
                    price: .rupees(100), tradeTime: 0)), at: t(10, 30, 3)
        ) {
            position = $0.positions[0]
            position.stage = .active
            position.entryFilled = 75
            position.boughtValue = .rupees(7_500)
            position.entryAverage = .rupees(100)
            position.quantity = 75
            position.entryTime = t(10, 30, 3)
            position.stop = .rupees(70)
            position.highWaterMark = .rupees(100)
            position.lastPrice = .rupees(100)
            position.chargeUnits = buyCharges.totalUnits
            $0.positions[0] = position
            $0.dayRisk?.minMTM = .zero - buyCharges.total
            $0.dayRisk?.minMTMTime = t(10, 30, 3)
        }
        let exitID = CorrelationID(session: RiskFixtures.day, causeSeq: 8, slot: 1)
        store.send(
            optionTick(16_000), at: t(10, 31),
            commands: [
                .placeOrder(
                    OrderIntent(
                        correlationID: exitID, instrument: option, side: .sell, quantity: 75, tag: "take_profit_60pct"))
            ]
        ) {
            $0.positions[0].lastPrice = .rupees(160)
            $0.positions[0].lastPriceTime = t(10, 31)
            $0.positions[0].highWaterMark = .rupees(160)
            $0.positions[0].maxMTM = Paise(450_000) - buyCharges.total
            $0.positions[0].maxMTMTime = t(10, 31)
            // The exit intent comes with the phase that holds it.
            $0.positions[0].stage = .exiting(ExitIntent(correlationID: exitID, reason: .takeProfit, quantity: 75))
            $0.positions[0].exitAttempts = 1
            $0.dayRisk?.maxMTM = Paise(450_000) - buyCharges.total
            $0.dayRisk?.maxMTMTime = t(10, 31)
        }
        // A second tick while exiting sends nothing more: one exit intent at a time.
        store.send(optionTick(16_100), at: t(10, 31, 1)) {
            $0.positions[0].lastPrice = Paise(16_100)
            $0.positions[0].lastPriceTime = t(10, 31, 1)
            $0.dayRisk?.maxMTM = Paise(457_500) - buyCharges.total
            $0.dayRisk?.maxMTMTime = t(10, 31, 1)
        }
        let sellCharges = config.charges.charges(
            side: .sell, price: .rupees(160), quantity: 75, exchange: .nse, date: RiskFixtures.day)
        store.send(
            .fill(
                Fill(
                    correlationID: exitID, orderID: "O2", tradeID: "T2", instrument: option, side: .sell, quantity: 75,
                    price: .rupees(160), tradeTime: 0)),
            at: t(10, 31, 2), commands: [.unsubscribe(FeedSubscription(mode: .full, instruments: [option]))]
        ) {
            $0.positions[0].exit?.filled = 75
            $0.positions[0].quantity = 0
            // Flat: what the sell brought in minus what the buy cost.
            $0.positions[0].soldValue = .rupees(12_000)
            $0.positions[0].realized = Paise(450_000)
            $0.positions[0].chargeUnits += sellCharges.totalUnits
            $0.positions[0].exitReason = .takeProfit
            $0.positions[0].closedAt = t(10, 31, 2)
            $0.positions[0].stage = .exited($0.positions[0].exit)
            // Settled: the per-tick and per-timer loops start after it from now on.
            $0.settledPositions = 1
            $0.cooldowns = [Cooldown(instrument: option, until: t(10, 34, 2))]
            $0.subscriptions.removeAll { $0.instrument == option }
        }
        #expect(store.state.positions[0].netPnL == Paise(450_000) - (buyCharges + sellCharges).total)
        #expect(store.state.anomalies.isEmpty)
    }

    @Test("a rejected exit returns the position to active and the next tick sends a new exit intent")
    func exitRetry() throws {
        var state = try RiskFixtures.readyState()
        var seq: UInt64 = 5
        _ = Engine.reduce(&state, niftyTick(t(10, 30, 1)), seq: seq, at: t(10, 30, 1))
        let entryID = state.positions[0].id
        seq += 1
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: entryID, orderID: "O1", tradeID: "T1", instrument: option, side: .buy, quantity: 75,
                    price: .rupees(100), tradeTime: 0)), seq: seq, at: t(10, 30, 2))
        seq += 1
        let first = Engine.reduce(&state, optionTick(7_000), seq: seq, at: t(10, 31))
        guard case .placeOrder(let firstExit) = first.first else {
            Issue.record("no exit")
            return
        }
        #expect(firstExit.tag == "stop_loss_30pct" && firstExit.side == .sell)
        // The exit intent lives in the phase that holds it (#17 item 3).
        #expect(
            state.positions[0].stage
                == .exiting(ExitIntent(correlationID: firstExit.correlationID, reason: .stopLoss, quantity: 75)))
        seq += 1
        _ = Engine.reduce(
            &state,
            .orderRejected(
                OrderRejected(correlationID: firstExit.correlationID, code: "DH-906", message: "Order Error")),
            seq: seq, at: t(10, 31, 1))
        #expect(state.positions[0].stage == .active && state.positions[0].exit == nil)
        seq += 1
        let second = Engine.reduce(&state, optionTick(6_900), seq: seq, at: t(10, 31, 2))
        guard case .placeOrder(let retry) = second.first else {
            Issue.record("no retry")
            return
        }
        #expect(retry.correlationID != firstExit.correlationID && retry.quantity == 75)
        #expect(state.positions[0].exitAttempts == 2)
    }

    @Test("partial entry fills accumulate quantity and the average price")
    func partialFills() throws {
        var state = try RiskFixtures.readyState(lots: 2)
        _ = Engine.reduce(&state, niftyTick(t(10, 30, 1)), seq: 5, at: t(10, 30, 1))
        let id = state.positions[0].id
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O1", tradeID: "T1", instrument: option, side: .buy, quantity: 75,
                    price: .rupees(100), tradeTime: 0)), seq: 6, at: t(10, 30, 2))
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O1", tradeID: "T2", instrument: option, side: .buy, quantity: 75,
                    price: Paise(10_101), tradeTime: 0)), seq: 7, at: t(10, 30, 3))
        // ₹100.505 rounds half up to ₹100.51.
        #expect(state.positions[0].quantity == 150 && state.positions[0].entryAverage == Paise(10_051))
        #expect(state.positions[0].phase == .active)
    }

    @Test("every illegal transition is refused and recorded; legal ones are exactly the lifecycle's")
    func illegalTransitions() throws {
        let legal: Set<String> = [
            "pending>accepted", "pending>active", "pending>rejected", "pending>cancelled", "accepted>active",
            "accepted>cancelled",
            "accepted>rejected", "active>active", "active>exiting", "exiting>exiting", "exiting>active",
            "exiting>exited",
        ]
        for from in PositionPhase.allCases {
            for to in PositionPhase.allCases {
                #expect(from.allows(to) == legal.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
        // Through the reducer: a fill after the position is rejected changes nothing and is recorded.
        var state = try RiskFixtures.readyState()
        _ = Engine.reduce(&state, niftyTick(t(10, 30, 1)), seq: 5, at: t(10, 30, 1))
        let id = state.positions[0].id
        _ = Engine.reduce(
            &state, .orderRejected(OrderRejected(correlationID: id, code: "DH-905", message: "Input_Exception")),
            seq: 6, at: t(10, 30, 2))
        let rejected = state.positions[0]
        #expect(rejected.phase == .rejected)
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O1", tradeID: "T1", instrument: option, side: .buy, quantity: 75,
                    price: .rupees(100), tradeTime: 0)), seq: 7, at: t(10, 30, 3))
        #expect(state.positions[0] == rejected)
        #expect(
            state.anomalies == [Anomaly(seq: 7, message: "entry fill refused in phase rejected for AS20251103-5-1")])
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: CorrelationID("NOPE")!, orderID: "X", tradeID: "T", instrument: option, side: .buy,
                    quantity: 1, price: .rupees(1), tradeTime: 0)), seq: 8, at: t(10, 30, 4))
        #expect(state.anomalies.last == Anomaly(seq: 8, message: "fill for unknown order X (1 × 1.00)"))
    }
}
