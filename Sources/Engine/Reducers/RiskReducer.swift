import Domain

/// Exit rules on option ticks and timers, the daily circuit breaker, the kill switch and manual exits.
enum RiskReducer {
    /// A tick of a held option: re-marks its positions and applies the exit rules.
    static func optionTick(_ state: inout EngineState, _ tick: Tick, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let config = state.config else { return [] }
        var commands: [Command] = []
        for position in state.positions.indices where state.positions[position].instrument == tick.instrument {
            if state.positions[position].phase == .exiting {
                state.positions[position].lastPrice = tick.lastPrice
                state.positions[position].lastPriceTime = time
                continue
            }
            let reason = ExitRules.evaluate(
                &state.positions[position], price: tick.lastPrice, at: time, risk: config.risk,
                secondOfDay: Int(time.istSecondOfDay))
            if let reason { commands += exit(&state, position, reason: reason, seq: seq) }
        }
        return commands + checkDay(&state, seq: seq, at: time)
    }

    /// A timer: the time exit and the breaker also apply between ticks.
    static func timer(_ state: inout EngineState, seq: UInt64, at time: Timestamp) -> [Command] {
        guard let config = state.config else { return [] }
        var commands: [Command] = []
        for position in state.positions.indices where state.positions[position].phase == .active {
            guard let price = state.positions[position].lastPrice else { continue }
            let reason = ExitRules.evaluate(
                &state.positions[position], price: price, at: time, risk: config.risk,
                secondOfDay: Int(time.istSecondOfDay))
            if let reason { commands += exit(&state, position, reason: reason, seq: seq) }
        }
        return commands + checkDay(&state, seq: seq, at: time)
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
            for position in state.positions.indices where state.positions[position].phase == .active {
                if let instrument, state.positions[position].instrument != instrument { continue }
                commands += exit(&state, position, reason: .manual, seq: seq)
            }
            return commands
        case .watchlistSet, .watchlistRemove:
            return []
        }
    }

    static func flattenAll(_ state: inout EngineState, reason: ExitReason, seq: UInt64) -> [Command] {
        var commands: [Command] = []
        for position in state.positions.indices where state.positions[position].phase == .active {
            commands += exit(&state, position, reason: reason, seq: seq)
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
        PositionReducer.transition(&state, position, to: .exiting, seq: seq, why: "exit \(reason.rawValue)")
        let intent = OrderIntent(
            correlationID: id, instrument: state.positions[position].instrument, side: .sell, quantity: quantity,
            tag: reason.tag(config.risk, dailyLossLimit: config.risk.dailyLossLimit))
        return [.placeOrder(intent)]
    }
}
