import BuiltinConfig
import DhanSim
import Domain
import Engine
import Foundation
import Journal
import Simulation
import TestSupport
import Testing

/// The built-in configuration, as `scalper simulate` runs it.
enum SimulationFixtures {
    static func runner(_ profile: BrokerProfile, out: String) throws -> SimulationRunner {
        let calendar = try TradingCalendar.parse(yaml: BuiltinConfig.calendarText, file: "calendar.yml")
        let config = try AlgoConfig.parse(yaml: BuiltinConfig.algoText, file: "algo.yml", calendar: calendar)
        let files = [
            ConfigFile(name: "algo.yml", text: BuiltinConfig.algoText),
            ConfigFile(name: "calendar.yml", text: BuiltinConfig.calendarText),
        ]
        return SimulationRunner(
            seeds: 1...1, profile: profile, days: 1, firstDay: CivilDate(2025, 11, 4), config: config, files: files,
            outDirectory: out)
    }
}

@Suite("deterministic simulation")
struct SimulationTests {
    @Test("same seed, profile and build: the same journal, record for record; another seed: another journal")
    func sameSeedSameJournal() throws {
        let scratch = TemporaryDirectory()
        let runner = try SimulationFixtures.runner(.observed, out: scratch.path)
        let day = CivilDate(2025, 11, 4)
        let first = try runner.session(
            seed: 11, day: day, kinds: BrokerProfile.observed.faults, journalPath: scratch.sub("a"))
        // Seeds 11 and 12 again, side by side on two threads: each session is alone on its clock and executor,
        // and the runner reports them in seed order.
        var pair = runner
        pair.seeds = 11...12
        pair.jobs = 2
        pair.keepJournals = true
        pair.outDirectory = scratch.sub("pair")
        var reported: [SessionOutcome] = []
        let summary = try pair.run { reported.append($0) }
        #expect(reported.map(\.seed) == [11, 12])
        #expect(summary.sessions == 2 && summary.failures.isEmpty)
        let second = try #require(reported.first)
        #expect(first.records > 50_000)
        #expect(first.records == second.records)
        #expect(first.journalDigest == second.journalDigest)
        #expect(first.stateHash == second.stateHash)
        #expect(first.faults == second.faults)
        #expect(!first.faults.isEmpty, "the observed profile injected nothing")
        let other = try #require(reported.last)
        #expect(other.journalDigest != first.journalDigest)
        // The journal is a real one: it verifies and replays to the live state (the replay invariant).
        let journal = try Journal.openForReading(at: scratch.sub("a"))
        defer { journal.close() }
        #expect(try journal.reader.verify().firstFailure == nil)
        #expect(!first.violations.contains { $0.invariant == .replayIdentical })
    }

    @Test(
        "every third seed caps orders at 300 units (four NIFTY lots): entries go out in freeze slices and every invariant holds"
    )
    func slicedSeeds() throws {
        let scratch = TemporaryDirectory()
        let runner = try SimulationFixtures.runner(.observed, out: scratch.path)
        let outcome = try runner.session(seed: 3, day: CivilDate(2025, 11, 4), kinds: BrokerProfile.observed.faults)
        #expect(outcome.slicedPositions > 0 && outcome.slicedPositions <= outcome.positions)
        #expect(outcome.violations == [])
        let unsliced = try runner.session(seed: 4, day: CivilDate(2025, 11, 4), kinds: BrokerProfile.observed.faults)
        #expect(unsliced.positions > 0 && unsliced.slicedPositions == 0)
    }

    @Test(
        "observed-profile days that once broke invariants hold: a duplicated leg-cancel alert no longer sells twice (seed 5), reordered partial-fill alerts no longer misprice fills (seed 6)",
        arguments: [UInt64(5), 6])
    func observedRegressions(seed: UInt64) throws {
        let scratch = TemporaryDirectory()
        let runner = try SimulationFixtures.runner(.observed, out: scratch.path)
        let outcome = try runner.session(seed: seed, day: CivilDate(2025, 11, 4), kinds: BrokerProfile.observed.faults)
        #expect(outcome.orders > 0 && outcome.faults[.alertDuplicate, default: 0] > 0)
        #expect(outcome.violations == [], "\(outcome.violations)")
    }

    @Test(
        "the engine killed mid-session starts again the crash-only way: the journal folds to the killed state, the broker is reconciled, every invariant holds"
    )
    func killedAndRestarted() throws {
        let scratch = TemporaryDirectory()
        let runner = try SimulationFixtures.runner(.hostile, out: scratch.path)
        let outcome = try runner.session(
            seed: 2, day: CivilDate(2025, 11, 4), kinds: [.engineRestart, .partialFill, .alertDelay],
            journalPath: scratch.sub("restarts"))
        #expect(outcome.faults[.engineRestart] == 3)
        #expect(outcome.violations == [], "\(outcome.violations)")
        // Each start-up journals that the feed connected and what reconciliation found.
        let journal = try Journal.openForReading(at: scratch.sub("restarts"))
        defer { journal.close() }
        var reconciliations = 0
        try journal.reader.forEach { view in
            if view.header.kind == EntryKind.reconciliation.rawValue { reconciliations += 1 }
            return true
        }
        #expect(reconciliations == 3)
    }

