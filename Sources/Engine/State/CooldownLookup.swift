import Domain

extension EngineState {
    /// Where `instrument`'s cooldown is, or would be inserted, in `cooldowns` (sorted by instrument).
    ///
    /// Cooldowns are never dropped, so a year's backtest holds one per contract it ever traded: the settle and
    /// the entry guard search them rather than scan or re-sort them.
    func cooldownSlot(of instrument: InstrumentKey) -> (index: Int, found: Bool) {
        cooldowns.withUnsafeBufferPointer { buffer in
            var low = 0
            var high = buffer.count
            while low < high {
                let middle = (low + high) / 2
                if buffer[middle].instrument < instrument { low = middle + 1 } else { high = middle }
            }
            return (low, low < buffer.count && buffer[low].instrument == instrument)
        }
    }

    /// The re-entry cooldown of `instrument`, if it ever had one.
    public func cooldown(of instrument: InstrumentKey) -> Cooldown? {
        let slot = cooldownSlot(of: instrument)
        return slot.found ? cooldowns[slot.index] : nil
    }

    /// Sets `cooldown` for its instrument, replacing any earlier one and keeping `cooldowns` sorted.
    public mutating func setCooldown(_ cooldown: Cooldown) {
        let slot = cooldownSlot(of: cooldown.instrument)
        if slot.found {
            cooldowns[slot.index] = cooldown
        } else {
            cooldowns.insert(cooldown, at: slot.index)
        }
    }
}
