import Domain

/// Exit rules on option ticks and timers, the daily circuit breaker, the kill switch and manual exits.
enum RiskReducer {
    /// A tick of a held option: re-marks its positions and applies the exit rules.
    static func optionTick(_ state: inout EngineState, _ tick: Tick, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let risk = state.config?.risk else { return [] }
        // A zero or negative premium is a broken quote, not a price: acting on it would fire every stop.
        if state.rules.keepsPriceTime, tick.lastPrice <= .zero {
            state.refusedOptionPrices += 1
            return []
        }
        var commands: [Command] = []
        var judged: [CorrelationID] = []
        for position in state.unsettledPositions where state.instrument(ofPosition: position) == tick.instrument {
            if state.phase(ofPosition: position) == .exiting {
                state.positions[position].lastPrice = tick.lastPrice
                state.positions[position].lastPriceTime = time
                continue
            }
            // 0.4.4: the slices of one entry are judged once, as the one position they are.
            if state.rules.slicesAreOnePosition, let key = state.peek(position: position, { $0.pointee.slicesOf }) {
                guard !judged.contains(key) else { continue }
                judged.append(key)
                let slices = SlicedPosition.slices(state, of: key)
                if let reason = SlicedPosition.evaluate(
                    &state, slices, price: tick.lastPrice, at: time, risk: risk, tick: true,
                    distinctLock: state.rules.distinctProfitLock)
                {
                    commands += SlicedPosition.exit(&state, slices, reason: reason, seq: seq)
                } else {
                    for slice in slices { commands.appendUnlessEmpty(moveBrokerStop(&state, slice, risk: risk)) }
                }
                continue
            }
            let reason = ExitRules.evaluate(
                &state.positions[position], price: tick.lastPrice, at: time, risk: risk,
                secondOfDay: Int(time.istSecondOfDay), distinctLock: state.rules.distinctProfitLock)
            if let reason {
                commands += PositionLifecycle.exit(&state, position, reason: reason, seq: seq)
            } else {
                commands.appendUnlessEmpty(moveBrokerStop(&state, position, risk: risk))
            }
        }
        // Every tick of a held option comes here, and nearly all cause nothing: no `+` of empty arrays.
        commands.appendUnlessEmpty(checkDay(&state, seq: seq, at: time))
        return commands
    }

    /// Keeps the super order's stop-loss leg with the engine's stop: at breakeven it moves to the entry, then
    /// it follows the trail in steps of at least 2 % of the entry (DhanHQ allows 25 modifications per order).
    static func moveBrokerStop(_ state: inout EngineState, _ position: Int, risk: RiskConfig) -> [Command] {
        // Every tick of a held option comes here, and nearly always nothing moves (paper, not yet at breakeven,
        // or the trail has not gone a step): everything is decided on the position in place, which is copied
        // never (a copy per tick was a tenth of a backtest's reducer time).
        let stopsModifyingClosedLegs = state.rules.stopsModifyingClosedLegs
        let move = state.peek(position: position) { held -> (BrokerProtectionLegs, OrderModification)? in
            guard held.pointee.phase == .active, held.pointee.breakevenArmed, var legs = held.pointee.protection,
                !legs.cancelRequested,
                let orderID = held.pointee.entryOrderID, legs.modifications < BrokerProtectionLegs.maxModifications,
                !(stopsModifyingClosedLegs && legs.stopCancelled)
            else { return nil }
            let trail = held.pointee.highWaterMark - risk.exitDrop.of(held.pointee.highWaterMark)
            let wanted = max(held.pointee.stop, trail).roundedToTick
            let step = max(Paise(5), Paise(held.pointee.entryAverage.value / 50))
            guard wanted >= legs.stopTrigger + step, wanted < held.pointee.lastPrice ?? wanted + Paise(5) else {
                return nil
            }
            legs.stopTrigger = wanted
            legs.modifications += 1
            return (
                legs,
                OrderModification(
                    correlationID: held.pointee.id, orderID: orderID, leg: .stopLoss, price: .zero,
                    triggerPrice: wanted,
                    quantity: held.pointee.quantity,
                    reason: held.pointee.breakevenArmed && wanted == held.pointee.stop ? "breakeven" : "trail")
            )
        }
        guard let (legs, modification) = move else { return [] }
        state.positions[position].protection = legs
        return [.modifyOrder(modification)]
    }

