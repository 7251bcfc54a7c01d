/// A journal's fingerprint: a 64-bit hash over every record's kind, kind version, time, payload length and
/// payload, in seq order, eight bytes at a step.
///
/// Until 7 December 2026 it was FNV-1a, a byte at a step, and a hundredth of a simulated day went on it (each
/// byte waits on the last one's multiply); the values changed then.
///
/// Not a checksum for storage (records carry their own CRCs): equal digests, equal journals record for record.
/// `scalper simulate` compares two runs of a seed by it, and the benchmarks print it so a speed change can
/// show it wrote the same records.
public struct JournalDigest: Sendable, Equatable {
    /// The fingerprint of the records added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// Adds the next record (records go in seq order).
    public mutating func add(_ view: RecordView) {
        mix(view.header.kind)
        mix(view.header.kindVersion)
        mix(view.header.timestampNanos)
        mix(UInt32(view.payload.count))
        Self.absorb(&value, view.payload)
    }

    /// The digest of every record `reader` holds.
    public static func of(_ reader: JournalReader, verifyChecksums: Bool = true) throws -> UInt64 {
        var digest = JournalDigest()
        try reader.forEach(verifyChecksums: verifyChecksums) { view in
            digest.add(view)
            return true
        }
        return digest.value
    }

    /// `of(reader)` as 16 lowercase hex digits.
    public static func hex(_ reader: JournalReader) throws -> String {
        let text = String(try of(reader, verifyChecksums: false), radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    private mutating func mix<T: FixedWidthInteger>(_ field: T) { Self.step(&value, UInt64(truncatingIfNeeded: field)) }

    /// One word into the hash: xor, then a multiply and an xor-shift, each a bijection, so two different
    /// words after the same history never give the same hash.
    @inline(__always)
    private static func step(_ hash: inout UInt64, _ word: UInt64) {
        hash = (hash ^ word) &* 0x9e37_79b9_7f4a_7c15
        hash ^= hash >> 29
    }

    /// `bytes` eight at a step, the last few as one word (the payload's length is mixed in before them); an
    /// inout parameter, so no dynamic exclusivity check per word.
    private static func absorb(_ hash: inout UInt64, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset + 8 <= bytes.count {
            step(&hash, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        guard offset < bytes.count else { return }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        step(&hash, tail)
    }
}
