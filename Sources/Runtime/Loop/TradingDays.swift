import Domain
import Engine
import Logging

/// Day after day in one process and one journal: each trading day begins with its own `session_started` at
/// the day's start-up time (09:00 IST by default), before the open; outside the session the clock ticks the
/// engine once a minute instead of once a second.
///
/// The journal keeps every day, one `session_started` at each day's boundary (as the backtests write it), so
/// `scalper replay`, `journal dump` and `report` read a week as they read a day.
struct TradingDays: Sendable {
    /// The trading date of the session the engine is in (nil before the first).
    var current: CivilDate?
    /// A day's start-up is under way.
    var starting = false

    /// Seconds after the close during which the timer still ticks every second (late exits and their
    /// resends, the day's summary).
    static let afterCloseSeconds = 30 * 60
    /// Seconds before the day's start-up from which the timer ticks every second again.
    static let beforeStartSeconds = 5 * 60

    /// The day to start at `now`, if one is due: a trading day, at or after `startSecond`, before its close, and
    /// not the current session's.
    func dayToStart(at now: Timestamp, startSecond: Int, calendar: TradingCalendar) -> CivilDate? {
        let today = now.istDate
        let second = Int(now.istSecondOfDay)
        guard !starting, current != today, second >= startSecond, let hours = calendar.session(on: today),
            second < hours.close
        else { return nil }
        return today
    }

    /// Whether the engine's timer should fire at IST `second` of a day whose session is `hours` (nil when the
    /// market is closed): every second from a little before the day's start-up to a while after the close of a
    /// trading day, else on the minute.
    static func ticksEverySecond(atSecondOfDay second: Int, startSecond: Int, hours: SessionHours?) -> Bool {
        guard let hours else { return false }
        return second >= min(startSecond, hours.open) - beforeStartSeconds && second < hours.close + afterCloseSeconds
    }
}

extension TradingRuntime {
    /// Starts trading day `day`: journals its `session_started` (the same configuration files, this build),
    /// loads its contracts, reconciles with the broker, and starts the day's MTM samples afresh.
    func startDay(_ day: CivilDate) async {
        defer { tradingDays.withLock { $0.starting = false } }
        let seq = await sequencer.lastSeq
        logger.notice("trading day starting", metadata: ["date": "\(day)", "seq": "\(seq)"])
        health.withLock { $0.mtm.removeAll(keepingCapacity: true) }
        let started = SessionStarted(
            engineVersion: options.engineVersion, mode: options.mode, tradingDate: day,
            configFiles: options.configFiles)
        do {
            try await submit(.sessionStarted(started))
            tradingDays.withLock { $0.current = day }
            try await journalContracts(day: day)
            try await reconcile()
        } catch {
            logger.error("the trading day's start-up failed", metadata: ["date": "\(day)", "error": "\(error)"])
        }
    }
}
