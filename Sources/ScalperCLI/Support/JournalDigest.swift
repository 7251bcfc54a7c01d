import Domain
import Journal

/// `StableHash` (FNV-1a 64) over every record of a journal (kind, kind version, time, payload length, payload),
/// in seq order.
///
/// Not a checksum for storage (records carry their own CRCs): a short fingerprint that a speed change
/// compares before and after, to show it wrote the same records.
enum JournalDigest {
    static func of(_ reader: JournalReader) throws -> String {
        var hash = StableHash.value(of: [])
        func mix<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { hash = StableHash.value(of: $0, seed: hash) }
        }
        try reader.forEach(verifyChecksums: false) { view in
            mix(view.header.kind)
            mix(view.header.kindVersion)
            mix(view.header.timestampNanos)
            mix(UInt32(view.payload.count))
            hash = StableHash.value(of: view.payload, seed: hash)
            return true
        }
        return StableHash.hex(hash)
    }
}
