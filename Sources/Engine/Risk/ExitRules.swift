import Domain

/// The exit rules, checked on every tick of a held option and on every timer; the first that matches wins.
public enum ExitRules {
    /// Updates the position's marks at `price` and returns the first exit rule that fires.
    ///
    /// The marks are the high-water mark, breakeven and profit-lock arming and the MTM extremes; the rules go
    /// in the order. `tick` is false when a timer re-checks the last price: the price's time then
    /// stays the time it was seen.
    /// `distinctLock` (0.4.3 on) arms the profit lock at `profit_lock_arm_rupees` and exits at the lower
    /// `min_profit_lock_rupees`; before, one level did both, so the first paisa of a dip after arming sold.
    public static func evaluate(
        _ position: inout Position, price: Paise, at time: Timestamp, risk: RiskConfig, secondOfDay: Int,
        tick: Bool = true, distinctLock: Bool = false
    ) -> ExitReason? {
        guard position.phase == .active, position.quantity > 0 else { return nil }
        position.lastPrice = price
        if tick { position.lastPriceTime = time }
        position.highWaterMark = max(position.highWaterMark, price)
        let mtm = position.netPnL
        if mtm > position.maxMTM {
            position.maxMTM = mtm
            position.maxMTMTime = time
        }
        if mtm < position.minMTM {
            position.minMTM = mtm
            position.minMTMTime = time
        }
        let entry = position.entryAverage
        // 1. Stop loss at entry × (1 − sl_pct).
        if price <= entry - risk.stopLoss.of(entry) { return .stopLoss }
        // 2. Take profit at entry × (1 + tp_pct).
        if price >= entry + risk.takeProfit.of(entry) { return .takeProfit }
        // 3. Breakeven, then trailing from the high-water mark. Arming moves the stop to the entry price.
        if !position.breakevenArmed && price >= entry + risk.breakevenAfterGain.of(entry) {
            position.breakevenArmed = true
            position.stop = entry
        }
        if position.breakevenArmed {
            if price <= position.highWaterMark - risk.exitDrop.of(position.highWaterMark) { return .trailingStop }
            if price <= position.stop { return .breakevenStop }
        }
        // 4. Profit lock: armed once unrealized profit reaches the lock, exits when it falls back to it.
        let unrealized = position.unrealized
        if position.profitLockArmed && unrealized <= risk.minProfitLock { return .profitLock }
        let arm = distinctLock ? risk.profitLockArm : risk.minProfitLock
        if !position.profitLockArmed && unrealized >= arm && risk.minProfitLock > .zero {
            position.profitLockArmed = true
        }
        // 5. Time exit.
        if secondOfDay >= risk.timeExit { return .timeExit }
        return nil
    }
}
