import Foundation
import Journal
import TestSupport
import Testing

@Suite("Journal append and read")
struct AppendReadTests {
    static func record(_ index: Int, size: Int = 40) -> PendingRecord {
        PendingRecord(
            kind: UInt16(1 + index % 7), kindVersion: 1, timestampNanos: 1_761_536_700_000_000_000 + Int64(index),
            payload: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
    }

    @Test("records come back byte for byte under seqs 1, 2, 3… in order")
    func roundTrip() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        #expect(journal.lastSeq == 0)
        let first = try journal.append((0..<10).map { Self.record($0) })
        let second = try journal.append(Self.record(10, size: 0))
        #expect(first == 1...10)
        #expect(second == 11)
        let records = try journal.reader.records()
        #expect(records.map(\.seq) == Array(1...11))
        for (index, record) in records.enumerated() {
            let expected = Self.record(index, size: index == 10 ? 0 : 40)
            #expect(record.kind == expected.kind)
            #expect(record.kindVersion == expected.kindVersion)
            #expect(record.timestampNanos == expected.timestampNanos)
            #expect(record.payload == expected.payload)
        }
        #expect(try journal.reader.records(from: 4, through: 6).map(\.seq) == [4, 5, 6])
        #expect(try journal.reader.record(at: 12) == nil)
    }

    @Test("keys are 8-byte big-endian seqs, as docs/journal-format.md says")
    func keyLayout() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        try journal.append((0..<300).map { Self.record($0) })
        journal.close()
        // mdb_dump (lmdb-utils) prints keys in hex; without it, the reader's own order proves the layout.
        let reader = try Journal.openForReading(at: directory.path).reader
        var previous: UInt64 = 0
        try reader.forEach { view in
            #expect(view.seq == previous + 1)
            previous = view.seq
            return true
        }
        #expect(previous == 300)
    }

    @Test("reopening continues at the next seq")
    func reopenContinues() throws {
        let directory = TemporaryDirectory()
        do {
            let journal = try Journal.openForWriting(at: directory.path)
            try journal.append((0..<5).map { Self.record($0) })
            journal.close()
        }
        let journal = try Journal.openForWriting(at: directory.path)
        #expect(journal.lastSeq == 5)
        #expect(try journal.append(Self.record(5)) == 6)
    }

    @Test("the map grows on demand instead of failing with MDB_MAP_FULL")
    func mapGrows() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(
            at: directory.path, options: .init(durability: .fast, initialMapSize: 256 << 10))
        for batch in 0..<40 {
            try journal.append((0..<500).map { Self.record(batch * 500 + $0, size: 200) })
        }
        #expect(journal.lastSeq == 20_000)
        #expect(try journal.reader.verify().firstFailure == nil)
    }

    @Test("a payload over the limit is refused, not truncated")
    func oversizedRecord() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let huge = PendingRecord(
            kind: 1, kindVersion: 1, timestampNanos: 0,
            payload: [UInt8](repeating: 0, count: RecordHeader.maxPayloadLength + 1))
        #expect(throws: JournalError.recordTooLarge(bytes: RecordHeader.maxPayloadLength + 1)) {
            try journal.append(huge)
        }
        #expect(journal.lastSeq == 0)
    }

    @Test("reading a path that is not a journal is a clear error")
    func missingJournal() throws {
        let directory = TemporaryDirectory()
        #expect(throws: JournalError.cannotOpen(path: directory.sub("nope"), reason: "no such journal directory")) {
            try Journal.openForReading(at: directory.sub("nope"))
        }
        #expect(throws: JournalError.cannotOpen(path: directory.path, reason: "no data.mdb in the directory")) {
            try Journal.openForReading(at: directory.path)
        }
    }

    @Test("an abrupt close is a kill: the lock is free for a new writer in the same process, the old handle refuses")
    func abruptClose() throws {
        let directory = TemporaryDirectory()
        let killed = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        try killed.append((0..<10).map { Self.record($0) })
        killed.closeAbruptly()
        #expect(throws: JournalError.self) { try killed.append(Self.record(10)) }
        #expect(throws: JournalError.self) { try killed.reader.lastSeq() }
        let next = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        #expect(next.lastSeq == 10)
        #expect(try next.append(Self.record(10)) == 11)
        #expect(try next.reader.verify().firstFailure == nil)
        killed.closeAbruptly()
        next.close()
    }
}
