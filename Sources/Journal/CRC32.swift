/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): bit-for-bit the value of zlib's `crc32`.
///
/// zlib computes short inputs a byte at a time (about 2.5 ns/byte here), which alone would cost more
/// than an LMDB append of a 100-byte record; slicing-by-8 does eight bytes per step. Tests check every
/// result against zlib, so any tool with zlib (e.g. Python's `zlib.crc32`) verifies a journal.
public enum CRC32 {
    /// Eight 256-entry tables, laid out one after another; immortal, built once.
    nonisolated(unsafe) private static let tables: UnsafePointer<UInt32> = {
        let tables = UnsafeMutablePointer<UInt32>.allocate(capacity: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            tables[index] = crc
        }
        for index in 0..<256 {
            var crc = tables[index]
            for slice in 1..<8 {
                crc = (crc >> 8) ^ tables[Int(crc & 0xFF)]
                tables[slice * 256 + index] = crc
            }
        }
        return UnsafePointer(tables)
    }()

    /// Continues `crc` (0 to start) over `bytes`, as zlib's `crc32(crc, bytes, count)` does.
    @inlinable
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return update(crc, base, bytes.count)
    }

    @usableFromInline
    static func update(_ crc: UInt32, _ start: UnsafeRawPointer, _ count: Int) -> UInt32 {
        let table = tables
        var crc = ~crc
        var pointer = start
        var remaining = count
        while remaining >= 8 {
            let low = UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self)) ^ crc
            let high = UInt32(littleEndian: pointer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            crc =
                table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                ^ table[256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
            pointer += 8
            remaining -= 8
        }
        while remaining > 0 {
            crc = table[Int((crc ^ UInt32(pointer.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
            pointer += 1
            remaining -= 1
        }
        return ~crc
    }
}
