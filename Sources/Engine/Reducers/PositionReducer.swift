import Domain

/// Order outcomes and fills move positions through their lifecycle; PnL, charges and cooldowns follow.
enum PositionReducer {
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

    /// Moves a position to `next` if its phase allows it; otherwise records an anomaly and changes nothing.
    @discardableResult
    static func transition(
        _ state: inout EngineState, _ position: Int, to next: PositionPhase, seq: UInt64, why: String
    ) -> Bool {
        let current = state.positions[position].phase
        guard current.allows(next) else {
            state.anomalies.append(
                Anomaly(
                    seq: seq,
                    message:
                        "refused \(current.rawValue) → \(next.rawValue) for \(state.positions[position].id) (\(why))"))
            return false
        }
        state.positions[position].phase = next
        if next.isSettled { state.advanceSettledPositions() }
        return true
    }

    static func accepted(_ state: inout EngineState, _ event: OrderAccepted, seq: UInt64) -> [Command] {
        guard let (position, role) = locate(state, event.correlationID) else {
            state.anomalies.append(
                Anomaly(seq: seq, message: "order accepted for unknown correlation id \(event.correlationID)"))
            return []
        }
        switch role {
        case .entry:
            state.positions[position].entryOrderID = event.orderID
            if state.positions[position].phase == .pending {
                transition(&state, position, to: .accepted, seq: seq, why: "order accepted")
                // Stream the option before the fill, so exits have ticks from the first moment.
                return WatchlistReducer.syncSubscriptions(&state)
            }
        case .exit:
            state.positions[position].exit?.orderID = event.orderID
        }
        return []
    }

    static func rejected(_ state: inout EngineState, _ event: OrderRejected, seq: UInt64) -> [Command] {
        guard let (position, role) = locate(state, event.correlationID) else {
            state.anomalies.append(
                Anomaly(seq: seq, message: "order rejected for unknown correlation id \(event.correlationID)"))
            return []
        }
        return failed(&state, position, role, reason: "\(event.code) \(event.message)", seq: seq)
    }

    /// A refused or cancelled order: an entry with nothing filled ends; an exit returns the position to
    /// active so the rules can send a new exit intent (never two at once).
    static func failed(
        _ state: inout EngineState, _ position: Int, _ role: OrderRole, reason: String, seq: UInt64,
        cancelled: Bool = false
    ) -> [Command] {
        switch role {
        case .entry:
            if state.positions[position].entryFilled > 0 {
                state.positions[position].orderedQuantity = state.positions[position].entryFilled
                return []
            }
            transition(&state, position, to: cancelled ? .cancelled : .rejected, seq: seq, why: reason)
            return WatchlistReducer.syncSubscriptions(&state)
        case .exit:
            state.positions[position].exit = nil
            transition(&state, position, to: .active, seq: seq, why: "exit order failed: \(reason)")
            return []
        }
    }

    static func update(_ state: inout EngineState, _ event: OrderUpdate, seq: UInt64) -> [Command] {
        guard let (position, role) = locate(state, event.correlationID) else {
            state.anomalies.append(
                Anomaly(seq: seq, message: "order update for unknown order \(event.orderID) (\(event.status))"))
            return []
        }
        if role == .entry, let leg = event.leg, leg != .entry, state.positions[position].protection != nil {
            return legUpdate(&state, position, leg: leg, event, seq: seq)
        }
        switch event.status {
        case .rejected: return failed(&state, position, role, reason: event.reason, seq: seq)
        case .cancelled, .expired:
            return failed(&state, position, role, reason: event.status.apiName, seq: seq, cancelled: true)
        default: return []
        }
    }

    /// A protective leg was cancelled (or refused): once both are gone after the engine asked, its own exit
    /// order goes out.
    static func legUpdate(_ state: inout EngineState, _ position: Int, leg: OrderLeg, _ event: OrderUpdate, seq: UInt64)
        -> [Command]
    {
        guard var legs = state.positions[position].protection,
            [.cancelled, .rejected, .expired].contains(event.status)
        else { return [] }
        if leg == .target { legs.targetCancelled = true } else { legs.stopCancelled = true }
        state.positions[position].protection = legs
        guard legs.cancelRequested, legs.targetCancelled, legs.stopCancelled, let config = state.config,
            state.positions[position].phase == .exiting, state.positions[position].exit != nil
        else {
            if !legs.cancelRequested {
                state.anomalies.append(
                    Anomaly(
                        seq: seq,
                        message:
                            "\(leg.apiName) of \(state.positions[position].id) \(event.status) at the broker: unprotected"
                    ))
            }
            return []
        }
        return [RiskReducer.exitOrder(state.positions[position], config: config)]
    }

