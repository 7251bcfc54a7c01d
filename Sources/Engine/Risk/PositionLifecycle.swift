import Domain

/// The operations on one position that the reducers and the risk policies share.
///
/// Finding it by an order's correlation id, moving its phase, sending and following up its exit, cancelling
/// its entry's remainder and settling it. It calls nothing above it, so the reducers depend on it and never
/// on each other (before, the position and risk reducers called each other in a cycle).
enum PositionLifecycle {
    /// Which position and which of its orders a correlation id belongs to.
    enum OrderRole {
        case entry, exit
    }

    static func locate(_ state: EngineState, _ id: CorrelationID?) -> (Int, OrderRole)? {
        guard let id else { return nil }
        // Newest first, since order events concern recent positions (a year's backtest holds thousands); ids
        // come from distinct seqs, so at most one position matches. Indexed reads through a buffer pointer:
        // `firstIndex(where:)` would copy every position it passes.
        return state.positions.withUnsafeBufferPointer { buffer in
            for position in buffer.indices.reversed() {
                if buffer[position].id == id { return (position, .entry) }
                if buffer[position].exit?.correlationID == id { return (position, .exit) }
            }
            return nil
        }
    }

    /// Moves a position to `next` (with the data it holds) if its phase allows it; otherwise records an
    /// anomaly and changes nothing.
    @discardableResult
    static func transition(
        _ state: inout EngineState, _ position: Int, to next: PositionStage, seq: UInt64, why: String
    ) -> Bool {
        let current = state.positions[position].phase
        guard current.allows(next.phase) else {
            state.anomalies.append(
                Anomaly(
                    seq: seq,
                    message:
                        "refused \(current.rawValue) → \(next.phase.rawValue) for \(state.positions[position].id) (\(why))"
                ))
            return false
        }
        state.positions[position].stage = next
        if next.phase.isSettled { state.advanceSettledPositions() }
        return true
    }

    /// An exiting position whose exit sold everything it asked for but still holds quantity (an entry fill
    /// arrived after the exit began) gets a follow-up exit for the rest; one order at a time.
    static func continueExit(_ state: inout EngineState, _ position: Int, seq: UInt64) -> [Command] {
        let held = state.positions[position]
        guard let config = state.config, held.phase == .exiting, let exit = held.exit, held.quantity > 0 else {
            return []
        }
        // Legs still being cancelled: the sell goes out once they are gone, for the whole quantity.
        if let legs = held.protection, legs.cancelRequested, !legs.targetCancelled || !legs.stopCancelled {
            state.positions[position].exit?.quantity = held.quantity
            return []
        }
        guard exit.filled >= exit.quantity, let id = state.nextCorrelationID(causeSeq: seq) else { return [] }
        state.positions[position].exit = ExitIntent(correlationID: id, reason: exit.reason, quantity: held.quantity)
        state.positions[position].exitAttempts += 1
        if state.rules.watchesOrders { touch(&state, position, at: state.now) }
        return [exitOrder(state.positions[position], config: config)]
    }

    /// The cancel of an entry's unfilled remainder, once per position (nil when nothing is left to cancel,
    /// it was already asked for, or the broker has not given the order an id yet).
    static func cancelEntryRemainder(_ state: inout EngineState, _ position: Int, reason: String) -> Command? {
        let held = state.positions[position]
        guard held.hasCancellableRemainder, let orderID = held.entryOrderID else { return nil }
        state.positions[position].entryCancelRequested = true
        return .cancelOrder(
            OrderCancellation(
                correlationID: held.id, orderID: orderID, leg: held.protection == nil ? nil : .entry, reason: reason))
    }

