import CZlib
import Journal
import Testing

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
