/// An amount of Indian rupees in integer paise (₹1 = 100 paise): every price, charge and PnL in the engine.
public struct Paise: Hashable, Comparable, Sendable, AdditiveArithmetic, CustomStringConvertible, Codable {
    public var value: Int64

    @inlinable public init(_ value: Int64) { self.value = value }

    /// Computed and inlinable, not a `static let`: reading a global from another module calls its lazy
    /// initializer, an opaque call across which the optimizer must copy whatever value it is borrowing (a whole
    /// `Position`, for each of the day's PnL sums on every fold).
    @inlinable public static var zero: Paise { Paise(0) }

    /// Whole rupees.
    public static func rupees(_ rupees: Int64) -> Paise { Paise(rupees * 100) }

    /// Converts a broker or feed price (a float in rupees) to paise, rounding to the nearest paisa.
    ///
    /// This is the one place floats become money: NaN, infinity and negative prices are refused with
    /// an error naming `field`.
    public init(price rupees: Double, field: String) throws(InvalidPriceError) {
        guard rupees >= 0 else {
            throw InvalidPriceError(field: field, value: rupees, reason: rupees.isNaN ? "not a number" : "negative")
        }
        try self.init(amount: rupees, field: field)
    }

    /// Converts a signed rupee amount (a PnL or balance, which may be negative) to paise.
    public init(amount rupees: Double, field: String) throws(InvalidPriceError) {
        guard rupees.isFinite else {
            throw InvalidPriceError(field: field, value: rupees, reason: rupees.isNaN ? "not a number" : "infinite")
        }
        let scaled = (rupees * 100).rounded(.toNearestOrAwayFromZero)
        guard abs(scaled) < 9.0e18 else {
            throw InvalidPriceError(field: field, value: rupees, reason: "out of range")
        }
        self.value = Int64(scaled)
    }

    /// The amount in rupees as a Double, for display and indicator maths only.
    public var rupees: Double { Double(value) / 100 }

    /// Rupees with two decimals, such as `245.10` or `-12.05`.
    public var description: String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public static func < (lhs: Paise, rhs: Paise) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Paise, rhs: Paise) -> Paise { Paise(lhs.value + rhs.value) }
    public static func - (lhs: Paise, rhs: Paise) -> Paise { Paise(lhs.value - rhs.value) }
    public static func * (lhs: Paise, rhs: Int64) -> Paise { Paise(lhs.value * rhs) }
}

/// A price from outside the engine that cannot be money: NaN, infinite, negative or out of range.
public struct InvalidPriceError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var value: Double
    public var reason: String

    public init(field: String, value: Double, reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    public var description: String { "invalid price in \(field): \(value) is \(reason)" }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.field == rhs.field && lhs.reason == rhs.reason
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}
