import Domain
import Engine

/// Turns the engine's state after each fold into alerts: a position entered or closed, the breaker or the
/// kill switch, the feed down past its grace, the session expired, a reconciliation mismatch, the day's
/// summary after the close.
///
/// A value type with no clock and no I/O: it reads only the state and the fold's time, so the same journal
/// raises the same alerts. It is primed with the state a start-up rebuilt, so a restart does not announce
/// again what was already true.
public struct AlertWatcher: Sendable {
    /// A position (its freeze slices, by index in `state.positions`) whose entry or exit is not announced yet.
    private struct Watched: Sendable {
        var id: CorrelationID
        var records: [Int]
        var entryAnnounced: Bool
    }

    private let feedDownAfterSeconds: Int64
    /// Positions before this index in `state.positions` have been seen.
    private var seenPositions: Int
    private var watched: [Watched] = []
    private var circuitTripped: Bool
    private var killSwitch: Bool
    private var feedStaleSince: Timestamp?
    private var feedDownAnnounced = false
    private var sessionExpired: Bool
    private var reconciliationBlocked: Bool
    private var summarised: CivilDate?

    /// The IST second of the day after which the day's summary goes out (15:30, the close).
    public static let summaryAfterSecond = 15 * 3600 + 30 * 60

    /// A watcher that treats everything `state` already shows as announced.
    public init(primedWith state: EngineState, at time: Timestamp, feedDownAfterSeconds: Int64) {
        self.feedDownAfterSeconds = feedDownAfterSeconds
        seenPositions = state.positions.count
        circuitTripped = state.dayRisk?.circuitTripped ?? false
        killSwitch = state.dayRisk?.killSwitch ?? false
        sessionExpired = state.feedBlock == .sessionExpired
        reconciliationBlocked = state.reconciliationBlock != nil
        if Int(time.istSecondOfDay) >= Self.summaryAfterSecond { summarised = time.istDate }
        for index in state.unsettledPositions {
            let position = state.positions[index]
            guard !position.phase.isSettled else { continue }
            if let at = watched.firstIndex(where: { $0.id == position.positionID }) {
                watched[at].records.append(index)
            } else {
                watched.append(Watched(id: position.positionID, records: [index], entryAnnounced: true))
            }
        }
    }

    /// The alerts the fold that produced `state` (record `seq`, at `time`) raises, in a fixed order.
    public mutating func observe(_ state: EngineState, seq: UInt64, at time: Timestamp) -> [Alert] {
        var alerts: [Alert] = []
        func raise(_ kind: Alert.Kind) { alerts.append(Alert(kind, time: time, seq: seq)) }
        if state.positions.count > seenPositions {
            for index in seenPositions..<state.positions.count {
                let id = state.positions[index].positionID
                if let at = watched.firstIndex(where: { $0.id == id }) {
                    watched[at].records.append(index)
                } else {
                    watched.append(Watched(id: id, records: [index], entryAnnounced: false))
                }
            }
            seenPositions = state.positions.count
        }
        if !watched.isEmpty { positions(state, raise) }
        let risk = state.dayRisk
        if (risk?.circuitTripped ?? false) != circuitTripped {
            circuitTripped.toggle()
            if circuitTripped {
                raise(.circuitBreaker(dayNet: state.dayNetPnL, openPositions: state.openPositions.count))
            }
        }
        if (risk?.killSwitch ?? false) != killSwitch {
            killSwitch.toggle()
            raise(.killSwitch(on: killSwitch))
        }
        feed(state, at: time, raise)
        let blocked = state.reconciliationBlock != nil
        if blocked != reconciliationBlocked {
            reconciliationBlocked = blocked
            if case .reconciliationNotClean(let notes)? = state.reconciliationBlock {
                raise(.reconciliationMismatch(notes: notes))
            } else {
                raise(.reconciliationClean)
            }
        }
        if Int(time.istSecondOfDay) >= Self.summaryAfterSecond, summarised != time.istDate,
            let calendar = state.config?.calendar, calendar.isTradingDay(time.istDate)
        {
            summarised = time.istDate
            raise(.daySummary(Self.summary(of: state, on: time.istDate)))
        }
        return alerts
    }

    /// Entries on their first fill, exits once every slice is flat.
    private mutating func positions(_ state: EngineState, _ raise: (Alert.Kind) -> Void) {
        var done: [Int] = []
        // Read in place, slice by slice: copying every slice's `Position` on every fold of an open position cost
        // more than the checks; copies are made only for an alert.
        let positions = state.positions
        for (at, item) in watched.enumerated() {
            let filled = item.records.reduce(Int64(0)) { $0 + positions[$1].entryFilled }
            func copies() -> [Position] { item.records.map { positions[$0] } }
            if !item.entryAnnounced, filled > 0 {
                watched[at].entryAnnounced = true
                let slices = copies()
                let first = slices[0]
                let cost = slices.reduce(Int64(0)) { $0 + $1.entryAverage.value * $1.entryFilled }
                raise(
                    .entry(
                        index: first.index, instrument: first.contractLabel, quantity: filled,
                        ordered: slices.reduce(Int64(0)) { $0 + $1.orderedQuantity },
                        price: Paise((cost + filled / 2) / filled), tag: first.entryTag))
            }
            guard item.records.allSatisfy({ positions[$0].phase.isSettled }) else { continue }
            done.append(at)
            guard filled > 0 else { continue }
            let slices = copies()
            let first = slices[0]
            let reason = first.exitReason.map { reason in
                state.config.map { reason.tag($0.risk, dailyLossLimit: $0.risk.dailyLossLimit) } ?? reason.rawValue
            }
            raise(
                .exit(
                    index: first.index, instrument: first.contractLabel, quantity: filled, reason: reason ?? "closed",
                    net: slices.reduce(Paise.zero) { $0 + $1.netPnL }, dayNet: state.dayNetPnL))
        }
        for at in done.reversed() { watched.remove(at: at) }
    }

    /// The feed: down once it has been stale past the grace, back when it recovers; the session's expiry at once.
    private mutating func feed(_ state: EngineState, at time: Timestamp, _ raise: (Alert.Kind) -> Void) {
        let expired = state.feedBlock == .sessionExpired
        if expired != sessionExpired {
            sessionExpired = expired
            if expired { raise(.sessionExpired) }
        }
        if case .marketFeedStale(let detail)? = state.feedBlock {
            let since = feedStaleSince ?? time
            feedStaleSince = since
            let seconds = time.epochSeconds - since.epochSeconds
            if !feedDownAnnounced, seconds >= feedDownAfterSeconds {
                feedDownAnnounced = true
                raise(.feedDown(seconds: seconds, detail: detail))
            }
        } else if let since = feedStaleSince {
            if feedDownAnnounced { raise(.feedRestored(downSeconds: time.epochSeconds - since.epochSeconds)) }
            feedStaleSince = nil
            feedDownAnnounced = false
        }
    }

    /// The day's trades (by position, slices together), winners, money and MTM extremes.
    static func summary(of state: EngineState, on date: CivilDate) -> Alert.DaySummary {
        let totals = DayTotals.byDay(state.positions.filter { $0.tradingDate == date }).first ?? .empty(date)
        let risk = state.dayRisk?.date == date ? state.dayRisk : nil
        return Alert.DaySummary(
            totals: totals, maxMTM: risk?.maxMTM ?? .zero, minMTM: risk?.minMTM ?? .zero,
            circuitTripped: risk?.circuitTripped ?? false, openPositions: state.openPositions.count)
    }
}
