import Domain

/// Exits that do not fill are cancelled and sent again, a bounded number of times (engine 0.4.3 on).
///
/// Since 21 March 2026 DhanHQ turns an API market order into a limit order with market price protection
/// (LIVE-BEHAVIOUR.md #1): an exit can rest while the option falls away from it. The engine cancels an exit
/// that has had no fill for `exit_resend_after_sec` and, once the broker confirms the cancel, sends a new
/// one for what is still held. After `exit_resend_limit` re-sends it stops and records an anomaly; the order
/// watch keeps asking the book, and `/status` shows the position still exiting. Every order goes through the
/// client's rate limiter (10 order writes per second), and the engine sends at most one cancel per exit.
enum ExitEscalation {
    /// On a timer: cancels the exits that have been quiet too long.
    static func check(_ state: inout EngineState, seq: UInt64, at time: Timestamp) -> [Command] {
        guard state.rules.resendsExits, let risk = state.config?.risk else { return [] }
        var commands: [Command] = []
        for position in state.unsettledPositions where state.phase(ofPosition: position) == .exiting {
            // Asked in place first: an exiting position comes here every second until its sell fills, and is
            // copied only when its exit has been quiet long enough to act on.
            let due = state.peek(position: position) { held in
                guard let exit = held.pointee.exit, exit.correlationID != held.pointee.id, exit.orderID != nil,
                    exit.cancelRequestedAt == nil, exit.filled < exit.quantity, let since = held.pointee.orderActivityAt
                else { return false }
                return time.epochSeconds - since.epochSeconds >= risk.exitResendAfterSeconds
            }
            guard due else { continue }
            let held = state.positions[position]
            // Only the engine's own sell: a leg's exit (under the entry's id) is the broker's to finish.
            guard let exit = held.exit, exit.correlationID != held.id, let orderID = exit.orderID,
                exit.cancelRequestedAt == nil, exit.filled < exit.quantity,
                let since = held.orderActivityAt,
                time.epochSeconds - since.epochSeconds >= risk.exitResendAfterSeconds
            else { continue }
            guard held.exitAttempts <= risk.exitResendLimit else {
                if !held.exitStuckReported {
                    state.positions[position].exitStuckReported = true
                    state.anomalies.append(
                        Anomaly(
                            seq: seq,
                            message:
                                "\(held.id) exit \(exit.correlationID) unfilled after \(held.exitAttempts) attempts: not re-sent again; sell \(held.quantity) by hand"
                        ))
                }
                continue
            }
            state.positions[position].exit?.cancelRequestedAt = time
            commands.append(
                .cancelOrder(
                    OrderCancellation(
                        correlationID: exit.correlationID, orderID: orderID, leg: nil,
                        reason:
                            "exit unfilled for \(time.epochSeconds - since.epochSeconds) s: cancel and send again")))
        }
        return commands
    }

    /// The broker confirmed the cancel the engine asked for (or refused the exit): a new exit for what is
    /// still held goes out at once, under a new correlation id; nothing when all of it sold meanwhile.
    static func resend(_ state: inout EngineState, _ position: Int, seq: UInt64) -> [Command] {
        let held = state.positions[position]
        guard let config = state.config, let exit = held.exit else { return [] }
        guard held.quantity > 0 else { return PositionLifecycle.settle(&state, position, seq: seq, at: state.now) }
        guard let id = state.nextCorrelationID(causeSeq: seq) else { return [] }
        state.positions[position].exit = ExitIntent(correlationID: id, reason: exit.reason, quantity: held.quantity)
        state.positions[position].exitAttempts += 1
        PositionLifecycle.touch(&state, position, at: state.now)
        return [PositionLifecycle.exitOrder(state.positions[position], config: config)]
    }
}
