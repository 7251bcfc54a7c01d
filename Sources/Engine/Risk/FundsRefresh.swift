import Domain

/// Keeps the funds snapshot fresh so a signal is never refused for stale funds (engine 0.4.3 on).
///
/// The entry guard refuses funds older than a minute; before 0.4.3 funds were asked for only at the start and
/// when the guard had already refused, so the first signal after a quiet spell was dropped. Now a timer asks
/// every `refreshEvery` seconds, and a fill makes the next second's timer ask at once (the balance moved).
enum FundsRefresh {
    static let refreshEvery: Int64 = 30
    /// At most one request in flight per this many seconds, whatever prompts it.
    static let minimumGap: Int64 = 5

    /// On a timer: a funds request when the snapshot is missing, old, or older than the last fill.
    static func check(_ state: inout EngineState, at time: Timestamp) -> [Command] {
        guard state.rules.refreshesFunds, state.session != nil else { return [] }
        let snapshot = state.funds?.time
        let due =
            snapshot.map { time.epochSeconds - $0.epochSeconds >= refreshEvery || (state.lastFillAt ?? $0) > $0 }
            ?? true
        guard due, state.fundsRequestedAt.map({ time.epochSeconds - $0.epochSeconds >= minimumGap }) ?? true
        else { return [] }
        state.fundsRequestedAt = time
        return [.fetchData(.funds)]
    }
}
