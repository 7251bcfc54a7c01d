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

/// One seeded trading day of `scalper run`'s own process (`TradingRuntime` on its live order path) against
/// dhan-sim's broker on virtual time (`VirtualRuntime`), with a fault plan's misbehaviour.
///
/// Every fault is drawn from the seed, each kind from its own stream, so narrowing the plan while shrinking
/// leaves the other kinds' draws alone. The invariants are checked after every fold of the runtime's own
/// sequencer (`RuntimeInvariants`); at the end the journal must replay to the state the process held.
public final class RuntimeSession {
    let setup: SessionSetup
    private let harness: VirtualRuntime
    private let invariants: RuntimeInvariants
    /// Faults injected so far, by kind (a class: the transport's request hook counts into it too).
    private final class Counts: Sendable {
        let byKind = Mutex<[FaultKind: Int]>([:])
        func add(_ kind: FaultKind, _ times: Int = 1) { byKind.withLock { $0[kind, default: 0] += times } }
    }

    private let faults = Counts()
    private var random: SeededRandom
    private var stormUntil = 0
    private var stallUntil = 0
    /// The day's kills (second of day, seconds down) and the token's expiry (second, seconds until renewed).
    private var kills: [(second: Int, down: Int)] = []
    /// A kill that waits, from its second, for an order placement on the wire (`order_on_the_wire`).
    private var wireKill: (second: Int, down: Int)?
    private var tokenExpiry: (second: Int, renewAfter: Int)?
    private var tokenRenewAt: Int?

    public init(_ setup: SessionSetup) {
        self.setup = setup
        var configuration = SimConfiguration(date: setup.date, calendar: setup.config.calendar)
        configuration.seed = setup.seed
        configuration.speed = 0
        configuration.startSecondOfDay = 9 * 3600 + 14 * 60
        configuration.openingBalance = setup.config.paper.startingBalance
        configuration.scenario = setup.scenario
        harness = VirtualRuntime(world: SimWorld(configuration, behaviour: setup.plan.behaviour), seed: setup.seed)
        invariants = RuntimeInvariants(harness.transport)
        random = SeededRandom(seed: setup.seed, key: "faults:\(setup.plan.profile)")
    }

    /// The process's options: the live order path, fast durability, stopping itself at the session's end.
    private func options() -> TradingRuntime.Options {
        var ports = harness.ports
        ports.foldObserver = invariants
        var options = TradingRuntime.Options(
            journalPath: setup.journalPath, mode: .live, configFiles: setup.files, config: setup.config,
            endpoints: VirtualRuntime.endpoints, credentials: .simulator)
        options.durability = .fast
        options.stopAtSecondOfDay = setup.endSecondOfDay
        options.masterDirectory = masterDirectory
        // A few snapshots a day, so most restarts resume from one; each hashes the whole state, which at the
        // default cadence (20,000 events) was a sixth of a simulated day's cost.
        options.snapshotEvery = 50_000
        options.ports = ports
        return options
    }

    /// Where the process keeps the scrip master it downloads (removed with the session).
    private var masterDirectory: String { setup.journalPath + ".scrip-master" }

