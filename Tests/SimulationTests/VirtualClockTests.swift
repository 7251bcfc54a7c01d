import DhanClient
import Domain
import Runtime
import Synchronization
import Testing

/// The seams a process runs on virtual time with: `ManualExecutor` runs jobs only when asked, `VirtualClock`
/// wakes sleepers by deadline then by when they slept, and the REST rate limiter waits on that clock.
@Suite("Virtual clock and manual executor")
struct VirtualClockTests {
    /// What the tasks saw, shared with the test.
    final class Box<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        var current: Value { value.withLock { $0 } }
        func update(_ body: @Sendable (inout Value) -> Void) { value.withLock { body(&$0) } }
    }

    @Test("sleepers wake in deadline order, ties in the order they slept, only when the clock is advanced")
    func wakeOrder() {
        let executor = ManualExecutor()
        let clock = VirtualClock(origin: Timestamp(epochSeconds: 1_762_227_900))
        let woken = Box<[String]>([])
        for (name, seconds) in [("c", 3), ("a", 1), ("b1", 2), ("b2", 2), ("d", 5)] {
            Task(executorPreference: executor) {
                try await clock.sleep(untilElapsed: .seconds(seconds))
                woken.update { $0.append(name) }
            }
        }
        executor.runUntilIdle()
        #expect(clock.sleeping == 5 && woken.current.isEmpty)
        #expect(clock.nextDeadline == .seconds(1))
        clock.advance(to: .seconds(2))
        executor.runUntilIdle()
        #expect(woken.current == ["a", "b1", "b2"])
        clock.advance(to: .seconds(10))
        executor.runUntilIdle()
        #expect(woken.current == ["a", "b1", "b2", "c", "d"])
        #expect(clock.now() == Timestamp(epochSeconds: 1_762_227_910))
        // Time never goes back.
        clock.advance(to: .seconds(4))
        #expect(clock.elapsed() == .seconds(10))
    }

    @Test("a cancelled sleeper throws at once and leaves nothing behind")
    func cancellation() {
        let executor = ManualExecutor()
        let clock = VirtualClock(origin: Timestamp(epochSeconds: 0))
        let outcome = Box<String?>(nil)
        let task = Task(executorPreference: executor) {
            do {
                try await clock.sleep(untilElapsed: .seconds(60))
                outcome.update { $0 = "woke" }
            } catch {
                let name = "\(type(of: error))"
                outcome.update { $0 = name }
            }
        }
        executor.runUntilIdle()
        #expect(clock.sleeping == 1)
        task.cancel()
        executor.runUntilIdle()
        #expect(outcome.current == "CancellationError")
        #expect(clock.sleeping == 0)
    }

    @Test("the rate limiter waits on the virtual clock: the option chain's 3 s window, to the margin")
    func limiterOnVirtualTime() {
        let executor = ManualExecutor()
        let clock = VirtualClock(origin: Timestamp(epochSeconds: 0))
        let limiter = RateLimiter(margin: .milliseconds(60), clock: clock)
        let granted = Box<[Duration]>([])
        Task(executorPreference: executor) {
            for _ in 0..<3 {
                let permit = await limiter.acquire(.optionChain, key: "NIFTY")
                await limiter.completed(permit)
                let now = clock.elapsed()
                granted.update { $0.append(now) }
            }
        }
        executor.runUntilIdle()
        #expect(granted.current == [.zero])
        #expect(clock.nextDeadline == .milliseconds(3060))
        clock.advance(to: .milliseconds(3059))
        executor.runUntilIdle()
        #expect(granted.current.count == 1)
        clock.advance(to: .milliseconds(3060))
        executor.runUntilIdle()
        #expect(granted.current == [.zero, .milliseconds(3060)])
        clock.advance(to: .seconds(7))
        executor.runUntilIdle()
        #expect(granted.current == [.zero, .milliseconds(3060), .seconds(7)])
    }
}
