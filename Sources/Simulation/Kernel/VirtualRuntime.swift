import DhanClient
import DhanSim
import Domain
import Foundation
import MarketModel
import Runtime
import Synchronization

/// `TradingRuntime` itself (the process `scalper run` is) against dhan-sim's core in memory, on virtual time.
///
/// The REST client, the feed and the order stream carry the bytes the sockets would (`InMemoryDhanTransport`,
/// `InMemoryMarketFeed`, `InMemoryOrderStream`); every task runs on a `ManualExecutor` (each call here routes the
/// thread's global jobs to it), and every wait is on a `VirtualClock`. Each step moves the world one second,
/// hands its frames and alerts to the runtime, moves the clock, and runs until nothing is runnable: the same
/// world and runtime take the same steps on every run, with no sockets and no sleeps.
public final class VirtualRuntime {
    public let transport: InMemoryDhanTransport
    /// The running process's feed, order stream, clock and executor; a kill drops them and a restart makes
    /// new ones, so nothing the killed process had queued or was waiting for ever runs.
    public private(set) var feed: InMemoryMarketFeed
    public private(set) var orders: InMemoryOrderStream
    /// The running process's REST connection to the world (severed by a kill).
    public private(set) var link: ProcessTransport
    /// The task running the process's `run()`.
    private var process: Task<Void, Never>?
    /// Jobs of killed processes that were still queued or suspended once their tasks had unwound: memory the
    /// kill could not free (0 when every task ends on cancellation).
    public private(set) var unwoundJobsLeft = 0
    public private(set) var clock: VirtualClock
    public private(set) var executor = ManualExecutor()
    private let origin: Timestamp
    private let reconnect: ReconnectPolicy
    private let seed: UInt64
    private var incarnation: UInt64 = 0

    /// Why `run` returned.
    public enum Ending: Equatable, Sendable {
        /// The runtime stopped itself (its stop time) and shut down.
        case stopped
        /// The world reached the last second asked for; the runtime was asked to stop and shut down.
        case timeLimit
        /// The runtime is still running after the last step (it did not finish its shutdown).
        case stuck
    }

    /// The feed sends no ticks through this second of the day (a silent stall).
    public var stallFeedUntilSecondOfDay: Int?

    /// A harness around `world`, whose clock starts at the world's time; the feed reconnects by `reconnect`,
    /// its jitter drawn from `seed`.
    public init(world: SimWorld, reconnect: ReconnectPolicy = ReconnectPolicy(), seed: UInt64 = 1) {
        transport = InMemoryDhanTransport(world)
        link = ProcessTransport(transport)
        feed = InMemoryMarketFeed(transport, policy: reconnect, seed: seed)
        orders = InMemoryOrderStream()
        origin = world.now
        clock = VirtualClock(origin: world.now)
        currentClock = ClockBox(clock)
        self.reconnect = reconnect
        self.seed = seed
    }

    /// The process dies (SIGKILL).
    ///
    /// `runtime` closes its journal as the kernel would close its files, and its connections are cut; then
    /// everything it had queued, was waiting for or had in flight is cancelled and run to its end on its own
    /// executor, touching neither the journal nor the world, so its memory is freed as the kernel would free
    /// it. The world goes on; what it sends until the next `start` is lost, as it is on a closed socket.
    public func kill(_ runtime: TradingRuntime) {
        routed {
            link.sever()
            // Sent before the kill: these reach the broker anyway, each when its latency has passed.
            for (request, arrives) in link.wire.takeAll() {
                requestsOnTheWire.schedule(request, at: Self.nanos(arrives))
                orphanedRequests += 1
            }
            feed.sever()
            orders.sever()
            runtime.abandon()
            process?.cancel()
            process = nil
            // Cancellation wakes every sleeper and reader; each unwinds on the dead process's executor (its clock
            // never moves again).
            let generation = transport.generation
            executor.runUntilIdle()
            precondition(transport.generation == generation, "a killed process reached the world while it unwound")
            unwoundJobsLeft += executor.queued + clock.sleeping
            incarnation += 1
            link = ProcessTransport(transport)
            executor = ManualExecutor()
            clock = VirtualClock(origin: origin)
            clock.advance(to: elapsed)
            currentClock.clock.withLock { $0 = clock }
            feed = InMemoryMarketFeed(transport, policy: reconnect, seed: seed &+ incarnation)
            orders = InMemoryOrderStream()
            outcome = Outcome()
            _ = transport.takeOutput()
            heldAlerts = Scheduler()
            lastAlertArrival = .zero
            running = false
        }
    }

