import Dispatch
import Synchronization
import Testing

@testable import Simulation

@Suite("ordered workers")
struct OrderedWorkersTests {
    /// A job that records when it finished.
    final class Finishes: Sendable {
        let order = Mutex<[Int]>([])
        func add(_ index: Int) { order.withLock { $0.append(index) } }
    }

    @Test("results come back in index order although a later job finishes first")
    func inOrder() throws {
        let finishes = Finishes()
        // Job 0 waits until job 1 has finished, so job 1 is certainly done first.
        let oneDone = DispatchSemaphore(value: 0)
        var delivered: [Int] = []
        try OrderedWorkers(threads: 2).run(count: 6) { index in
            if index == 0 { oneDone.wait() }
            finishes.add(index)
            if index == 1 { oneDone.signal() }
            return index * 10
        } deliver: { index, value in
            #expect(value == index * 10)
            delivered.append(index)
        }
        #expect(delivered == [0, 1, 2, 3, 4, 5])
        let order = finishes.order.withLock { $0 }
        #expect(order.firstIndex(of: 1)! < order.firstIndex(of: 0)!)
    }

    struct Failed: Error, Equatable { var index: Int }

    @Test("the first error in index order is thrown after the results before it; no job is left running")
    func firstErrorInOrder() {
        let starts = Finishes()
        let finishes = Finishes()
        var delivered: [Int] = []
        #expect(throws: Failed(index: 2)) {
            try OrderedWorkers(threads: 3).run(count: 40) { index in
                starts.add(index)
                defer { finishes.add(index) }
                if index == 2 || index == 5 { throw Failed(index: index) }
                return index
            } deliver: { index, _ in
                delivered.append(index)
            }
        }
        #expect(delivered == [0, 1])
        // run returned only after every job that started had ended: none is still running on a worker.
        #expect(starts.order.withLock { $0.sorted() } == finishes.order.withLock { $0.sorted() })
    }

    @Test("one thread runs every job in order")
    func oneThread() throws {
        var seen: [Int] = []
        try OrderedWorkers(threads: 1).run(count: 4) {
            $0
        } deliver: { index, value in
            #expect(index == value)
            seen.append(value)
        }
        #expect(seen == [0, 1, 2, 3])
    }
}