    private func process() throws -> TradingRuntime {
        try TradingRuntime(
            options: options(), clock: harness.clock,
            logger: Logger(label: "simulate") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Runs the day from 09:14 IST until the process stops itself after `endSecondOfDay`, then checks the
    /// end-of-day invariants and the replay.
    public func run() throws -> SessionOutcome {
        try? FileManager.default.removeItem(atPath: setup.journalPath)
        defer { try? FileManager.default.removeItem(atPath: masterDirectory) }
        planFaults()
        var current = try process()
        harness.start(current)
        try harness.advance(through: setup.endSecondOfDay + 60) { second in
            try self.faults(at: second, current: &current)
        }
        let ending = try harness.finish(current)
        let state = harness.perform { [current] in await current.sequencer.state } ?? EngineState()
        return try finish(state: state, ending: ending)
    }

    // MARK: - Faults

    private func count(_ kind: FaultKind, _ times: Int = 1) {
        guard times > 0 else { return }
        faults.add(kind, times)
    }

    private func chance(_ probability: Double) -> Bool { random.unit() < probability }

    /// Draws the day's kills and token expiry, and switches on the faults that act on every request or alert.
    private func planFaults() {
        let plan = setup.plan
        let rates = plan.rates
        if plan.has(.engineRestart) {
            var draws = SeededRandom(seed: setup.seed, key: "restarts:\(plan.profile)")
            let first = 9 * 3600 + 20 * 60
            let span = 15 * 3600 + 25 * 60 - first
            for _ in 0..<rates.restartsPerDay {
                let second = first + Int(draws.unit() * Double(span))
                let down = 2 + Int(draws.next() % UInt64(rates.restartMaxDownSeconds - 1))
                kills.append((second, down))
            }
            kills.sort { $0.second < $1.second }
            if plan.has(.orderOnTheWire), !kills.isEmpty { wireKill = kills.removeFirst() }
        }
        if plan.has(.orderOnTheWire) {
            harness.delayRequests(.seconds(1)...(.seconds(5)), seed: setup.seed) { request in
                request.method == "POST" && request.url.hasSuffix("orders")
            }
        }
        if plan.has(.tokenExpiry) {
            var token = SeededRandom(seed: setup.seed, key: "token:\(plan.profile)")
            let renewAfter = 60 + Int(token.next() % 241)
            let from = 10 * 3600
            tokenExpiry = (from + Int(token.unit() * Double(14 * 3600 + 30 * 60 - from)), renewAfter)
        }
        let alertKinds: Set<FaultKind> = [.alertLoss, .alertDuplicate, .alertDelay, .alertReorder]
        if !plan.kinds.isDisjoint(with: alertKinds) {
            harness.disturbAlerts(
                VirtualRuntime.AlertFaults(
                    loss: plan.has(.alertLoss) ? rates.alertLoss : 0,
                    duplicate: plan.has(.alertDuplicate) ? rates.alertDuplicate : 0,
                    maxDelay: plan.has(.alertDelay) ? .milliseconds(rates.alertMaxDelayMilliseconds) : .zero,
                    reorder: plan.has(.alertReorder)),
                seed: setup.seed)
        }
        if plan.has(.ambiguousSubmit) {
            harness.loseOrderAnswers(probability: rates.ambiguousSubmit, seed: setup.seed)
        }
        if plan.has(.orderRejection) {
            let draws = Mutex(SeededRandom(seed: setup.seed, key: "rejections:\(plan.profile)"))
            let probability = rates.orderRejection
            harness.transport.beforeEachRequest { [faults] request, world in
                guard request.method == "POST", request.url.hasSuffix("/orders"),
                    draws.withLock({ $0.unit() }) < probability
                else { return }
                world.rejectNextOrders(1)
                faults.add(.orderRejection)
            }
        }
    }

    /// What the plan does at `second` (the world has just reached it): stalls, storms, kills, the token.
    private func faults(at second: Int, current: inout TradingRuntime) throws {
        let plan = setup.plan
        if plan.has(.feedStall), second > stallUntil, second % 60 == 0, chance(plan.rates.feedStallPerMinute) {
            stallUntil = second + 5 + Int(random.next() % 26)
            harness.stallFeedUntilSecondOfDay = stallUntil + 1
            count(.feedStall)
        }
        if plan.has(.rateLimitStorm), second > stormUntil, second % 60 == 30,
            chance(plan.rates.rateLimitStormPerMinute)
        {
            let length = 2 + Int(random.next() % 4)
            stormUntil = second + length
            harness.inject { world in
                world.rateLimitStorm(.order, untilSeconds: Double(world.now.epochSeconds + Int64(length)))
                return SimOutput()
            }
            count(.rateLimitStorm)
        }
        if let expiry = tokenExpiry, expiry.second == second {
            count(.tokenExpiry)
            harness.inject { $0.tokenExpired(true) }
            tokenRenewAt = second + expiry.renewAfter
        }
        if let renew = tokenRenewAt, renew == second {
            // The operator stops the process, puts the new token in place and starts it again.
            tokenRenewAt = nil
            harness.inject { $0.tokenExpired(false) }
            current = try restart(current, down: 5)
        }
        // Killed with an order on the wire, or at 15:25 if no order went out after its second.
        if let kill = wireKill, kill.second <= second,
            harness.link.wire.count > 0 || second >= 15 * 3600 + 25 * 60
        {
            wireKill = nil
            count(.engineRestart)
            current = try restart(current, down: kill.down)
        }
        while let kill = kills.first, kill.second <= second {
            kills.removeFirst()
            count(.engineRestart)
            current = try restart(current, down: kill.down)
        }
    }

    /// SIGKILL, `down` seconds of the world without the process, then the crash-only start-up.
    private func restart(_ runtime: TradingRuntime, down: Int) throws -> TradingRuntime {
        harness.kill(runtime)
        harness.down(for: down)
        let next = try process()
        harness.start(next)
        return next
    }

    // MARK: - End of day

    private func finish(state: EngineState, ending: VirtualRuntime.Ending) throws -> SessionOutcome {
        var outcome = SessionOutcome(seed: setup.seed, date: setup.date, journalPath: setup.journalPath)
        count(.alertLoss, harness.alertsLost)
        count(.alertDuplicate, harness.alertsDuplicated)
        if setup.plan.has(.alertDelay) { count(.alertDelay, harness.alertsDelayed) }
        count(.ambiguousSubmit, harness.transport.lostAnswers)
        count(.orderOnTheWire, harness.orphanedRequests)
        outcome.faults = faults.byKind.withLock { $0 }

        let journal = try Journal.openForReading(at: setup.journalPath)
        defer { journal.close() }
        let replayed = try JournalReplayer.replay(journal.reader)
        var violations = invariants.finish(state: state)
        if ending != .stopped {
            violations.append(
                Violation(
                    invariant: .intentsResolve, seq: replayed.lastSeq,
                    why: "the process did not stop on its own at the session's end (\(ending))"))
        }
        if let divergence = replayed.divergence {
            violations.append(
                Violation(
                    invariant: .replayIdentical, seq: divergence.seq,
                    why: "diverges at seq \(divergence.seq): \(divergence.explanation)"))
        } else if replayed.state != state {
            violations.append(
                Violation(
                    invariant: .replayIdentical, seq: replayed.lastSeq,
                    why: "replayed state hash \(replayed.state.stateHash) differs from the live \(state.stateHash)"))
        }
        outcome.violations = violations
        outcome.finalState = replayed.state
        outcome.records = replayed.lastSeq
        let filled = replayed.state.positions.filter { $0.entryFilled > 0 }
        outcome.positions = Set(filled.map(\.positionID)).count
        outcome.slicedPositions = Set(filled.compactMap(\.slicesOf)).count
        // One pass for the counts and the digest; the replay above has verified every record's checksum.
        var digest = JournalDigest()
        try journal.reader.forEach(verifyChecksums: false) { view in
            digest.add(view)
            // Kinds above 100 are commands (`EntryKind.isCommand`).
            if view.header.kind > 100 {
                outcome.commands += 1
                if view.header.kind == EntryKind.placeOrder.rawValue { outcome.orders += 1 }
            } else {
                outcome.events += 1
            }
            return true
        }
        outcome.journalDigest = digest.value
        return outcome
    }
}
