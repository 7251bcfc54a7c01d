import Domain

/// The pure core: folds one journaled event into the state and returns the commands it causes.
///
/// No clock, randomness, files, network or environment: time is the event's, ids come from seqs, and
/// every iteration that reaches state or commands runs over arrays in a fixed order.
public enum Engine {
    /// This build of the reducers.
    ///
    /// Raise it whenever a change could fold a journal differently: state
    /// snapshots made by another build are refolded from the journal instead of trusted.
    public static let build = "0.4.8"

    /// Open positions (pending, accepted, active or exiting) the entry guard allows at once.
    public static var maxOpenPositions: Int { EntryGuard.maxOpenPositions }

    /// Folds a tick as `reduce(&state, .tick(tick), seq:, at:)` does (that one calls this), for callers that
    /// hold the tick alone: a replay's fold spent a tenth of its time wrapping each tick into an `Event` first
    /// (the copy stalled on store forwarding).
    public static func reduce(_ state: inout EngineState, tick: Tick, seq: UInt64, at time: Timestamp) -> [Command] {
        state.now = time
        state.lastSeq = seq
        state.orderSlot = 0
        var commands: [Command]
        if let index = EngineState.indexPosition(of: tick.instrument, in: state.indices) {
            commands = MarketDataReducer.tick(&state, index, tick, seq: seq, at: time)
            // Most ticks cause nothing: skip the append (even an empty one costs a buffer check).
            commands.appendUnlessEmpty(EntryGuard.consider(&state, index, seq: seq, at: time))
        } else {
            commands = RiskReducer.optionTick(&state, tick, seq: seq, at: time)
        }
        state.orderSlot = 0
        return commands
    }

    /// Folds `event` (journaled at `seq`, `time`) into `state`; the caller journals the returned commands
    /// with `seq` as their cause before any effect runs them.
    public static func reduce(_ state: inout EngineState, _ event: Event, seq: UInt64, at time: Timestamp) -> [Command]
    {
        state.now = time
        state.lastSeq = seq
        state.orderSlot = 0
        var commands: [Command] = []
        switch event {
        case .sessionStarted(let started):
            commands = SessionReducer.start(&state, started, seq: seq, at: time)
        case .tick(let tick):
            return reduce(&state, tick: tick, seq: seq, at: time)
        case .candleBatch(let batch):
            MarketDataReducer.history(&state, batch, at: time)
        case .timer:
            commands = MarketDataReducer.timer(&state, seq: seq, at: time)
            commands.appendUnlessEmpty(SelectionReducer.releaseHeldRequests(&state, at: time))
            commands.appendUnlessEmpty(RiskReducer.timer(&state, seq: seq, at: time))
        case .expiryList(let list):
            commands = SelectionReducer.expiryList(&state, list, at: time)
        case .optionChain(let chain):
            commands = SelectionReducer.chain(&state, chain, seq: seq, at: time)
        case .funds(let snapshot):
            state.funds = FundsRecord(snapshot: snapshot, time: time)
            if state.dayRisk != nil && state.dayRisk?.startingBalance == nil {
                state.dayRisk?.startingBalance =
                    snapshot.startOfDayLimit > .zero ? snapshot.startOfDayLimit : snapshot.available
            }
        case .operatorCommand(let command):
            commands = WatchlistReducer.operatorCommand(&state, command)
            commands += RiskReducer.operatorCommand(&state, command, seq: seq)
        case .orderAccepted(let accepted):
            // An acceptance is news only when it moves an entry on (a lookup's repeated answer is not).
            let pending = PositionLifecycle.locate(state, accepted.correlationID).map {
                $0.1 == .entry && state.positions[$0.0].phase == .pending
            }
            if pending == true { OrderWatch.heard(&state, accepted.correlationID, at: time) }
            commands = PositionReducer.accepted(&state, accepted, seq: seq)
            // An entry the broker takes after the breaker or the kill switch is cancelled.
            commands += RiskReducer.keepFlat(&state, seq: seq)
        case .orderRejected(let rejected):
            OrderWatch.heard(&state, rejected.correlationID, at: time)
            commands = PositionReducer.rejected(&state, rejected, seq: seq)
        case .orderUpdate(let update):
            OrderWatch.heard(&state, update.correlationID, at: time)
            commands = PositionReducer.update(&state, update, seq: seq)
        case .fill(let fill):
            OrderWatch.heard(&state, fill.correlationID, at: time)
            if state.rules.refreshesFunds { state.lastFillAt = time }
            commands = PositionReducer.fill(&state, fill, seq: seq, at: time)
            commands += RiskReducer.checkDay(&state, seq: seq, at: time)
            // An entry that fills after the breaker or the kill switch is sold at once.
            commands += RiskReducer.keepFlat(&state, seq: seq)
        case .cancelRejected(let refused):
            OrderWatch.heard(&state, refused.correlationID, at: time)
            commands = PositionReducer.cancelRejected(&state, refused, seq: seq)
        case .modifyRejected(let refused):
            PositionReducer.modifyRejected(&state, refused, seq: seq)
        case .contracts(let list):
            state.contracts.removeAll { $0.underlying == list.underlying }
            state.contracts.append(list)
            state.contracts.sort { $0.underlying < $1.underlying }
        case .feedStatus(let status):
            // Entries wait for a fresh feed and a valid broker session; exits never wait.
            switch (status.channel, status.state) {
            case (.marketFeed, .stale): state.feedBlock = .marketFeedStale(detail: status.detail)
            case (_, .authExpired): state.feedBlock = .sessionExpired
            case (.marketFeed, .connected):
                // Ticks resuming lift a stale feed, never an expired session.
                if case .marketFeedStale = state.feedBlock { state.feedBlock = nil }
            default: break
            }
        case .reconciliation(let result):
            state.reconciliationBlock = result.clean ? nil : .reconciliationNotClean(notes: result.notes)
        case .positions:
            break
        }
        state.orderSlot = 0
        return commands
    }
}
