import Domain

/// An entry split at the freeze quantity, judged as the one position it is (0.4.4 on).
///
/// Each slice keeps its own orders (its entry, its super-order legs, its exit) in a `Position` record whose
/// `slicesOf` names the first slice; every decision a trader makes about a position is made here on the
/// whole. The exit rules see the combined quantity and average (a ₹1,500 profit lock is ₹1,500 on the
/// position, not on each slice), every slice shares the high-water mark, breakeven and lock, and an exit
/// sells every slice (each within the freeze quantity) and cancels the entry of a slice that has not filled.
enum SlicedPosition {
    /// The unsettled records of the position `key`, in journal order.
    static func slices(_ state: EngineState, of key: CorrelationID) -> [Int] {
        state.positions.withUnsafeBufferPointer { buffer in
            state.unsettledPositions.filter { buffer[$0].slicesOf == key }
        }
    }

    /// How many positions `records` hold: the slices of one entry count once.
    static func count(_ records: [Position]) -> Int {
        var seen: Set<CorrelationID> = []
        for record in records { seen.insert(record.positionID) }
        return seen.count
    }

    /// The active slices as one position: their open quantity at its average cost, with the shared marks.
    static func whole(_ state: EngineState, _ slices: [Int], risk: RiskConfig) -> Position? {
        // Every tick and every second of a held position come here: the slices are read through a buffer
        // pointer, as each `state.positions[i]` read copied a whole `Position`; only the first is copied.
        state.positions.withUnsafeBufferPointer { buffer -> Position? in
            func active(_ slice: Int) -> Bool { buffer[slice].phase == .active && buffer[slice].quantity > 0 }
            guard let first = slices.first(where: active) else { return nil }
            var whole = buffer[first]
            var quantity: Int64 = 0
            var cost: Int64 = 0
            for slice in slices where active(slice) {
                quantity += buffer[slice].quantity
                cost += buffer[slice].entryAverage.value * buffer[slice].quantity
                whole.highWaterMark = max(whole.highWaterMark, buffer[slice].highWaterMark)
                whole.breakevenArmed = whole.breakevenArmed || buffer[slice].breakevenArmed
                whole.profitLockArmed = whole.profitLockArmed || buffer[slice].profitLockArmed
                if let time = buffer[slice].lastPriceTime, whole.lastPriceTime.map({ time > $0 }) ?? true {
                    whole.lastPrice = buffer[slice].lastPrice
                    whole.lastPriceTime = time
                }
            }
            whole.quantity = quantity
            whole.entryAverage = Paise((cost + quantity / 2) / quantity)
            whole.stop =
                whole.breakevenArmed
                ? whole.entryAverage : whole.entryAverage - risk.stopLoss.of(whole.entryAverage)
            return whole
        }
    }

    /// Applies the exit rules to the whole at `price`, gives every active slice the resulting marks, and
    /// returns the rule that fired.
    ///
    /// `whole`, when the caller has just built it from the same state, saves building it again.
    static func evaluate(
        _ state: inout EngineState, _ slices: [Int], whole built: Position? = nil, price: Paise, at time: Timestamp,
        risk: RiskConfig, tick: Bool, distinctLock: Bool
    ) -> ExitReason? {
        guard var whole = built ?? whole(state, slices, risk: risk) else { return nil }
        let reason = ExitRules.evaluate(
            &whole, price: price, at: time, risk: risk, secondOfDay: Int(time.istSecondOfDay), tick: tick,
            distinctLock: distinctLock)
        // Marked in place: copying each slice out and back cost two whole `Position` copies a slice a tick.
        func mark(_ record: inout Position) {
            record.lastPrice = price
            if tick { record.lastPriceTime = time }
            record.highWaterMark = whole.highWaterMark
            record.profitLockArmed = whole.profitLockArmed
            if whole.breakevenArmed {
                record.breakevenArmed = true
                record.stop = whole.stop
            }
            // Each slice keeps its own MTM extremes (the trade line adds them up with the rest).
            let mtm = record.netPnL
            if mtm > record.maxMTM {
                record.maxMTM = mtm
                record.maxMTMTime = time
            }
            if mtm < record.minMTM {
                record.minMTM = mtm
                record.minMTMTime = time
            }
        }
        for slice in slices
        where state.peek(position: slice, { $0.pointee.phase == .active && $0.pointee.quantity > 0 }) {
            mark(&state.positions[slice])
        }
        return reason
    }

    /// Sells every active slice for `reason` and cancels the entry of every slice still waiting to fill.
    static func exit(_ state: inout EngineState, _ slices: [Int], reason: ExitReason, seq: UInt64) -> [Command] {
        guard let config = state.config else { return [] }
        var commands: [Command] = []
        for slice in slices {
            switch state.positions[slice].phase {
            case .active:
                commands += PositionLifecycle.exit(&state, slice, reason: reason, seq: seq)
            case .accepted:
                let tag = reason.tag(config.risk, dailyLossLimit: config.risk.dailyLossLimit)
                if let cancel = PositionLifecycle.cancelEntryRemainder(
                    &state, slice, reason: "exit \(tag): cancel the entry of slice \(state.positions[slice].id)")
                {
                    commands.append(cancel)
                }
            case .pending, .exiting, .exited, .rejected, .cancelled:
                continue
            }
        }
        return commands
    }
}
