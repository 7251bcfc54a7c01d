import Domain

extension EngineState {
    /// Intents the journal holds no broker acknowledgement for, in position order.
    ///
    /// An entry still pending without an order id, an exit without one: after a restart each is looked up by
    /// correlation id (its answer may have been lost with the process).
    public var unacknowledgedIntents: [CorrelationID] {
        var out: [CorrelationID] = []
        for index in unsettledPositions {
            let position = positions[index]
            if position.phase == .pending && position.entryOrderID == nil { out.append(position.id) }
            if position.phase == .exiting, let exit = position.exit, exit.orderID == nil {
                out.append(exit.correlationID)
            }
        }
        return out
    }

    /// Orders whose outcome is still open, by correlation id: entries not yet answered, accepted or with an
    /// unfilled remainder, and exits in flight (what a planned stop waits for).
    public var ordersInFlight: [CorrelationID] {
        var out: [CorrelationID] = []
        for index in unsettledPositions {
            let position = positions[index]
            switch position.phase {
            case .pending, .accepted: out.append(position.id)
            case .active, .exiting:
                if position.entryFilled < position.orderedQuantity { out.append(position.id) }
                if position.phase == .exiting, let exit = position.exit { out.append(exit.correlationID) }
            default: break
            }
        }
        return out
    }

    /// Entries the broker has acknowledged that are not completely filled and not yet asked to cancel.
    public var workingEntriesToCancel: Int {
        var count = 0
        for index in unsettledPositions {
            let position = positions[index]
            guard position.phase == .accepted || position.phase == .active, position.hasCancellableRemainder
            else { continue }
            count += 1
        }
        return count
    }

    /// Contracts the broker holds a different net quantity of than the engine's open positions, as
    /// reconciliation notes (`MISMATCH …`), in contract order.
    public func quantityMismatches(broker: [InstrumentKey: Int64]) -> [String] {
        var ours: [InstrumentKey: Int64] = [:]
        for position in openPositions { ours[position.instrument, default: 0] += position.quantity }
        var notes: [String] = []
        // Both sides: a position only the engine holds would have its exit sell what the account does not hold.
        for instrument in Set(broker.keys).union(ours.keys).sorted() {
            let theirs = broker[instrument] ?? 0
            let held = ours[instrument] ?? 0
            if held != theirs { notes.append("MISMATCH \(instrument): broker \(theirs), engine \(held)") }
        }
        return notes
    }
}
