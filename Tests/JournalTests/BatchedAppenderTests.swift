import Foundation
import Journal
import TestSupport
import Testing

@Suite("Batched appends")
struct BatchedAppenderTests {
    @Test("seqs are handed out at once and the records are committed only when the batch is full or flushed")
    func commitsOnlyAtBatchEnds() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(
            at: directory.path, options: .init(durability: .fast, writeThroughMap: false))
        try journal.append(AppendReadTests.record(0))
        let appender = BatchedAppender(journal: journal, capacity: 3)
        #expect(appender.append(AppendReadTests.record(1)) == 2)
        #expect(appender.append(AppendReadTests.record(2)) == 3)
        try appender.flushIfFull()
        #expect(journal.lastSeq == 1)
        #expect(try journal.reader.lastSeq() == 1)
        #expect(appender.append(AppendReadTests.record(3)) == 4)
        #expect(appender.lastSeq == 4)
        #expect(appender.pendingCount == 3)
        try appender.flushIfFull()
        #expect(journal.lastSeq == 4)
        #expect(appender.pendingCount == 0)
        appender.append(contentsOf: [AppendReadTests.record(4), AppendReadTests.record(5)])
        try appender.flush()
        let records = try journal.reader.records()
        #expect(records.map(\.seq) == Array(1...6))
        #expect(records.map(\.payload) == (0...5).map { AppendReadTests.record($0).payload })
    }

    @Test("after a direct append between batches, the next batch's seqs follow it")
    func followsDirectAppends() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let appender = BatchedAppender(journal: journal)
        appender.append(AppendReadTests.record(0))
        try appender.flush()
        try journal.append(AppendReadTests.record(1))
        try appender.flush()
        #expect(appender.append(AppendReadTests.record(2)) == 3)
        try appender.flush()
        #expect(try journal.reader.records().map(\.seq) == [1, 2, 3])
    }

    @Test("a batch whose seqs another append took is refused, and nothing of it is written")
    func refusesAnOverlappedBatch() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let appender = BatchedAppender(journal: journal)
        appender.append(AppendReadTests.record(0))
        appender.append(AppendReadTests.record(1))
        try journal.append(AppendReadTests.record(9))
        #expect(throws: JournalError.batchOverlapped(path: directory.path, batchFirstSeq: 1, journalLastSeq: 1)) {
            try appender.flush()
        }
        #expect(try journal.reader.lastSeq() == 1)
    }

    @Test("a fast journal written with pwrite rather than through the map reads back the same and reopens")
    func writesWithoutTheMap() throws {
        let directory = TemporaryDirectory()
        do {
            let journal = try Journal.openForWriting(
                at: directory.path, options: .init(durability: .fast, writeThroughMap: false))
            let appender = BatchedAppender(journal: journal, capacity: 100)
            for index in 0..<1_000 {
                try appender.flushIfFull()
                appender.append(AppendReadTests.record(index, size: index % 300))
            }
            try appender.flush()
            journal.close()
        }
        let reopened = try Journal.openForWriting(at: directory.path)
        #expect(reopened.lastSeq == 1_000)
        let records = try reopened.reader.records()
        #expect(records.map(\.payload) == (0..<1_000).map { AppendReadTests.record($0, size: $0 % 300).payload })
    }
}