    /// Requests a killed process had sent, by when they reach the world.
    private var requestsOnTheWire = Scheduler<DhanHTTPRequest>()
    /// Requests that were on the wire when their process was killed (each reached the world later).
    public private(set) var orphanedRequests = 0

    /// Hands the world the killed processes' requests that have arrived by `time`; their answers go nowhere.
    private func deliverOrphanedRequests(through time: Duration) {
        while let (at, request) = requestsOnTheWire.next(dueBy: Self.nanos(time)) {
            let arrival = Duration.nanoseconds(at)
            if running, arrival > clock.elapsed() { clock.advance(to: arrival) }
            _ = try? transport.answer(request)
            if running { settle() } else { _ = transport.takeOutput() }
        }
    }

    /// Moves the world `seconds` with no process running: its frames and alerts are lost.
    public func down(for seconds: Int) {
        routed {
            precondition(!running, "down(for:) is for a killed process")
            for _ in 0..<seconds {
                _ = transport.withWorld { world in
                    world.feedDropped()
                    return world.advanceOneSecond(virtualSeconds: Double(world.now.epochSeconds + 1))
                }
                _ = transport.takeOutput()
                clock.advance(to: elapsed)
                deliverOrphanedRequests(through: elapsed)
            }
        }
    }

    /// Virtual time since the harness began: the world's clock.
    private var elapsed: Duration { .nanoseconds(transport.withWorld { $0.now }.nanos - origin.nanos) }

    /// Whether a process is running (started and not killed).
    private var running = false

    /// Endpoints for a runtime here: the in-memory transport reads only their paths, and the host cannot
    /// resolve, so nothing could reach a network by mistake.
    public static let endpoints = DhanEndpoints(
        restURL: "http://dhan-sim.in-memory.invalid/v2", feedURL: "ws://dhan-sim.in-memory.invalid",
        orderFeedURL: "ws://dhan-sim.in-memory.invalid")

    /// The ports a runtime must be given to run here (`TradingRuntime.Options.ports`).
    public var ports: RuntimePorts {
        var ports = RuntimePorts()
        ports.transport = link
        ports.feed = feed
        ports.orderStream = orders
        ports.inlineCommits = true
        ports.stopwatch = clock
        return ports
    }

    /// Runs `runtime.run()` one world second at a time until it stops or the world passes `lastSecondOfDay`.
    ///
    /// Past `lastSecondOfDay` the runtime is asked to stop. `afterSecond` sees every step (inject a fault,
    /// check an invariant). Rethrows what `run()` threw.
    @discardableResult
    public func run(
        _ runtime: TradingRuntime, until lastSecondOfDay: Int, afterSecond: (Int) throws -> Void = { _ in }
    ) throws -> Ending {
        start(runtime)
        try advance(through: lastSecondOfDay, afterSecond: afterSecond)
        return try finish(runtime)
    }

    /// What `run()` returned, once it has (a class, so the runtime's task can hold it).
    private final class Outcome: Sendable {
        let result = Mutex<Result<Void, any Error>?>(nil)

        /// A value a task on the executor hands back.
        final class Box<T: Sendable>: Sendable {
            let value = Mutex<T?>(nil)
        }
    }

    private var outcome = Outcome()

    /// Starts `runtime.run()` on the executor and runs it until it waits for the market.
    public func start(_ runtime: TradingRuntime) {
        routed {
            running = true
            let outcome = outcome
            process = Task {
                do {
                    try await runtime.run()
                    outcome.result.withLock { $0 = .success(()) }
                } catch {
                    outcome.result.withLock { $0 = .failure(error) }
                }
            }
            settle()
        }
    }

    /// Whether `run()` has returned.
    public var finished: Bool { outcome.result.withLock { $0 != nil } }

    /// Steps the world second by second until it reaches `secondOfDay` or the runtime returns.
    public func advance(through secondOfDay: Int, afterSecond: (Int) throws -> Void = { _ in }) throws {
        try routed {
            while !finished {
                let second = transport.withWorld { $0.secondOfDay }
                guard second < secondOfDay else { return }
                step()
                try afterSecond(second + 1)
            }
        }
    }

    /// Steps the world second by second until its clock reaches `time` (across midnights) or the runtime
    /// returns.
    public func advance(until time: Timestamp) {
        routed {
            while !finished && transport.withWorld({ $0.now }) < time { step() }
        }
    }

