import Domain
import Engine
import EngineTestSupport
import TestSupport
import Testing

/// An entry split at the freeze quantity is one position (the lifecycle issue's item 2; engine 0.4.4).
@Suite("Freeze slices are one position")
struct SlicedPositionTests {
    let option = RiskFixtures.option
    func t(_ h: Int, _ m: Int, _ s: Int = 0) -> Timestamp { RiskFixtures.time(h, m, s) }
    func id(_ seq: UInt64, _ slot: Int = 1) -> CorrelationID {
        CorrelationID(session: RiskFixtures.day, causeSeq: seq, slot: slot)
    }

    func niftyTick(_ at: Timestamp) -> Event {
        .tick(Tick(instrument: EngineScenario.nifty, lastPrice: .rupees(25_700), lastTradeTime: at.epochSeconds))
    }

    func optionTick(_ paise: Int64) -> Event {
        .tick(Tick(instrument: option, lastPrice: Paise(paise), lastTradeTime: 0))
    }

    func fill(_ id: CorrelationID, _ order: String, _ side: TransactionSide, _ quantity: Int64, _ paise: Int64)
        -> Event
    {
        .fill(
            Fill(
                correlationID: id, orderID: order, tradeID: "\(order)-\(quantity)", instrument: option, side: side,
                quantity: quantity, price: Paise(paise), tradeTime: 0))
    }

    /// An entry sent at seq 5 as `slices` (slot n is order On), every slice accepted (seqs 6…).
    func sliced(_ slices: [Int64], rules: EngineRules = BrokerLifecycleTests.lifecycleRules) throws
        -> EngineTestStore
    {
        var ready = try RiskFixtures.readyState(lots: slices.reduce(0, +) / 75, slices: slices)
        ready.rules = rules
        let store = EngineTestStore(state: ready, seq: 4)
        let placed = store.skip(niftyTick(t(10, 30, 1)), at: t(10, 30, 1))
        var expected: [Command] = []
        for (slot, quantity) in slices.enumerated() {
            expected.append(
                .placeOrder(
                    OrderIntent(
                        correlationID: id(5, slot + 1), instrument: option, side: .buy, quantity: quantity,
                        tag: "entry_NIFTY_CE_25700")))
        }
        #expect(placed == expected)
        for slot in slices.indices {
            store.skip(
                .orderAccepted(
                    OrderAccepted(correlationID: id(5, slot + 1), orderID: "O\(slot + 1)", status: .transit)),
                at: t(10, 30, 2))
        }
        return store
    }

    @Test("every slice names the first: one position of two records, unsliced entries name none")
    func slicesNameTheFirst() throws {
        let store = try sliced([75, 75])
        #expect(store.state.positions.map(\.slicesOf) == [id(5), id(5)])
        #expect(store.state.positions.map(\.positionID) == [id(5), id(5)])
        let single = try sliced([150])
        #expect(single.state.positions.map(\.slicesOf) == [nil])
        let before = try sliced([75, 75], rules: .build043)
        #expect(before.state.positions.map(\.slicesOf) == [nil, nil])
    }