    static func fill(_ state: inout EngineState, _ fill: Fill, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let config = state.config, let located = locate(state, fill.correlationID) else {
            state.anomalies.append(
                Anomaly(seq: seq, message: "fill for unknown order \(fill.orderID) (\(fill.quantity) × \(fill.price))"))
            return []
        }
        let position = located.0
        var role = located.1
        guard fill.quantity > 0 else {
            state.anomalies.append(
                Anomaly(seq: seq, message: "fill of \(fill.quantity) units refused for \(state.positions[position].id)")
            )
            return []
        }
        // A super order's target or stop-loss leg fired at the broker: that is this position's exit, whatever
        // exit the engine had begun (its own sell only goes out after the legs are cancelled).
        if role == .entry, let leg = fill.leg, leg != .entry, state.positions[position].protection != nil {
            if state.positions[position].quantity < fill.quantity {
                state.positions[position].heldLegFills.append(fill)
                return []
            }
            let reason: ExitReason = leg == .target ? .superOrderTarget : .superOrderStop
            if state.positions[position].phase == .active {
                transition(&state, position, to: .exiting, seq: seq, why: "broker \(leg.apiName) filled")
            }
            var exit =
                state.positions[position].exit
                ?? ExitIntent(
                    correlationID: state.positions[position].id, reason: reason,
                    quantity: state.positions[position].quantity)
            exit.reason = reason
            exit.correlationID = state.positions[position].id
            exit.orderID = fill.orderID
            state.positions[position].exit = exit
            role = .exit
        }
        var positionState = state.positions[position]
        let firstFillOfOrder: Bool
        var subscriptions: [Command] = []
        switch role {
        case .entry:
            guard positionState.phase.allows(.active) || positionState.phase == .active else {
                state.anomalies.append(
                    Anomaly(
                        seq: seq,
                        message: "entry fill refused in phase \(positionState.phase.rawValue) for \(positionState.id)"))
                return []
            }
            firstFillOfOrder = positionState.entryFilled == 0
            let total = positionState.entryFilled + fill.quantity
            let cost = positionState.entryAverage.value * positionState.entryFilled + fill.price.value * fill.quantity
            positionState.entryAverage = Paise((cost + total / 2) / total)
            positionState.entryFilled = total
            positionState.quantity += fill.quantity
            if positionState.entryTime == nil { positionState.entryTime = time }
            positionState.stop =
                positionState.breakevenArmed
                ? positionState.entryAverage
                : positionState.entryAverage - config.risk.stopLoss.of(positionState.entryAverage)
            positionState.highWaterMark = max(positionState.highWaterMark, fill.price)
            if positionState.lastPrice == nil { positionState.lastPrice = fill.price }
            state.positions[position] = positionState
            if state.positions[position].phase != .active {
                transition(&state, position, to: .active, seq: seq, why: "entry filled")
            }
            // The order stream can deliver the fill before the REST acknowledgement: make sure the option's
            // feed is asked for now (a no-op when the acceptance already did it).
            subscriptions = WatchlistReducer.syncSubscriptions(&state)
        case .exit:
            guard positionState.phase == .exiting, var exit = positionState.exit else {
                state.anomalies.append(
                    Anomaly(
                        seq: seq,
                        message: "exit fill refused in phase \(positionState.phase.rawValue) for \(positionState.id)"))
                return []
            }
            let quantity = min(fill.quantity, positionState.quantity)
            if quantity < fill.quantity {
                state.anomalies.append(
                    Anomaly(
                        seq: seq,
                        message:
                            "exit fill of \(fill.quantity) exceeds the open \(positionState.quantity) of \(positionState.id); capped"
                    ))
            }
            firstFillOfOrder = exit.filled == 0
            exit.filled += quantity
            positionState.exit = exit
            positionState.quantity -= quantity
            positionState.realized = positionState.realized + (fill.price - positionState.entryAverage) * quantity
            state.positions[position] = positionState
        }
        let breakdown = config.charges.charges(
            side: fill.side, price: fill.price, quantity: fill.quantity, exchange: state.positions[position].exchange,
            date: time.istDate, brokerage: firstFillOfOrder)
        state.positions[position].chargeUnits += breakdown.totalUnits
        if role == .exit && state.positions[position].quantity == 0 {
            state.positions[position].exitReason = state.positions[position].exit?.reason
            state.positions[position].closedAt = time
            transition(&state, position, to: .exited, seq: seq, why: "exit filled")
            let instrument = state.positions[position].instrument
            let until = Timestamp(
                epochSeconds: time.epochSeconds + (config.index(state.positions[position].index)?.cooldownSeconds ?? 0))
            state.cooldowns.removeAll { $0.instrument == instrument }
            state.cooldowns.append(Cooldown(instrument: instrument, until: until))
            state.cooldowns.sort { $0.instrument < $1.instrument }
            return WatchlistReducer.syncSubscriptions(&state)
        }
        let held = state.positions[position].heldLegFills
        if role == .entry, !held.isEmpty, state.positions[position].quantity >= held.reduce(0, { $0 + $1.quantity }) {
            state.positions[position].heldLegFills = []
            for legFill in held { subscriptions += self.fill(&state, legFill, seq: seq, at: time) }
        }
        return subscriptions
    }
}