    @Test(
        "order_on_the_wire: the first kill lands with an order placement on its way; the broker takes it after the restart, the engine finds it, every invariant holds"
    )
    func orderOnTheWire() throws {
        let scratch = TemporaryDirectory()
        let runner = try SimulationFixtures.runner(.hostile, out: scratch.path)
        let outcome = try runner.session(
            seed: 3, day: CivilDate(2025, 11, 4), kinds: [.engineRestart, .orderOnTheWire, .partialFill],
            journalPath: scratch.sub("wire"))
        #expect(outcome.faults[.engineRestart] == 3)
        #expect(outcome.faults[.orderOnTheWire] ?? 0 >= 1, "\(outcome.faults)")
        #expect(outcome.violations == [], "\(outcome.violations)")
    }

    @Test(
        "a token that expires mid-session blocks entries until the operator restarts with a new one; every invariant holds"
    )
    func tokenExpiry() throws {
        let scratch = TemporaryDirectory()
        let runner = try SimulationFixtures.runner(.hostile, out: scratch.path)
        let outcome = try runner.session(
            seed: 3, day: CivilDate(2025, 11, 4), kinds: [.tokenExpiry, .partialFill], journalPath: scratch.sub("token")
        )
        #expect(outcome.faults[.tokenExpiry] == 1)
        #expect(outcome.violations == [], "\(outcome.violations)")
        let journal = try Journal.openForReading(at: scratch.sub("token"))
        defer { journal.close() }
        var statuses: [FeedStatus.State] = []
        var reconciledAfterExpiry = false
        try journal.reader.forEach { view in
            switch try JournalEntry.decode(view) {
            case .event(.feedStatus(let status)): statuses.append(status.state)
            case .event(.reconciliation):
                reconciledAfterExpiry = reconciledAfterExpiry || statuses.contains(.authExpired)
            default: break
            }
            return true
        }
        // Connected, expired (entries blocked), connected again with the new token, then reconciled.
        let expired = try #require(statuses.firstIndex(of: .authExpired))
        #expect(statuses[(expired + 1)...].contains(.connected))
        #expect(reconciledAfterExpiry)
    }

    @Test("--index keeps only the named indices' blocks of algo.yml (the journaled text), and refuses unknown names")
    func indexSelection() throws {
        let files = [
            ConfigFile(name: "algo.yml", text: BuiltinConfig.algoText),
            ConfigFile(name: "calendar.yml", text: BuiltinConfig.calendarText),
        ]
        let configured = ["NIFTY", "BANKNIFTY", "SENSEX"]
        let narrowed = try IndexSelection.files(files, keeping: ["SENSEX", "NIFTY"], configured: configured)
        #expect(narrowed[1] == files[1])
        let calendar = try TradingCalendar.parse(yaml: BuiltinConfig.calendarText, file: "calendar.yml")
        let config = try AlgoConfig.parse(yaml: narrowed[0].text, file: "algo.yml", calendar: calendar)
        #expect(config.indices.map(\.key) == ["NIFTY", "SENSEX"])
        let full = try AlgoConfig.parse(yaml: BuiltinConfig.algoText, file: "algo.yml", calendar: calendar)
        #expect(config.index("SENSEX") == full.index("SENSEX"))
        #expect(config.risk == full.risk)
        #expect(throws: IndexSelection.Refusal.unknown("FINNIFTY", configured: configured)) {
            try IndexSelection.files(files, keeping: ["FINNIFTY"], configured: configured)
        }
    }

    @Test("a documented-profile day trades, settles with the broker and replays")
    func documentedDay() throws {
        let scratch = TemporaryDirectory()
        let runner = try SimulationFixtures.runner(.documented, out: scratch.path)
        let outcome = try runner.session(seed: 1, day: CivilDate(2025, 11, 4), kinds: [])
        #expect(outcome.orders > 0)
        #expect(outcome.faults.isEmpty)
        #expect(outcome.violations == [], "\(outcome.violations)")
    }
}

@Suite("simulation invariants")
struct InvariantCheckerTests {
    let option = InstrumentKey(.nseFNO, SecurityID(35_000))
    let at = Timestamp.ist(CivilDate(2025, 11, 4), 10, 0)

    func id(_ seq: UInt64) -> CorrelationID { CorrelationID(session: CivilDate(2025, 11, 4), causeSeq: seq, slot: 1) }