    @Test("the profit lock judges the whole: armed on the position's ₹1,500, and the exit sells every slice")
    func profitLockOnTheWhole() throws {
        let store = try sliced([75, 75])
        store.skip(fill(id(5, 1), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(fill(id(5, 2), "O2", .buy, 75, 10_200), at: t(10, 30, 3))
        // ₹111: the whole (150 at ₹101) is ₹1,500 up and arms the lock; neither slice alone is (₹825, ₹675).
        #expect(store.skip(optionTick(11_100), at: t(10, 31)) == [])
        #expect(store.state.positions.map(\.profitLockArmed) == [true, true])
        #expect(store.state.positions.map(\.highWaterMark) == [Paise(11_100), Paise(11_100)])
        #expect(store.state.positions.map(\.breakevenArmed) == [false, false])
        // ₹107.60: ₹990 on the whole is at the lock's ₹1,000: both slices are sold, each its own order.
        store.send(
            optionTick(10_760), at: t(10, 32),
            commands: [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(11, 1), instrument: option, side: .sell, quantity: 75, tag: "profit_lock")),
                .placeOrder(
                    OrderIntent(
                        correlationID: id(11, 2), instrument: option, side: .sell, quantity: 75, tag: "profit_lock")),
            ]
        ) {
            for (slot, slice) in [0, 1].enumerated() {
                $0.positions[slice].lastPrice = Paise(10_760)
                $0.positions[slice].lastPriceTime = t(10, 32)
                $0.positions[slice].stage = .exiting(
                    ExitIntent(correlationID: id(11, slot + 1), reason: .profitLock, quantity: 75))
                $0.positions[slice].exitAttempts = 1
                $0.positions[slice].orderActivityAt = t(10, 32)
            }
        }
        // Under 0.4.3 each slice was a position of its own: neither armed the lock, and the ₹100 slice, 11 %
        // up on its own, armed breakeven and was sold by its trail while the ₹102 one was kept.
        let before = try sliced([75, 75], rules: .build043)
        before.skip(fill(id(5, 1), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        before.skip(fill(id(5, 2), "O2", .buy, 75, 10_200), at: t(10, 30, 3))
        before.skip(optionTick(11_100), at: t(10, 31))
        #expect(before.state.positions.map(\.profitLockArmed) == [false, false])
        #expect(before.state.positions.map(\.breakevenArmed) == [true, false])
        #expect(
            before.skip(optionTick(10_760), at: t(10, 32)) == [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(11, 1), instrument: option, side: .sell, quantity: 75,
                        tag: "trailing_stop_3pct"))
            ])
    }

    @Test("the stop is the whole's: 30 % under the combined average, and a slice still unfilled is cancelled")
    func stopOnTheWholeCancelsUnfilledSlice() throws {
        let store = try sliced([75, 75, 75])
        store.skip(fill(id(5, 1), "O1", .buy, 75, 10_000), at: t(10, 30, 3))
        store.skip(fill(id(5, 2), "O2", .buy, 75, 10_400), at: t(10, 30, 3))
        // The whole is 150 at ₹102: its stop is ₹71.40. ₹71.00 is above the first slice's own ₹70.00 stop.
        let exits = store.skip(optionTick(7_100), at: t(10, 31))
        #expect(
            exits == [
                .placeOrder(
                    OrderIntent(
                        correlationID: id(11, 1), instrument: option, side: .sell, quantity: 75,
                        tag: "stop_loss_30pct")),
                .placeOrder(
                    OrderIntent(
                        correlationID: id(11, 2), instrument: option, side: .sell, quantity: 75,
                        tag: "stop_loss_30pct")),
                .cancelOrder(
                    OrderCancellation(
                        correlationID: id(5, 3), orderID: "O3", leg: nil,
                        reason: "exit stop_loss_30pct: cancel the entry of slice \(id(5, 3))")),
            ])
        #expect(store.state.positions.map(\.phase) == [.exiting, .exiting, .accepted])
        // Both sells fill and the third slice's cancel is confirmed: the position is flat, one trade.
        store.skip(fill(id(11, 1), "X1", .sell, 75, 7_100), at: t(10, 31, 1))
        store.skip(fill(id(11, 2), "X2", .sell, 75, 7_100), at: t(10, 31, 1))
        store.skip(
            .orderUpdate(
                OrderUpdate(
                    correlationID: id(5, 3), orderID: "O3", instrument: option, side: .buy, status: .cancelled,
                    quantity: 75, tradedQuantity: 0, averagePrice: .zero)), at: t(10, 31, 2))
        #expect(store.state.positions.map(\.phase) == [.exited, .exited, .cancelled])
        #expect(store.state.openPositions.isEmpty)
    }

    @Test("the open-position limit counts a three-slice entry once: a second position may follow (max_same_side 2)")
    func limitsCountPositions() throws {
        func secondSignal(_ rules: EngineRules) throws -> String? {
            let store = try sliced([75, 75, 75], rules: rules)
            for slot in 1...3 {
                store.skip(fill(id(5, slot), "O\(slot)", .buy, 75, 10_000), at: t(10, 30, 3))
            }
            store.skip(optionTick(10_500), at: t(10, 36))
            var state = store.state
            state.indices[0].selection = try RiskFixtures.readyState(at: t(10, 36)).indices[0].selection
            state.funds?.time = t(10, 36)
            _ = Engine.reduce(&state, niftyTick(t(10, 36)), seq: store.seq + 1, at: t(10, 36))
            guard case .decided(let proposal) = state.indices[0].selection else { return nil }
            return proposal.guardResult?.description
        }
        #expect(try secondSignal(BrokerLifecycleTests.lifecycleRules) == "entered: AS20251103-13-1")
        #expect(try secondSignal(.build043) == "blocked: 3 bullish positions already open on NIFTY (max_same_side 2)")
    }
}
