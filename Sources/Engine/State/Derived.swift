import Domain

/// A value derived from the rest of the state and kept beside it only to save work: it is not part of the
/// state's JSON (so not of snapshots or the state hash) and never makes two states unequal.
///
/// A state decoded from JSON starts with `Value()`, which must mean "nothing derived yet". Whoever reads the
/// value checks that it still matches what it was derived from (see `SettledDayNet`).
public struct Derived<Value: Sendable>: Sendable {
    public var value: Value

    public init(_ value: Value) { self.value = value }
}

/// Marks a `Derived` value for code that walks the state by reflection (the state's JSON view leaves it out).
public protocol DerivedValue {}

extension Derived: DerivedValue {}

extension Derived: Equatable {
    public static func == (_: Self, _: Self) -> Bool { true }
}

extension Derived: Codable where Value: DerivedDefault {
    public init(from _: any Decoder) throws { self.init(Value()) }
    public func encode(to _: any Encoder) throws {}
}

// Synthesized `Codable` calls these more specific overloads for a `Derived` property: nothing is written, and
// decoding needs no key.
extension KeyedEncodingContainer {
    public mutating func encode<Value: DerivedDefault>(_: Derived<Value>, forKey _: Key) throws {}
}

extension KeyedDecodingContainer {
    public func decode<Value: DerivedDefault>(_: Derived<Value>.Type, forKey _: Key) throws -> Derived<Value> {
        Derived(Value())
    }
}

/// A derived value's "nothing derived yet".
public protocol DerivedDefault: Sendable {
    init()
}

/// The settled part of the trading day's net PnL.
///
/// It is the sum over the day's positions before `through`, all settled when it was taken. Settled positions'
/// PnL does not change (fills for them are refused); a position taken back moves `settledPositions` below
/// `through`, which throws the sum away.
public struct SettledDayNet: DerivedDefault, Equatable {
    public var date: CivilDate?
    public var through = 0
    public var sum = Paise.zero

    public init() {}
}

/// The newest position in each instrument, as its index in `positions`, over the first `through` positions.
///
/// Positions are only ever appended, and a position's instrument never changes, so the entries stay true as
/// positions are added; `catchUp` reads only the new ones. Fewer positions than `through` means the array was
/// replaced, and the index is built again.
public struct NewestPositions: DerivedDefault, Equatable {
    public var through = 0
    /// Looked up, never iterated: nothing here reaches the state's order or its commands.
    public var newest: [InstrumentKey: Int] = [:]

    public init() {}

    /// Takes in the positions appended since the last call.
    mutating func catchUp(with positions: [Position]) {
        if through > positions.count { self = NewestPositions() }
        guard through < positions.count else { return }
        positions.withUnsafeBufferPointer { buffer in
            for index in through..<buffer.count { newest[buffer[index].instrument] = index }
        }
        through = positions.count
    }
}
