import Dhan
import Domain

/// One downloadable series of one index: recorded option bars at one offset, or the index's own candles.
public enum HistorySeries: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `POST /v2/charts/rollingoption`: `interval`-minute bars of the option `offset` strikes from the money,
    /// of the `code`-th (1 near, 2 next, 3 far) weekly or monthly expiry.
    case options(interval: Int, expiry: ExpiryKind, code: Int, offset: StrikeOffset, type: OptionType)
    /// `POST /v2/charts/intraday`: the index's `interval`-minute candles.
    case indexIntraday(interval: Int)
    /// `POST /v2/charts/historical`: the index's daily candles (stamped at IST midnight).
    case indexDaily

    /// The folder under the index's, in the store's layout (`options/5m/week-1/ATM+1-CE`, `index/1m`, `index/daily`).
    public var path: String {
        switch self {
        case .options(let interval, let expiry, let code, let offset, let type):
            "options/\(interval)m/\(expiry.rawValue)-\(code)/\(offset.label)-\(type.code)"
        case .indexIntraday(let interval): "index/\(interval)m"
        case .indexDaily: "index/daily"
        }
    }

    /// The series a store folder names (the inverse of `path`).
    public init?(path: String) {
        let parts = path.split(separator: "/").map(String.init)
        if parts == ["index", "daily"] {
            self = .indexDaily
            return
        }
        if parts.count == 2, parts[0] == "index", parts[1].hasSuffix("m"), let interval = Int(parts[1].dropLast()) {
            self = .indexIntraday(interval: interval)
            return
        }
        guard parts.count == 4, parts[0] == "options", parts[1].hasSuffix("m"),
            let interval = Int(parts[1].dropLast())
        else { return nil }
        let expiry = parts[2].split(separator: "-")
        guard expiry.count == 2, let flag = ExpiryKind(rawValue: String(expiry[0])), let code = Int(expiry[1]) else {
            return nil
        }
        guard let dash = parts[3].lastIndex(of: "-"), let offset = StrikeOffset(label: String(parts[3][..<dash])) else {
            return nil
        }
        let typeCode = parts[3][parts[3].index(after: dash)...]
        guard typeCode == "CE" || typeCode == "PE" else { return nil }
        self = .options(
            interval: interval, expiry: flag, code: code, offset: offset, type: typeCode == "CE" ? .call : .put)
    }

    public var description: String { path }

    public static func < (lhs: HistorySeries, rhs: HistorySeries) -> Bool { lhs.path < rhs.path }

    /// The longest span one request may cover, in days (30 for expired options, 90 for intraday candles).
    public var daysPerRequest: Int {
        switch self {
        case .options: 30
        case .indexIntraday: 90
        case .indexDaily: 366
        }
    }
}

/// A calendar month, the store's unit of files and of resuming.
public struct Month: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(_ year: Int, _ month: Int) {
        self.year = year
        self.month = month
    }

    public init(of date: CivilDate) { self.init(date.year, date.month) }

    /// `2025-10`.
    public init?(text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            return nil
        }
        self.init(year, month)
    }

    public var first: CivilDate { CivilDate(year, month, 1) }
    public var next: Month { month == 12 ? Month(year + 1, 1) : Month(year, month + 1) }
    public var description: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }

    public static func < (lhs: Month, rhs: Month) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

    /// Every month that has a day in `[from, to)`.
    public static func covering(from: CivilDate, to: CivilDate) -> [Month] {
        guard from < to else { return [] }
        var out: [Month] = []
        var month = Month(of: from)
        while month.first < to {
            out.append(month)
            month = month.next
        }
        return out
    }
}
