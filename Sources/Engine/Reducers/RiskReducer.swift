import Domain

/// Exit rules on option ticks and timers, the daily circuit breaker, the kill switch and manual exits.
enum RiskReducer {
    /// A tick of a held option: re-marks its positions and applies the exit rules.
    static func optionTick(_ state: inout EngineState, _ tick: Tick, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let config = state.config else { return [] }
        // A zero or negative premium is a broken quote, not a price: acting on it would fire every stop.
        if state.rules.keepsPriceTime, tick.lastPrice <= .zero {
            state.refusedOptionPrices += 1
            return []
        }
        var commands: [Command] = []
        for position in state.unsettledPositions where state.instrument(ofPosition: position) == tick.instrument {
            if state.phase(ofPosition: position) == .exiting {
                state.positions[position].lastPrice = tick.lastPrice
                state.positions[position].lastPriceTime = time
                continue
            }
            let reason = ExitRules.evaluate(
                &state.positions[position], price: tick.lastPrice, at: time, risk: config.risk,
                secondOfDay: Int(time.istSecondOfDay), distinctLock: state.rules.distinctProfitLock)
            if let reason {
                commands += exit(&state, position, reason: reason, seq: seq)
            } else {
                commands += moveBrokerStop(&state, position, risk: config.risk)
            }
        }
        return commands + checkDay(&state, seq: seq, at: time)
    }

    /// Keeps the super order's stop-loss leg with the engine's stop: at breakeven it moves to the entry, then
    /// it follows the trail in steps of at least 2 % of the entry (DhanHQ allows 25 modifications per order).
    static func moveBrokerStop(_ state: inout EngineState, _ position: Int, risk: RiskConfig) -> [Command] {
        let held = state.positions[position]
        guard var legs = held.protection, !legs.cancelRequested, held.phase == .active, held.breakevenArmed,
            let orderID = held.entryOrderID, legs.modifications < BrokerProtectionLegs.maxModifications
        else { return [] }
        let trail = held.highWaterMark - risk.exitDrop.of(held.highWaterMark)
        let wanted = max(held.stop, trail).roundedToTick
        let step = max(Paise(5), Paise(held.entryAverage.value / 50))
        guard wanted >= legs.stopTrigger + step, wanted < held.lastPrice ?? wanted + Paise(5) else { return [] }
        legs.stopTrigger = wanted
        legs.modifications += 1
        state.positions[position].protection = legs
        return [
            .modifyOrder(
                OrderModification(
                    correlationID: held.id, orderID: orderID, leg: .stopLoss, price: .zero, triggerPrice: wanted,
                    quantity: held.quantity, reason: held.breakevenArmed && wanted == held.stop ? "breakeven" : "trail")
            )
        ]
    }

    /// A timer: the time exit and the breaker also apply between ticks.
    static func timer(_ state: inout EngineState, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let config = state.config else { return [] }
        var commands: [Command] = []
        for position in state.unsettledPositions where state.phase(ofPosition: position) == .active {
            guard let price = state.positions[position].lastPrice else { continue }
            // Before 0.4.3 the timer stamped the old price with its own time, so the price looked fresh.
            let reason = ExitRules.evaluate(
                &state.positions[position], price: price, at: time, risk: config.risk,
                secondOfDay: Int(time.istSecondOfDay), tick: !state.rules.keepsPriceTime,
                distinctLock: state.rules.distinctProfitLock)
            if let reason { commands += exit(&state, position, reason: reason, seq: seq) }
        }
        return commands + checkDay(&state, seq: seq, at: time) + keepFlat(&state, seq: seq)
            + OrderWatch.check(&state, seq: seq, at: time) + ExitEscalation.check(&state, seq: seq, at: time)
            + EntryRemainder.check(&state, at: time) + FundsRefresh.check(&state, at: time)
            + staleQuotes(&state, at: time)
    }

    /// Held options that have gone `quote_after_sec` without a tick get one quote fetch (0.4.3 on).
    ///
    /// At most once per that interval each; the answer arrives as ticks, so the exit rules see a fresh price.
    static func staleQuotes(_ state: inout EngineState, at time: Timestamp) -> [Command] {
        guard state.rules.keepsPriceTime, let config = state.config else { return [] }
        let after = config.risk.quoteAfterSeconds
        var instruments: [InstrumentKey] = []
        for position in state.unsettledPositions {
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
        guard let config = state.config, var day = state.dayRisk else { return [] }
        let pnl = state.dayNetPnL
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
            pnl <= .zero - config.risk.dailyLossLimit.of(balance)
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
                commands += exit(&state, position, reason: .manual, seq: seq)
            }
            return commands
        case .watchlistSet, .watchlistRemove:
            return []
        }
    }

    static func flattenAll(_ state: inout EngineState, reason: ExitReason, seq: UInt64) -> [Command] {
        var commands: [Command] = []
        for position in state.unsettledPositions where state.phase(ofPosition: position) == .active {
            commands += exit(&state, position, reason: reason, seq: seq)
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
            commands += exit(&state, position, reason: reason, seq: seq)
        }
        return commands + cancelWorkingEntries(&state, reason: reason)
    }

    /// Cancels entry orders the broker has accepted but not completely filled (once per position).
    static func cancelWorkingEntries(_ state: inout EngineState, reason: ExitReason) -> [Command] {
        guard let config = state.config else { return [] }
        var commands: [Command] = []
        let tag = reason.tag(config.risk, dailyLossLimit: config.risk.dailyLossLimit)
        for position in state.unsettledPositions where [.accepted, .active].contains(state.phase(ofPosition: position))
        {
            if let cancel = PositionReducer.cancelEntryRemainder(&state, position, reason: "cancel entry: \(tag)") {
                commands.append(cancel)
            }
        }
        return commands
    }

    /// Sends one exit intent for the open quantity; never a second while one is in flight.
    static func exit(_ state: inout EngineState, _ position: Int, reason: ExitReason, seq: UInt64) -> [Command] {
        guard let config = state.config, state.positions[position].phase == .active,
            state.positions[position].exit == nil, state.positions[position].quantity > 0,
            let id = state.nextCorrelationID(causeSeq: seq)
        else { return [] }
        let quantity = state.positions[position].quantity
        state.positions[position].exit = ExitIntent(correlationID: id, reason: reason, quantity: quantity)
        state.positions[position].exitAttempts += 1
        if state.rules.watchesOrders { OrderWatch.touch(&state, position, at: state.now) }
        PositionReducer.transition(&state, position, to: .exiting, seq: seq, why: "exit \(reason.rawValue)")
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
        if let cancel = PositionReducer.cancelEntryRemainder(
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
}
