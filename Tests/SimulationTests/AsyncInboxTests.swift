import DhanClient
import Runtime
import Testing

/// `AsyncInbox`, the queue that carries the feed's updates and the runtime's folded bursts, read on a
/// `ManualExecutor` so every wake-up is counted as a job.
@Suite("Async inbox")
struct AsyncInboxTests {
    typealias Box = VirtualClockTests.Box

    /// A reader task that appends what it reads to `read` and "end" when `next()` gives nil.
    static func reader(_ inbox: AsyncInbox<Int>, on executor: ManualExecutor, into read: Box<[String]>) -> Task<
        Void, Never
    > {
        Task(executorPreference: executor) {
            for await value in inbox { read.update { $0.append("\(value)") } }
            read.update { $0.append("end") }
        }
    }

    @Test("elements arrive in order, whether buffered before the reader asks or sent while it waits (one job each)")
    func order() {
        let executor = ManualExecutor()
        let inbox = AsyncInbox<Int>()
        let read = Box<[String]>([])
        for value in 1...3 { inbox.send(value) }
        _ = Self.reader(inbox, on: executor, into: read)
        executor.runUntilIdle()
        #expect(read.current == ["1", "2", "3"])
        // The reader waits now: each send wakes it once, with exactly one job.
        for value in 4...1_003 {
            inbox.send(value)
            #expect(executor.queued == 1)
            #expect(executor.runUntilIdle() == 1)
        }
        // Sends in a row while it waits: the first wakes it, the rest are buffered and read in the same job.
        for value in 1_004...1_010 { inbox.send(value) }
        #expect(executor.runUntilIdle() == 1)
        #expect(read.current == (1...1_010).map { "\($0)" })
    }

    @Test("finish: what is buffered is still read, then nil; sends after it are dropped")
    func finish() {
        let executor = ManualExecutor()
        let inbox = AsyncInbox<Int>()
        let read = Box<[String]>([])
        inbox.send(1)
        inbox.send(2)
        inbox.finish()
        inbox.send(3)
        _ = Self.reader(inbox, on: executor, into: read)
        executor.runUntilIdle()
        #expect(read.current == ["1", "2", "end"])

        // Finished while the reader waits: it wakes with nil.
        let waiting = AsyncInbox<Int>()
        let second = Box<[String]>([])
        _ = Self.reader(waiting, on: executor, into: second)
        executor.runUntilIdle()
        #expect(second.current.isEmpty)
        waiting.finish()
        executor.runUntilIdle()
        #expect(second.current == ["end"])
    }

    @Test("cancelling the reader ends its wait with nil and finishes the queue, as it does an AsyncStream")
    func cancellation() {
        let executor = ManualExecutor()
        let inbox = AsyncInbox<Int>()
        let read = Box<[String]>([])
        let task = Self.reader(inbox, on: executor, into: read)
        executor.runUntilIdle()
        inbox.send(1)
        executor.runUntilIdle()
        task.cancel()
        executor.runUntilIdle()
        #expect(read.current == ["1", "end"])
        inbox.send(2)
        let after = Box<[String]>([])
        _ = Self.reader(inbox, on: executor, into: after)
        executor.runUntilIdle()
        #expect(after.current == ["end"])

        // A task cancelled before it first asks: buffered elements are still read, then nil.
        let early = AsyncInbox<Int>()
        early.send(7)
        let earlyRead = Box<[String]>([])
        let earlyTask = Task(executorPreference: executor) {
            withUnsafeCurrentTask { $0?.cancel() }
            for await value in early { earlyRead.update { $0.append("\(value)") } }
            earlyRead.update { $0.append("end") }
        }
        executor.runUntilIdle()
        _ = earlyTask
        #expect(earlyRead.current == ["7", "end"])
    }
}
