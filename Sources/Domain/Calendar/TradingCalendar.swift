/// An exchange whose sessions and holidays the calendar knows.
public enum Exchange: String, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case nse = "NSE"
    case bse = "BSE"

    public var description: String { rawValue }
}

/// A trading session's hours, as seconds after IST midnight.
public struct SessionHours: Sendable, Equatable, Codable {
    public var open: Int
    public var close: Int

    public init(open: Int, close: Int) {
        self.open = open
        self.close = close
    }

    /// Whether `secondOfDay` falls in [open, close).
    public func contains(secondOfDay: Int) -> Bool { secondOfDay >= open && secondOfDay < close }
}

/// How often an underlying's options expire, and on which weekday (ISO: 1 Monday … 7 Sunday).
public enum ExpiryCadence: Sendable, Equatable, Codable {
    /// Every week on this weekday.
    case weekly(weekday: Int)
    /// The last such weekday of every month.
    case monthly(weekday: Int)
}

/// One expiry rule and the date from which it applies (to weeks starting, or months starting, on or after it).
public struct ExpiryRule: Sendable, Equatable, Codable {
    public var effectiveFrom: CivilDate
    public var cadence: ExpiryCadence

    public init(effectiveFrom: CivilDate, cadence: ExpiryCadence) {
        self.effectiveFrom = effectiveFrom
        self.cadence = cadence
    }
}

/// An underlying's expiry schedule: its exchange and its rules over time, oldest first.
public struct ExpirySchedule: Sendable, Equatable, Codable {
    public var exchange: Exchange
    public var rules: [ExpiryRule]

    public init(exchange: Exchange, rules: [ExpiryRule]) {
        self.exchange = exchange
        self.rules = rules.sorted { $0.effectiveFrom < $1.effectiveFrom }
    }

    /// The rule in force on `date`, if any.
    func rule(on date: CivilDate) -> ExpiryRule? { rules.last { $0.effectiveFrom <= date } }
}

/// One exchange's calendar: holidays, special sessions and Muhurat sessions.
public struct ExchangeCalendar: Sendable, Equatable, Codable {
    public var regular: SessionHours
    public var holidays: [CivilDate: String]
    /// Sessions on days that are otherwise closed (a Saturday budget day) or with unusual hours.
    public var specialSessions: [CivilDate: SessionHours]
    /// The one-hour Diwali sessions: recorded, but not trading days for the engine or for expiries.
    public var muhurat: [CivilDate: SessionHours]

    public init(
        regular: SessionHours, holidays: [CivilDate: String], specialSessions: [CivilDate: SessionHours] = [:],
        muhurat: [CivilDate: SessionHours] = [:]
    ) {
        self.regular = regular
        self.holidays = holidays
        self.specialSessions = specialSessions
        self.muhurat = muhurat
    }
}

/// The IST trading calendar, built from data (`config/calendar.yml`); pure: no clock, no files.
///
/// It holds sessions, holidays and special sessions per exchange, and expiry rules per underlying.
///
/// Dates outside `coverage` are treated as plain weekday sessions; callers warn with `covers(_:)`.
public struct TradingCalendar: Sendable, Equatable, Codable {
    public var coverage: ClosedRange<CivilDate>
    public var exchanges: [Exchange: ExchangeCalendar]
    public var expirySchedules: [String: ExpirySchedule]

    public init(
        coverage: ClosedRange<CivilDate>, exchanges: [Exchange: ExchangeCalendar],
        expirySchedules: [String: ExpirySchedule]
    ) {
        self.coverage = coverage
        self.exchanges = exchanges
        self.expirySchedules = expirySchedules
    }

    /// Whether the holiday data covers `date`.
    public func covers(_ date: CivilDate) -> Bool { coverage.contains(date) }

