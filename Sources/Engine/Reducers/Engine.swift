import Domain

/// The pure core: folds one journaled event into the state and returns the commands it causes.
///
/// No clock, randomness, files, network or environment: time is the event's, ids come from seqs, and
/// every iteration that reaches state or commands runs over arrays in a fixed order.
public enum Engine {
    /// Folds `event` (journaled at `seq`, `time`) into `state`; the caller journals the returned commands
    /// with `seq` as their cause before any effect runs them.
    public static func reduce(_ state: inout EngineState, _ event: Event, seq: UInt64, at time: Timestamp) -> [Command]
    {
        state.now = time
        state.lastSeq = seq
        var commands: [Command] = []
        switch event {
        case .sessionStarted(let started):
            commands = SessionReducer.start(&state, started, seq: seq, at: time)
        case .tick(let tick):
            commands = MarketDataReducer.tick(&state, tick, seq: seq, at: time)
        case .candleBatch(let batch):
            MarketDataReducer.history(&state, batch, at: time)
        case .timer:
            commands = MarketDataReducer.timer(&state, seq: seq, at: time)
            commands += SelectionReducer.releaseHeldRequests(&state, at: time)
        case .expiryList(let list):
            commands = SelectionReducer.expiryList(&state, list, at: time)
        case .optionChain(let chain):
            SelectionReducer.chain(&state, chain, seq: seq, at: time)
        case .funds(let snapshot):
            state.funds = FundsRecord(snapshot: snapshot, time: time)
        case .operatorCommand(let command):
            commands = WatchlistReducer.operatorCommand(&state, command)
        case .positions, .orderAccepted, .orderRejected, .orderUpdate, .fill, .feedStatus, .reconciliation:
            break
        }
        return commands
    }
}
