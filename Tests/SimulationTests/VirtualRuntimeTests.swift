import Dhan
import DhanClient
import DhanSim
import Domain
import Engine
import Foundation
import Journal
import Logging
import MarketModel
import Recovery
import Runtime
import Synchronization
import TestSupport
import Testing

@testable import Simulation

/// `TradingRuntime`, the process `scalper run` is, on virtual time.
///
/// dhan-sim's core is in memory, every task runs on a `ManualExecutor`, every wait is on a `VirtualClock`:
/// no sockets, no sleeps, no speed factor.
@Suite("TradingRuntime on virtual time")
struct VirtualRuntimeTests {
    static let day = CivilDate(2025, 11, 4)

    static func world(seed: UInt64 = 7, behaviour: SimBehaviour = SimBehaviour(), start: Int = 9 * 3600 + 15 * 60)
        throws -> SimWorld
    {
        var configuration = SimConfiguration(date: day, calendar: try ConfigFixtures.calendar())
        configuration.seed = seed
        configuration.speed = 0
        configuration.startSecondOfDay = start
        configuration.scenario = try Scenario.parse(
            try String(contentsOfFile: Fixtures.path("config/scenarios/trend-day.txt"), encoding: .utf8),
            source: "trend-day.txt")
        return SimWorld(configuration, behaviour: behaviour)
    }

    static func quiet() -> Logger {
        var logger = Logger(label: "runtime")
        logger.logLevel = .critical
        return logger
    }

    static func options(journal: String, mode: TradingMode, ports: RuntimePorts) throws -> TradingRuntime.Options {
        let algo = try ConfigFixtures.algoText()
        let calendarText = try ConfigFixtures.calendarText()
        let config = try AlgoConfig.parse(yaml: algo, calendar: try TradingCalendar.parse(yaml: calendarText))
        var options = TradingRuntime.Options(
            journalPath: journal, mode: mode,
            configFiles: [
                ConfigFile(name: "algo.yml", text: algo), ConfigFile(name: "calendar.yml", text: calendarText),
            ],
            config: config,
            endpoints: VirtualRuntime.endpoints,
            credentials: .simulator)
        options.durability = .fast
        options.stopAtSecondOfDay = 15 * 3600 + 31 * 60
        options.ports = ports
        return options
    }