    /// The session on `date`, or nil when the exchange is closed (weekend, holiday, Muhurat-only day).
    public func session(on date: CivilDate, exchange: Exchange = .nse) -> SessionHours? {
        guard let calendar = exchanges[exchange] else { return nil }
        if let special = calendar.specialSessions[date] { return special }
        if calendar.holidays[date] != nil || date.weekday >= 6 { return nil }
        return calendar.regular
    }

    public func isTradingDay(_ date: CivilDate, exchange: Exchange = .nse) -> Bool {
        session(on: date, exchange: exchange) != nil
    }

    /// The holiday's name, when `date` is a listed holiday.
    public func holiday(on date: CivilDate, exchange: Exchange = .nse) -> String? {
        exchanges[exchange]?.holidays[date]
    }

    /// Whether the market is in its continuous session at `time`.
    public func isOpen(at time: Timestamp, exchange: Exchange = .nse) -> Bool {
        session(on: time.istDate, exchange: exchange)?.contains(secondOfDay: Int(time.istSecondOfDay)) ?? false
    }

    public func nextTradingDay(after date: CivilDate, exchange: Exchange = .nse) -> CivilDate {
        var day = date.adding(days: 1)
        while !isTradingDay(day, exchange: exchange) { day = day.adding(days: 1) }
        return day
    }

    public func previousTradingDay(before date: CivilDate, exchange: Exchange = .nse) -> CivilDate {
        var day = date.adding(days: -1)
        while !isTradingDay(day, exchange: exchange) { day = day.adding(days: -1) }
        return day
    }

    /// Trading days from `start` through `end`, ascending.
    public func tradingDays(from start: CivilDate, through end: CivilDate, exchange: Exchange = .nse) -> [CivilDate] {
        var days: [CivilDate] = []
        var day = start
        while day <= end {
            if isTradingDay(day, exchange: exchange) { days.append(day) }
            day = day.adding(days: 1)
        }
        return days
    }

    /// The next `count` expiries of `underlying` on or after `date`, ascending.
    ///
    /// A holiday moves an expiry to the previous trading day. Empty for an underlying without a schedule.
    public func expiries(of underlying: String, onOrAfter date: CivilDate, count: Int) -> [CivilDate] {
        guard let schedule = expirySchedules[underlying], count > 0 else { return [] }
        // Start two weeks early: a holiday can pull a later nominal expiry back across `date`.
        let first = date.adding(days: -14)
        let last = date.adding(days: 35 * count + 62)
        var nominal: [CivilDate] = []
        var monday = first.adding(days: -(first.weekday - 1))
        while monday <= last {
            if case .weekly(let weekday)? = schedule.rule(on: monday)?.cadence {
                nominal.append(monday.adding(days: weekday - 1))
            }
            monday = monday.adding(days: 7)
        }
        var month = CivilDate(first.year, first.month, 1)
        while month <= last {
            let next = month.month == 12 ? CivilDate(month.year + 1, 1, 1) : CivilDate(month.year, month.month + 1, 1)
            if case .monthly(let weekday)? = schedule.rule(on: month)?.cadence {
                let monthEnd = next.adding(days: -1)
                nominal.append(monthEnd.adding(days: -((monthEnd.weekday - weekday + 7) % 7)))
            }
            month = next
        }
        var result: [CivilDate] = []
        for day in nominal.sorted() {
            let actual =
                isTradingDay(day, exchange: schedule.exchange)
                ? day : previousTradingDay(before: day, exchange: schedule.exchange)
            if actual >= date && result.last.map({ actual > $0 }) ?? true { result.append(actual) }
            if result.count == count { break }
        }
        return result
    }

    /// The nearest expiry of `underlying` on or after `date`.
    public func nextExpiry(of underlying: String, onOrAfter date: CivilDate) -> CivilDate? {
        expiries(of: underlying, onOrAfter: date, count: 1).first
    }

    /// Whether `date` is an expiry day of `underlying`.
    public func isExpiryDay(_ date: CivilDate, of underlying: String) -> Bool {
        nextExpiry(of: underlying, onOrAfter: date) == date
    }
}
