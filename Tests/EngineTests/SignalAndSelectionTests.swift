import Domain
import Engine
import EngineTestSupport
import Indicators
import TestSupport
import Testing

@Suite("Engine: signals on the real NIFTY candles, then strike selection on the real chain")
struct SignalAndSelectionTests {
    /// Session, warm-up history, then 31 Oct 2025's ticks; records the signal at every closed 1m bar.
    static func run(until end: Timestamp? = nil) throws -> (EngineTestStore, [SignalRecord], [(UInt64, [Command])]) {
        let store = EngineTestStore()
        store.skip(.sessionStarted(try EngineScenario.sessionStarted()), at: Timestamp.ist(EngineScenario.day, 9, 0))
        for batch in try EngineScenario.history() {
            store.skip(.candleBatch(batch), at: Timestamp.ist(EngineScenario.day, 9, 10))
        }
        var signals: [SignalRecord] = []
        var emitted: [(UInt64, [Command])] = []
        for (tick, time) in try EngineScenario.liveTicks() {
            if let end, time > end { break }
            let commands = store.skip(.tick(tick), at: time)
            if let signal = store.state.indices[0].signal, signal.barStart != signals.last?.barStart {
                signals.append(signal)
            }
            if !commands.isEmpty { emitted.append((store.seq, commands)) }
        }
        return (store, signals, emitted)
    }

    static func at(_ signals: [SignalRecord], _ hour: Int, _ minute: Int) -> SignalRecord? {
        signals.first { $0.barStart == Timestamp.ist(EngineScenario.day, hour, minute).epochSeconds }
    }

    @Test("every bar's signal follows the rules from its readings: ADX floors, agreement, timing, confirmation")
    func rulesHoldAtEveryBar() throws {
        let (_, signals, _) = try Self.run()
        #expect(signals.count == 375)
        for signal in signals {
            let second = signal.time.istSecondOfDay
            let p = signal.primary
            let c = signal.confirmation
            let strong = (p.adx ?? 0) >= 18 && (c.adx ?? 0) >= 20
            let agree = p.direction != nil && p.direction == c.direction
            let timely = second < 14 * 3600 + 30 * 60  // the balanced theta cutoff is the earliest block
            if signal.direction != .avoid {
                #expect(
                    strong && agree && timely && signal.reasons.isEmpty, "\(Timestamp(epochSeconds: signal.barStart))")
                #expect(signal.direction == (p.direction == .up ? .bullish : .bearish))
                #expect(signal.confidence > 0 && signal.confidence <= 1)
            } else {
                #expect(!signal.reasons.isEmpty)
                #expect(signal.confidence == 0)
            }
            if second >= 15 * 3600 { #expect(signal.reasons.contains("after the entry cutoff 15:00")) }
        }
    }

