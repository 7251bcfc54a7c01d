/// A journal's fingerprint: FNV-1a (64-bit) over every record's kind, kind version, time, payload length and
/// payload, in seq order.
///
/// Not a checksum for storage (records carry their own CRCs): equal digests, equal journals record for record.
/// `scalper simulate` compares two runs of a seed by it, and the benchmarks print it so a speed change can
/// show it wrote the same records.
public enum JournalDigest {
    /// The digest of every record `reader` holds.
    public static func of(_ reader: JournalReader, verifyChecksums: Bool = true) throws -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { fnv(&hash, $0) }
        }
        try reader.forEach(verifyChecksums: verifyChecksums) { view in
            mix(view.header.kind)
            mix(view.header.kindVersion)
            mix(view.header.timestampNanos)
            mix(UInt32(view.payload.count))
            fnv(&hash, view.payload)
            return true
        }
        return hash
    }

    /// `of(reader)` as 16 lowercase hex digits.
    public static func hex(_ reader: JournalReader) throws -> String {
        let text = String(try of(reader, verifyChecksums: false), radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// FNV-1a over `bytes` (an inout parameter, so no dynamic exclusivity check per byte).
    private static func fnv(_ hash: inout UInt64, _ bytes: UnsafeRawBufferPointer) {
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }
}
