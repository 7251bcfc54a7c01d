/// Seeded small corruptions of a document (one to three bytes replaced, removed or inserted each), for tests
/// that hold a byte reader to `JSONDecoder`'s answers.
public struct ByteMutations: Sequence, IteratorProtocol {
    /// JSON's structural bytes, digits and the letters of its literals, with control bytes, DEL and the two
    /// bytes of a UTF-8 "é" (the byte readers decline a string with a control or non-ASCII byte).
    public static let jsonAlphabet =
        Array("0123456789-+.eE\"\\,:[]{} nultrfaxsUI".utf8) + [0x01, 0x1F, 0x7F, 0xC3, 0xA9]

    private let original: [UInt8]
    private let alphabet: [UInt8]
    private var random: XorShift64
    private var left: Int

    public init(of original: [UInt8], count: Int, seed: UInt64, alphabet: [UInt8] = jsonAlphabet) {
        precondition(!original.isEmpty && !alphabet.isEmpty)
        self.original = original
        self.alphabet = alphabet
        random = XorShift64(seed: seed)
        left = count
    }

    public mutating func next() -> [UInt8]? {
        guard left > 0 else { return nil }
        left -= 1
        var bytes = original
        for _ in 0..<(1 + draw() % 3) {
            let at = draw() % bytes.count
            switch draw() % 3 {
            case 0: bytes[at] = alphabet[draw() % alphabet.count]
            case 1: bytes.remove(at: at)
            default: bytes.insert(alphabet[draw() % alphabet.count], at: at)
            }
        }
        return bytes
    }

    private mutating func draw() -> Int { Int(random.next() % UInt64(Int.max)) }
}