    func position(_ seq: UInt64, quantity: Int64, phase: PositionPhase) -> Position {
        var position = Position(
            id: id(seq), index: "NIFTY", instrument: option, exchange: .nse, optionType: .call,
            strike: .rupees(25_900), expiry: CivilDate(2025, 11, 4), direction: .bullish, entryTag: "entry",
            orderedQuantity: quantity, tradingDate: CivilDate(2025, 11, 4))
        // An exiting position is given its exit intent where it is made one.
        precondition(phase != .exiting)
        position.stage =
            phase == .pending ? .pending : phase == .accepted ? .accepted : phase == .exited ? .exited(nil) : .active
        position.entryFilled = quantity
        position.quantity = quantity
        return position
    }

    func broker(net: Int64) -> SimBrokerPosition {
        SimBrokerPosition(
            instrument: option, bought: max(net, 0), sold: max(-net, 0), boughtValue: .zero, soldValue: .zero)
    }

    @Test("a SELL that raises the engine's quantity, a short broker, two parents for one id: each named once")
    func stepInvariants() {
        var state = EngineState()
        state.positions = [position(1, quantity: 150, phase: .active)]
        var checker = InvariantChecker()
        let sell = Fill(
            correlationID: id(1), orderID: "9", tradeID: "9-1", instrument: option, side: .sell,
            quantity: 75, price: .rupees(100), tradeTime: 0)
        checker.afterStep(
            event: .fill(sell), seq: 7, commands: [], state: state, before: [option: 75], broker: [broker(net: -75)],
            parentOrders: [id(1).value: 2], at: at)
        checker.afterStep(
            event: .fill(sell), seq: 8, commands: [], state: state, before: [option: 75], broker: [broker(net: -75)],
            parentOrders: [id(1).value: 2], at: at)
        #expect(
            checker.violations.map(\.invariant) == [.sellNeverAddsToLong, .neverNetShort, .oneParentPerCorrelationID])
        #expect(checker.violations.allSatisfy { $0.seq == 7 })
    }

    @Test("more open positions than the guard allows; an intent stuck past its bound unless an anomaly names it")
    func limitsAndStuckIntents() {
        var state = EngineState()
        state.positions = (1...4).map { position(UInt64($0), quantity: 75, phase: .active) }
        state.positions[3].stage = .exiting(ExitIntent(correlationID: id(44), reason: .stopLoss, quantity: 75))
        var checker = InvariantChecker()
        checker.afterStep(
            event: .timer(TimerFired(kind: .second)), seq: 1, commands: [], state: state, before: [:], broker: [],
            parentOrders: [:], at: at)
        #expect(checker.violations.map(\.invariant) == [.openPositionLimit])
        let later = Timestamp(nanos: at.nanos + checker.resolveWithinNanos + 1)
        var escalated = state
        escalated.anomalies = [Anomaly(seq: 2, message: "exit of \(id(4)) stuck")]
        var quiet = InvariantChecker()
        for (seq, time) in [(UInt64(1), at), (2, later)] {
            quiet.afterStep(
                event: .timer(TimerFired(kind: .second)), seq: seq, commands: [], state: escalated, before: [:],
                broker: [], parentOrders: [:], at: time)
        }
        #expect(!quiet.violations.contains { $0.invariant == .intentsResolve })
        checker.afterStep(
            event: .timer(TimerFired(kind: .second)), seq: 2, commands: [], state: state, before: [:], broker: [],
            parentOrders: [:], at: later)
        #expect(checker.violations.last?.invariant == .intentsResolve)
        #expect(checker.violations.last?.why.hasPrefix("\(id(44)) has been exiting for 300 s") == true)
    }

    @Test("a flat contract's realised PnL must equal the broker's cash flow to the paisa (a paisa a unit before 0.4.5)")
    func realisedAgreement() {
        var state = EngineState()
        var flat = position(1, quantity: 75, phase: .exited)
        flat.quantity = 0
        flat.realized = Paise(75_001)
        state.positions = [flat]
        let broker = SimBrokerPosition(
            instrument: option, bought: 75, sold: 75, boughtValue: Paise(750_000), soldValue: Paise(825_000))
        var checker = InvariantChecker()
        checker.atEnd(state: state, broker: [broker], seq: 99)
        #expect(checker.violations.map(\.invariant) == [.brokerAgreement])
        #expect(checker.violations.first?.why == "\(option): realised PnL at the broker ₹750.00, in the engine ₹750.01")
        state.rules = .build044
        var older = InvariantChecker()
        older.atEnd(state: state, broker: [broker], seq: 99)
        #expect(older.violations.isEmpty)
    }

    @Test("at the end the broker's and the engine's quantities must agree, contract by contract")
    func brokerAgreement() {
        var state = EngineState()
        state.positions = [position(1, quantity: 75, phase: .active)]
        var checker = InvariantChecker()
        checker.atEnd(state: state, broker: [broker(net: 150)], seq: 99)
        #expect(checker.violations.map(\.invariant) == [.brokerAgreement])
        #expect(checker.violations.first?.why == "\(option): the broker holds 150, the engine 75")
        var agreeing = InvariantChecker()
        agreeing.atEnd(state: state, broker: [broker(net: 75)], seq: 99)
        #expect(agreeing.violations.isEmpty)
    }
}