    /// A position whose exit sold everything is flat once its entry can fill no more.
    ///
    /// That is when the entry filled completely or its remainder was cancelled; until then it stays exiting and
    /// the remainder is cancelled, so a late entry fill is sold too.
    static func settle(_ state: inout EngineState, _ position: Int, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let config = state.config else { return [] }
        let held = state.positions[position]
        if held.entryFilled < held.orderedQuantity {
            return cancelEntryRemainder(
                &state, position,
                reason: "exit filled; cancel the entry's unfilled \(held.orderedQuantity - held.entryFilled)"
            ).map { [$0] } ?? []
        }
        state.positions[position].exitReason = state.positions[position].exit?.reason
        state.positions[position].closedAt = time
        transition(&state, position, to: .exited(state.positions[position].exit), seq: seq, why: "exit filled")
        let instrument = state.positions[position].instrument
        let until = Timestamp(
            epochSeconds: time.epochSeconds + (config.index(held.index)?.cooldownSeconds ?? 0))
        state.setCooldown(
            state.rules.sideCooldown
                ? Cooldown(instrument: instrument, until: until, index: held.index, direction: held.direction)
                : Cooldown(instrument: instrument, until: until))
        // A closed trade ends the run of same-side signals that scaled its size.
        if state.rules.scaleResetsOnExit, let index = state.indexPosition(state.positions[position].index) {
            state.indices[index].scale = nil
        }
        return WatchlistReducer.syncSubscriptions(&state)
    }

    /// Sends one exit intent for the open quantity; never a second while one is in flight.
    static func exit(_ state: inout EngineState, _ position: Int, reason: ExitReason, seq: UInt64) -> [Command] {
        guard let config = state.config, state.positions[position].phase == .active,
            state.positions[position].exit == nil, state.positions[position].quantity > 0,
            let id = state.nextCorrelationID(causeSeq: seq)
        else { return [] }
        let quantity = state.positions[position].quantity
        state.positions[position].exitAttempts += 1
        if state.rules.watchesOrders { touch(&state, position, at: state.now) }
        transition(
            &state, position, to: .exiting(ExitIntent(correlationID: id, reason: reason, quantity: quantity)), seq: seq,
            why: "exit \(reason.rawValue)")
        // With live broker legs the engine first cancels them (cancelling the entry leg cancels every open
        // leg); its own sell goes out only once both are confirmed cancelled. If a leg fires first the cancel
        // fails and that leg's fill closes the position: it can never be sold twice.
        if var legs = state.positions[position].protection, !legs.targetCancelled || !legs.stopCancelled,
            let orderID = state.positions[position].entryOrderID
        {
            legs.cancelRequested = true
            state.positions[position].protection = legs
            return [
                .cancelOrder(
                    OrderCancellation(
                        correlationID: state.positions[position].id, orderID: orderID, leg: .entry,
                        reason: "exit \(reason.tag(config.risk, dailyLossLimit: config.risk.dailyLossLimit))"))
            ]
        }
        // An entry still working would keep buying while the engine sells: cancel its remainder (the
        // position settles once that is confirmed; a fill that beats the cancel is sold by a follow-up exit).
        var commands = [exitOrder(state.positions[position], config: config)]
        let held = state.positions[position]
        if let cancel = cancelEntryRemainder(
            &state, position,
            reason: "exit \(reason.rawValue): cancel the entry's unfilled \(held.orderedQuantity - held.entryFilled)")
        {
            commands.append(cancel)
        }
        return commands
    }

    /// The market sell for a position's exit intent.
    static func exitOrder(_ position: Position, config: AlgoConfig) -> Command {
        let exit = position.exit!
        return .placeOrder(
            OrderIntent(
                correlationID: exit.correlationID, instrument: position.instrument, side: .sell,
                quantity: exit.quantity, tag: exit.reason.tag(config.risk, dailyLossLimit: config.risk.dailyLossLimit)))
    }

    /// Marks that one of the position's orders was sent or heard of now.
    static func touch(_ state: inout EngineState, _ position: Int, at time: Timestamp) {
        state.positions[position].orderActivityAt = time
    }
}
