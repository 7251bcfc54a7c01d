/// Appends little-endian primitives to a byte buffer: the event codec's output side.
///
/// The buffer is allocated ahead and written through a pointer: appending each field with
/// `Array.append(contentsOf:)` went through the generic sequence path, an eighth of a backtest's commit thread.
public struct BinaryWriter: Sendable {
    /// Initialised beyond `length` (zeros, or bytes a batch wrote before), so the stores below never write
    /// outside initialised memory.
    private var storage: [UInt8]
    private var length = 0

    public init(capacity: Int = 64) {
        storage = [UInt8](repeating: 0, count: max(capacity, 16))
    }

    /// A writer that goes on after the first `length` bytes of `storage` (a buffer `take()` handed back, or
    /// one an `EncodedBatch` lends out).
    public init(continuing storage: consuming [UInt8], length: Int) {
        precondition(length >= 0 && length <= storage.count, "a writer goes on inside its buffer")
        self.storage = storage
        self.length = length
    }

    /// Hands back the buffer, whole, and how much of it is written, for another writer to go on from.
    public consuming func take() -> (storage: [UInt8], length: Int) { (storage, length) }

    /// The bytes written so far (a copy; `finish()` hands over the buffer instead).
    public var bytes: [UInt8] { Array(storage[..<length]) }

    /// The bytes written, without copying them.
    public consuming func finish() -> [UInt8] {
        storage.removeSubrange(length...)
        return storage
    }

    public mutating func u8(_ value: UInt8) { append(value) }
    public mutating func bool(_ value: Bool) { append(UInt8(value ? 1 : 0)) }

    public mutating func u16(_ value: UInt16) { append(value.littleEndian) }
    public mutating func u32(_ value: UInt32) { append(value.littleEndian) }
    public mutating func u64(_ value: UInt64) { append(value.littleEndian) }
    public mutating func i64(_ value: Int64) { append(value.littleEndian) }
    public mutating func f64(_ value: Double) { append(value.bitPattern.littleEndian) }
    public mutating func paise(_ value: Paise) { i64(value.value) }
    public mutating func timestamp(_ value: Timestamp) { i64(value.nanos) }
    public mutating func date(_ value: CivilDate) { i64(value.daysSinceEpoch) }

    /// A signed integer in as few bytes as it needs: zigzag (0, -1, 1, -2 … become 0, 1, 2, 3 …), then
    /// LEB128 (seven bits a byte, low first, the high bit set on every byte but the last); 1 to 10 bytes.
    public mutating func varint(_ value: Int64) {
        var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        reserve(10)
        var end = length
        storage.withUnsafeMutableBytes { buffer in
            while rest >= 0x80 {
                buffer[end] = UInt8(truncatingIfNeeded: rest) | 0x80
                end += 1
                rest >>= 7
            }
            buffer[end] = UInt8(rest)
            end += 1
        }
        length = end
    }

    /// A UTF-8 string with a u32 byte-length prefix.
    public mutating func string(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            reserve(utf8.count)
            let start = length
            storage.withUnsafeMutableBytes { buffer in
                UnsafeMutableRawBufferPointer(rebasing: buffer[start..<start + utf8.count])
                    .copyMemory(from: UnsafeRawBufferPointer(utf8))
            }
            length += utf8.count
        }
    }

    public mutating func instrument(_ value: InstrumentKey) {
        u8(value.segment.rawValue)
        u32(value.securityID.value)
    }

    /// A u32 count followed by each element.
    public mutating func array<Element>(_ values: [Element], _ write: (inout BinaryWriter, Element) -> Void) {
        u32(UInt32(values.count))
        for value in values { write(&self, value) }
    }

    /// A presence byte, then the value when present.
    public mutating func optional<Value>(_ value: Value?, _ write: (inout BinaryWriter, Value) -> Void) {
        if let value {
            u8(1)
            write(&self, value)
        } else {
            u8(0)
        }
    }

    @inline(__always)
    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size)
        let start = length
        storage.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: start, as: T.self) }
        length += MemoryLayout<T>.size
    }

    /// Makes room for `count` more bytes, doubling the buffer when it is short.
    @inline(__always)
    private mutating func reserve(_ count: Int) {
        if length + count > storage.count { grow(to: length + count) }
    }

    private mutating func grow(to needed: Int) {
        storage.append(contentsOf: repeatElement(0, count: max(needed, storage.count * 2) - storage.count))
    }
}

