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
    public var coverage: ClosedRange<CivilDate> { didSet { tabulateExpiries() } }
    public var exchanges: [Exchange: ExchangeCalendar] { didSet { tabulateExpiries() } }
    public var expirySchedules: [String: ExpirySchedule] { didSet { tabulateExpiries() } }
    /// Each underlying's expiries around the coverage, derived from the three above (not encoded or compared).
    private var expiryTables: [String: ExpiryTable] = [:]

    private enum CodingKeys: String, CodingKey {
        case coverage, exchanges, expirySchedules
    }

    /// Days of expiries tabulated before the coverage and after it: room for the scan's window (two weeks
    /// back, 35 days per expiry asked plus 62 ahead) of sixteen expiries from the coverage's last day.
    static let tabulatedBefore = 60
    static let tabulatedAfter = 700

    public init(
        coverage: ClosedRange<CivilDate>, exchanges: [Exchange: ExchangeCalendar],
        expirySchedules: [String: ExpirySchedule]
    ) {
        self.coverage = coverage
        self.exchanges = exchanges
        self.expirySchedules = expirySchedules
        tabulateExpiries()
    }

    /// Decodes a calendar (a state snapshot's configuration), refusing what `parse(yaml:)` refuses that would
    /// otherwise hang or trap tabulating expiries: a schedule on an exchange without a calendar (the search for
    /// the trading day before a holiday found none, forever) or an expiry weekday outside Monday…Friday.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let exchanges = try container.decode([Exchange: ExchangeCalendar].self, forKey: .exchanges)
        let schedules = try container.decode([String: ExpirySchedule].self, forKey: .expirySchedules)
        for (underlying, schedule) in schedules.sorted(by: { $0.key < $1.key }) {
            guard exchanges[schedule.exchange] != nil else {
                throw DecodingError.dataCorruptedError(
                    forKey: .expirySchedules, in: container,
                    debugDescription: "\(underlying) expires on \(schedule.exchange), which has no calendar")
            }
            for rule in schedule.rules {
                switch rule.cadence {
                case .weekly(let weekday), .monthly(let weekday):
                    guard (1...5).contains(weekday) else {
                        throw DecodingError.dataCorruptedError(
                            forKey: .expirySchedules, in: container,
                            debugDescription:
                                "\(underlying) expires on weekday \(weekday), not Monday (1) to Friday (5)")
                    }
                }
            }
        }
        self.init(
            coverage: try container.decode(ClosedRange<CivilDate>.self, forKey: .coverage), exchanges: exchanges,
            expirySchedules: schedules)
    }

    public static func == (left: TradingCalendar, right: TradingCalendar) -> Bool {
        left.coverage == right.coverage && left.exchanges == right.exchanges
            && left.expirySchedules == right.expirySchedules
    }

    private mutating func tabulateExpiries() {
        let span =
            coverage.lowerBound.adding(
                days: -Self.tabulatedBefore)...coverage.upperBound.adding(
                days: Self.tabulatedAfter)
        var tables: [String: ExpiryTable] = [:]
        for (underlying, schedule) in expirySchedules {
            // Everything the scan generates from the span's first day up to its last is complete there.
            let nominal = nominalExpiries(schedule, window: span).filter { span.contains($0) }
            tables[underlying] = ExpiryTable(
                nominal: nominal, actual: nominal.map { actualExpiry($0, schedule) }, span: span)
        }
        expiryTables = tables
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

    /// The first trading day after `date`; the exchange must have a calendar (the configuration checks that each
    /// index's has one), else no day would ever be found.
    public func nextTradingDay(after date: CivilDate, exchange: Exchange = .nse) -> CivilDate {
        precondition(exchanges[exchange] != nil, "the trading calendar has no \(exchange) calendar")
        var day = date.adding(days: 1)
        while !isTradingDay(day, exchange: exchange) { day = day.adding(days: 1) }
        return day
    }

    /// The last trading day before `date`; the exchange must have a calendar, as for `nextTradingDay`.
    public func previousTradingDay(before date: CivilDate, exchange: Exchange = .nse) -> CivilDate {
        precondition(exchanges[exchange] != nil, "the trading calendar has no \(exchange) calendar")
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
        let window = Self.scanWindow(from: date, count: count)
        if let known = expiryTables[underlying]?.expiries(onOrAfter: date, count: count, window: window) {
            return known
        }
        return scannedExpiries(schedule, onOrAfter: date, count: count, window: window)
    }

    /// The nominal dates the scan for `count` expiries from `date` walks: two weeks early (a holiday can pull
    /// a later nominal expiry back across `date`), and far enough ahead for `count` of any cadence.
    static func scanWindow(from date: CivilDate, count: Int) -> ClosedRange<CivilDate> {
        date.adding(days: -14)...date.adding(days: 35 * count + 62)
    }

    /// The expiries found by walking the weeks and months of `window`: what the table holds, for any date.
    func scannedExpiries(
        _ schedule: ExpirySchedule, onOrAfter date: CivilDate, count: Int, window: ClosedRange<CivilDate>
    ) -> [CivilDate] {
        var result: [CivilDate] = []
        for day in nominalExpiries(schedule, window: window).sorted() {
            let actual = actualExpiry(day, schedule)
            if actual >= date && result.last.map({ actual > $0 }) ?? true { result.append(actual) }
            if result.count == count { break }
        }
        return result
    }

    /// Test seam: the scan's answer, bypassing the table.
    package func scannedExpiries(of underlying: String, onOrAfter date: CivilDate, count: Int) -> [CivilDate] {
        guard let schedule = expirySchedules[underlying], count > 0 else { return [] }
        return scannedExpiries(
            schedule, onOrAfter: date, count: count, window: Self.scanWindow(from: date, count: count))
    }

    /// Test seam: the table's answer, or nil where `expiries` falls back to the scan.
    package func tabulatedExpiries(of underlying: String, onOrAfter date: CivilDate, count: Int) -> [CivilDate]? {
        expiryTables[underlying]?.expiries(
            onOrAfter: date, count: count, window: Self.scanWindow(from: date, count: count))
    }

    /// The nominal expiries of every week starting, and every month starting, in `window` (some fall after it).
    private func nominalExpiries(_ schedule: ExpirySchedule, window: ClosedRange<CivilDate>) -> [CivilDate] {
        let first = window.lowerBound
        let last = window.upperBound
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
        return nominal.sorted()
    }

    /// The trading day a nominal expiry falls on: itself, or the trading day before a holiday.
    private func actualExpiry(_ day: CivilDate, _ schedule: ExpirySchedule) -> CivilDate {
        isTradingDay(day, exchange: schedule.exchange)
            ? day : previousTradingDay(before: day, exchange: schedule.exchange)
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
