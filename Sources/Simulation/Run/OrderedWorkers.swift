import Dispatch
import Foundation
import Synchronization

/// Runs independent jobs on several threads and hands their results back in index order, on the caller's thread.
///
/// Each simulated session is single-threaded on its own virtual clock and executor, so sessions can run side by
/// side; delivering in order keeps every line `scalper simulate` prints the same for any number of threads.
struct OrderedWorkers {
    /// Jobs at once; one runs them on the caller's thread, in order.
    var threads: Int
    /// A session decodes nested JSON and folds deep state: give each worker the main thread's stack, not the
    /// smaller default of a secondary thread.
    var stackSize = 8 << 20

    /// Runs `job` for each index below `count` and hands each result to `deliver`, in index order.
    ///
    /// A result is delivered as soon as it and every one before it are done. The first error, in index order,
    /// stops handing out jobs and is thrown once the running ones end.
    func run<Output: Sendable>(
        count: Int, _ job: @escaping @Sendable (Int) throws -> Output, deliver: (Int, Output) throws -> Void
    ) throws {
        guard threads > 1, count > 1 else {
            for index in 0..<count { try deliver(index, try job(index)) }
            return
        }
        let board = Board<Output>(count: count)
        let group = DispatchGroup()
        for _ in 0..<min(threads, count) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while !board.stop.load(ordering: .relaxed) {
                    let index = board.next.add(1, ordering: .relaxed).oldValue
                    guard index < count else { break }
                    let result = Result { try job(index) }
                    board.slots.withLock { $0[index] = result }
                    board.ready.signal()
                }
            }
            thread.stackSize = stackSize
            thread.start()
        }
        // On a throw, the workers finish the jobs they hold and take no more; every path waits for them.
        defer {
            board.stop.store(true, ordering: .relaxed)
            group.wait()
        }
        var delivered = 0
        while delivered < count {
            board.ready.wait()
            while delivered < count, let result = board.take(delivered) {
                try deliver(delivered, try result.get())
                delivered += 1
            }
        }
    }
}

/// The jobs' shared state: the next index to hand out, and each finished job's result until it is delivered.
private final class Board<Output: Sendable>: Sendable {
    let slots: Mutex<[Result<Output, any Error>?]>
    let next = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    /// Signalled once per finished job.
    let ready = DispatchSemaphore(value: 0)

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    /// Removes and returns job `index`'s result, or nil while it runs.
    func take(_ index: Int) -> Result<Output, any Error>? {
        slots.withLock { slots in
            defer { slots[index] = nil }
            return slots[index]
        }
    }
}
