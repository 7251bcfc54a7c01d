/// The fixed 24-byte header in front of every journal record's payload.
///
/// Layout (little-endian), documented for auditors in `docs/journal-format.md`:
/// `0 u8 format` · `1 u8 flags` · `2 u16 kind` · `4 u16 kindVersion` · `6 u16 reserved` ·
/// `8 i64 timestamp ns UTC` · `16 u32 payload length` · `20 u32 CRC32` · `24… payload`.
/// The CRC covers the 8-byte big-endian key, header bytes 0..<20 and the payload, so a record that
/// lands under the wrong key fails too.
public struct RecordHeader: Equatable, Sendable {
    /// The only record format this build writes and reads.
    public static let formatVersion: UInt8 = 1
    /// Size of the header in bytes.
    public static let size = 24
    /// The largest payload a record may carry (16 MiB); larger values are refused, not truncated.
    public static let maxPayloadLength = 16 << 20

    public var kind: UInt16
    public var kindVersion: UInt16
    public var timestampNanos: Int64
    public var payloadLength: UInt32

    public init(kind: UInt16, kindVersion: UInt16, timestampNanos: Int64, payloadLength: UInt32) {
        self.kind = kind
        self.kindVersion = kindVersion
        self.timestampNanos = timestampNanos
        self.payloadLength = payloadLength
    }

    /// Writes header and CRC into `buffer`, whose payload bytes (from offset 24) are already in place.
    static func write(
        _ header: RecordHeader, seq: UInt64, into buffer: UnsafeMutableRawBufferPointer
    ) {
        buffer.storeBytes(of: formatVersion, toByteOffset: 0, as: UInt8.self)
        buffer.storeBytes(of: 0, toByteOffset: 1, as: UInt8.self)
        buffer.storeBytes(of: header.kind.littleEndian, toByteOffset: 2, as: UInt16.self)
        buffer.storeBytes(of: header.kindVersion.littleEndian, toByteOffset: 4, as: UInt16.self)
        buffer.storeBytes(of: 0, toByteOffset: 6, as: UInt16.self)
        buffer.storeBytes(of: header.timestampNanos.littleEndian, toByteOffset: 8, as: Int64.self)
        buffer.storeBytes(of: header.payloadLength.littleEndian, toByteOffset: 16, as: UInt32.self)
        let crc = checksum(seq: seq, record: UnsafeRawBufferPointer(buffer))
        buffer.storeBytes(of: crc.littleEndian, toByteOffset: 20, as: UInt32.self)
    }

    /// Parses and sanity-checks a stored value; the CRC is checked only when asked (verify, dump).
    static func parse(
        seq: UInt64, value: UnsafeRawBufferPointer, verifyChecksum: Bool
    ) throws(JournalError) -> RecordHeader {
        guard value.count >= size else {
            throw .corruptRecord(
                seq: seq, reason: "value is \(value.count) bytes, shorter than the \(size)-byte header")
        }
        let format = value.load(fromByteOffset: 0, as: UInt8.self)
        guard format == formatVersion else {
            throw .corruptRecord(
                seq: seq, reason: "unknown record format \(format) (this build reads format \(formatVersion))")
        }
        let header = RecordHeader(
            kind: UInt16(littleEndian: value.loadUnaligned(fromByteOffset: 2, as: UInt16.self)),
            kindVersion: UInt16(littleEndian: value.loadUnaligned(fromByteOffset: 4, as: UInt16.self)),
            timestampNanos: Int64(littleEndian: value.loadUnaligned(fromByteOffset: 8, as: Int64.self)),
            payloadLength: UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        )
        guard Int(header.payloadLength) == value.count - size else {
            throw .corruptRecord(
                seq: seq,
                reason: "header says \(header.payloadLength) payload bytes but the value holds \(value.count - size)")
        }
        if verifyChecksum {
            let stored = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
            let actual = checksum(seq: seq, record: value)
            guard stored == actual else {
                throw .corruptRecord(
                    seq: seq, reason: "CRC32 mismatch (stored \(hex(stored)), computed \(hex(actual)))")
            }
        }
        return header
    }

    /// CRC-32 (zlib's) over the big-endian key, header bytes 0..<20 and the payload.
    ///
    /// Key, header and the payload's first bytes are copied to the stack and go through one CRC call, which
    /// covers a whole tick; a longer payload continues the same CRC from the record. Every ISA-L call on a
    /// short input ends in its own Barrett reduction: two calls per record (key and header, then payload)
    /// were half of a verified scan's CRC time, where copying 60 bytes costs a few nanoseconds.
    static func checksum(seq: UInt64, record: UnsafeRawBufferPointer) -> UInt32 {
        let base = record.baseAddress!
        let payloadCount = record.count - size
        let copied = min(payloadCount, onePassLimit - 28)
        return withUnsafeTemporaryAllocation(byteCount: onePassLimit, alignment: 16) { buffer in
            let start = buffer.baseAddress!
            start.storeBytes(of: seq.bigEndian, as: UInt64.self)
            (start + 8).copyMemory(from: base, byteCount: 20)
            (start + 28).copyMemory(from: base + size, byteCount: copied)
            let crc = CRC32.update(0, UnsafeRawPointer(start), 28 + copied)
            guard payloadCount > copied else { return crc }
            return CRC32.update(crc, base + size + copied, payloadCount - copied)
        }
    }

    /// Bytes (key, header and the payload's first bytes) checksummed from the stack copy.
    private static let onePassLimit = 256

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// A record to append: its kind and version (the payload's schema), its time and its encoded payload.
public struct PendingRecord: Sendable {
    public var kind: UInt16
    public var kindVersion: UInt16
    public var timestampNanos: Int64
    public var payload: [UInt8]

    public init(kind: UInt16, kindVersion: UInt16, timestampNanos: Int64, payload: [UInt8]) {
        self.kind = kind
        self.kindVersion = kindVersion
        self.timestampNanos = timestampNanos
        self.payload = payload
    }
}

/// A record read back from the journal, owning a copy of its payload.
public struct JournalRecord: Equatable, Sendable {
    public var seq: UInt64
    public var kind: UInt16
    public var kindVersion: UInt16
    public var timestampNanos: Int64
    public var payload: [UInt8]

    public init(seq: UInt64, kind: UInt16, kindVersion: UInt16, timestampNanos: Int64, payload: [UInt8]) {
        self.seq = seq
        self.kind = kind
        self.kindVersion = kindVersion
        self.timestampNanos = timestampNanos
        self.payload = payload
    }
}

/// A zero-copy view of one record inside LMDB's memory map; valid only inside the closure that receives it.
public struct RecordView {
    public let seq: UInt64
    public let header: RecordHeader
    /// The payload bytes, pointing into the map.
    public let payload: UnsafeRawBufferPointer

    public init(seq: UInt64, header: RecordHeader, payload: UnsafeRawBufferPointer) {
        self.seq = seq
        self.header = header
        self.payload = payload
    }

    /// Copies the record out of the map.
    public func copy() -> JournalRecord {
        JournalRecord(
            seq: seq, kind: header.kind, kindVersion: header.kindVersion,
            timestampNanos: header.timestampNanos, payload: Array(payload))
    }
}
