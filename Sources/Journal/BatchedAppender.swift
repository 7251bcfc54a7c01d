import Foundation

/// A record a `BatchedAppender` can take before it is encoded: the encoding runs on the commit thread.
public protocol PendingRecordConvertible: Sendable {
    /// The record's kind, version, time and payload bytes.
    func pendingRecord() -> PendingRecord

    /// Appends the record to `batch`, its payload encoded straight into the batch's buffer where the type
    /// can (by default through `pendingRecord()`).
    func encode(into batch: inout EncodedBatch)
}

extension PendingRecordConvertible {
    public func encode(into batch: inout EncodedBatch) { batch.append(pendingRecord()) }
}

extension PendingRecord: PendingRecordConvertible {
    public func pendingRecord() -> PendingRecord { self }
}

/// Appends a single writer's records many to a transaction, committing on a thread of its own.
///
/// Each record's seq is known when it is handed over, and batches are committed in order by the commit thread
/// once `flushIfFull()` (which the caller calls where a batch may end, so an event and its commands are never
/// split across commits) or `handOver()` has passed them on. `flush()` waits until all are committed.
///
/// One LMDB transaction per record costs a copy of the leaf and branch pages it touches and a freelist
/// update; a year's backtest journals millions of records, and per-record commits were most of its time.
/// Encoding, checksums, the page copies and the kernel's copy into the page cache then took a third of
/// what was left, so they run beside the caller's reducers rather than between them.
///
/// For backtests and sweeps in `fast` mode, which can be re-run: a crash loses what is not committed, as
/// `fast` mode may lose unsynced commits. Never for a live session, whose commands reach the broker only
/// after their records are durable (the sequencer's group commit). A failed commit is thrown by the next
/// `flushIfFull()`, `handOver()` or `flush()`, and nothing after it is written.
public final class BatchedAppender<Record: PendingRecordConvertible> {
    public let journal: Journal
    /// Records held before a batch is passed to the commit thread.
    public let capacity: Int
    // Internal but inlinable: `append` runs for every record, and unspecialized generic code across the module
    // boundary cost a backtest 4% in metadata lookups.
    @usableFromInline var pending: [Record] = []
    @usableFromInline var nextSeq: UInt64
    private let commits: CommitThread<Record>

    /// A batcher over `journal`, which nothing else may append to until `flush()` has run.
    public init(journal: Journal, capacity: Int = 4096) {
        self.journal = journal
        self.capacity = max(1, capacity)
        self.nextSeq = journal.lastSeq + 1
        self.commits = CommitThread(journal: journal)
        pending.reserveCapacity(self.capacity)
    }

    deinit { commits.close() }

    /// The seq of the last record handed over, committed or not (0 when there is none).
    public var lastSeq: UInt64 { nextSeq - 1 }

    /// Records handed over and not yet passed to the commit thread.
    public var pendingCount: Int { pending.count }

    /// Takes `record` and returns its seq; it is committed after the next hand-over.
    @discardableResult @inlinable
    public func append(_ record: Record) -> UInt64 {
        let seq = nextSeq
        pending.append(record)
        nextSeq += 1
        return seq
    }

    /// Takes `records` in order; they are committed after the next hand-over.
    @inlinable
    public func append(contentsOf records: [Record]) {
        for record in records { append(record) }
    }

    /// Passes the batch to the commit thread if it holds `capacity` records or more.
    @inlinable
    public func flushIfFull() throws(JournalError) {
        if pending.count >= capacity { try handOver() }
    }

    /// Passes every record handed over to the commit thread as one batch, without waiting for its commit
    /// (only while two earlier batches still wait for theirs).
    public func handOver() throws(JournalError) {
        guard !pending.isEmpty else {
            if let failure = commits.failure { throw failure }
            return
        }
        // The next batch fills an array the commit thread has emptied, so no batch allocates (and faults in)
        // fresh memory.
        var batch = commits.spareBatch() ?? []
        batch.reserveCapacity(capacity)
        swap(&batch, &pending)
        try commits.submit(batch, firstSeq: nextSeq - UInt64(batch.count))
    }