    /// A timer: the time exit and the breaker also apply between ticks.
    static func timer(_ state: inout EngineState, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let risk = state.config?.risk else { return [] }
        var commands: [Command] = []
        var judged: [CorrelationID] = []
        for position in state.unsettledPositions where state.phase(ofPosition: position) == .active {
            // Read in place: through the array's getter each read copied the whole position, every second.
            let (lastPrice, slicesOf) = state.peek(position: position) { ($0.pointee.lastPrice, $0.pointee.slicesOf) }
            guard let price = lastPrice else { continue }
            if state.rules.slicesAreOnePosition, let key = slicesOf {
                guard !judged.contains(key) else { continue }
                judged.append(key)
                let slices = SlicedPosition.slices(state, of: key)
                guard let whole = SlicedPosition.whole(state, slices, risk: risk), let last = whole.lastPrice
                else { continue }
                if let reason = SlicedPosition.evaluate(
                    &state, slices, whole: whole, price: last, at: time, risk: risk, tick: false,
                    distinctLock: state.rules.distinctProfitLock)
                {
                    commands += SlicedPosition.exit(&state, slices, reason: reason, seq: seq)
                }
                continue
            }
            // Before 0.4.3 the timer stamped the old price with its own time, so the price looked fresh.
            let reason = ExitRules.evaluate(
                &state.positions[position], price: price, at: time, risk: risk,
                secondOfDay: Int(time.istSecondOfDay), tick: !state.rules.keepsPriceTime,
                distinctLock: state.rules.distinctProfitLock)
            if let reason { commands += PositionLifecycle.exit(&state, position, reason: reason, seq: seq) }
        }
        // In this order, each seeing the state the one before left; nearly always all empty, so no `+` chain
        // (each `+` built a new array even from empty ones).
        commands.appendUnlessEmpty(checkDay(&state, seq: seq, at: time))
        commands.appendUnlessEmpty(keepFlat(&state, seq: seq))
        commands.appendUnlessEmpty(OrderWatch.check(&state, seq: seq, at: time))
        commands.appendUnlessEmpty(ExitEscalation.check(&state, seq: seq, at: time))
        commands.appendUnlessEmpty(EntryRemainder.check(&state, at: time))
        commands.appendUnlessEmpty(FundsRefresh.check(&state, at: time))
        commands.appendUnlessEmpty(staleQuotes(&state, at: time))
        return commands
    }

    /// Held options that have gone `quote_after_sec` without a tick get one quote fetch (0.4.3 on).
    ///
    /// At most once per that interval each; the answer arrives as ticks, so the exit rules see a fresh price.
    static func staleQuotes(_ state: inout EngineState, at time: Timestamp) -> [Command] {
        guard state.rules.keepsPriceTime, let risk = state.config?.risk else { return [] }
        let after = risk.quoteAfterSeconds
        var instruments: [InstrumentKey] = []
        for position in state.unsettledPositions {
            // Priced within `after`? Asked first, of two fields: the whole position is copied only when not.
            let seenLately = state.peek(position: position) { held in
                (held.pointee.lastPriceTime ?? held.pointee.entryTime).map {
                    time.epochSeconds - $0.epochSeconds < after
                } ?? false
            }
            if seenLately { continue }
            let held = state.positions[position]
            guard held.phase == .active || held.phase == .exiting, held.quantity > 0,
                let seen = held.lastPriceTime ?? held.entryTime, time.epochSeconds - seen.epochSeconds >= after,
                held.quoteAskedAt.map({ time.epochSeconds - $0.epochSeconds >= after }) ?? true
            else { continue }
            state.positions[position].quoteAskedAt = time
            if !instruments.contains(held.instrument) { instruments.append(held.instrument) }
        }
        return instruments.isEmpty ? [] : [.fetchData(.quote(instruments.sorted()))]
    }

