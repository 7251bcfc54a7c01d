import Synchronization

/// An executor that runs its jobs only when asked, one at a time, in the order they were enqueued.
///
/// A task started with it as its executor preference (`Task(executorPreference:)`) runs every job,
/// including its child tasks' and the default actors' it calls, inside `runUntilIdle()`, on the caller's
/// thread. Paired with `VirtualClock`, a whole process steps deterministically: run until idle, advance the
/// clock, run until idle again. An unstructured `Task {}` does not inherit the preference, which is why the
/// runtime starts its tasks with `RuntimePorts.taskExecutor`.
public final class ManualExecutor: TaskExecutor, SerialExecutor, @unchecked Sendable {
    private let jobs = Mutex<[UnownedJob]>([])

    public init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    /// Jobs waiting to run.
    public var queued: Int { jobs.withLock { $0.count } }

    /// Runs jobs until none is queued (the ones they enqueue included); returns how many ran.
    @discardableResult
    public func runUntilIdle() -> Int {
        var ran = 0
        while true {
            // Jobs the batch enqueues form the next batch, so the order stays first in, first out.
            let batch = jobs.withLock { jobs in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            if batch.isEmpty { return ran }
            for job in batch {
                // On the task executor only, not isolated to this executor as a serial one: nonisolated async
                // code then runs on without a hop (isolated to it, every nonisolated call, down to a clock
                // read, suspended and came back as two more jobs). Default actors take their own isolation.
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            ran += batch.count
        }
    }
}
