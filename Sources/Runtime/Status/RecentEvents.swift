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

    /// A record as folded; its text is built only when the dashboard asks, since most are overwritten unread.
    private struct Kept: Sendable {
        var seq: UInt64
        var time: Timestamp
        var entry: JournalEntry
    }

    private let kept = Mutex<[Kept]>([])
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
        var added: [Kept] = []
        switch event {
        case .tick, .timer: break
        default: added.append(Kept(seq: seq, time: time, entry: .event(event)))
        }
        for (offset, command) in commands.enumerated() {
            added.append(Kept(seq: seq + 1 + UInt64(offset), time: time, entry: .command(command, causeSeq: seq)))
        }
        kept.withLock { kept in
            kept.append(contentsOf: added)
            if kept.count > capacity { kept.removeFirst(kept.count - capacity) }
        }
    }

    /// The newest items, newest first.
    var newestFirst: [Item] {
        kept.withLock { $0.reversed() }.map { kept in
            Item(
                seq: kept.seq, time: kept.time, kind: kept.entry.kind.name,
                text: String(kept.entry.fields.text.prefix(240)))
        }
    }
}
