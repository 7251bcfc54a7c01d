import Domain

/// Order outcomes and fills move positions through their lifecycle; PnL, charges and cooldowns follow.
enum PositionReducer {

    static func accepted(_ state: inout EngineState, _ event: OrderAccepted, seq: UInt64) -> [Command] {
        guard let (position, role) = PositionLifecycle.locate(state, event.correlationID) else {
            state.anomalies.append(
                Anomaly(seq: seq, message: "order accepted for unknown correlation id \(event.correlationID)"))
            return []
        }
        switch role {
        case .entry:
            state.positions[position].entryOrderID = event.orderID
            if state.positions[position].phase == .pending {
                PositionLifecycle.transition(&state, position, to: .accepted, seq: seq, why: "order accepted")
                // Stream the option before the fill, so exits have ticks from the first moment.
                return WatchlistReducer.syncSubscriptions(&state)
            }
        case .exit:
            state.positions[position].exit?.orderID = event.orderID
        }
        return []
    }

    static func rejected(_ state: inout EngineState, _ event: OrderRejected, seq: UInt64) -> [Command] {
        guard let (position, role) = PositionLifecycle.locate(state, event.correlationID) else {
            state.anomalies.append(
                Anomaly(seq: seq, message: "order rejected for unknown correlation id \(event.correlationID)"))
            return []
        }
        return failed(&state, position, role, reason: "\(event.code) \(event.message)", seq: seq)
    }

    /// A refused or cancelled order: an entry with nothing filled ends; an exit returns the position to
    /// active so the rules can send a new exit intent (never two at once).
    static func failed(
        _ state: inout EngineState, _ position: Int, _ role: PositionLifecycle.OrderRole, reason: String, seq: UInt64,
        cancelled: Bool = false
    ) -> [Command] {
        switch role {
        case .entry:
            if state.positions[position].entryFilled > 0 {
                // The remainder will not fill: what filled is the position. An exit that already sold it all
                // was waiting for this to settle.
                state.positions[position].orderedQuantity = state.positions[position].entryFilled
                if state.positions[position].phase == .exiting && state.positions[position].quantity == 0 {
                    return PositionLifecycle.settle(&state, position, seq: seq, at: state.now)
                }
                return []
            }
            PositionLifecycle.transition(
                &state, position, to: cancelled ? .cancelled : .rejected, seq: seq, why: reason)
            return WatchlistReducer.syncSubscriptions(&state)
        case .exit:
            // An exit the engine itself cancelled to send again (`ExitEscalation`): the rest goes out now.
            if state.rules.resendsExits, state.positions[position].exit?.cancelRequestedAt != nil {
                return ExitEscalation.resend(&state, position, seq: seq)
            }
            // Back to active: the failed exit intent goes with the phase that held it. A position already
            // exited forgets it too (as before 0.4.6's stages) and the refused transition is an anomaly.
            if state.positions[position].phase == .exited { state.positions[position].exit = nil }
            PositionLifecycle.transition(&state, position, to: .active, seq: seq, why: "exit order failed: \(reason)")
            return []
        }
    }

