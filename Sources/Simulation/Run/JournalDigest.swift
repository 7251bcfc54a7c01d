import Journal

/// FNV-1a over a journal: equal digests, equal journals (record for record).
public enum JournalDigest {
    /// FNV-1a over every record's kind, version, time and payload.
    public static func of(_ reader: JournalReader) throws -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        try reader.forEach { view in
            withUnsafeBytes(of: view.header.kind.littleEndian) { fnv(&hash, $0) }
            withUnsafeBytes(of: view.header.kindVersion.littleEndian) { fnv(&hash, $0) }
            withUnsafeBytes(of: view.header.timestampNanos.littleEndian) { fnv(&hash, $0) }
            fnv(&hash, view.payload)
            return true
        }
        return hash
    }

    /// FNV-1a over `bytes` (an inout parameter, so no dynamic exclusivity check per byte).
    private static func fnv<Bytes: Sequence<UInt8>>(_ hash: inout UInt64, _ bytes: Bytes) {
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }
}
