import CISAL

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): bit-for-bit the value of zlib's `crc32`.
///
/// Every journal record is checksummed on append and on verified reads, so this is on the hot path.
/// zlib computes short inputs a byte at a time (about 2.5 ns/byte on the EPYC VMs here), more than an
/// LMDB append of a 100-byte record costs. Inputs of `isalThreshold` bytes or more go to ISA-L's
/// `crc32_gzip_refl`, which folds 16 bytes per step with carry-less multiplies (~15 ns for 64 bytes
/// against ~40 ns for slicing-by-8); shorter ones stay in the slicing-by-8 table code below, where a call
/// through ISA-L's CPU dispatcher would cost more than the bytes. Tests check every length against zlib,
/// so any tool with zlib (e.g. Python's `zlib.crc32`) verifies a journal.
public enum CRC32 {
    /// The shortest input handed to ISA-L (the two cross over between 16 and 24 bytes on the VMs here).
    @usableFromInline static let isalThreshold = 20

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
        if count >= isalThreshold {
            return crc32_gzip_refl(crc, start.assumingMemoryBound(to: UInt8.self), UInt64(count))
        }
        return updateWithTables(crc, start, count)
    }

    /// Slicing-by-8: eight bytes per step through eight 1 KiB tables.
    @usableFromInline
    static func updateWithTables(_ crc: UInt32, _ start: UnsafeRawPointer, _ count: Int) -> UInt32 {
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
