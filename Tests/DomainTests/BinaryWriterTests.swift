import Domain
import Testing

@Suite("binary writer")
struct BinaryWriterTests {
    @Test("little-endian fields, strings and growth past the first buffer give the same bytes by copy and by finish")
    func layout() {
        var writer = BinaryWriter(capacity: 16)
        writer.u8(0xAB)
        writer.bool(true)
        writer.u16(0x0102)
        writer.u32(0x0304_0506)
        writer.i64(-2)
        writer.f64(1.5)
        writer.string("₹5")
        var expected: [UInt8] = [0xAB, 1, 0x02, 0x01, 0x06, 0x05, 0x04, 0x03]
        expected += [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        expected += [0, 0, 0, 0, 0, 0, 0xF8, 0x3F]
        expected += [4, 0, 0, 0, 0xE2, 0x82, 0xB9, 0x35]
        #expect(writer.bytes == expected)
        // Past the first buffer many times over, and a long string across a doubling.
        for value in 0..<1_000 { writer.u32(UInt32(value)) }
        let long = String(repeating: "x", count: 5_000)
        writer.string(long)
        for value in 0..<1_000 { expected += withUnsafeBytes(of: UInt32(value).littleEndian) { Array($0) } }
        expected += withUnsafeBytes(of: UInt32(5_000).littleEndian) { Array($0) } + Array(long.utf8)
        #expect(writer.bytes == expected)
        #expect(writer.finish() == expected)
        #expect(BinaryWriter().finish() == [])
    }
}