    /// One whole day of the runtime against a fresh world; the journal's digest, the final state and the
    /// broker's positions.
    static func day(
        mode: TradingMode, in scratch: TemporaryDirectory, name: String,
        configure: (VirtualRuntime) -> Void = { _ in }
    ) throws -> (
        digest: UInt64, state: EngineState, broker: [SimBrokerPosition], ending: VirtualRuntime.Ending,
        journal: String, violations: [Violation]
    ) {
        let harness = VirtualRuntime(world: try world())
        configure(harness)
        let journal = scratch.sub(name)
        var ports = harness.ports
        let invariants = RuntimeInvariants(harness.transport)
        ports.foldObserver = invariants
        var options = try options(journal: journal, mode: mode, ports: ports)
        options.masterDirectory = scratch.sub("\(name)-master")
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: quiet())
        let ending = try harness.run(runtime, until: 15 * 3600 + 40 * 60)
        let reader = try Journal.openForReading(at: journal)
        defer { reader.close() }
        let digest = try JournalDigest.of(reader.reader)
        let state = try JournalReplayer.replay(reader.reader).state
        return (
            digest, state, harness.transport.withWorld { $0.positions }, ending, journal,
            invariants.finish(state: state)
        )
    }

    @Test(
        "live: a whole trend day through the real REST client, feed decoder and order stream on virtual time; entries, exits, flat at the close, the broker's book equal to the engine's, and a second run journals the same bytes"
    )
    func liveDayIsDeterministic() throws {
        let scratch = TemporaryDirectory("virtual-runtime")
        let first = try Self.day(mode: .live, in: scratch, name: "first")
        #expect(first.ending == .stopped)
        // Every simulation invariant, checked after every fold of the runtime's own sequencer.
        #expect(first.violations.isEmpty, "\(first.violations)")

        // The journal replays to the state the runtime had, command for command.
        let journal = try Journal.openForReading(at: first.journal)
        let replayed = try JournalReplayer.replay(journal.reader)
        journal.close()
        #expect(replayed.divergence == nil)

        let traded = first.state.positions.filter { $0.entryFilled > 0 }
        #expect(traded.count >= 2)
        #expect(first.state.openPositions.isEmpty)
        #expect(!Set(traded.compactMap(\.exitReason)).isEmpty)

        // The broker's net quantities and realised PnL equal the engine's, contract by contract.
        var engine: [InstrumentKey: (net: Int64, realized: Paise)] = [:]
        for position in traded {
            let current = engine[position.instrument] ?? (0, .zero)
            engine[position.instrument] = (current.net + position.quantity, current.realized + position.realized)
        }
        let broker = Dictionary(uniqueKeysWithValues: first.broker.map { ($0.instrument, $0) })
        #expect(broker.keys.sorted() == engine.keys.sorted())
        for (key, position) in broker {
            #expect(position.net == engine[key]?.net, "\(key)")
            #expect(position.soldValue - position.boughtValue == engine[key]?.realized, "\(key)")
        }

        let second = try Self.day(mode: .live, in: scratch, name: "second")
        #expect(second.digest == first.digest)
        #expect(second.state.stateHash == first.state.stateHash)
    }

    @Test(
        "paper: the runtime's own paper broker trades the day on virtual time, and a second run journals the same bytes"
    )
    func paperDayIsDeterministic() throws {
        let scratch = TemporaryDirectory("virtual-paper")
        let first = try Self.day(mode: .paper, in: scratch, name: "first")
        #expect(first.ending == .stopped)
        #expect(first.state.positions.contains { $0.entryFilled > 0 })
        #expect(first.state.openPositions.isEmpty)
        let second = try Self.day(mode: .paper, in: scratch, name: "second")
        #expect(second.digest == first.digest)
    }

    @Test(
        "feed drops and a silent stall: it reconnects, resubscribes and marks the feed stale; a 429 storm is waited out"
    )
    func faults() throws {
        let scratch = TemporaryDirectory("virtual-faults")
        let harness = VirtualRuntime(
            world: try Self.world(start: 10 * 3600),
            reconnect: ReconnectPolicy(initial: .milliseconds(100), maximum: .seconds(1), coolOff: .seconds(1)))
        var options = try Self.options(journal: scratch.sub("j"), mode: .live, ports: harness.ports)
        options.masterDirectory = scratch.sub("master")
        options.stopAtSecondOfDay = 11 * 3600
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: Self.quiet())
        let drop = 10 * 3600 + 5 * 60
        let stall = 10 * 3600 + 10 * 60
        let storm = 10 * 3600 + 15 * 60
        let ending = try harness.run(runtime, until: 11 * 3600 + 60) { second in
            switch second {
            case drop: harness.inject { $0.disconnectFeed(reason: 800) }
            case stall: harness.stallFeedUntilSecondOfDay = stall + 20
            case storm:
                harness.inject { world in
                    world.rateLimitStorm(.other, untilSeconds: Double(world.now.epochSeconds + 2))
                    return SimOutput()
                }
            default: break
            }
        }
        #expect(ending == .stopped)
        #expect(harness.feed.connects == 2, "one reconnect after the drop")

        let journal = try Journal.openForReading(at: scratch.sub("j"))
        defer { journal.close() }
        var statuses: [FeedStatus] = []
        var indexTicksAfterDrop = 0
        var sawDisconnect = false
        var entriesWhileStale = 0
        var stale = false
        var staleAt: Timestamp?
        try journal.reader.forEach(verifyChecksums: false) { view in
            switch try JournalEntry.decode(view) {
            case .event(.feedStatus(let status)):
                statuses.append(status)
                if status.state == .disconnected && status.reasonCode == 800 { sawDisconnect = true }
                if status.state == .stale {
                    stale = true
                    staleAt = Timestamp(nanos: view.header.timestampNanos)
                }
                if status.state == .connected { stale = false }
            case .event(.tick(let tick)) where tick.instrument.segment == .indexValue && sawDisconnect:
                indexTicksAfterDrop += 1
            case .command(.placeOrder(let intent), _) where intent.side == .buy && stale:
                entriesWhileStale += 1
            default: break
            }
            return true
        }
        #expect(sawDisconnect, "the drop was journaled as a feed status")
        // No tick after 10:10:00; stale once more than 10 s pass without one: at 10:10:11 exactly.
        #expect(staleAt?.istSecondOfDay == Int64(stall + 11), "\(statuses)")
        #expect(indexTicksAfterDrop > 100, "index ticks resumed after the reconnect (resubscribed)")
        #expect(entriesWhileStale == 0)
        #expect(harness.transport.withWorld { $0.rateLimitRejections.values.reduce(0, +) } == 0)
    }

    /// A live `TradingRuntime` for the harness's next process, checked by `invariants`, on `journal`.
    static func process(_ harness: VirtualRuntime, _ invariants: RuntimeInvariants, journal: String, master: String)
        throws -> TradingRuntime
    {
        var ports = harness.ports
        ports.foldObserver = invariants
        var options = try Self.options(journal: journal, mode: .live, ports: ports)
        options.masterDirectory = master
        return try TradingRuntime(options: options, clock: harness.clock, logger: Self.quiet())
    }

    /// FNV-1a over the records through `seq` (kind, version, time, payload).
    static func digest(_ path: String, through seq: UInt64) throws -> (last: UInt64, hash: UInt64) {
        let journal = try Journal.openForReading(at: path)
        defer { journal.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var last: UInt64 = 0
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        try journal.reader.forEach(through: seq, verifyChecksums: false) { view in
            withUnsafeBytes(of: view.header.kind.littleEndian) { mix($0) }
            withUnsafeBytes(of: view.header.kindVersion.littleEndian) { mix($0) }
            withUnsafeBytes(of: view.header.timestampNanos.littleEndian) { mix($0) }
            mix(view.payload)
            last = view.seq
            return true
        }
        return (last, hash)
    }

    @Test(
        "ten kills at seeded moments, each restarted the crash-only way on virtual time: nothing acknowledged lost or changed, no intent placed twice, positions and realised PnL equal the broker's, every invariant held",
        arguments: ["documented", "observed", "hostile"])
    func killAndRestart(profile: String) throws {
        let scratch = TemporaryDirectory("virtual-crash")
        let path = scratch.sub("journal")
        let behaviour = try #require(SimBehaviour.profile(profile))
        let harness = VirtualRuntime(world: try Self.world(behaviour: behaviour, start: 10 * 3600))
        let invariants = RuntimeInvariants(harness.transport)
        func runtime() throws -> TradingRuntime {
            try Self.process(harness, invariants, journal: path, master: scratch.sub("master"))
        }
        var random = SeededRandom(seed: 2026, key: profile)
        var current = try runtime()
        harness.start(current)
        var second = 10 * 3600
        var acknowledged: [(last: UInt64, hash: UInt64)] = []
        for _ in 1...10 {
            second += 60 + Int(random.unit() * 2_400)
            try harness.advance(through: second)
            #expect(!harness.finished)
            weak let killed = current
            harness.kill(current)
            // What the journal holds at the kill was acknowledged; it must survive every restart unchanged.
            acknowledged.append(try Self.digest(path, through: .max))
            harness.down(for: 2 + Int(random.unit() * 28))
            current = try runtime()
            // The killed process's tasks unwound on cancellation and nothing holds it: its memory is freed.
            #expect(killed == nil, "the killed runtime is still referenced")
            #expect(harness.unwoundJobsLeft == 0)
            harness.start(current)
        }
        try harness.advance(through: 15 * 3600 + 40 * 60)
        #expect(try harness.finish(current) == .stopped)

        for (last, hash) in acknowledged {
            #expect(try Self.digest(path, through: last) == (last, hash), "records through seq \(last) changed")
        }
        let journal = try Journal.openForReading(at: path)
        let outcome = try JournalReplayer.replay(journal.reader)
        var reconciliations = 0
        var sessionsStarted = 0
        try journal.reader.forEach(verifyChecksums: false) { view in
            switch try JournalEntry.decode(view) {
            case .event(.reconciliation): reconciliations += 1
            case .event(.sessionStarted): sessionsStarted += 1
            default: break
            }
            return true
        }
        journal.close()
        #expect(outcome.divergence == nil)
        // Every restart took the crash-only path: one session, ten reconciliations with the broker.
        #expect(sessionsStarted == 1 && reconciliations == 10)
        let state = outcome.state
        #expect(state.positions.filter { $0.entryFilled > 0 }.count >= 2, "the session traded")
        #expect(state.openPositions.isEmpty)
        let parents = harness.transport.withWorld { $0.parentOrdersByCorrelationID }
        #expect(parents.values.allSatisfy { $0 == 1 }, "an intent placed twice: \(parents.filter { $0.value > 1 })")
        let violations = invariants.finish(state: state)
        #expect(violations.isEmpty, "\(violations)")
        print(
            "virtual crash test (\(profile)): 10 kills, \(parents.count) intents at the broker, "
                + "\(state.positions.count) positions, \(outcome.records) records")
    }

    /// A day from 10:00 whose order placements take 4-6 s to reach the broker (everything else arrives at
    /// once), run until the first entry is on the wire and killed there: the harness, the invariants, a maker
    /// of the next process on the same journal, the killed process's requests still on the wire and the
    /// broker's parent orders at the kill.
    static func killedWithOrderOnTheWire(
        _ scratch: TemporaryDirectory, journal path: String, behaviour: SimBehaviour = SimBehaviour()
    ) throws -> (
        harness: VirtualRuntime, invariants: RuntimeInvariants, process: () throws -> TradingRuntime, orphans: Int,
        intents: Int
    ) {
        let harness = VirtualRuntime(world: try Self.world(behaviour: behaviour, start: 10 * 3600))
        harness.delayRequests(.seconds(4)...(.seconds(6)), seed: 9) { request in
            request.method == "POST" && request.url.hasSuffix("orders")
        }
        let invariants = RuntimeInvariants(harness.transport)
        let process = { try Self.process(harness, invariants, journal: path, master: scratch.sub("master")) }
        let first = try process()
        harness.start(first)
        while harness.link.wire.count == 0 {
            try #require(!harness.finished && harness.transport.withWorld { $0.secondOfDay } < 15 * 3600)
            harness.step()
        }
        let intents = harness.transport.withWorld { $0.parentOrdersByCorrelationID.count }
        harness.kill(first)
        return (harness, invariants, process, harness.orphanedRequests, intents)
    }

    /// Runs `current` to 15:40 and stops it, then replays its journal: the outcome, and the intents a restart
    /// resolved as never sent.
    static func closeAndReplay(_ harness: VirtualRuntime, _ current: TradingRuntime, journal path: String) throws -> (
        outcome: ReplayOutcome, notSent: Int
    ) {
        try harness.advance(through: 15 * 3600 + 40 * 60)
        #expect(try harness.finish(current) == .stopped)
        let journal = try Journal.openForReading(at: path)
        defer { journal.close() }
        return (try JournalReplayer.replay(journal.reader), try notSentResolutions(journal.reader))
    }

    /// Intents a restart resolved as never sent (`NOT_SENT`) in a journal.
    static func notSentResolutions(_ reader: JournalReader) throws -> Int {
        var notSent = 0
        try reader.forEach(verifyChecksums: false) { view in
            if case .event(.orderRejected(let rejected)) = try JournalEntry.decode(view),
                rejected.code == RestartReconciliation.notSentCode
            {
                notSent += 1
            }
            return true
        }
        return notSent
    }

    @Test(
        "killed with an order on the wire: the broker takes it after the restart looked for it; the intent stays in flight, is found, and the books agree",
        arguments: ["documented", "observed"])
    func orderOnTheWireAtKill(profile: String) throws {
        let scratch = TemporaryDirectory("virtual-wire")
        let path = scratch.sub("journal")
        // A slow gateway: the first entry goes out, and the process dies while it is on the wire.
        let (harness, invariants, runtime, orphans, intents) = try Self.killedWithOrderOnTheWire(
            scratch, journal: path, behaviour: try #require(SimBehaviour.profile(profile)))
        // The day's first entries went out together: each is on the wire.
        #expect(orphans >= 1)
        harness.down(for: 1)
        let current = try runtime()
        harness.start(current)
        // The restart looked the intent up before the order arrived: it is still in flight, not rejected.
        let pending = harness.perform { [current] in await current.sequencer.state.unacknowledgedIntents }
        #expect(pending?.count == orphans, "in flight after the restart: \(String(describing: pending))")
        #expect(harness.transport.withWorld { $0.parentOrdersByCorrelationID.count } == intents)
        let (outcome, notSent) = try Self.closeAndReplay(harness, current, journal: path)
        #expect(harness.transport.withWorld { $0.parentOrdersByCorrelationID.count } > intents, "the order arrived")
        #expect(outcome.divergence == nil)
        #expect(notSent == 0, "an intent the broker holds was resolved as never sent")
        let state = outcome.state
        let late = try #require(pending).compactMap { id in state.positions.first { $0.id == id } }
        #expect(late.count == orphans)
        #expect(late.contains { $0.entryFilled > 0 }, "the late orders' fills are the engine's")
        #expect(state.openPositions.isEmpty)
        let parents = harness.transport.withWorld { $0.parentOrdersByCorrelationID }
        #expect(parents.values.allSatisfy { $0 == 1 }, "an intent placed twice: \(parents.filter { $0.value > 1 })")
        let violations = invariants.finish(state: state)
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test(
        "killed with its entry on the wire, the restart's later lookups unanswered: a lookup that failed is not an answer, so the intent stays in flight until the book answers, and the books agree"
    )
    func restartLookupsUnanswered() throws {
        let scratch = TemporaryDirectory("virtual-unanswered")
        let path = scratch.sub("journal")
        // Order placements take 4-6 s to reach the broker, so the restart's first lookup finds nothing yet.
        let (harness, invariants, runtime, orphans, intents) = try Self.killedWithOrderOnTheWire(scratch, journal: path)
        #expect(orphans >= 1)
        harness.down(for: 1)
        // After the restart's first lookup, for two minutes, the order book's answers are lost on the way back
        // (the broker is reached, the client hears a network error) and so are the order stream's alerts: the
        // entry arrives and trades, and only a lookup can tell. The socket crash test met the like of this
        // (dhan-sim's 429s to the restart's burst of lookups); an intent the broker held was resolved as never
        // sent, and nothing would have sold its position.
        let unanswered = Atomic<Bool>(true)
        let lookups = Atomic<Int>(0)
        harness.transport.loseAnswers { request in
            guard request.method == "GET", request.url.contains("/orders"), unanswered.load(ordering: .relaxed)
            else { return false }
            // The restart's first lookup by correlation id is answered (not there yet); the rest are not.
            let lookup = request.url.contains("/orders/external/")
            return !lookup || lookups.add(1, ordering: .relaxed).newValue > 1
        }
        harness.disturbAlerts(.init(loss: 1, reorder: false), seed: 5)
        let current = try runtime()
        harness.start(current)
        let lookingFrom = harness.transport.withWorld { $0.secondOfDay }
        try harness.advance(through: lookingFrom + 120)
        #expect(harness.transport.withWorld { $0.parentOrdersByCorrelationID.count } > intents, "the order arrived")
        unanswered.store(false, ordering: .relaxed)
        harness.disturbAlerts(.init(loss: 0, reorder: false), seed: 5)
        let (outcome, notSent) = try Self.closeAndReplay(harness, current, journal: path)
        #expect(outcome.divergence == nil)
        #expect(notSent == 0, "an intent the broker holds was resolved as never sent on lookups that failed")
        let state = outcome.state
        #expect(state.openPositions.isEmpty)
        let violations = invariants.finish(state: state)
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test(
        "restarted into ten minutes of 429s to the order book and positions reads: the timers run during the reconciliation, so the intent in flight is watched and escalated within the minute"
    )
    func timersRunWhileReconciling() throws {
        let scratch = TemporaryDirectory("virtual-reconciling")
        let path = scratch.sub("journal")
        let (harness, invariants, runtime, orphans, _) = try Self.killedWithOrderOnTheWire(scratch, journal: path)
        #expect(orphans >= 1)
        harness.down(for: 1)
        // Ten minutes of 429s to every read of the order book and the positions (DhanHQ's `other` class), and
        // the alerts lost: the client keeps retrying, and the restart's reconciliation waits on it.
        let restartedAt = harness.transport.withWorld { $0.now }
        harness.inject { world in
            world.rateLimitStorm(.other, untilSeconds: Double(world.now.epochSeconds + 600))
            return SimOutput()
        }
        harness.disturbAlerts(.init(loss: 1, reorder: false), seed: 5)
        let current = try runtime()
        harness.start(current)
        try harness.advance(through: harness.transport.withWorld { $0.secondOfDay } + 600)
        harness.disturbAlerts(.init(loss: 0, reorder: false), seed: 5)
        let (outcome, _) = try Self.closeAndReplay(harness, current, journal: path)

        let journal = try Journal.openForReading(at: path)
        var reconciledAt: Timestamp?
        var firstTimer: Timestamp?
        try journal.reader.forEach(verifyChecksums: false) { view in
            let time = Timestamp(nanos: view.header.timestampNanos)
            guard time >= restartedAt else { return true }
            switch try JournalEntry.decode(view) {
            case .event(.reconciliation): if reconciledAt == nil { reconciledAt = time }
            case .event(.timer): if firstTimer == nil { firstTimer = time }
            default: break
            }
            return true
        }
        journal.close()
        let reconciled = try #require(reconciledAt)
        let timer = try #require(firstTimer)
        // The reconciliation waited out the 429s; the clock did not wait for it.
        #expect(reconciled.epochSeconds - restartedAt.epochSeconds > 120, "reconciled at \(reconciled.istString)")
        #expect(timer.epochSeconds - restartedAt.epochSeconds <= 5, "first timer at \(timer.istString)")
        let state = outcome.state
        let escalated = state.anomalies.filter { $0.message.contains("with no word from the broker") }
        #expect(!escalated.isEmpty, "no intent escalated: \(state.anomalies.map(\.message))")
        #expect(outcome.divergence == nil)
        #expect(state.openPositions.isEmpty)
        let violations = invariants.finish(state: state)
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test(
        "ambiguous submits: a fifth of order answers lost after the broker took the order; each is found by correlation id, none sent twice, the books agree"
    )
    func ambiguousSubmits() throws {
        let scratch = TemporaryDirectory("virtual-ambiguous")
        let harness = VirtualRuntime(world: try Self.world(start: 9 * 3600 + 15 * 60))
        harness.loseOrderAnswers(probability: 0.2, seed: 11)
        let invariants = RuntimeInvariants(harness.transport)
        var ports = harness.ports
        ports.foldObserver = invariants
        var options = try Self.options(journal: scratch.sub("j"), mode: .live, ports: ports)
        options.masterDirectory = scratch.sub("master")
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: Self.quiet())
        #expect(try harness.run(runtime, until: 15 * 3600 + 40 * 60) == .stopped)
        #expect(harness.transport.lostAnswers >= 3, "answers lost: \(harness.transport.lostAnswers)")

        let journal = try Journal.openForReading(at: scratch.sub("j"))
        let outcome = try JournalReplayer.replay(journal.reader)
        journal.close()
        #expect(outcome.divergence == nil)
        let state = outcome.state
        #expect(state.positions.filter { $0.entryFilled > 0 }.count >= 2)
        #expect(state.openPositions.isEmpty)
        let parents = harness.transport.withWorld { $0.parentOrdersByCorrelationID }
        #expect(parents.values.allSatisfy { $0 == 1 }, "an intent placed twice: \(parents.filter { $0.value > 1 })")
        #expect(invariants.finish(state: state).isEmpty, "\(invariants.violations)")
    }

    @Test(
        "alerts lost, repeated and reordered (hostile rates) under the observed broker: the order watch recovers what was lost, nothing counts twice, the books agree",
        arguments: [3, 4])
    func disturbedAlerts(seed: UInt64) throws {
        let scratch = TemporaryDirectory("virtual-alerts")
        let behaviour = try #require(SimBehaviour.profile("observed"))
        let harness = VirtualRuntime(world: try Self.world(seed: seed, behaviour: behaviour))
        harness.disturbAlerts(.init(loss: 0.05, duplicate: 0.15, maxDelay: .seconds(4)), seed: seed)
        let invariants = RuntimeInvariants(harness.transport)
        var ports = harness.ports
        ports.foldObserver = invariants
        var options = try Self.options(journal: scratch.sub("j"), mode: .live, ports: ports)
        options.masterDirectory = scratch.sub("master")
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: Self.quiet())
        #expect(try harness.run(runtime, until: 15 * 3600 + 40 * 60) == .stopped)
        #expect(harness.alertsLost >= 3 && harness.alertsDuplicated >= 5)

        let journal = try Journal.openForReading(at: scratch.sub("j"))
        let outcome = try JournalReplayer.replay(journal.reader)
        journal.close()
        #expect(outcome.divergence == nil)
        let state = outcome.state
        #expect(state.positions.filter { $0.entryFilled > 0 }.count >= 2)
        let parents = harness.transport.withWorld { $0.parentOrdersByCorrelationID }
        #expect(parents.values.allSatisfy { $0 == 1 })
        #expect(invariants.finish(state: state).isEmpty, "\(invariants.violations)")
        print(
            "virtual alert faults (seed \(seed)): \(harness.alertsLost) lost, \(harness.alertsDuplicated) repeated, "
                + "\(parents.count) intents, \(state.positions.count) positions")
    }

    @Test(
        "REST requests 20–400 ms late (seeded, on virtual time, woken between seconds): the day holds every invariant, and a second run journals the same bytes"
    )
    func requestLatency() throws {
        let scratch = TemporaryDirectory("virtual-latency")
        let slow: (VirtualRuntime) -> Void = { $0.delayRequests(.milliseconds(20)...(.milliseconds(400)), seed: 5) }
        let first = try Self.day(mode: .live, in: scratch, name: "first", configure: slow)
        #expect(first.ending == .stopped)
        #expect(first.violations.isEmpty, "\(first.violations)")
        #expect(first.state.positions.filter { $0.entryFilled > 0 }.count >= 2)
        #expect(first.state.openPositions.isEmpty)
        // Answers arrive between seconds: acceptances and data are folded at the times they came back.
        let journal = try Journal.openForReading(at: first.journal)
        var between = 0
        try journal.reader.forEach(verifyChecksums: false) { view in
            if case .event(.orderAccepted) = try JournalEntry.decode(view),
                view.header.timestampNanos % 1_000_000_000 != 0
            {
                between += 1
            }
            return true
        }
        journal.close()
        #expect(between > 10, "acceptances folded between seconds: \(between)")
        let second = try Self.day(mode: .live, in: scratch, name: "second", configure: slow)
        #expect(second.digest == first.digest)
    }
}
