import Domain
import Engine
import Logging
import Synchronization

/// Watches every fold for alerts (`AlertWatcher`) and hands them to the dispatcher when alerts are configured.
///
/// Called by the sequencer in seq order, and never waits. The day's summary is logged as well, so the close is
/// in the log with or without alerts.
final class AlertObserver: FoldObserver {
    private let watcher: Mutex<AlertWatcher>
    private let dispatcher: AlertDispatcher?
    private let logger: Logger

    init(watcher: AlertWatcher, dispatcher: AlertDispatcher?, logger: Logger) {
        self.watcher = Mutex(watcher)
        self.dispatcher = dispatcher
        self.logger = logger
    }

    func willFold(_ event: Event, state: EngineState) {}

    func didFold(_ event: Event, seq: UInt64, commands: [Command], state: EngineState, at time: Timestamp) {
        // Ticks are most of the folds, and one that asks for nothing changes nothing an alert is about: fills,
        // settlements, the breaker and the kill switch come with orders, the feed's spells with feed-status
        // events and the clock's second. Anything a quiet tick did change is seen by the next other fold
        // (the clock's, within a second).
        if case .tick = event, commands.isEmpty { return }
        let alerts = watcher.withLock { $0.observe(state, seq: seq, at: time) }
        for alert in alerts {
            if case .daySummary(let day) = alert.kind {
                logger.notice(
                    "day closed",
                    metadata: [
                        "seq": "\(seq)", "date": "\(day.date)", "trades": "\(day.trades)", "winners": "\(day.winners)",
                        "gross": "\(day.gross)", "charges": "\(day.charges)", "net": "\(day.net)",
                        "max_mtm": "\(day.maxMTM)", "min_mtm": "\(day.minMTM)",
                        "circuit_tripped": "\(day.circuitTripped)", "open_positions": "\(day.openPositions)",
                    ])
            }
            dispatcher?.enqueue(alert)
        }
    }

    /// An alert the runtime raises itself (not from a fold).
    func raise(_ alert: Alert) { dispatcher?.enqueue(alert) }
}

/// Several fold observers, called in order.
final class FoldObservers: FoldObserver {
    let observers: [any FoldObserver]

    init(observers: [any FoldObserver]) { self.observers = observers }

    func willFold(_ event: Event, state: EngineState) {
        for observer in observers { observer.willFold(event, state: state) }
    }

    func didFold(_ event: Event, seq: UInt64, commands: [Command], state: EngineState, at time: Timestamp) {
        for observer in observers { observer.didFold(event, seq: seq, commands: commands, state: state, at: time) }
    }
}