    /// Stops the runtime if it still runs, lets it shut down, and says how it ended; rethrows what `run()`
    /// threw.
    public func finish(_ runtime: TradingRuntime) throws -> Ending {
        var ending = Ending.stopped
        if !finished {
            routed {
                runtime.stop()
                settle()
            }
            ending = .timeLimit
        }
        switch outcome.result.withLock({ $0 }) {
        case .failure(let error): throw error
        case .success: return ending
        case nil: return .stuck
        }
    }

    /// Runs `body` on the executor to its end and returns what it returned.
    ///
    /// A caller outside async code reads the runtime's actors this way (the sequencer's state after the
    /// session); nil if `body` waits on something only a later step would bring.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T? {
        let box = Outcome.Box<T>()
        routed {
            Task {
                let value = await body()
                box.value.withLock { $0 = value }
            }
            settle()
        }
        return box.value.withLock { $0 }
    }

    /// Moves the world one second, hands its output over, moves the clock to it, and settles.
    public func step() {
        routed {
            runBetweenSeconds(until: .nanoseconds(transport.withWorld { $0.now }.nanos - origin.nanos + 1_000_000_000))
            let output = transport.withWorld { world in
                let stalled = stallFeedUntilSecondOfDay.map { world.secondOfDay < $0 } ?? false
                return world.advanceOneSecond(virtualSeconds: Double(world.now.epochSeconds + 1), stalled: stalled)
            }
            let now = transport.withWorld { $0.now }
            let elapsed = Duration.nanoseconds(now.nanos - origin.nanos)
            deliver(output)
            feed.reconnectIfDue(at: elapsed)
            clock.advance(to: elapsed)
            settle()
        }
    }

    /// What the order stream does to alerts on their way: each is lost, repeated or held back, by a seeded
    /// draw (LIVE-BEHAVIOUR.md: alerts arrive late, twice, out of order, or not at all).
    public struct AlertFaults: Sendable {
        public var loss: Double
        public var duplicate: Double
        /// Each delivery is held back up to this long (independent draws, so alerts overtake each other).
        public var maxDelay: Duration
        /// Whether a later alert may overtake an earlier one; when false each arrives no sooner than the one
        /// sent before it.
        public var reorder: Bool

        public init(loss: Double = 0, duplicate: Double = 0, maxDelay: Duration = .zero, reorder: Bool = true) {
            self.loss = loss
            self.duplicate = duplicate
            self.maxDelay = maxDelay
            self.reorder = reorder
        }
    }

    private var alertFaults: (faults: AlertFaults, random: SeededRandom)?
    /// Alerts held back, by when they arrive (elapsed nanoseconds), then the order they were sent in.
    private var heldAlerts = Scheduler<Data>()
    /// When the latest held alert arrives (alerts that may not overtake one another queue behind it).
    private var lastAlertArrival = Duration.zero
    /// Alerts the faults dropped, extra copies they delivered, and deliveries they held back.
    public private(set) var alertsLost = 0
    public private(set) var alertsDuplicated = 0
    public private(set) var alertsDelayed = 0

    /// From now on alerts suffer `faults`, drawn from `seed`.
    public func disturbAlerts(_ faults: AlertFaults, seed: UInt64) {
        alertFaults = (faults, SeededRandom(seed: seed, key: "alert-faults"))
    }

    /// Queues alerts through the faults; those not held back are delivered now.
    private func send(_ alerts: [Data]) {
        guard var disturbance = alertFaults else { return orders.deliver(alerts) }
        let now = clock.elapsed()
        for alert in alerts {
            if disturbance.random.unit() < disturbance.faults.loss {
                alertsLost += 1
                continue
            }
            var copies = 1
            if disturbance.random.unit() < disturbance.faults.duplicate {
                copies = 2
                alertsDuplicated += 1
            }
            for _ in 0..<copies {
                let delay = disturbance.faults.maxDelay * disturbance.random.unit()
                if delay > .zero { alertsDelayed += 1 }
                var arrival = now + delay
                if !disturbance.faults.reorder { arrival = max(arrival, lastAlertArrival) }
                lastAlertArrival = max(lastAlertArrival, arrival)
                heldAlerts.schedule(alert, at: Self.nanos(arrival))
            }
        }
        alertFaults = disturbance
        deliverDueAlerts(through: now)
    }

    /// Runs what falls due before `end` (the next whole second), in time order: held alerts, and sleepers
    /// whose deadlines fall between seconds (a request's latency, the rate limiter's margin).
    private func runBetweenSeconds(until end: Duration) {
        while true {
            let alert = heldAlerts.nextTime.map { Duration.nanoseconds($0) }
            let orphan = requestsOnTheWire.nextTime.map { Duration.nanoseconds($0) }
            let sleeper = clock.nextDeadline
            guard let next = [alert, orphan, sleeper].compactMap({ $0 }).min(), next < end else { return }
            if next > clock.elapsed() { clock.advance(to: next) }
            deliverOrphanedRequests(through: next)
            deliverDueAlerts(through: next)
            settle()
        }
    }

    /// A network latency for every REST request, drawn from `range` by `seed`, waited on the clock of the
    /// process that sent it; a request on the wire when its process is killed still arrives, on time.
    ///
    /// `only` picks the requests that are slow (all of them when nil); the others arrive at once.
    public func delayRequests(
        _ range: ClosedRange<Duration>, seed: UInt64, only: (@Sendable (DhanHTTPRequest) -> Bool)? = nil
    ) {
        let random = Mutex(SeededRandom(seed: seed, key: "request-latency"))
        let current = currentClock
        transport.delayRequests(
            .init(
                draw: { request in
                    guard only?(request) ?? true else { return nil }
                    return range.lowerBound + (range.upperBound - range.lowerBound) * random.withLock { $0.unit() }
                },
                now: { current.clock.withLock { $0 }.elapsed() },
                sleep: { latency in try await current.clock.withLock { $0 }.sleep(for: latency) }))
    }

    /// The running process's clock, for waits started outside it (the transport's latency).
    private final class ClockBox: Sendable {
        let clock: Mutex<VirtualClock>
        init(_ clock: VirtualClock) { self.clock = Mutex(clock) }
    }

    private let currentClock: ClockBox

    /// Delivers held alerts due by `time`, earliest first, moving the clock to each and settling.
    private func deliverDueAlerts(through time: Duration) {
        while let (at, alert) = heldAlerts.next(dueBy: Self.nanos(time)) {
            let arrival = Duration.nanoseconds(at)
            if arrival > clock.elapsed() { clock.advance(to: arrival) }
            orders.deliver([alert])
            settle()
        }
    }

    /// A virtual elapsed time as whole nanoseconds (the scheduler's unit).
    private static func nanos(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Loses the answer to a share of order placements (seeded): the broker has the order, the runtime hears
    /// nothing, and must find it by correlation id without sending it again.
    public func loseOrderAnswers(probability: Double, seed: UInt64) {
        let random = Mutex(SeededRandom(seed: seed, key: "lost-order-answers"))
        transport.loseAnswers { request in
            guard request.method == "POST", request.url.hasSuffix("/orders") else { return false }
            return random.withLock { $0.unit() } < probability
        }
    }

    /// Changes the world between steps (a feed drop, a 429 storm, an expired token) and hands over what it
    /// sent, then settles.
    public func inject(_ change: (inout SimWorld) -> SimOutput) {
        routed {
            deliver(transport.withWorld { change(&$0) })
            settle()
        }
    }

    /// Runs `body` with every job this thread hands the global executor queued on the process's executor:
    /// the process's tasks are plain tasks, and whatever wakes one (a delivered frame, the clock, a
    /// cancellation) does so from here.
    private func routed<T>(_ body: () throws -> T) rethrows -> T {
        try executor.routingGlobalJobs(body)
    }

    /// Runs every runnable job, hands over what REST calls made the world send, and wakes sleepers already
    /// due, until none of these has anything left.
    public func settle() {
        routed {
            while true {
                executor.runUntilIdle()
                deliver(transport.takeOutput())
                if executor.queued > 0 { continue }
                if clock.advance(to: clock.elapsed()) > 0 { continue }
                return
            }
        }
    }

    private func deliver(_ output: SimOutput) {
        if !output.feedFrames.isEmpty { feed.deliver(output.feedFrames) }
        if output.feedClosed {
            let reason = output.feedFrames.last.flatMap { frame -> UInt16? in
                let decoded = frame.withUnsafeBytes { MarketFeedClient.decodeFrame($0) }
                guard case .update(.disconnect(let reason, _)) = decoded else { return nil }
                return reason
            }
            feed.closed(reason: reason, at: clock.elapsed())
        }
        if !output.alerts.isEmpty { send(output.alerts) }
    }
}
