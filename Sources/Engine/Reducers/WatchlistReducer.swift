import Domain

/// Keeps the feed subscriptions equal to what the watchlist (and, later, held positions) need.
enum WatchlistReducer {
    static func operatorCommand(_ state: inout EngineState, _ command: OperatorCommand) -> [Command] {
        switch command {
        case .watchlistSet(let instrument, let label, let active):
            let kind: WatchItem.Kind = instrument.segment == .indexValue ? .index : .option
            if let position = state.watchlist.firstIndex(where: { $0.instrument == instrument }) {
                state.watchlist[position].label = label
                state.watchlist[position].active = active
            } else {
                state.watchlist.append(WatchItem(instrument: instrument, kind: kind, label: label, active: active))
                state.watchlist.sort { $0.instrument < $1.instrument }
            }
            return syncSubscriptions(&state)
        case .watchlistRemove(let instrument):
            state.watchlist.removeAll { $0.instrument == instrument }
            return syncSubscriptions(&state)
        case .killSwitch, .circuitReset, .manualExit, .stopping:
            return []
        }
    }

    /// The subscriptions the state needs: active watchlist items (indices in quote mode, options in full
    /// mode for their best bid and ask), sorted by instrument.
    static func desiredSubscriptions(_ state: EngineState) -> [Subscription] {
        var wanted = state.watchlist.filter(\.active).map {
            Subscription(instrument: $0.instrument, mode: $0.kind == .index ? .quote : .full)
        }
        // An option is streamed from its entry's acceptance until the position is flat.
        for position in state.unsettledPositions
        where [.accepted, .active, .exiting].contains(state.phase(ofPosition: position)) {
            let instrument = state.instrument(ofPosition: position)
            if !wanted.contains(where: { $0.instrument == instrument }) {
                wanted.append(Subscription(instrument: instrument, mode: .full))
            }
        }
        return wanted.sorted { $0.instrument < $1.instrument }
    }

    /// Emits subscribe and unsubscribe commands (at most 100 instruments each, grouped by mode) for the
    /// difference between what is subscribed and what is needed.
    static func syncSubscriptions(_ state: inout EngineState) -> [Command] {
        let desired = desiredSubscriptions(state)
        let removed = state.subscriptions.filter { current in !desired.contains(current) }
        let added = desired.filter { wanted in !state.subscriptions.contains(wanted) }
        state.subscriptions = desired
        var commands: [Command] = []
        for mode in FeedMode.allCases {
            let leaving = removed.filter { $0.mode == mode }.map(\.instrument)
            for batch in batches(leaving) {
                commands.append(.unsubscribe(FeedSubscription(mode: mode, instruments: batch)))
            }
        }
        for mode in FeedMode.allCases {
            let joining = added.filter { $0.mode == mode }.map(\.instrument)
            for batch in batches(joining) {
                commands.append(.subscribe(FeedSubscription(mode: mode, instruments: batch)))
            }
        }
        return commands
    }

    static func batches(_ instruments: [InstrumentKey]) -> [[InstrumentKey]] {
        stride(from: 0, to: instruments.count, by: FeedSubscription.maxInstrumentsPerMessage).map {
            Array(instruments[$0..<min($0 + FeedSubscription.maxInstrumentsPerMessage, instruments.count)])
        }
    }
}
