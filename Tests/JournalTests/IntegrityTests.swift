import Foundation
import Journal
import TestSupport
import Testing

@Suite("Integrity: verify, corruption, truncation, repair, writer lock")
struct IntegrityTests {
    /// Writes 1,000 records; record 500 carries a marker that can be found in data.mdb.
    static let marker = Array("<<<RECORD-500-MARKER-0123456789>>>".utf8)

    static func makeJournal(at path: String) throws {
        let journal = try Journal.openForWriting(at: path, options: .init(durability: .durable))
        for batch in 0..<10 {
            try journal.append(
                (0..<100).map { index in
                    let n = batch * 100 + index + 1
                    let payload = n == 500 ? marker : Array("record \(n) payload".utf8)
                    return PendingRecord(kind: 2, kindVersion: 1, timestampNanos: Int64(n), payload: payload)
                })
        }
        journal.close()
    }

    /// Flips one byte in every copy of `pattern` in the file (LMDB may keep stale copies in free pages).
    static func flipByte(in file: String, inside pattern: [UInt8]) throws -> Int {
        var data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        var flipped = 0
        var index = 0
        while index + pattern.count <= data.count {
            if data[index] == pattern[0] && Array(data[index..<index + pattern.count]) == pattern {
                data[index + pattern.count / 2] ^= 0x20
                flipped += 1
                index += pattern.count
            } else {
                index += 1
            }
        }
        try Data(data).write(to: URL(fileURLWithPath: file))
        return flipped
    }

    @Test("a clean journal verifies")
    func clean() throws {
        let directory = TemporaryDirectory()
        try Self.makeJournal(at: directory.path)
        let report = try Journal.openForReading(at: directory.path).reader.verify()
        #expect(report == VerifyReport(recordCount: 1000, lastGoodSeq: 1000, firstFailure: nil))
    }

    @Test("one flipped byte inside a record: verify names that seq, writing is refused, repair is the way out")
    func flippedByte() throws {
        let directory = TemporaryDirectory()
        try Self.makeJournal(at: directory.path)
        #expect(try Self.flipByte(in: directory.sub("data.mdb"), inside: Self.marker) >= 1)

        let report = try Journal.openForReading(at: directory.path).reader.verify()
        #expect(report.firstFailure?.seq == 500)
        #expect(report.firstFailure?.reason.hasPrefix("CRC32 mismatch") == true)
        #expect(report.recordCount == 499)

        #expect {
            try Journal.openForWriting(at: directory.path)
        } throws: { error in
            guard case JournalError.refusesToOpenCorrupt(_, let seq, _) = error else { return false }
            return seq == 500 && "\(error)".contains("--truncate-after 499")
        }

