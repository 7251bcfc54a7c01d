/// A journal's fingerprint: FNV-1a (64-bit) over every record's kind, kind version, time, payload length and
/// payload, in seq order.
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
        Self.fnv(&value, view.payload)
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

    private mutating func mix<T: FixedWidthInteger>(_ field: T) {
        withUnsafeBytes(of: field.littleEndian) { Self.fnv(&value, $0) }
    }

    /// FNV-1a over `bytes` (an inout parameter, so no dynamic exclusivity check per byte).
    private static func fnv(_ hash: inout UInt64, _ bytes: UnsafeRawBufferPointer) {
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }
}
