/// Appends little-endian primitives to a byte buffer: the event codec's output side.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }
    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func u16(_ value: UInt16) { append(value.littleEndian) }
    public mutating func u32(_ value: UInt32) { append(value.littleEndian) }
    public mutating func u64(_ value: UInt64) { append(value.littleEndian) }
    public mutating func i64(_ value: Int64) { append(value.littleEndian) }
    public mutating func f64(_ value: Double) { append(value.bitPattern.littleEndian) }
    public mutating func paise(_ value: Paise) { i64(value.value) }
    public mutating func timestamp(_ value: Timestamp) { i64(value.nanos) }
    public mutating func date(_ value: CivilDate) { i64(value.daysSinceEpoch) }

    /// A UTF-8 string with a u32 byte-length prefix.
    public mutating func string(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
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

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
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
