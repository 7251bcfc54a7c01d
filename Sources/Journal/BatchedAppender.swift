/// Appends a single writer's records many to a transaction: each record's seq is known when it is handed
/// over, and the records are committed by `flushIfFull()` (which the caller calls where a batch may end, so
/// an event and its commands are never split across commits) or `flush()`.
///
/// One LMDB transaction per record costs a copy of the leaf and branch pages it touches and a freelist
/// update; a year's backtest journals millions of records, and per-record commits were most of its time.
/// For backtests and sweeps in `fast` mode, which can be re-run: a crash loses the unflushed batch, as
/// `fast` mode may lose unsynced commits. Never for a live session, whose commands reach the broker only
/// after their records are durable (the sequencer's group commit).
public final class BatchedAppender {
    public let journal: Journal
    /// Records held before a commit.
    public let capacity: Int
    private var pending: [PendingRecord] = []
    private var nextSeq: UInt64

    /// A batcher over `journal`, which nothing else may append to until `flush()` has run.
    public init(journal: Journal, capacity: Int = 4096) {
        self.journal = journal
        self.capacity = max(1, capacity)
        self.nextSeq = journal.lastSeq + 1
        pending.reserveCapacity(self.capacity)
    }

    /// The seq of the last record handed over, committed or not (0 when there is none).
    public var lastSeq: UInt64 { nextSeq - 1 }

    /// Records handed over and not yet committed.
    public var pendingCount: Int { pending.count }

    /// Takes `record` and returns its seq; it is committed by the next flush.
    @discardableResult
    public func append(_ record: PendingRecord) -> UInt64 {
        let seq = nextSeq
        pending.append(record)
        nextSeq += 1
        return seq
    }

    /// Takes `records` in order; they are committed by the next flush.
    public func append(contentsOf records: [PendingRecord]) {
        for record in records { append(record) }
    }

    /// Commits the batch if it holds `capacity` records or more.
    public func flushIfFull() throws(JournalError) {
        if pending.count >= capacity { try flush() }
    }

    /// Commits every record handed over (one transaction), so readers and other writers see them.
    ///
    /// Picks up appends made to the journal directly after a flush (a recovery's), so the seqs it hands
    /// out next follow them.
    public func flush() throws(JournalError) {
        guard !pending.isEmpty else {
            nextSeq = journal.lastSeq + 1
            return
        }
        let expected = journal.lastSeq + 1
        guard expected + UInt64(pending.count) == nextSeq else {
            throw .batchOverlapped(
                path: journal.path, batchFirstSeq: nextSeq - UInt64(pending.count), journalLastSeq: expected - 1)
        }
        let committed = try journal.append(pending)
        pending.removeAll(keepingCapacity: true)
        nextSeq = committed.upperBound + 1
    }
}
