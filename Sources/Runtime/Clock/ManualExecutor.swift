import Foundation
import Synchronization

/// An executor that runs its jobs only when asked, one at a time, in the order they were enqueued.
///
/// Jobs reach it two ways. A task started with it as its executor preference (`Task(executorPreference:)`)
/// queues every job here, its child tasks' and the default actors' it calls included. And inside
/// `routingGlobalJobs(_:)`, every job the calling thread hands Swift's global executor (a plain task's
/// start, a resumed continuation, a default actor's turn) is queued here instead, and run as the global
/// executor would run it. Either way the jobs run inside `runUntilIdle()`, on the caller's thread. Paired with
/// `VirtualClock`, a whole process steps deterministically: run until idle, advance the clock, run until idle
/// again.
///
/// The simulation routes rather than prefers: while a task has an executor preference, the runtime never
/// switches it into an idle actor on the spot (`swift_task_switch` skips that path when a task executor is
/// set), so every call into the sequencer and back was two more jobs, about two thirds of a simulated day's
/// jobs. TCA's `withMainSerialExecutor` takes the same runtime hook.
public final class ManualExecutor: TaskExecutor, SerialExecutor, @unchecked Sendable {
    /// A queued job, and whether it came through the global executor (run as that runs it) or through this
    /// executor as a task's preference (run on it as the task's executor).
    private struct Queued {
        let job: UnownedJob
        let global: Bool
    }

    private let jobs = Mutex<[Queued]>([])

    public init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(Queued(job: job, global: false)) }
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    /// Jobs waiting to run.
    public var queued: Int { jobs.withLock { $0.count } }

    /// Runs jobs until none is queued (the ones they enqueue included); returns how many ran.
    @discardableResult
    public func runUntilIdle() -> Int {
        routingGlobalJobs {
            var ran = 0
            while true {
                // Jobs the batch enqueues form the next batch, so the order stays first in, first out.
                let batch = jobs.withLock { jobs in
                    defer { jobs.removeAll(keepingCapacity: true) }
                    return jobs
                }
                if batch.isEmpty { return ran }
                for queued in batch {
                    if queued.global {
                        queued.job.runSynchronously(on: Self.generic)
                    } else {
                        // On the task executor only, not isolated to this executor as a serial one: nonisolated
                        // async code then runs on without a hop. Default actors take their own isolation.
                        queued.job.runSynchronously(on: asUnownedTaskExecutor())
                    }
                }
                ran += batch.count
            }
        }
    }

    /// Runs `body` with every job this thread hands Swift's global executor queued here, then puts back
    /// whatever route the thread had.
    ///
    /// The route belongs to the thread, not to a task: a harness that runs its process from the calling thread
    /// (as `VirtualRuntime` does) routes each of its calls. A job handed over on any other thread goes to the
    /// global executor as usual.
    public func routingGlobalJobs<T>(_ body: () throws -> T) rethrows -> T {
        precondition(Self.hookInstalled, "the Swift runtime has no swift_task_enqueueGlobal_hook to route jobs with")
        let previous = pthread_getspecific(Self.routeKey)
        pthread_setspecific(Self.routeKey, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(Self.routeKey, previous) }
        return try body()
    }

    private func enqueueGlobal(_ job: UnownedJob) {
        jobs.withLock { $0.append(Queued(job: job, global: true)) }
    }

    /// The runtime's generic executor (no identity): a job run on it runs as the global executor runs one,
    /// not isolated and with no task executor, so its task may switch into an idle actor on the spot.
    private static let generic: UnownedSerialExecutor = {
        precondition(MemoryLayout<UnownedSerialExecutor>.size == 2 * MemoryLayout<Int>.size)
        return unsafeBitCast((0, 0), to: UnownedSerialExecutor.self)
    }()

    /// The thread's route: the executor `routingGlobalJobs` set, unretained.
    private static let routeKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key for the executor route")
        return key
    }()

    /// Installs, once a process, the hook that sends a routed thread's global jobs to its executor.
    private static let hookInstalled: Bool = {
        typealias Original = @convention(thin) (UnownedJob) -> Void
        typealias Hook = @convention(thin) (UnownedJob, Original) -> Void
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
        let slot = symbol.assumingMemoryBound(to: Hook?.self)
        precondition(slot.pointee == nil, "another swift_task_enqueueGlobal_hook is installed")
        slot.pointee = { job, original in
            if let route = pthread_getspecific(ManualExecutor.routeKey) {
                Unmanaged<ManualExecutor>.fromOpaque(route).takeUnretainedValue().enqueueGlobal(job)
            } else {
                original(job)
            }
        }
        return true
    }()
}
