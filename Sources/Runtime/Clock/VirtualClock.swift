import DhanClient
import Domain
import Synchronization

/// Virtual time: it moves only when told, and then wakes the sleepers that are due, earliest deadline first,
/// ties in the order they went to sleep (the order swift-nio's `NIOEmbedded` runs scheduled tasks in).
///
/// With `ManualExecutor` running every task, a process on this clock takes the same steps on every run.
public final class VirtualClock: RuntimeClock {
    private struct Sleeper {
        var deadline: Duration
        var order: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var elapsed: Duration = .zero
        var order: UInt64 = 0
        /// Sorted by deadline, then by when they slept: the next to wake first.
        ///
        /// Kept in order as they come (a second's timer goes at or near the end), not filtered and sorted on
        /// every advance.
        var sleepers: [Sleeper] = []
        /// Sleepers cancelled before their continuation was stored.
        var cancelled: Set<UInt64> = []

        mutating func insert(_ sleeper: Sleeper) {
            var low = 0
            var high = sleepers.count
            while low < high {
                let middle = (low + high) / 2
                if (sleepers[middle].deadline, sleepers[middle].order) < (sleeper.deadline, sleeper.order) {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            sleepers.insert(sleeper, at: low)
        }

        mutating func remove(_ id: UInt64) -> Sleeper? {
            guard let index = sleepers.firstIndex(where: { $0.order == id }) else { return nil }
            return sleepers.remove(at: index)
        }
    }

    private let origin: Timestamp
    private let state = Mutex(State())
    /// `state.elapsed` in nanoseconds, stored by `advance` under the lock, read without it.
    ///
    /// The clock is read a few times for every event (the sequencer's stopwatch, the rate limiter, the feed's
    /// health); taking the lock and turning a `Duration` into nanoseconds each time was about a hundredth of a
    /// simulated day.
    private let elapsedNanos = Atomic<Int64>(0)

    /// A clock reading `origin` until it is advanced.
    public init(origin: Timestamp) { self.origin = origin }

    public func now() -> Timestamp { Timestamp(nanos: origin.nanos + elapsedNanos.load(ordering: .acquiring)) }

    public var secondDuration: Duration { .seconds(1) }

    public func elapsed() -> Duration { .nanoseconds(elapsedNanos.load(ordering: .acquiring)) }

    /// Sleepers not yet woken.
    public var sleeping: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline a sleeper waits for.
    public var nextDeadline: Duration? { state.withLock { $0.sleepers.first?.deadline } }

    public func sleep(untilElapsed deadline: Duration) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in
            state.order += 1
            return state.order
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let wakeNow = state.withLock { state -> Bool in
                    if state.cancelled.remove(id) != nil { return true }
                    state.insert(Sleeper(deadline: deadline, order: id, continuation: continuation))
                    return false
                }
                if wakeNow { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                guard let sleeper = state.remove(id) else {
                    state.cancelled.insert(id)
                    return Sleeper?.none
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward to `elapsed` (never back) and wakes every sleeper due by then; returns how many.
    ///
    /// A woken task runs when its executor next runs jobs; one that sleeps again until a deadline already
    /// passed is woken by the next call.
    @discardableResult
    public func advance(to elapsed: Duration) -> Int {
        let due = state.withLock { state -> [Sleeper] in
            state.elapsed = max(state.elapsed, elapsed)
            elapsedNanos.store(state.elapsed.nanoseconds, ordering: .releasing)
            let count = state.sleepers.prefix { $0.deadline <= state.elapsed }.count
            guard count > 0 else { return [] }
            let due = Array(state.sleepers[..<count])
            state.sleepers.removeFirst(count)
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
        return due.count
    }
}