    /// Day MTM extremes and the circuit breaker: at −daily_loss_limit of the starting balance, flatten and block.
    static func checkDay(_ state: inout EngineState, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let risk = state.config?.risk, var day = state.dayRisk else { return [] }
        let pnl = state.dayNetPnLReusingSettled()
        if pnl > day.maxMTM {
            day.maxMTM = pnl
            day.maxMTMTime = time
        }
        if pnl < day.minMTM {
            day.minMTM = pnl
            day.minMTMTime = time
        }
        var commands: [Command] = []
        if !day.circuitTripped, let balance = day.startingBalance, balance > .zero,
            pnl <= .zero - risk.dailyLossLimit.of(balance)
        {
            day.circuitTripped = true
            day.circuitTrippedAt = time
            state.dayRisk = day
            commands = flattenAll(&state, reason: .circuitBreaker, seq: seq)
        }
        state.dayRisk = day
        return commands
    }

    static func operatorCommand(_ state: inout EngineState, _ command: OperatorCommand, seq: UInt64) -> [Command] {
        switch command {
        case .killSwitch(let engaged):
            state.dayRisk?.killSwitch = engaged
            return engaged ? flattenAll(&state, reason: .killSwitch, seq: seq) : []
        case .circuitReset:
            state.dayRisk?.circuitTripped = false
            state.dayRisk?.circuitTrippedAt = nil
            return []
        case .manualExit(let instrument):
            var commands: [Command] = []
            for position in state.unsettledPositions where state.phase(ofPosition: position) == .active {
                if let instrument, state.instrument(ofPosition: position) != instrument { continue }
                commands += PositionLifecycle.exit(&state, position, reason: .manual, seq: seq)
            }
            return commands
        case .stopping:
            // Positions stay open (their broker legs protect them, and the next start manages them again); an
            // entry still working would fill with nothing watching it, so it is cancelled.
            return cancelWorkingEntries(&state, tag: "stopping")
        case .watchlistSet, .watchlistRemove:
            return []
        }
    }

    static func flattenAll(_ state: inout EngineState, reason: ExitReason, seq: UInt64) -> [Command] {
        var commands: [Command] = []
        for position in state.unsettledPositions where state.phase(ofPosition: position) == .active {
            commands += PositionLifecycle.exit(&state, position, reason: reason, seq: seq)
        }
        if state.rules.flattensUntilFlat { commands += cancelWorkingEntries(&state, reason: reason) }
        return commands
    }

    /// While the breaker or the kill switch holds: every active position is sold (again, if its exit was
    /// refused), so the account ends flat whatever arrives late.
    static func keepFlat(_ state: inout EngineState, seq: UInt64) -> [Command] {
        guard state.rules.flattensUntilFlat, let day = state.dayRisk, day.killSwitch || day.circuitTripped else {
            return []
        }
        let reason: ExitReason = day.killSwitch ? .killSwitch : .circuitBreaker
        var commands: [Command] = []
        for position in state.unsettledPositions where state.phase(ofPosition: position) == .active {
            commands += PositionLifecycle.exit(&state, position, reason: reason, seq: seq)
        }
        return commands + cancelWorkingEntries(&state, reason: reason)
    }

    /// Cancels entry orders the broker has accepted but not completely filled (once per position).
    static func cancelWorkingEntries(_ state: inout EngineState, reason: ExitReason) -> [Command] {
        guard let risk = state.config?.risk else { return [] }
        // While the breaker holds this runs every second; the tag (a string) is built only when there is an
        // entry it could cancel.
        guard state.unsettledPositions.contains(where: { [.accepted, .active].contains(state.phase(ofPosition: $0)) })
        else { return [] }
        return cancelWorkingEntries(&state, tag: reason.tag(risk, dailyLossLimit: risk.dailyLossLimit))
    }

    /// Cancels entry orders the broker has accepted but not completely filled, saying why with `tag`.
    static func cancelWorkingEntries(_ state: inout EngineState, tag: String) -> [Command] {
        var commands: [Command] = []
        for position in state.unsettledPositions where [.accepted, .active].contains(state.phase(ofPosition: position))
        {
            if let cancel = PositionLifecycle.cancelEntryRemainder(&state, position, reason: "cancel entry: \(tag)") {
                commands.append(cancel)
            }
        }
        return commands
    }

}
