import Domain
import Engine
import Synchronization

/// The last journal records worth a glance (everything but ticks and the clock's timers), for the dashboard.
///
/// A fold observer: it sees each event with the commands it caused, in seq order, and keeps the newest
/// `capacity` of them as one-line texts built from the same fields `scalper journal dump` prints.
final class RecentEvents: FoldObserver {
    /// One line of the dashboard's event list.
    struct Item: Sendable, Equatable {
        var seq: UInt64
        var time: Timestamp
        var kind: String
        var text: String
    }

    private let items = Mutex<[Item]>([])
    private let capacity: Int

    init(capacity: Int = 20) {
        self.capacity = capacity
    }

    func willFold(_ event: Event, state: EngineState) {}

    func didFold(_ event: Event, seq: UInt64, commands: [Command], state: EngineState, at time: Timestamp) {
        // Ticks and the second's timer are most records and say nothing a glance needs.
        switch event {
        case .tick, .timer: if commands.isEmpty { return }
        default: break
        }
        var added: [Item] = []
        switch event {
        case .tick, .timer: break
        default: added.append(Self.item(.event(event), seq: seq, at: time))
        }
        for (offset, command) in commands.enumerated() {
            added.append(Self.item(.command(command, causeSeq: seq), seq: seq + 1 + UInt64(offset), at: time))
        }
        items.withLock { items in
            items.append(contentsOf: added)
            if items.count > capacity { items.removeFirst(items.count - capacity) }
        }
    }

    /// The newest items, newest first.
    var newestFirst: [Item] { items.withLock { $0.reversed() } }

    private static func item(_ entry: JournalEntry, seq: UInt64, at time: Timestamp) -> Item {
        let text = entry.fields.map { "\($0.name)=\($0.value.text)" }.joined(separator: " ")
        return Item(seq: seq, time: time, kind: entry.kind.name, text: String(text.prefix(240)))
    }
}
