import Domain

/// An entry that filled partly and then stopped keeps what filled (engine 0.4.3 on).
///
/// A market order the broker turned into a protected limit (LIVE-BEHAVIOUR.md #1) can rest with part of it
/// unfilled while the option runs away. After `entry_remainder_cancel_sec` without a fill the engine cancels
/// the remainder; the position is then what filled. (A super order whose entry has traded may refuse the
/// cancel, #4: the refusal is recorded, and a later fill of the remainder is held and sold like any other.)
enum EntryRemainder {
    /// On a timer: cancels the remainders that have rested too long.
    static func check(_ state: inout EngineState, at time: Timestamp) -> [Command] {
        guard state.rules.cancelsRestingEntries, let risk = state.config?.risk else { return [] }
        var commands: [Command] = []
        for position in state.unsettledPositions where state.phase(ofPosition: position) == .active {
            // Read in place: every active position comes here every second, and copying it out cost a whole
            // `Position` copy each time to learn that its entry filled completely.
            let resting = state.peek(position: position) { held -> (quiet: Int64, ordered: Int64, filled: Int64)? in
                guard held.pointee.entryFilled > 0, held.pointee.entryFilled < held.pointee.orderedQuantity,
                    !held.pointee.entryCancelRequested,
                    let since = held.pointee.orderActivityAt,
                    time.epochSeconds - since.epochSeconds >= risk.entryRemainderCancelSeconds
                else { return nil }
                return (time.epochSeconds - since.epochSeconds, held.pointee.orderedQuantity, held.pointee.entryFilled)
            }
            guard let (quiet, ordered, filled) = resting else { continue }
            if let cancel = PositionLifecycle.cancelEntryRemainder(
                &state, position,
                reason: "entry rested \(quiet) s with \(ordered - filled) unfilled: keep the \(filled) filled"
            ) {
                commands.append(cancel)
            }
        }
        return commands
    }
}
