import Domain

/// Intents the broker has gone quiet about: an entry not yet accepted or filled, an exit not yet filled.
///
/// A lost alert or an answer that never came leaves the engine waiting for ever; the order book is the
/// truth. Every `lookupEvery` of silence the engine asks the book by correlation id (its answer carries the
/// fills and status a lost alert would have), and past `escalateAfter` it records an anomaly, so the stuck
/// intent shows on `/status` (engine 0.4.2; `EngineRules.watchesOrders`).
public enum OrderWatch {
    static let lookupEvery: Int64 = 10
    static let escalateAfter: Int64 = 60

    /// On a timer: lookups and escalations for the quiet intents.
    static func check(_ state: inout EngineState, seq: UInt64, at time: Timestamp) -> [Command] {
        guard state.rules.watchesOrders else { return [] }
        var commands: [Command] = []
        for position in state.unsettledPositions {
            // Quiet long enough? Asked first, of one field: the whole position is copied only when it is.
            let since = state.peek(position: position) { $0.pointee.orderActivityAt }
            guard let since, time.epochSeconds - since.epochSeconds >= lookupEvery else { continue }
            // Waiting on an order? Asked in place: a filled position, quiet for good, is the usual answer.
            let rules = state.rules
            let waitingOn = state.peek(position: position) { watched(at: $0, rules: rules) }
            guard !waitingOn.isEmpty else { continue }
            let (lookupAt, stallReported) = state.peek(position: position) {
                ($0.pointee.lookupAt, $0.pointee.stallReported)
            }
            let quiet = time.epochSeconds - since.epochSeconds
            if lookupAt.map({ time.epochSeconds - $0.epochSeconds >= lookupEvery }) ?? true {
                state.positions[position].lookupAt = time
                commands += waitingOn.map { .fetchData(.orderByCorrelation($0)) }
            }
            if quiet >= escalateAfter, !stallReported {
                let held = state.positions[position]
                state.positions[position].stallReported = true
                let ids = waitingOn.map(\.description).joined(separator: " and ")
                state.anomalies.append(
                    Anomaly(
                        seq: seq,
                        message:
                            "\(held.id) \(held.phase.rawValue) with no word from the broker for \(quiet) s: asking the order book for \(ids) every \(lookupEvery) s"
                    ))
            }
        }
        return commands
    }

    /// The orders of a position the engine is waiting to hear about (entry first).
    public static func watched(_ held: Position, rules: EngineRules) -> [CorrelationID] {
        withUnsafePointer(to: held) { watched(at: $0, rules: rules) }
    }

    /// `watched(_:rules:)` of the position at `held`, read in place (every timer asks it of every quiet
    /// position; handed the position, it received a copy).
    static func watched(at held: UnsafePointer<Position>, rules: EngineRules) -> [CorrelationID] {
        // While the legs are being cancelled the engine's own sell has not gone out.
        let legsGone =
            held.pointee.protection.map { !$0.cancelRequested || ($0.targetCancelled && $0.stopCancelled) } ?? true
        guard rules.watchesEntryRemainder else {
            switch held.pointee.phase {
            case .pending, .accepted: return [held.pointee.id]
            case .exiting: return [legsGone ? held.pointee.exit?.correlationID ?? held.pointee.id : held.pointee.id]
            default: return []
            }
        }
        // 0.4.3: an entry's unfilled remainder is watched too (its fill alert may be lost while the position
        // is active or already being sold), and a leg cancel still unconfirmed is read from the entry's rows.
        let remainderOpen = held.pointee.entryFilled < held.pointee.orderedQuantity
        switch held.pointee.phase {
        case .pending, .accepted: return [held.pointee.id]
        case .active: return remainderOpen ? [held.pointee.id] : []
        case .exiting:
            var ids: [CorrelationID] = []
            if remainderOpen || !legsGone { ids.append(held.pointee.id) }
            if legsGone, let exit = held.pointee.exit, exit.filled < exit.quantity,
                exit.correlationID != held.pointee.id
            {
                ids.append(exit.correlationID)
            }
            return ids
        default: return []
        }
    }

    /// An order of the position with correlation id `id` was heard of now.
    static func heard(_ state: inout EngineState, _ id: CorrelationID?, at time: Timestamp) {
        guard state.rules.watchesOrders, let (position, _) = PositionLifecycle.locate(state, id) else { return }
        state.positions[position].orderActivityAt = time
    }
}