    static func update(_ state: inout EngineState, _ event: OrderUpdate, seq: UInt64) -> [Command] {
        guard let (position, role) = PositionLifecycle.locate(state, event.correlationID) else {
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
        // A repeated alert (the stream delivers some twice) changes nothing: the exit order goes out once, on
        // the update that finds the second leg gone.
        guard !(leg == .target ? legs.targetCancelled : legs.stopCancelled) else { return [] }
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
        // An entry fill that arrived while the legs were being cancelled is sold too.
        let quantity = state.positions[position].quantity
        state.positions[position].exit?.quantity = quantity
        return [PositionLifecycle.exitOrder(state.positions[position], config: config)]
    }

    /// The broker refused a cancel.
    ///
    /// A super order whose entry has traded refuses `ENTRY_LEG` (LIVE-BEHAVIOUR.md #4): the engine then
    /// cancels the target and stop-loss legs one by one, and sells once both are confirmed gone. A refused leg
    /// cancel means that leg no longer works (it fired or was cancelled): its fill or cancellation settles it.
    static func cancelRejected(_ state: inout EngineState, _ refused: OrderOperationRefused, seq: UInt64)
        -> [Command]
    {
        guard let (position, role) = PositionLifecycle.locate(state, refused.correlationID) else {
            state.anomalies.append(
                Anomaly(seq: seq, message: "cancel refused for unknown correlation id \(refused.correlationID)"))
            return []
        }
        let held = state.positions[position]
        if role == .exit, state.rules.resendsExits {
            // The exit could not be cancelled: it filled meanwhile (its fill settles it) or the broker still
            // works it; the escalation tries again after another quiet interval.
            state.positions[position].exit?.cancelRequestedAt = nil
            PositionLifecycle.touch(&state, position, at: state.now)
            state.anomalies.append(
                Anomaly(
                    seq: seq,
                    message: "exit \(refused.correlationID) cancel refused (\(refused.code)): \(refused.message)"))
            return []
        }
        guard role == .entry, refused.leg == .entry, let legs = held.protection, legs.cancelRequested,
            held.phase == .exiting, let orderID = held.entryOrderID
        else {
            state.anomalies.append(
                Anomaly(
                    seq: seq,
                    message:
                        "\(refused.leg?.apiName ?? "order") cancel refused for \(held.id) (\(refused.code)): \(refused.message)"
                ))
            return []
        }
        let reason = "ENTRY_LEG cancel refused (\(refused.code)): cancelling the legs one by one"
        var commands: [Command] = []
        if !legs.targetCancelled {
            commands.append(
                .cancelOrder(OrderCancellation(correlationID: held.id, orderID: orderID, leg: .target, reason: reason)))
        }
        if !legs.stopCancelled {
            commands.append(
                .cancelOrder(
                    OrderCancellation(correlationID: held.id, orderID: orderID, leg: .stopLoss, reason: reason)))
        }
        return commands
    }

    /// The broker refused a modification: the order keeps its terms (a stop leg stays where it was, and the
    /// engine's own stop still applies); recorded for `/status`.
    static func modifyRejected(_ state: inout EngineState, _ refused: OrderOperationRefused, seq: UInt64) {
        // 0.4.8: the broker's definitive refusal stands for the later steps too; asking again would only be
        // refused again, and a burst of refusals trips the order rate limit the exits need.
        if state.rules.stopsModifyingClosedLegs, refused.leg == .stopLoss,
            let (position, _) = PositionLifecycle.locate(state, refused.correlationID),
            state.positions[position].protection != nil
        {
            state.positions[position].protection?.modifications = BrokerProtectionLegs.maxModifications
        }
        state.anomalies.append(
            Anomaly(
                seq: seq,
                message:
                    "\(refused.leg?.apiName ?? "order") modification refused for \(refused.correlationID) (\(refused.code)): \(refused.message)"
            ))
    }

    static func fill(_ state: inout EngineState, _ fill: Fill, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let config = state.config, let located = PositionLifecycle.locate(state, fill.correlationID) else {
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
        // A SELL never adds to a long. Under the entry's correlation id only a super order's legs sell: one
        // whose alert lost its leg number is attributed by price; without legs it cannot be attributed.
        var fill = fill
        if role == .entry, fill.side == .sell, fill.leg == nil || fill.leg == .entry {
            guard let legs = state.positions[position].protection else {
                state.anomalies.append(
                    Anomaly(
                        seq: seq,
                        message:
                            "SELL fill \(fill.orderID) (\(fill.quantity) × \(fill.price)) under the entry id of \(state.positions[position].id) cannot be attributed; not applied"
                    ))
                return []
            }
            fill.leg = fill.price >= legs.target ? .target : .stopLoss
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
                PositionLifecycle.transition(
                    &state, position,
                    to: .exiting(
                        ExitIntent(
                            correlationID: state.positions[position].id, reason: reason,
                            quantity: state.positions[position].quantity)), seq: seq,
                    why: "broker \(leg.apiName) filled")
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
        if role == .entry, state.rules.adoptsLateEntryFills {
            adoptLateEntry(&state, position, fill, seq: seq)
        }
        var positionState = state.positions[position]
        let firstFillOfOrder: Bool
        var subscriptions: [Command] = []
        switch role {
        case .entry:
            let exiting = positionState.phase == .exiting
            guard exiting || positionState.phase.allows(.active) || positionState.phase == .active else {
                state.anomalies.append(
                    Anomaly(
                        seq: seq,
                        message: "entry fill refused in phase \(positionState.phase.rawValue) for \(positionState.id)"))
                return []
            }
            firstFillOfOrder = positionState.entryFilled == 0
            if positionState.entryOrderID == nil { positionState.entryOrderID = fill.orderID }
            // The average is the cost basis of the open quantity (the same as of every entry fill while nothing
            // has been sold; a fill after a partial exit must not re-price what was already sold).
            let open = positionState.quantity + fill.quantity
            if state.rules.averageFromBuys && positionState.quantity == positionState.entryFilled {
                // Nothing sold yet: every buy is open, so the average is their cost rounded once (0.4.6).
                let cost = positionState.boughtValue.value + fill.price.value * fill.quantity
                positionState.entryAverage = Paise((cost + open / 2) / open)
            } else {
                let cost = positionState.entryAverage.value * positionState.quantity + fill.price.value * fill.quantity
                positionState.entryAverage = Paise((cost + open / 2) / open)
            }
            positionState.entryFilled += fill.quantity
            positionState.boughtValue = positionState.boughtValue + fill.price * fill.quantity
            positionState.quantity = open
            if positionState.entryTime == nil { positionState.entryTime = time }
            positionState.stop =
                positionState.breakevenArmed
                ? positionState.entryAverage
                : positionState.entryAverage - config.risk.stopLoss.of(positionState.entryAverage)
            positionState.highWaterMark = max(positionState.highWaterMark, fill.price)
            if positionState.lastPrice == nil { positionState.lastPrice = fill.price }
            state.positions[position] = positionState
            if exiting {
                // Filled after the exit began: the standing exit (or a follow-up) sells this too.
                subscriptions += PositionLifecycle.continueExit(&state, position, seq: seq)
            } else if state.positions[position].phase != .active {
                PositionLifecycle.transition(&state, position, to: .active, seq: seq, why: "entry filled")
            }
            if state.rules.legsFromFill { subscriptions += legsFromFill(&state, position, config: config) }
            // The order stream can deliver the fill before the REST acknowledgement: make sure the option's
            // feed is asked for now (a no-op when the acceptance already did it). Before 0.4.3 this replaced
            // the follow-up exit `continueExit` had just made, so a late remainder was never sold.
            if state.rules.watchesEntryRemainder {
                subscriptions += WatchlistReducer.syncSubscriptions(&state)
            } else {
                subscriptions = WatchlistReducer.syncSubscriptions(&state)
            }
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
            positionState.soldValue = positionState.soldValue + fill.price * quantity
            if state.rules.realisedFromCashFlow && positionState.quantity == 0 {
                // Flat: everything bought is sold, so the realised PnL is the cash flow, with no average rounded.
                positionState.realized = positionState.soldValue - positionState.boughtValue
            }
            state.positions[position] = positionState
        }
        let breakdown = config.charges.charges(
            side: fill.side, price: fill.price, quantity: fill.quantity, exchange: state.positions[position].exchange,
            date: time.istDate, brokerage: firstFillOfOrder)
        state.positions[position].chargeUnits += breakdown.totalUnits
        if role == .exit && state.positions[position].quantity > 0 {
            return subscriptions + PositionLifecycle.continueExit(&state, position, seq: seq)
        }
        if role == .exit && state.positions[position].quantity == 0 {
            return PositionLifecycle.settle(&state, position, seq: seq, at: time)
        }
        let held = state.positions[position].heldLegFills
        if role == .entry, !held.isEmpty, state.positions[position].quantity >= held.reduce(0, { $0 + $1.quantity }) {
            state.positions[position].heldLegFills = []
            for legFill in held { subscriptions += self.fill(&state, legFill, seq: seq, at: time) }
        }
        return subscriptions
    }

    /// An entry the engine had resolved as rejected or cancelled traded after all: the broker holds it, so the
    /// position is taken back (accepted, then active with this fill) and managed and exited like any other.
    ///
    /// A resolution without the broker's definitive word can be wrong: after a restart the order book may not
    /// hold a request the killed process had already sent, an ambiguous submit's look-ups can all miss, a
    /// cancel can race a trade. Refusing the fill would leave a position at the broker that nothing exits.
    static func adoptLateEntry(_ state: inout EngineState, _ position: Int, _ fill: Fill, seq: UInt64) {
        let held = state.positions[position]
        guard held.phase == .rejected || held.phase == .cancelled, held.entryFilled == 0 else { return }
        state.positions[position].stage = .accepted
        if held.entryOrderID == nil { state.positions[position].entryOrderID = fill.orderID }
        // A settled position left the prefix the engine skips; taking it back puts it in view again.
        state.settledPositions = min(state.settledPositions, position)
        state.anomalies.append(
            Anomaly(
                seq: seq,
                message:
                    "entry fill \(fill.orderID) (\(fill.quantity) × \(fill.price)) after \(held.id) was \(held.phase.rawValue): the broker holds it; position taken back"
            ))
    }

    /// A super order's legs were priced from the quote when the entry went out; once the entry has filled
    /// completely they move to the fill's average, so the target and the stop sit where the engine's own
    /// rules put them (0.4.3 on).
    static func legsFromFill(_ state: inout EngineState, _ position: Int, config: AlgoConfig) -> [Command] {
        let held = state.positions[position]
        guard held.phase == .active, held.entryFilled == held.orderedQuantity, var legs = held.protection,
            !legs.cancelRequested, !held.breakevenArmed, let orderID = held.entryOrderID
        else { return [] }
        let average = held.entryAverage
        let target = (average + config.risk.takeProfit.of(average)).roundedToTick
        let stop = max(Paise(5), (average - config.risk.stopLoss.of(average)).roundedToTick)
        var commands: [Command] = []
        if target != legs.target, legs.modifications < BrokerProtectionLegs.maxModifications {
            legs.target = target
            legs.modifications += 1
            commands.append(
                .modifyOrder(
                    OrderModification(
                        correlationID: held.id, orderID: orderID, leg: .target, price: target, triggerPrice: .zero,
                        quantity: held.quantity, reason: "entry_fill")))
        }
        if stop != legs.stopTrigger, legs.modifications < BrokerProtectionLegs.maxModifications {
            legs.stopTrigger = stop
            legs.modifications += 1
            commands.append(
                .modifyOrder(
                    OrderModification(
                        correlationID: held.id, orderID: orderID, leg: .stopLoss, price: .zero, triggerPrice: stop,
                        quantity: held.quantity, reason: "entry_fill")))
        }
        state.positions[position].protection = legs
        return commands
    }

}