    /// Commits every record handed over and waits until they are all committed, so readers and other
    /// writers see them.
    ///
    /// Picks up appends made to the journal directly after a flush (a recovery's), so the seqs it hands
    /// out next follow them.
    public func flush() throws(JournalError) {
        try handOver()
        try commits.waitUntilIdle()
        nextSeq = journal.lastSeq + 1
    }
}

/// The thread that commits a `BatchedAppender`'s batches in order, at most two waiting.
private final class CommitThread<Record: PendingRecordConvertible>: @unchecked Sendable {
    /// Dropped by `close()`, so the journal (and its writer lock) goes when the appender does, not when the
    /// thread gets round to exiting.
    private var journal: Journal?
    private let condition = NSCondition()
    /// Batches waiting, with their first seq; guarded by `condition`, like everything below.
    private var batches: [(firstSeq: UInt64, records: [Record])] = []
    private var committing = false
    private var started = false
    private var closing = false
    private var firstFailure: JournalError?
    /// Committed batches' arrays, emptied for the appender to fill again.
    private var spares: [[Record]] = []
    /// The encoding buffer, kept from batch to batch; only the commit thread touches it.
    private var encoded = EncodedBatch()
    private static var queued: Int { 2 }

    init(journal: Journal) { self.journal = journal }

    /// The first commit that failed, if one did.
    var failure: JournalError? {
        condition.lock()
        defer { condition.unlock() }
        return firstFailure
    }

    /// Queues a batch, waiting while two are queued; throws an earlier failure instead.
    func submit(_ records: [Record], firstSeq: UInt64) throws(JournalError) {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            Thread { [self] in run() }.start()
        }
        while batches.count >= Self.queued && firstFailure == nil { condition.wait() }
        if let firstFailure { throw firstFailure }
        batches.append((firstSeq, records))
        condition.broadcast()
    }

    /// An emptied array of a committed batch, if one is waiting.
    func spareBatch() -> [Record]? {
        condition.lock()
        defer { condition.unlock() }
        return spares.popLast()
    }

    /// Waits until every queued batch is committed; throws the first failure.
    func waitUntilIdle() throws(JournalError) {
        condition.lock()
        defer { condition.unlock() }
        while (!batches.isEmpty || committing) && firstFailure == nil { condition.wait() }
        if let firstFailure { throw firstFailure }
    }

    /// Waits until the queued batches are committed (or one failed), then lets the thread end.
    func close() {
        condition.lock()
        while (!batches.isEmpty || committing) && firstFailure == nil { condition.wait() }
        closing = true
        journal = nil
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while batches.isEmpty && !closing { condition.wait() }
            guard !batches.isEmpty, firstFailure == nil else {
                batches.removeAll()
                condition.broadcast()
                condition.unlock()
                return
            }
            // Only `close()` drops the journal, and it waits for the queue to empty first.
            guard journal != nil else {
                condition.unlock()
                return
            }
            var batch = batches.removeFirst()
            committing = true
            condition.unlock()
            let outcome = commitToJournal(batch)
            // Emptied here, beside the caller's work rather than in it: the records' payloads are released now.
            batch.records.removeAll(keepingCapacity: true)
            condition.lock()
            committing = false
            if spares.count < Self.queued { spares.append(batch.records) }
            if case .failure(let error) = outcome { firstFailure = error }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Commits `batch` to the journal, holding it only for the call.
    ///
    /// A local binding in `run()` would live until the end of the loop's iteration, after `committing` is
    /// cleared: the appender's owner could then see the flush done, drop the appender and reopen the journal,
    /// while this thread still held the last reference and with it the writer lock.
    private func commitToJournal(_ batch: (firstSeq: UInt64, records: [Record])) -> Result<Void, JournalError> {
        // `close()` waits while `committing` is set, so the journal is neither dropped nor swapped meanwhile.
        guard let journal else { return .failure(.closed) }
        return Result { () throws(JournalError) in
            try commit(batch.records, firstSeq: batch.firstSeq, to: journal)
        }
    }

    private func commit(_ records: [Record], firstSeq: UInt64, to journal: Journal) throws(JournalError) {
        let expected = journal.lastSeq + 1
        guard expected == firstSeq else {
            throw .batchOverlapped(path: journal.path, batchFirstSeq: firstSeq, journalLastSeq: expected - 1)
        }
        encoded.removeAll()
        for record in records { record.encode(into: &encoded) }
        _ = try journal.append(encoded)
    }
}
