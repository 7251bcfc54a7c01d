import Foundation
import Journal
import TestSupport
import Testing

@Suite("Batched appends")
struct BatchedAppenderTests {
    @Test("seqs are handed out at once, a batch goes to the commit thread only when full, and flush waits for it")
    func commitsOnlyAtBatchEnds() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(
            at: directory.path, options: .init(durability: .fast, writeThroughMap: false))
        try journal.append(AppendReadTests.record(0))
        let appender = BatchedAppender<PendingRecord>(journal: journal, capacity: 3)
        #expect(appender.append(AppendReadTests.record(1)) == 2)
        #expect(appender.append(AppendReadTests.record(2)) == 3)
        try appender.flushIfFull()
        #expect(appender.pendingCount == 2)
        #expect(journal.lastSeq == 1)
        #expect(appender.append(AppendReadTests.record(3)) == 4)
        #expect(appender.lastSeq == 4)
        #expect(appender.pendingCount == 3)
        try appender.flushIfFull()
        #expect(appender.pendingCount == 0)
        appender.append(contentsOf: [AppendReadTests.record(4), AppendReadTests.record(5)])
        #expect(appender.lastSeq == 6)
        try appender.flush()
        #expect(journal.lastSeq == 6)
        let records = try journal.reader.records()
        #expect(records.map(\.seq) == Array(1...6))
        #expect(records.map(\.payload) == (0...5).map { AppendReadTests.record($0).payload })
    }

    @Test("batches handed over without waiting are committed in order, each in one transaction")
    func handsOverWithoutWaiting() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(
            at: directory.path, options: .init(durability: .fast, writeThroughMap: false))
        let appender = BatchedAppender<PendingRecord>(journal: journal, capacity: 7)
        try Self.append(500, sizeModulo: 50, through: appender, handingOverEvery: 61)
        #expect(journal.lastSeq == 500)
        let records = try journal.reader.records()
        #expect(records.map(\.seq) == Array(1...500))
        #expect(records.map(\.payload) == (0..<500).map { AppendReadTests.record($0, size: $0 % 50).payload })
    }

    @Test("a commit that fails on the commit thread is thrown by the next call, and nothing after it is written")
    func reportsABackgroundFailure() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let appender = BatchedAppender<PendingRecord>(journal: journal, capacity: 2)
        appender.append(AppendReadTests.record(0))
        appender.append(AppendReadTests.record(1))
        // Takes seq 1 before the batch (seqs 1 and 2) reaches the commit thread.
        try journal.append(AppendReadTests.record(9))
        try appender.handOver()
        appender.append(AppendReadTests.record(2))
        appender.append(AppendReadTests.record(3))
        let overlapped = JournalError.batchOverlapped(path: directory.path, batchFirstSeq: 1, journalLastSeq: 1)
        // The hand-over may come before or after the failed commit; the flush after it always reports it.
        do { try appender.flushIfFull() } catch { #expect(error == overlapped) }
        #expect(throws: overlapped) { try appender.flush() }
        #expect(throws: overlapped) { try appender.flush() }
        #expect(try journal.reader.records().map(\.payload) == [AppendReadTests.record(9).payload])
    }

    @Test("after a direct append between batches, the next batch's seqs follow it")
    func followsDirectAppends() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let appender = BatchedAppender<PendingRecord>(journal: journal)
        appender.append(AppendReadTests.record(0))
        try appender.flush()
        try journal.append(AppendReadTests.record(1))
        try appender.flush()
        #expect(appender.append(AppendReadTests.record(2)) == 3)
        try appender.flush()
        #expect(try journal.reader.records().map(\.seq) == [1, 2, 3])
    }

    /// The commit thread once kept its own reference to the journal a moment past the flush, so a reopen right
    /// after dropping the appender could find the writer lock still held by this very process (seen in CI).
    @Test("once the appender and journal are dropped after a flush, the journal reopens for writing at once")
    func releasesTheWriterLockWithTheAppender() throws {
        let directory = TemporaryDirectory()
        for round in 0..<300 {
            do {
                let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
                let appender = BatchedAppender<PendingRecord>(journal: journal, capacity: 1)
                appender.append(AppendReadTests.record(round))
                try appender.flush()
                journal.close(forcingToDisk: false)
            }
        }
        #expect(try Journal.openForWriting(at: directory.path).lastSeq == 300)
    }

    @Test("a batch whose seqs another append took is refused, and nothing of it is written")
    func refusesAnOverlappedBatch() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let appender = BatchedAppender<PendingRecord>(journal: journal)
        appender.append(AppendReadTests.record(0))
        appender.append(AppendReadTests.record(1))
        try journal.append(AppendReadTests.record(9))
        #expect(throws: JournalError.batchOverlapped(path: directory.path, batchFirstSeq: 1, journalLastSeq: 1)) {
            try appender.flush()
        }
        #expect(try journal.reader.lastSeq() == 1)
    }

    /// Closed without forcing to disk (a backtest's journal), it is just as whole for the next reader: what
    /// is skipped is only the wait for the disk.
    @Test(
        "a fast journal written with pwrite rather than through the map reads back the same and reopens, forced to disk at close or not",
        arguments: [true, false])
    func writesWithoutTheMap(forcingToDisk: Bool) throws {
        let directory = TemporaryDirectory()
        do {
            let journal = try Journal.openForWriting(
                at: directory.path, options: .init(durability: .fast, writeThroughMap: false))
            let appender = BatchedAppender<PendingRecord>(journal: journal, capacity: 100)
            try Self.append(1_000, sizeModulo: 300, through: appender)
            journal.close(forcingToDisk: forcingToDisk)
        }
        let reopened = try Journal.openForWriting(at: directory.path)
        #expect(reopened.lastSeq == 1_000)
        let records = try reopened.reader.records()
        #expect(records.map(\.payload) == (0..<1_000).map { AppendReadTests.record($0, size: $0 % 300).payload })
    }

    /// Appends `count` test records (record `i` of size `i % sizeModulo`) as a backtest does (a full batch is
    /// handed over before the next record), also handing over after every `handingOverEvery`-th, then flushes.
    private static func append(
        _ count: Int, sizeModulo: Int, through appender: BatchedAppender<PendingRecord>,
        handingOverEvery: Int? = nil
    ) throws {
        for index in 0..<count {
            try appender.flushIfFull()
            appender.append(AppendReadTests.record(index, size: index % sizeModulo))
            if let handingOverEvery, index % handingOverEvery == 0 { try appender.handOver() }
        }
        try appender.flush()
    }
}
