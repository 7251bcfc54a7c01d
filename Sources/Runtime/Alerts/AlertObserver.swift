import Domain
import Engine
import Synchronization

/// Watches every fold for alerts (`AlertWatcher`) and hands them to the dispatcher; called by the sequencer
/// in seq order, and never waits.
final class AlertObserver: FoldObserver {
    private let watcher: Mutex<AlertWatcher>
    private let dispatcher: AlertDispatcher

    init(watcher: AlertWatcher, dispatcher: AlertDispatcher) {
        self.watcher = Mutex(watcher)
        self.dispatcher = dispatcher
    }

    func willFold(_ event: Event, state: EngineState) {}

    func didFold(_ event: Event, seq: UInt64, commands: [Command], state: EngineState, at time: Timestamp) {
        let alerts = watcher.withLock { $0.observe(state, seq: seq, at: time) }
        for alert in alerts { dispatcher.enqueue(alert) }
    }

    /// An alert the runtime raises itself (not from a fold).
    func raise(_ alert: Alert) { dispatcher.enqueue(alert) }
}

/// Several fold observers, called in order.
struct FoldObservers: FoldObserver {
    let observers: [any FoldObserver]

    func willFold(_ event: Event, state: EngineState) {
        for observer in observers { observer.willFold(event, state: state) }
    }

    func didFold(_ event: Event, seq: UInt64, commands: [Command], state: EngineState, at time: Timestamp) {
        for observer in observers { observer.didFold(event, seq: seq, commands: commands, state: state, at: time) }
    }
}
