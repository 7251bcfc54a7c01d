import DhanClient
import Domain
import Logging
import Synchronization

/// Sends alerts off the trading path: a bounded queue per destination, one sender each, retries with
/// back-off, the service's pace respected.
///
/// `enqueue` never waits (a lock around an array), so an order or a fold never waits on a slow chat
/// service. A full queue drops its oldest alert and says so in the next message; an alert still failing after
/// `maxAttempts` is logged and dropped (an alert must not hold up the ones behind it all day).
public final class AlertDispatcher: Sendable {
    private struct Queue {
        var items: [Alert] = []
        var dropped = 0
        var closed = false
        /// A message is being sent (or waited for); with `items` empty, the queue is drained when this is false.
        var sending = false
    }

    /// Counts, for the tests and the status page.
    public struct Counts: Sendable, Equatable {
        public var delivered = 0
        public var refused = 0
        public var failed = 0
        public var dropped = 0
        public var attempts = 0
    }

    private let destinations: [AlertDestination]
    /// Each destination's queue and counts, by its index in `destinations`.
    private let state: Mutex<Shared>

    private struct Shared {
        var queues: [Queue]
        var counts: [Counts]
        /// Callers of `waitUntilDrained`, resumed once every queue is empty and idle (or `finish` gives up).
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        var released = false

        var drained: Bool { released || queues.allSatisfy { $0.items.isEmpty && !$0.sending } }

        /// The waiters to resume now that the queues may be drained.
        mutating func takeWaitersIfDrained() -> [CheckedContinuation<Void, Never>] {
            guard drained else { return [] }
            defer { drainWaiters = [] }
            return drainWaiters
        }
    }
    private let wake: [(stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)]
    private let http: any AlertHTTP
    private let clock: any ElapsedClock
    private let logger: Logger
    private let capacity: Int
    private let maxAttempts: Int
    private let senders = Mutex<[Task<Void, Never>]>([])
    private let executorBox = Mutex<(any TaskExecutor)?>(nil)
    private var executor: (any TaskExecutor)? { executorBox.withLock { $0 } }

