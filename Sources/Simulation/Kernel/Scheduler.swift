import Domain

/// Work due at virtual times, taken in (time, insertion) order: the order swift-nio's `NIOEmbedded` runs
/// scheduled tasks in, so two runs with the same inputs take the same steps.
struct Scheduler<Action> {
    private struct Item {
        var time: Int64
        var order: UInt64
        var action: Action

        func precedes(_ other: Item) -> Bool { (time, order) < (other.time, other.order) }
    }

    private var heap: [Item] = []
    private var inserted: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// The time of the next item, if any.
    var nextTime: Int64? { heap.first?.time }

    mutating func schedule(_ action: Action, at nanos: Int64) {
        inserted += 1
        heap.append(Item(time: nanos, order: inserted, action: action))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest item due at or before `nanos`.
    mutating func next(dueBy nanos: Int64) -> (time: Int64, action: Action)? {
        guard let first = heap.first, first.time <= nanos else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
                if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (first.time, first.action)
    }
}
