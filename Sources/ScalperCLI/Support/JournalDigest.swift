import Journal

/// A 64-bit FNV-1a digest over every record of a journal (kind, kind version, time, payload), in seq order.
///
/// Not a checksum for storage (records carry their own CRCs): a short fingerprint that a speed change
/// compares before and after, to show it wrote the same records.
enum JournalDigest {
    static func of(_ reader: JournalReader) throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        func mix<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { for byte in $0 { mix(byte) } }
        }
        try reader.forEach(verifyChecksums: false) { view in
            mix(view.header.kind)
            mix(view.header.kindVersion)
            mix(view.header.timestampNanos)
            mix(UInt32(view.payload.count))
            for byte in view.payload { mix(byte) }
            return true
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
