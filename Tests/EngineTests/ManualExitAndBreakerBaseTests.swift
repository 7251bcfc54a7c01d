import Domain
import Engine
import EngineTestSupport
import TestSupport
import Testing

/// The operator's manual exit, and the day's loss limit before and after its base (the day's first funds
/// snapshot) is known.
@Suite("Manual exit and the breaker's base")
struct ManualExitAndBreakerBaseTests {
    let option = RiskFixtures.option
    func t(_ h: Int, _ m: Int, _ s: Int = 0) -> Timestamp { RiskFixtures.time(h, m, s) }
    func id(_ seq: UInt64) -> CorrelationID { CorrelationID(session: RiskFixtures.day, causeSeq: seq, slot: 1) }

    /// A NIFTY call of `lots` lots bought at ₹100 (entry seq 5, accepted 6, filled 7), this build's rules.
    func holding(lots: Int64 = 1, base: Bool = true) throws -> EngineTestStore {
        var ready = try RiskFixtures.readyState(lots: lots)
        ready.rules = BrokerLifecycleTests.lifecycleRules
        // As before the day's first funds snapshot: the entry guard had one, the day's loss limit none yet.
        if !base { ready.dayRisk?.startingBalance = nil }
        let store = EngineTestStore(state: ready, seq: 4)
        store.skip(
            .tick(Tick(instrument: EngineScenario.nifty, lastPrice: .rupees(25_700), lastTradeTime: 0)),
            at: t(10, 30, 1))
        store.skip(
            .orderAccepted(OrderAccepted(correlationID: id(5), orderID: "O1", status: .transit)), at: t(10, 30, 2))
        store.skip(
            .fill(
                Fill(
                    correlationID: id(5), orderID: "O1", tradeID: "T1", instrument: option, side: .buy,
                    quantity: lots * 75, price: .rupees(100), tradeTime: 0)), at: t(10, 30, 3))
        #expect(store.state.positions.map(\.phase) == [.active])
        return store
    }

    @Test("a manual exit for another contract changes nothing; for the held one it sells it, tagged manual")
    func manualExit() throws {
        let store = try holding()
        store.send(.operatorCommand(.manualExit(instrument: InstrumentKey(.nseFNO, 1))), at: t(10, 31))
        store.send(
            .operatorCommand(.manualExit(instrument: option)), at: t(10, 31, 1),
            commands: [
                .placeOrder(
                    OrderIntent(correlationID: id(9), instrument: option, side: .sell, quantity: 75, tag: "manual"))
            ]
        ) {
            $0.positions[0].stage = .exiting(ExitIntent(correlationID: id(9), reason: .manual, quantity: 75))
            $0.positions[0].exitAttempts = 1
            $0.positions[0].orderActivityAt = t(10, 31, 1)
        }
        // A second manual exit while the first is working sends nothing (one exit intent at a time).
        store.send(.operatorCommand(.manualExit(instrument: nil)), at: t(10, 31, 2))
    }

    @Test("without its base the breaker waits; the first snapshot sets it, later ones never move it, then it trips")
    func breakerBase() throws {
        let store = try holding(lots: 2, base: false)
        // ₹60: 150 units ₹6,000 down. The stop sells; with no base the 6 % limit cannot be measured yet.
        let exits = store.skip(
            .tick(Tick(instrument: option, lastPrice: .rupees(60), lastTradeTime: 0)), at: t(10, 31))
        #expect(exits.count == 1 && store.state.dayRisk?.circuitTripped == false)
        #expect(store.state.dayRisk?.minMTM ?? .zero < Paise.rupees(-6_000))
        // The day's first funds snapshot: its start-of-day limit is the base.
        let first = FundsSnapshot(available: .rupees(95_000), startOfDayLimit: .rupees(100_000))
        store.send(.funds(first), at: t(10, 31, 1)) {
            $0.funds = FundsRecord(snapshot: first, time: t(10, 31, 1))
            $0.dayRisk?.startingBalance = .rupees(100_000)
        }
        // A later snapshot never moves it.
        let later = FundsSnapshot(available: .rupees(50_000), startOfDayLimit: .rupees(50_000))
        store.send(.funds(later), at: t(10, 31, 2)) {
            $0.funds = FundsRecord(snapshot: later, time: t(10, 31, 2))
        }
        // The next check measures ₹6,000 and charges against 6 % of ₹1,00,000: tripped, entries blocked.
        store.skip(.timer(TimerFired(kind: .second)), at: t(10, 31, 3))
        #expect(store.state.dayRisk?.circuitTripped == true && store.state.dayRisk?.circuitTrippedAt == t(10, 31, 3))
        #expect(store.state.dayRisk?.entryBlock == .circuitBreaker)
    }

    @Test("a snapshot without a start-of-day limit makes the available balance the base")
    func baseFromAvailable() throws {
        var state = try RiskFixtures.readyState()
        state.dayRisk?.startingBalance = nil
        _ = Engine.reduce(
            &state, .funds(FundsSnapshot(available: .rupees(80_000), startOfDayLimit: .zero)), seq: 5, at: t(10, 31))
        #expect(state.dayRisk?.startingBalance == .rupees(80_000))
    }
}
