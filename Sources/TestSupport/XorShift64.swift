/// A xorshift64 generator for tests that draw many reproducible values (mutations, number shapes); the
/// product's own seeded randomness is `SeededRandom`.
public struct XorShift64: RandomNumberGenerator {
    private var state: UInt64

    /// `seed` must not be zero (xorshift stays at zero for ever).
    public init(seed: UInt64) {
        precondition(seed != 0, "a xorshift seed of zero only ever gives zero")
        state = seed
    }

    public mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
