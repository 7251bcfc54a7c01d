/// A point in time as nanoseconds since the Unix epoch (UTC): the time of every journaled event.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var nanos: Int64

    public init(nanos: Int64) { self.nanos = nanos }
    public init(epochSeconds: Int64) { self.nanos = epochSeconds * 1_000_000_000 }

    /// India Standard Time is UTC+05:30 all year (no daylight saving).
    public static let istOffsetSeconds: Int64 = 19_800

    public var epochSeconds: Int64 { nanos.floorDiv(1_000_000_000) }

    /// Seconds since midnight IST (0..<86400).
    public var istSecondOfDay: Int64 { (epochSeconds + Self.istOffsetSeconds).floorMod(86_400) }

    /// The IST calendar date.
    public var istDate: CivilDate { CivilDate(daysSinceEpoch: istDayNumber) }

    /// The IST date as days since 1970-01-01: compares like `istDate` without building a calendar date.
    public var istDayNumber: Int64 { (epochSeconds + Self.istOffsetSeconds).floorDiv(86_400) }

    /// `YYYY-MM-DD HH:MM:SS.mmm` in IST.
    public var istString: String {
        let second = istSecondOfDay
        let millis = nanos.floorMod(1_000_000_000) / 1_000_000
        return "\(istDate) \(pad(second / 3600)):\(pad(second / 60 % 60)):\(pad(second % 60)).\(pad(millis, width: 3))"
    }

    /// ISO 8601 with the IST offset, such as `2025-10-27T09:15:00.000+05:30`.
    public var iso8601IST: String {
        istString.replacingFirstSpace(with: "T") + "+05:30"
    }

    /// The instant of `hour:minute:second` IST on `date`.
    public static func ist(_ date: CivilDate, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Timestamp {
        let seconds = date.daysSinceEpoch * 86_400 + Int64(hour * 3600 + minute * 60 + second) - istOffsetSeconds
        return Timestamp(epochSeconds: seconds)
    }

    public var description: String { istString }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanos < rhs.nanos }
}

/// A calendar date (proleptic Gregorian), used for IST trading days and expiries.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(_ year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` (anything after the date, such as a time, is ignored).
    public init?(iso text: Substring) {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        self.init(y, m, d)
        guard CivilDate(daysSinceEpoch: daysSinceEpoch) == self else { return nil }
    }

    public init?(iso text: String) { self.init(iso: Substring(text)) }

    /// From days since 1970-01-01 (Howard Hinnant's civil-from-days).
    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: 1 Monday … 7 Sunday.
    public var weekday: Int { Int((daysSinceEpoch + 3).floorMod(7)) + 1 }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + Int64(days)) }

    public var description: String {
        // Ten bytes written in place for the usual range (dhan-sim prints an expiry into every order-book row
        // it answers); anything else is padded field by field.
        guard (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) else {
            return "\(pad(year, width: 4))-\(pad(month))-\(pad(day))"
        }
        return String(unsafeUninitializedCapacity: 10) { bytes in
            let zero = UInt8(ascii: "0")
            bytes[0] = zero + UInt8(year / 1000)
            bytes[1] = zero + UInt8(year / 100 % 10)
            bytes[2] = zero + UInt8(year / 10 % 10)
            bytes[3] = zero + UInt8(year % 10)
            bytes[4] = UInt8(ascii: "-")
            bytes[5] = zero + UInt8(month / 10)
            bytes[6] = zero + UInt8(month % 10)
            bytes[7] = UInt8(ascii: "-")
            bytes[8] = zero + UInt8(day / 10)
            bytes[9] = zero + UInt8(day % 10)
            return 10
        }
    }

    /// Field by field, like `==` (and without the day-count arithmetic: the PnL and risk checks compare
    /// dates on every tick).
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension Int64 {
    /// Division rounded toward negative infinity (a time before 1970 still falls in the right minute or day).
    public func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    func floorMod(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}

func pad<I: BinaryInteger>(_ value: I, width: Int = 2) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

extension String {
    fileprivate func replacingFirstSpace(with replacement: String) -> String {
        guard let index = firstIndex(of: " ") else { return self }
        return self[..<index] + replacement + self[index...].dropFirst()
    }
}