/// Reads little-endian primitives from a payload without copying it; errors name the field and offset.
public struct BinaryReader {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    @inline(__always)
    public mutating func u8(_ field: StaticString) throws(DecodeError) -> UInt8 { try load(field) }
    @inline(__always)
    public mutating func u16(_ field: StaticString) throws(DecodeError) -> UInt16 {
        UInt16(littleEndian: try load(field))
    }
    @inline(__always)
    public mutating func u32(_ field: StaticString) throws(DecodeError) -> UInt32 {
        UInt32(littleEndian: try load(field))
    }
    @inline(__always)
    public mutating func u64(_ field: StaticString) throws(DecodeError) -> UInt64 {
        UInt64(littleEndian: try load(field))
    }
    @inline(__always)
    public mutating func i64(_ field: StaticString) throws(DecodeError) -> Int64 {
        Int64(littleEndian: try load(field))
    }
    @inline(__always)
    public mutating func f64(_ field: StaticString) throws(DecodeError) -> Double {
        Double(bitPattern: UInt64(littleEndian: try load(field)))
    }
    @inline(__always)
    public mutating func paise(_ field: StaticString) throws(DecodeError) -> Paise { Paise(try i64(field)) }
    @inline(__always)
    public mutating func timestamp(_ field: StaticString) throws(DecodeError) -> Timestamp {
        Timestamp(nanos: try i64(field))
    }
    @inline(__always)
    public mutating func date(_ field: StaticString) throws(DecodeError) -> CivilDate {
        let days = try i64(field)
        // 1900-01-01 ... 2199-12-31: beyond, the calendar arithmetic and every timestamp built on the date
        // overflow (a fuzzer found the trap).
        guard (-25_567...84_005).contains(days) else {
            throw DecodeError(
                field: "\(field)", offset: offset - 8, reason: "\(days) days from 1970-01-01 is outside 1900-2199")
        }
        return CivilDate(daysSinceEpoch: days)
    }

    /// A `BinaryWriter.varint`: at most 10 bytes, the tenth carrying only the top bit.
    public mutating func varint(_ field: StaticString) throws(DecodeError) -> Int64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else {
                throw DecodeError(field: "\(field)", offset: start, reason: "varint runs past the payload")
            }
            let byte = bytes[offset]
            offset += 1
            guard shift < 63 || byte <= 1 else {
                throw DecodeError(field: "\(field)", offset: start, reason: "varint longer than 64 bits")
            }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    public mutating func bool(_ field: StaticString) throws(DecodeError) -> Bool {
        let value = try u8(field)
        guard value <= 1 else {
            throw DecodeError(field: "\(field)", offset: offset - 1, reason: "bool byte is \(value)")
        }
        return value == 1
    }

    public mutating func string(_ field: StaticString) throws(DecodeError) -> String {
        let length = Int(try u32(field))
        guard length <= bytes.count - offset else {
            throw DecodeError(
                field: "\(field)", offset: offset, reason: "string of \(length) bytes runs past the payload")
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
        offset += length
        return text
    }

    @inline(__always)
    public mutating func instrument(_ field: StaticString) throws(DecodeError) -> InstrumentKey {
        let code = try u8(field)
        guard let segment = ExchangeSegment(rawValue: code) else {
            throw DecodeError(field: "\(field)", offset: offset - 1, reason: "unknown exchange segment \(code)")
        }
        return InstrumentKey(segment, SecurityID(try u32(field)))
    }

    public mutating func array<Element>(
        _ field: StaticString, _ read: (inout BinaryReader) throws(DecodeError) -> Element
    ) throws(DecodeError) -> [Element] {
        let count = Int(try u32(field))
        guard count <= bytes.count - offset else {
            throw DecodeError(field: "\(field)", offset: offset, reason: "count \(count) exceeds the payload")
        }
        var result: [Element] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try read(&self)) }
        return result
    }

    public mutating func optional<Value>(
        _ field: StaticString, _ read: (inout BinaryReader) throws(DecodeError) -> Value
    ) throws(DecodeError) -> Value? {
        try bool(field) ? try read(&self) : nil
    }

    /// Reads a one-byte enum by raw value.
    public mutating func enumeration<E: RawRepresentable>(_ field: StaticString, _: E.Type) throws(DecodeError) -> E
    where E.RawValue == UInt8 {
        let raw = try u8(field)
        guard let value = E(rawValue: raw) else {
            throw DecodeError(field: "\(field)", offset: offset - 1, reason: "unknown \(E.self) value \(raw)")
        }
        return value
    }

    // Inlined into every field read (a replay decodes millions); the error is built out of line.
    @inline(__always)
    private mutating func load<T: FixedWidthInteger>(_ field: StaticString) throws(DecodeError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else {
            throw Self.short(field, offset: offset, size: size, left: bytes.count - offset)
        }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return value
    }

    @inline(never)
    private static func short(_ field: StaticString, offset: Int, size: Int, left: Int) -> DecodeError {
        DecodeError(field: "\(field)", offset: offset, reason: "needs \(size) bytes, \(left) left")
    }
}

/// A payload that does not decode: which field, at which byte, and why.
public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var offset: Int
    public var reason: String

    public init(field: String, offset: Int, reason: String) {
        self.field = field
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "field '\(field)' at byte \(offset): \(reason)" }
}
