import CZlib
import Testing

@testable import Journal

@Suite("CRC-32")
struct CRC32Tests {
    @Test("equals zlib's crc32 for every length 0…300 and for chained updates")
    func matchesZlib() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let ours = bytes.withUnsafeBytes { CRC32.update(0, $0) }
            let zlib = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32(length))) }
            #expect(ours == zlib, "length \(length)")
            let split = length / 3
            let chained = bytes.withUnsafeBytes { all in
                CRC32.update(
                    CRC32.update(0, UnsafeRawBufferPointer(rebasing: all[..<split])),
                    UnsafeRawBufferPointer(rebasing: all[split...]))
            }
            #expect(chained == zlib)
        }
    }

    @Test("equals zlib's crc32 on long inputs at unaligned starts (ISA-L's folding paths)")
    func longUnaligned() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBytes { all in
            for start in 0..<4 {
                for length in [31, 32, 33, 255, 256, 257, 1_000, 4_103, 65_537] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + length])
                    let zlib = UInt32(crc32(0x1234_5678, slice.baseAddress!, UInt32(length)))
                    #expect(CRC32.update(0x1234_5678, slice) == zlib, "start \(start), length \(length)")
                }
            }
        }
    }

    @Test("the standard check value: CRC-32 of \"123456789\" is 0xCBF43926")
    func checkValue() {
        let value = Array("123456789".utf8).withUnsafeBytes { CRC32.update(0, $0) }
        #expect(value == 0xCBF4_3926)
    }
}

@Suite("Record checksum")
struct RecordChecksumTests {
    /// zlib's CRC-32 over what docs/journal-format.md says a record's CRC covers: the 8-byte big-endian key,
    /// header bytes 0..<20 and the payload; computed here independently of `RecordHeader`.
    private static func documentedCRC(seq: UInt64, record: [UInt8]) -> UInt32 {
        var covered = withUnsafeBytes(of: seq.bigEndian) { Array($0) }
        covered += record[0..<20]
        covered += record[24...]
        return covered.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }

    @Test(
        "a written record carries zlib's CRC of key, header and payload, on both sides of the one-pass limit",
        arguments: [0, 1, 4, 27, 28, 100, 227, 228, 229, 300, 5_000])
    func matchesDocumentedLayout(payloadLength: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let seq = UInt64.random(in: 1...UInt64.max, using: &generator)
        var record = [UInt8](repeating: 0, count: RecordHeader.size + payloadLength)
        for offset in RecordHeader.size..<record.count { record[offset] = UInt8.random(in: 0...255, using: &generator) }
        let header = RecordHeader(
            kind: 7, kindVersion: 2, timestampNanos: 1_764_000_000_123_456_789, payloadLength: UInt32(payloadLength))
        record.withUnsafeMutableBytes { RecordHeader.write(header, seq: seq, into: $0) }

        let stored = record[20..<24].withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        #expect(stored == Self.documentedCRC(seq: seq, record: record))
        let parsed = try record.withUnsafeBytes { try RecordHeader.parse(seq: seq, value: $0, verifyChecksum: true) }
        #expect(parsed == header)

        // One bit anywhere the CRC covers, or the key, fails verification.
        var flipped = record
        flipped[payloadLength == 0 ? 9 : record.count - 1] ^= 0x10
        #expect(throws: JournalError.self) {
            try flipped.withUnsafeBytes { _ = try RecordHeader.parse(seq: seq, value: $0, verifyChecksum: true) }
        }
        #expect(throws: JournalError.self) {
            try record.withUnsafeBytes { _ = try RecordHeader.parse(seq: seq &+ 1, value: $0, verifyChecksum: true) }
        }
    }
}
