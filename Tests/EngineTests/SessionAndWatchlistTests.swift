import Domain
import Engine
import EngineTestSupport
import TestSupport
import Testing

@Suite("Engine: session start and watchlist")
struct SessionAndWatchlistTests {
    let nine = Timestamp.ist(EngineScenario.day, 9, 0)

    @Test(
        "session_started: config from the journal, indices, watchlist, quote subscriptions, warm-up history and funds")
    func sessionStart() throws {
        let store = EngineTestStore()
        let started = try EngineScenario.sessionStarted()
        var config = try AlgoConfig.parse(
            yaml: try ConfigFixtures.algoText(), file: "algo.yml", calendar: try ConfigFixtures.calendar())
        // The parse remembers its files, so a later session with the same files reuses it.
        config.sourceFiles = started.configFiles
        let indices = [InstrumentKey(.indexValue, 13), InstrumentKey(.indexValue, 25), InstrumentKey(.indexValue, 51)]
        let previous = CivilDate(2025, 10, 30)
        store.send(
            .sessionStarted(started), at: nine,
            commands: [
                .subscribe(FeedSubscription(mode: .quote, instruments: indices)),
                .fetchData(
                    .history(instrument: indices[0], intervalMinutes: 5, from: previous, to: EngineScenario.day)),
                .fetchData(
                    .history(instrument: indices[0], intervalMinutes: 1, from: previous, to: EngineScenario.day)),
                .fetchData(
                    .history(instrument: indices[1], intervalMinutes: 5, from: previous, to: EngineScenario.day)),
                .fetchData(
                    .history(instrument: indices[1], intervalMinutes: 1, from: previous, to: EngineScenario.day)),
                .fetchData(
                    .history(instrument: indices[2], intervalMinutes: 5, from: previous, to: EngineScenario.day)),
                .fetchData(
                    .history(instrument: indices[2], intervalMinutes: 1, from: previous, to: EngineScenario.day)),
                .fetchData(.funds),
            ]
        ) {
            $0.session = SessionInfo(
                tradingDate: EngineScenario.day, mode: .paper, configHash: started.configHash, startedSeq: 1)
            $0.config = config
            $0.indices = config.indices.map { IndexState(config: $0, signals: config.signals) }
            $0.watchlist = [
                WatchItem(instrument: indices[0], kind: .index, label: "NIFTY", active: true),
                WatchItem(instrument: indices[1], kind: .index, label: "BANKNIFTY", active: true),
                WatchItem(instrument: indices[2], kind: .index, label: "SENSEX", active: true),
            ]
            $0.subscriptions = indices.map { Subscription(instrument: $0, mode: .quote) }
            $0.dayRisk = DayRisk(date: EngineScenario.day)
            // Recorded by the build "test", not 0.4.0 or later: the rules of earlier builds.
            $0.rules = .legacy
        }
    }

    @Test("a session whose configuration is invalid records why and trades nothing")
    func badConfig() throws {
        let store = EngineTestStore()
        var started = try EngineScenario.sessionStarted()
        started.configFiles[0].text = started.configFiles[0].text.replacingOccurrences(
            of: "  sl_pct: 0.30", with: "  sl_pct: 3")
        store.send(.sessionStarted(started), at: nine) {
            $0.session = SessionInfo(
                tradingDate: EngineScenario.day, mode: .paper, configHash: started.configHash, startedSeq: 1)
            $0.configError = "algo.yml: risk.sl_pct: 3.0 is outside 0.01…0.99"
        }
        store.send(
            .tick(Tick(instrument: EngineScenario.nifty, lastPrice: .rupees(25_900), lastTradeTime: 0)),
            at: Timestamp.ist(EngineScenario.day, 9, 15))  // ignored: no indices
    }

    @Test(
        "operator watchlist changes subscribe options in full mode, at most 100 per message, and unsubscribe on removal"
    )
    func watchlistBatches() throws {
        let store = EngineTestStore()
        store.skip(.sessionStarted(try EngineScenario.sessionStarted()), at: nine)
        let options = (0..<150).map { InstrumentKey(.nseFNO, SecurityID(40_000 + UInt32($0))) }
        for (offset, option) in options.enumerated() where offset < 149 {
            store.skip(
                .operatorCommand(.watchlistSet(instrument: option, label: "opt\(offset)", active: false)), at: nine)
        }
        // Activating them one by one would subscribe one by one; a bulk change shows the batching:
        var state = store.state
        state.watchlist = state.watchlist.map { item in
            var item = item
            item.active = true
            return item
        }
        let bulk = EngineTestStore(state: state, seq: store.seq)
        let last = options[149]
        bulk.send(
            .operatorCommand(.watchlistSet(instrument: last, label: "opt149", active: true)), at: nine,
            commands: [
                .subscribe(FeedSubscription(mode: .full, instruments: Array(options[0..<100]))),
                .subscribe(FeedSubscription(mode: .full, instruments: Array(options[100..<150]))),
            ]
        ) {
            $0.watchlist.append(WatchItem(instrument: last, kind: .option, label: "opt149", active: true))
            $0.watchlist.sort { $0.instrument < $1.instrument }
            $0.subscriptions = $0.watchlist.map {
                Subscription(instrument: $0.instrument, mode: $0.kind == .index ? .quote : .full)
            }
        }
        bulk.send(
            .operatorCommand(.watchlistRemove(instrument: EngineScenario.nifty)), at: nine,
            commands: [.unsubscribe(FeedSubscription(mode: .quote, instruments: [EngineScenario.nifty]))]
        ) {
            $0.watchlist.removeAll { $0.instrument == EngineScenario.nifty }
            $0.subscriptions.removeAll { $0.instrument == EngineScenario.nifty }
        }
    }
}
