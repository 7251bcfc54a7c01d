import Domain
import Engine
import EngineTestSupport
import TestSupport
import Testing

/// Journaled runtime inputs that gate entries: a stale feed, an expired broker session, a reconciliation mismatch.
@Suite("Feed health and reconciliation gate entries")
struct RuntimeInputTests {
    func t(_ h: Int, _ m: Int, _ s: Int = 0) -> Timestamp { RiskFixtures.time(h, m, s) }

    func niftyTick(_ at: Timestamp) -> Event {
        .tick(Tick(instrument: EngineScenario.nifty, lastPrice: .rupees(25_700), lastTradeTime: at.epochSeconds))
    }

    func guardResult(_ state: EngineState) -> String? {
        guard case .decided(let proposal) = state.indices[0].selection else { return nil }
        return proposal.guardResult?.description
    }

    @Test("a stale feed blocks the entry with its reason; ticks resuming lifts the block")
    func staleFeed() throws {
        var state = try RiskFixtures.readyState()
        let stale = FeedStatus(channel: .marketFeed, state: .stale, detail: "no index tick since 10:29:40")
        #expect(Engine.reduce(&state, .feedStatus(stale), seq: 5, at: t(10, 30)).isEmpty)
        #expect(state.feedBlock == .marketFeedStale(detail: "no index tick since 10:29:40"))
        #expect(Engine.reduce(&state, niftyTick(t(10, 30, 1)), seq: 6, at: t(10, 30, 1)).isEmpty)
        #expect(guardResult(state) == "blocked: market feed stale: no index tick since 10:29:40")
        _ = Engine.reduce(
            &state, .feedStatus(FeedStatus(channel: .marketFeed, state: .connected, detail: "ticks resumed")), seq: 7,
            at: t(10, 30, 2))
        #expect(state.feedBlock == nil)
    }

    @Test("an expired token pauses entries for good; a reconnect does not lift it")
    func authExpired() throws {
        var state = try RiskFixtures.readyState()
        _ = Engine.reduce(
            &state, .feedStatus(FeedStatus(channel: .marketFeed, state: .authExpired, reasonCode: 807)), seq: 5,
            at: t(10, 30))
        _ = Engine.reduce(
            &state, .feedStatus(FeedStatus(channel: .marketFeed, state: .connected)), seq: 6, at: t(10, 30))
        #expect(Engine.reduce(&state, niftyTick(t(10, 30, 1)), seq: 7, at: t(10, 30, 1)).isEmpty)
        #expect(guardResult(state) == "blocked: broker session expired (DH-901): trading paused")
    }

    @Test("trading starts only when reconciliation is clean")
    func reconciliation() throws {
        var state = try RiskFixtures.readyState()
        _ = Engine.reduce(
            &state,
            .reconciliation(ReconciliationResult(clean: false, notes: ["MISMATCH NSE_FNO:49081: broker 75, engine 0"])),
            seq: 5, at: t(10, 30))
        #expect(Engine.reduce(&state, niftyTick(t(10, 30, 1)), seq: 6, at: t(10, 30, 1)).isEmpty)
        #expect(
            guardResult(state)
                == "blocked: reconciliation with the broker not clean: MISMATCH NSE_FNO:49081: broker 75, engine 0")
        _ = Engine.reduce(&state, .reconciliation(ReconciliationResult(clean: true, notes: [])), seq: 7, at: t(10, 31))
        #expect(state.reconciliationBlock == nil)
    }
}
