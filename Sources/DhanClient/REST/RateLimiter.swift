import Foundation

/// DhanHQ's API classes, each with its own limits (PROTOCOL.md §6).
public enum DhanAPIClass: String, Sendable, CaseIterable {
    case order, data, quote, optionChain, other

    /// (window, requests allowed in it) pairs.
    public var limits: [(window: Duration, count: Int)] {
        switch self {
        case .order: [(.seconds(1), 10), (.seconds(60), 250), (.seconds(3600), 1000), (.seconds(86_400), 7000)]
        case .data: [(.seconds(1), 5), (.seconds(86_400), 100_000)]
        case .quote: [(.seconds(1), 1)]
        case .optionChain: [(.seconds(3), 1)]
        case .other: [(.seconds(1), 20)]
        }
    }
}

/// Keeps each API class inside DhanHQ's limits by queueing callers, and backs a class off after a 429.
///
/// Callers `await acquire(_:)` before each request; it returns when the request may go. Waiting callers are
/// served in arrival order per class.
public actor RateLimiter {
    private var sent: [String: [Duration]] = [:]
    private var pausedUntil: [DhanAPIClass: Duration] = [:]
    private var backoff: [DhanAPIClass: Duration] = [:]
    /// Buckets with a caller waiting for its slot, and the callers queued behind it.
    private var busy: Set<String> = []
    private var queued: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var inFlight: [String: Set<Duration>] = [:]
    /// Requests that had to wait, per class (for metrics).
    public private(set) var waits: [DhanAPIClass: Int] = [:]
    /// 429 answers seen, per class.
    public private(set) var throttled: [DhanAPIClass: Int] = [:]
    private let clock: any ElapsedClock
    private let scale: Double

    /// The time on the limiter's clock (a caller measures its own wait with it).
    public nonisolated func elapsed() -> Duration { clock.elapsed() }

    /// Added to every window: requests stamped here arrive at the broker with network jitter, and a request
    /// that left a window early could land in the broker's next one.
    private let margin: Duration

    /// A limiter whose waits go through `clock` (a simulation passes its virtual one).
    ///
    /// `scale` shrinks every window (tests use 0.1 to run ten times faster); 1 is the real limits.
    public init(scale: Double = 1, margin: Duration = .milliseconds(60), clock: any ElapsedClock = MonotonicClock()) {
        self.scale = scale
        self.margin = margin
        self.clock = clock
    }

    /// Waits until a request of `apiClass` may be sent, and records it.
    ///
    /// `key` separates budgets inside a class: the option chain allows one request per 3 s for each
    /// underlying and expiry, not one for all.
    @discardableResult
    public func acquire(_ apiClass: DhanAPIClass, key: String = "") async -> Permit {
        let bucket = apiClass.rawValue + "|" + key
        // One caller at a time per bucket, in arrival order: later ones park here until it has its slot.
        // (Continuations, not tasks: an unstructured task would leave a simulation's executor.)
        if busy.contains(bucket) {
            await withCheckedContinuation { queued[bucket, default: []].append($0) }
        } else {
            busy.insert(bucket)
        }
        let stamp = await waitForSlot(apiClass, bucket: bucket)
        if let next = queued[bucket]?.first {
            queued[bucket]?.removeFirst()
            next.resume()
        } else {
            busy.remove(bucket)
        }
        return Permit(bucket: bucket, stamp: stamp)
    }

    /// One granted request, to be marked complete when its answer arrives.
    public struct Permit: Sendable {
        let bucket: String
        let stamp: Duration
    }

    /// Re-stamps a request at its completion: the broker received it no later than that, so counting the
    /// window from there keeps the next request out of the broker's window whatever the network delay was.
    public func completed(_ permit: Permit) {
        inFlight[permit.bucket]?.remove(permit.stamp)
        guard var times = sent[permit.bucket], let index = times.lastIndex(of: permit.stamp) else { return }
        times[index] = clock.elapsed()
        times.sort()
        sent[permit.bucket] = times
    }

    /// Waits for room in every window of the class, records the request and returns its stamp.
    private func waitForSlot(_ apiClass: DhanAPIClass, bucket: String) async -> Duration {
        var waited = false
        while true {
            let now = clock.elapsed()
            // A cancelled caller (shutdown) goes at once rather than spin on sleeps that throw; the client then
            // does not send its request.
            if Task.isCancelled { return now }
            if let paused = pausedUntil[apiClass], paused > now {
                waited = true
                try? await clock.sleep(untilElapsed: paused)
                continue
            }
            var times = sent[bucket] ?? []
            let longest = (apiClass.limits.map { $0.window * scale }.max() ?? .seconds(1)) + margin
            let flying = inFlight[bucket] ?? []
            // A request still in flight may reach the broker any moment: it stays in every window until done.
            times.removeAll { now - $0 >= longest && !flying.contains($0) }
            var wakeAt: Duration?
            for (window, count) in apiClass.limits {
                let span = window * scale + margin
                let inWindow = times.filter { now - $0 < span || flying.contains($0) }
                if inWindow.count >= count {
                    // Room opens when the oldest completed request leaves the window (or, if all are in
                    // flight, shortly: a completion re-stamps and wakes nothing, so poll).
                    let settled = inWindow.filter { !flying.contains($0) }
                    let free = settled.first.map { $0 + span } ?? now + .milliseconds(10)
                    wakeAt = max(wakeAt ?? free, free)
                }
            }
            if let wakeAt {
                waited = true
                sent[bucket] = times
                try? await clock.sleep(untilElapsed: wakeAt)
                continue
            }
            times.append(now)
            sent[bucket] = times
            inFlight[bucket, default: []].insert(now)
            if waited { waits[apiClass, default: 0] += 1 }
            return now
        }
    }

    /// Records a 429: the class pauses for a back-off that doubles on each consecutive 429 (1 s → 60 s).
    public func throttle(_ apiClass: DhanAPIClass) -> Duration {
        throttled[apiClass, default: 0] += 1
        let next = min((backoff[apiClass] ?? .milliseconds(500)) * 2, .seconds(60))
        backoff[apiClass] = next
        pausedUntil[apiClass] = clock.elapsed() + next * scale
        return next * scale
    }

    /// Records a success: the back-off resets.
    public func succeeded(_ apiClass: DhanAPIClass) {
        backoff[apiClass] = nil
    }
}