        let repair = try Journal.repair(at: directory.path, truncateAfter: 499)
        #expect(repair == TruncationReport(keptThrough: 499, removedCount: 501, removedRange: 500...1000))
        let journal = try Journal.openForWriting(at: directory.path)
        #expect(journal.lastSeq == 499)
        #expect(try journal.append(PendingRecord(kind: 2, kindVersion: 1, timestampNanos: 0, payload: [1])) == 500)
    }

    @Test("a truncated data file is a clear error, never a crash")
    func truncatedFile() throws {
        let directory = TemporaryDirectory()
        try Self.makeJournal(at: directory.path)
        let file = directory.sub("data.mdb")
        let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
        #expect(truncate(file, off_t(size / 2)) == 0)
        #expect {
            try Journal.openForReading(at: directory.path)
        } throws: { error in
            guard case JournalError.truncatedFile(_, let expected, let actual) = error else { return false }
            return actual == Int64(size / 2) && expected > actual && "\(error)".contains("is truncated")
        }
        #expect(throws: JournalError.self) { try Journal.openForWriting(at: directory.path) }
        // A fast writer maps the file for writing, and LMDB would extend it to the map size at open:
        // the truncation must be caught first, and the file left as it was.
        #expect {
            try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        } throws: { error in
            guard case JournalError.truncatedFile = error else { return false }
            return true
        }
        let after = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
        #expect(after == size / 2)
    }

    @Test("a fast writer's write map: the file holds only what is used once closed, and reopens intact")
    func fastWriteMap() throws {
        let directory = TemporaryDirectory()
        let file = directory.sub("data.mdb")
        func fileSize() throws -> Int { try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int }
        // Enough for the 64 KiB map to double a few times under the write map.
        let records = (1...3_000).map { n in
            PendingRecord(kind: 2, kindVersion: 1, timestampNanos: Int64(n), payload: Array("payload \(n)".utf8))
        }
        do {
            let journal = try Journal.openForWriting(
                at: directory.path, options: .init(durability: .fast, initialMapSize: 64 << 10))
            for batch in stride(from: 0, to: 2_000, by: 100) { try journal.append(records[batch..<batch + 100]) }
            #expect(try fileSize() > 64 << 10)  // mapped whole while open, and grown on the way
            journal.close()
        }
        let closedSize = try fileSize()
        #expect(closedSize < 1 << 20 && closedSize % 4096 == 0)
        do {
            let journal = try Journal.openForWriting(
                at: directory.path, options: .init(durability: .fast, initialMapSize: 64 << 10))
            #expect(journal.lastSeq == 2_000)
            try journal.append(records[2_000...])
            journal.close()
        }
        let reader = try Journal.openForReading(at: directory.path)
        #expect(try reader.reader.verify().firstFailure == nil)
        #expect(try reader.reader.records().map(\.payload) == records.map(\.payload))
    }

    /// A writer's lock goes with `close()`, or else with the last reader.
    ///
    /// Dropped without `close()`, a writer's journal keeps its lock while any reader of it lives (the last
    /// reference closes the environment, cutting the file back first). `close()` does both at once, whoever
    /// still holds a reader, so a thread that lingers with one cannot keep a reopen in this process waiting.
    @Test(
        "the writer lock lasts while a reader keeps a dropped writer's environment open; close() cuts the file and releases it at once"
    )
    func writerLockOutlivesJournal() throws {
        let directory = TemporaryDirectory()
        let options = JournalOptions(durability: .fast, initialMapSize: 64 << 10)
        var reader: JournalReader?
        do {
            let journal = try Journal.openForWriting(at: directory.path, options: options)
            try journal.append(PendingRecord(kind: 2, kindVersion: 1, timestampNanos: 1, payload: [1, 2, 3]))
            reader = journal.reader
        }
        #expect(throws: JournalError.self) { try Journal.openForWriting(at: directory.path, options: options) }
        #expect(try reader?.lastSeq() == 1)
        reader = nil
        do {
            let again = try Journal.openForWriting(at: directory.path, options: options)
            #expect(again.lastSeq == 1)
            try again.append(PendingRecord(kind: 2, kindVersion: 1, timestampNanos: 2, payload: [4]))
            reader = again.reader
            again.close()
            again.close()
            #expect(throws: JournalError.closed) {
                try again.append(PendingRecord(kind: 2, kindVersion: 1, timestampNanos: 3, payload: [5]))
            }
        }
        #expect(throws: JournalError.closed) { try reader?.lastSeq() }
        let third = try Journal.openForWriting(at: directory.path, options: options)
        #expect(third.lastSeq == 2)
        #expect(try third.reader.verify().firstFailure == nil)
        reader = nil
    }

    @Test("a fast writer refuses a map the filesystem has no room for, instead of faulting later")
    func fastWriteMapNeedsSpace() throws {
        let directory = TemporaryDirectory()
        #expect {
            try Journal.openForWriting(at: directory.path, options: .init(durability: .fast, initialMapSize: 1 << 52))
        } throws: { error in
            guard case JournalError.insufficientSpace(_, let map, _, let available) = error else { return false }
            return map == 1 << 52 && available < map && "\(error)".contains("free space, or use durable mode")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.sub("data.mdb")))
    }

    @Test("a second writer, in this process or another, gets an error naming the holder")
    func singleWriter() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        try journal.append(PendingRecord(kind: 2, kindVersion: 1, timestampNanos: 0, payload: [1]))
        #expect {
            try Journal.openForWriting(at: directory.path)
        } throws: { error in
            guard case JournalError.writerLockHeld(_, let holder) = error else { return false }
            return holder.hasPrefix("pid \(getpid()) on ")
        }
        let other = try Executables.scalper("journal", "bench", directory.path, "--events", "1")
        #expect(other.status == 2)
        #expect(other.stderr.contains("is already open for writing by pid \(getpid()) on "))
        // Readers are never blocked by the writer.
        #expect(try Executables.scalper("journal", "stats", directory.path).status == 0)
        _ = journal
    }
}
