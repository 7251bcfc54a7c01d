/// Where waits come from: the monotonic wall clock, or a virtual clock that a simulation advances.
///
/// Everything outside the engine that waits (rate limits, back-offs, the runtime's timers) waits through one
/// of these, so a test or simulation can run it on virtual time, as swift-nio's `NIOEmbedded` runs
/// scheduled tasks only when told.
public protocol ElapsedClock: Sendable {
    /// Time since the clock's origin; never goes back.
    func elapsed() -> Duration
    /// Suspends until `elapsed()` reaches `deadline`; throws `CancellationError` if the task is cancelled.
    func sleep(untilElapsed deadline: Duration) async throws
}

extension ElapsedClock {
    /// Suspends for `duration` of this clock's time.
    public nonisolated(nonsending) func sleep(for duration: Duration) async throws {
        try await sleep(untilElapsed: elapsed() + duration)
    }
}

/// The wall clock's monotonic time (`ContinuousClock`), from when this value was made.
public struct MonotonicClock: ElapsedClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func elapsed() -> Duration { ContinuousClock.now - origin }

    public func sleep(untilElapsed deadline: Duration) async throws {
        try await Task.sleep(until: origin + deadline, clock: .continuous)
    }
}