    @Test(
        "chosen bars: 09:15 5m too weak, 10:29 first bearish, 10:54 disagreement, 10:55 unconfirmed, 14:30 theta cutoff"
    )
    func chosenBars() throws {
        let (_, signals, _) = try Self.run()
        let open = try #require(Self.at(signals, 9, 15))
        #expect(open.direction == .avoid && open.reasons == ["5m ADX 15.53 below 20.0"])
        let first = try #require(Self.at(signals, 10, 29))
        #expect(
            first.direction == .bearish && first.primary.direction == .down && first.confirmation.direction == .down)
        #expect(
            abs(first.primary.adx! - 39.990229602516685) < 1e-9
                && abs(first.confirmation.adx! - 20.406239188451874) < 1e-9)
        #expect(first.scaleMultiplier == 1)
        #expect(Self.at(signals, 10, 30)?.scaleMultiplier == 2 && Self.at(signals, 10, 31)?.scaleMultiplier == 3)
        #expect(Self.at(signals, 10, 32)?.scaleMultiplier == 3)  // capped at max_multiplier
        #expect(Self.at(signals, 10, 54)?.reasons == ["1m up and 5m down disagree"])
        #expect(Self.at(signals, 10, 55)?.reasons == ["trend not confirmed over 3 bars"])
        let late = try #require(Self.at(signals, 14, 30))
        #expect(late.direction == .avoid && late.reasons.contains("after the balanced theta cutoff 14:30"))
        #expect(signals.filter { $0.direction == .bullish }.isEmpty)  // 31 Oct 2025 fell all day
    }

    @Test("the first bearish signal asks for the expiry list; the list leads to one chain request for 4 Nov")
    func selectionFlow() throws {
        let (store, _, emitted) = try Self.run(
            until: Timestamp(epochSeconds: Timestamp.ist(EngineScenario.day, 10, 30).epochSeconds))
        let (signalSeq, commands) = try #require(emitted.first)
        #expect(commands == [.fetchData(.expiryList(underlying: EngineScenario.nifty))])
        #expect(store.state.indices[0].selection == .awaitingExpiryList(signalSeq: signalSeq, direction: .bearish))

        let listTime = Timestamp.ist(EngineScenario.day, 10, 30, 1)
        let list = ExpiryList(
            underlying: EngineScenario.nifty,
            expiries: [CivilDate(2025, 11, 4), CivilDate(2025, 11, 11), CivilDate(2025, 11, 18)])
        store.send(
            .expiryList(list), at: listTime,
            commands: [.fetchData(.optionChain(underlying: EngineScenario.nifty, expiry: CivilDate(2025, 11, 4)))]
        ) {
            $0.indices[0].expiryList = list
            $0.indices[0].expiryListTime = listTime
            $0.indices[0].selection = .awaitingChain(
                signalSeq: signalSeq, direction: .bearish, expiry: CivilDate(2025, 11, 4), requested: true)
            $0.indices[0].lastChainRequest = listTime
        }

        let funds = FundsSnapshot(available: .rupees(200_000), startOfDayLimit: .rupees(200_000))
        let fundsTime = Timestamp.ist(EngineScenario.day, 10, 30, 2)
        store.send(.funds(funds), at: fundsTime) {
            $0.funds = FundsRecord(snapshot: funds, time: fundsTime)
            $0.dayRisk?.startingBalance = .rupees(200_000)
        }

        // The recorded chain has no security ids, so as the engine sees it every strike fails the master check.
        let chain = try EngineScenario.chain()
        let chainTime = Timestamp.ist(EngineScenario.day, 10, 30, 3)
        let chainSeq = store.seq + 1
        store.send(.optionChain(chain), at: chainTime) {
            $0.indices[0].atmIVs = [14.600450553596705]
            let selection = StrikeSelector.select(
                chain: chain, direction: .bearish, index: $0.config!.index("NIFTY")!, config: $0.config!.optionChain,
                at: chainTime)
            #expect(selection.chosen == nil)
            #expect(
                selection.candidates.map(\.rejection) == [
                    "no security id: not in the instrument master", "iv 7.96 below the ATM±1 floor 8.0",
                    "iv 8.35 below the min_iv 10.0",
                ])
            $0.indices[0].selection = .decided(
                EntryProposal(
                    signalSeq: signalSeq, chainSeq: chainSeq, direction: .bearish, expiry: CivilDate(2025, 11, 4),
                    selection: selection,
                    lotSize: 75, scaleMultiplier: 1, sizing: nil, noTradeReason: "no strike passed the filters",
                    chainTime: chainTime,
                    guardResult: .blocked(.noTrade("no strike passed the filters"))))
        }
    }

    @Test("with security ids on the chain, the ATM put is chosen and sized from the funds snapshot")
    func chosenAndSized() throws {
        let (store, _, emitted) = try Self.run(
            until: Timestamp(epochSeconds: Timestamp.ist(EngineScenario.day, 10, 30).epochSeconds))
        let signalSeq = emitted[0].0
        store.skip(
            .funds(FundsSnapshot(available: .rupees(500_000), startOfDayLimit: .rupees(500_000))),
            at: Timestamp.ist(EngineScenario.day, 10, 30, 1))
        store.skip(
            .expiryList(ExpiryList(underlying: EngineScenario.nifty, expiries: [CivilDate(2025, 11, 4)])),
            at: Timestamp.ist(EngineScenario.day, 10, 30, 1))
        var chain = try EngineScenario.chain()
        for index in chain.strikes.indices {
            chain.strikes[index].call?.securityID = SecurityID(40_000 + UInt32(index))
            chain.strikes[index].put?.securityID = SecurityID(50_000 + UInt32(index))
        }
        let chainSeq = store.seq + 1
        store.skip(.optionChain(chain), at: Timestamp.ist(EngineScenario.day, 10, 30, 3))
        guard case .decided(let proposal) = store.state.indices[0].selection else {
            Issue.record("no decision: \(store.state.indices[0].selection)")
            return
        }
        #expect(proposal.signalSeq == signalSeq && proposal.chainSeq == chainSeq)
        #expect(proposal.selection.chosen?.strike == .rupees(25_700) && proposal.selection.chosen?.type == .put)
        #expect(proposal.selection.chosen?.score == 195)
        #expect(proposal.sizing?.lots == 10 && proposal.sizing?.quantity == 750 && proposal.noTradeReason == nil)
    }

    @Test("the option-chain limit: a second request within 3 s is held, and a timer releases it")
    func chainRateLimit() throws {
        let (store, _, emitted) = try Self.run(
            until: Timestamp(epochSeconds: Timestamp.ist(EngineScenario.day, 10, 30).epochSeconds))
        let signalSeq = emitted[0].0
        let list = ExpiryList(underlying: EngineScenario.nifty, expiries: [CivilDate(2025, 11, 4)])
        let t0 = Timestamp.ist(EngineScenario.day, 10, 30, 1)
        store.skip(.expiryList(list), at: t0)
        #expect(store.state.indices[0].lastChainRequest == t0)
        // A new bearish signal one second later wants a chain again: held back.
        var state = store.state
        state.indices[0].selection = .awaitingExpiryList(signalSeq: signalSeq, direction: .bearish)
        let held = EngineTestStore(state: state, seq: store.seq)
        let t1 = Timestamp.ist(EngineScenario.day, 10, 30, 2)
        held.send(.expiryList(list), at: t1) {
            $0.indices[0].expiryListTime = t1
            $0.indices[0].selection = .awaitingChain(
                signalSeq: signalSeq, direction: .bearish, expiry: CivilDate(2025, 11, 4), requested: false)
        }
        let t2 = Timestamp.ist(EngineScenario.day, 10, 30, 3)
        held.send(.timer(TimerFired(kind: .second)), at: t2)
        let t3 = Timestamp.ist(EngineScenario.day, 10, 30, 4)
        held.send(
            .timer(TimerFired(kind: .second)), at: t3,
            commands: [.fetchData(.optionChain(underlying: EngineScenario.nifty, expiry: CivilDate(2025, 11, 4)))]
        ) {
            $0.indices[0].selection = .awaitingChain(
                signalSeq: signalSeq, direction: .bearish, expiry: CivilDate(2025, 11, 4), requested: true)
            $0.indices[0].lastChainRequest = t3
        }
    }

    @Test("on expiry day after 14:30 the next expiry is taken")
    func expirySwitch() throws {
        let config = try AlgoConfig.parse(
            yaml: try ConfigFixtures.algoText(), file: "algo.yml", calendar: try ConfigFixtures.calendar())
        let index = IndexState(config: config.index("NIFTY")!, signals: config.signals)
        let expiryDay = CivilDate(2025, 11, 4)
        #expect(EngineTesting.expiry(index, config, Timestamp.ist(expiryDay, 14, 29)) == expiryDay)
        #expect(EngineTesting.expiry(index, config, Timestamp.ist(expiryDay, 14, 30)) == CivilDate(2025, 11, 11))
        #expect(EngineTesting.expiry(index, config, Timestamp.ist(CivilDate(2025, 11, 3), 15, 0)) == expiryDay)
    }

    @Test(
        "item 14 (0.4.3): expiry: monthly on a weekly index trades the month's last expiry; weekly on a monthly-only index is refused"
    )
    func expiryPreference() throws {
        let text = try ConfigFixtures.algoText()
        let monthlyNifty = text.replacingOccurrences(
            of: "    cooldown_sec: 180\n    expiry: weekly\n  BANKNIFTY:",
            with: "    cooldown_sec: 180\n    expiry: monthly\n  BANKNIFTY:")
        #expect(monthlyNifty != text)
        let config = try AlgoConfig.parse(yaml: monthlyNifty, file: "algo.yml", calendar: try ConfigFixtures.calendar())
        let index = IndexState(config: config.index("NIFTY")!, signals: config.signals)
        // NIFTY expires on Tuesdays: the last of November 2025 is the 25th, of December the 30th.
        let morning = Timestamp.ist(CivilDate(2025, 11, 3), 10, 0)
        #expect(EngineTesting.expiry(index, config, morning) == CivilDate(2025, 11, 25))
        #expect(
            EngineTesting.expiry(index, config, Timestamp.ist(CivilDate(2025, 11, 25), 14, 30))
                == CivilDate(2025, 12, 30))
        // Journals of 0.4.2 read the key and ignored it.
        #expect(EngineTesting.expiry(index, config, morning, rules: .build042) == CivilDate(2025, 11, 4))
        let weeklyBank = text.replacingOccurrences(
            of: "    cooldown_sec: 180\n    expiry: monthly", with: "    cooldown_sec: 180\n    expiry: weekly")
        #expect(weeklyBank != text)
        #expect {
            try AlgoConfig.parse(yaml: weeklyBank, file: "algo.yml", calendar: try ConfigFixtures.calendar())
        } throws: { error in
            "\(error)".contains("weekly, but the calendar lists only monthly expiries for BANKNIFTY from 2025-09-01")
        }
    }

    @Test("the same events folded twice give the same state and the same commands")
    func deterministic() throws {
        let (first, _, firstCommands) = try Self.run()
        let (second, _, secondCommands) = try Self.run()
        #expect(first.state == second.state)
        #expect(firstCommands.map(\.0) == secondCommands.map(\.0))
        #expect(firstCommands.map(\.1) == secondCommands.map(\.1))
    }

    @Test("the test store fails on an unasserted state change and on unexpected commands")
    func storeIsExhaustive() throws {
        let store = EngineTestStore()
        withKnownIssue {
            store.send(
                .funds(FundsSnapshot(available: .rupees(1), startOfDayLimit: .rupees(1))),
                at: Timestamp(epochSeconds: 1))
        }
        withKnownIssue {
            store.send(.sessionStarted(try EngineScenario.sessionStarted()), at: Timestamp(epochSeconds: 2)) { _ in }
        }
    }
}