    /// A dispatcher for `destinations`; back-off and pacing wait on `clock` (`MonotonicClock` in `scalper run`:
    /// a chat service's limits are in real seconds, whatever clock the trading follows).
    public init(
        destinations: [AlertDestination], http: any AlertHTTP = HTTPClientAlertHTTP(), clock: any ElapsedClock,
        logger: Logger, capacity: Int = 100, maxAttempts: Int = 6
    ) {
        self.destinations = destinations
        state = Mutex(Shared(queues: destinations.map { _ in Queue() }, counts: destinations.map { _ in Counts() }))
        wake = destinations.map { _ in AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1)) }
        self.http = http
        self.clock = clock
        self.logger = logger
        self.capacity = capacity
        self.maxAttempts = maxAttempts
    }

    /// The destinations `settings` names, with the bot token read; throws when Telegram has no usable token.
    public static func destinations(_ settings: AlertSettings, environment: [String: String]) throws(AlertSetupError)
        -> [AlertDestination]
    {
        var out: [AlertDestination] = []
        if let telegram = settings.telegram, let token = try settings.botToken(environment: environment) {
            out.append(AlertDestination(.telegram(chatID: telegram.chatID, token: token, apiBase: telegram.apiBase)))
        }
        if let url = settings.webhookURL { out.append(AlertDestination(.webhook(url: url))) }
        return out
    }

    /// Queues `alert` for every destination; never waits.
    public func enqueue(_ alert: Alert) {
        for index in destinations.indices {
            let accepted = state.withLock { state -> Bool in
                guard !state.queues[index].closed else { return false }
                if state.queues[index].items.count >= capacity {
                    state.queues[index].items.removeFirst()
                    state.queues[index].dropped += 1
                }
                state.queues[index].items.append(alert)
                return true
            }
            if accepted { wake[index].continuation.yield() }
        }
    }

    /// Starts one sender per destination, on `executor` when given (the virtual-time harness's).
    public func start(on executor: (any TaskExecutor)? = nil) {
        executorBox.withLock { $0 = executor }
        let tasks = destinations.indices.map { index in
            startTask(on: executor) { await self.send(index) }
        }
        senders.withLock { $0 = tasks }
    }

    /// Stops taking alerts, lets the senders work through what is queued for up to `grace`, then stops them.
    public func finish(within grace: Duration) async {
        for index in destinations.indices {
            state.withLock { $0.queues[index].closed = true }
            wake[index].continuation.finish()
        }
        let timer = startTask(on: executor) {
            try? await self.clock.sleep(for: grace)
            self.release()
        }
        await waitUntilDrained()
        timer.cancel()
        let tasks = senders.withLock { $0 }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        release()
        let left = state.withLock { $0.queues.reduce(0) { $0 + $1.items.count } }
        if left > 0 { logger.warning("alerts not sent before stopping", metadata: ["count": "\(left)"]) }
    }

    /// Whether every queue is empty and no message is being sent.
    public var drained: Bool { state.withLock { $0.drained } }

    /// Returns once every queue is empty and no message is being sent (or `finish` has given up waiting).
    public func waitUntilDrained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.drained { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Lets every drain waiter go, drained or not.
    private func release() {
        let waiters = state.withLock { state in
            state.released = true
            return state.takeWaitersIfDrained()
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The counts of destination `name` (`telegram`, `webhook`).
    public func counts(of name: String) -> Counts? {
        guard let index = destinations.firstIndex(where: { $0.name == name }) else { return nil }
        return state.withLock { $0.counts[index] }
    }

    private func count(_ index: Int, _ change: (inout Counts) -> Void) {
        state.withLock { change(&$0.counts[index]) }
    }

    private func send(_ index: Int) async {
        let destination = destinations[index]
        for await _ in wake[index].stream {
            while !Task.isCancelled {
                let (next, waiters) = state.withLock { state -> ((Alert, Int)?, [CheckedContinuation<Void, Never>]) in
                    guard !state.queues[index].items.isEmpty else {
                        state.queues[index].sending = false
                        return (nil, state.takeWaitersIfDrained())
                    }
                    state.queues[index].sending = true
                    defer { state.queues[index].dropped = 0 }
                    return ((state.queues[index].items.removeFirst(), state.queues[index].dropped), [])
                }
                for waiter in waiters { waiter.resume() }
                guard let (alert, dropped) = next else { break }
                if dropped > 0 {
                    count(index) { $0.dropped += dropped }
                    logger.warning(
                        "alert queue full: oldest alerts dropped",
                        metadata: ["destination": "\(destination.name)", "dropped": "\(dropped)"])
                }
                guard await deliver(alert, dropped: dropped, index) else { return }
                // Waiting out the pace is not sending: with nothing queued, the dispatcher is drained.
                let idle = state.withLock { state in
                    state.queues[index].sending = false
                    return state.takeWaitersIfDrained()
                }
                for waiter in idle { waiter.resume() }
                if destination.spacing > .zero {
                    do { try await clock.sleep(for: destination.spacing) } catch { return }
                }
            }
            if Task.isCancelled { break }
        }
        let waiters = state.withLock { state in
            state.queues[index].sending = false
            return state.takeWaitersIfDrained()
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sends one alert, retrying what is worth retrying; false when cancelled.
    private func deliver(_ alert: Alert, dropped: Int, _ index: Int) async -> Bool {
        let destination = destinations[index]
        let (url, body) = destination.request(for: alert, dropped: dropped)
        var attempt = 0
        while true {
            attempt += 1
            count(index) { $0.attempts += 1 }
            let delivery: AlertDestination.Delivery
            do {
                let (status, answer) = try await http.post(url, json: body)
                delivery = destination.delivery(status: status, body: answer)
            } catch {
                if Task.isCancelled { return false }
                delivery = .retry(after: nil, reason: destination.redact("\(error)"))
            }
            let metadata: Logger.Metadata = [
                "destination": "\(destination.name)", "kind": "\(alert.kind.name)", "seq": "\(alert.seq)",
                "attempt": "\(attempt)",
            ]
            switch delivery {
            case .delivered:
                count(index) { $0.delivered += 1 }
                logger.debug("alert sent", metadata: metadata)
                return true
            case .refused(let reason):
                count(index) { $0.refused += 1 }
                logger.error(
                    "alert refused", metadata: metadata.merging(["reason": "\(destination.redact(reason))"]) { $1 })
                return true
            case .retry(let after, let reason):
                guard attempt < maxAttempts else {
                    count(index) { $0.failed += 1 }
                    logger.error(
                        "alert not sent: giving up",
                        metadata: metadata.merging(["reason": "\(destination.redact(reason))"]) { $1 })
                    return true
                }
                let wait = after ?? Self.backOff(attempt: attempt)
                logger.warning(
                    "alert not sent: retrying",
                    metadata: metadata.merging([
                        "reason": "\(destination.redact(reason))", "retry_in_ms": "\(wait.milliseconds)",
                    ]) { $1 })
                do { try await clock.sleep(for: wait) } catch { return false }
            }
        }
    }

    /// 1, 2, 4, … seconds after each failed attempt, at most a minute.
    public static func backOff(attempt: Int) -> Duration { .seconds(min(60, 1 << min(attempt - 1, 6))) }
}
