import Domain
import Foundation
import Journal

/// Reads, verifies and decodes a journal's records on a thread of its own and hands them over in batches,
/// so the caller's thread only folds.
///
/// A replay on one thread spent most of its time walking LMDB, checking CRCs and decoding; with the fold on
/// the caller's core and the rest on the other, a replay runs as fast as the slower of the two. The reader
/// verifies every record through `through`, even after the caller has stopped taking batches (`stopTaking`),
/// so a bad checksum is reported ahead of anything it caused, as when the whole journal was verified first.
final class DecodedRecords: @unchecked Sendable {
    /// One decoded record.
    struct Record {
        let seq: UInt64
        let timestampNanos: Int64
        let payload: Payload

        /// Index and option ticks, most of any journal, held flat; anything else in a box.
        ///
        /// A `JournalEntry` in place made every record a 113-byte multi-payload enum that the fold copied and
        /// destroyed through outlined value witnesses, a quarter of the fold's time; a tick here copies as plain
        /// bytes and the rest as one reference.
        enum Payload {
            case tick(Tick)
            indirect case other(JournalEntry)
        }

        init(seq: UInt64, timestampNanos: Int64, payload: Payload) {
            self.seq = seq
            self.timestampNanos = timestampNanos
            self.payload = payload
        }

        init(seq: UInt64, timestampNanos: Int64, entry: JournalEntry) {
            self.seq = seq
            self.timestampNanos = timestampNanos
            if case .event(.tick(let tick)) = entry {
                payload = .tick(tick)
            } else {
                payload = .other(entry)
            }
        }

        var entry: JournalEntry {
            switch payload {
            case .tick(let tick): .event(.tick(tick))
            case .other(let entry): entry
            }
        }
    }

    /// Records a batch holds (the last one fewer).
    let batchSize: Int
    /// Batches decoded ahead of the fold, at most.
    private static let queued = 4

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var batches: [[Record]] = []
    private var finished = false
    private var stopped = false
    private var failure: (any Error)?

    /// The reader until the thread takes it.
    ///
    /// A writer's reader holds the journal's environment and with it the writer lock, so the thread lets go
    /// of it before it says it has finished: a caller that drops the journal once the replay returns can
    /// then reopen it for writing at once.
    private var reader: JournalReader?

    init(_ reader: JournalReader, from: UInt64, through: UInt64, batchSize: Int = 4_096) {
        self.batchSize = max(1, batchSize)
        self.reader = reader
        let thread = Thread { [self] in
            let failure = read(from: from, through: through)
            condition.lock()
            self.failure = failure
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Reads and hands over every record; the reader is released when this returns.
    private func read(from: UInt64, through: UInt64) -> (any Error)? {
        guard let reader = takeReader() else { return nil }
        var batch: [Record] = []
        batch.reserveCapacity(batchSize)
        var taking = true
        do {
            try reader.forEach(from: from, through: through, verifyChecksums: true) { view in
                guard taking else { return true }
                if let tick = try JournalEntry.currentTick(view) {
                    batch.append(
                        Record(seq: view.seq, timestampNanos: view.header.timestampNanos, payload: .tick(tick)))
                } else {
                    batch.append(
                        Record(
                            seq: view.seq, timestampNanos: view.header.timestampNanos,
                            entry: try JournalEntry.decode(view)))
                }
                if batch.count == batchSize {
                    taking = hand(batch)
                    batch.removeAll(keepingCapacity: true)
                }
                return true
            }
            if taking && !batch.isEmpty { _ = hand(batch) }
            return nil
        } catch {
            return error
        }
    }

    private func takeReader() -> JournalReader? {
        condition.lock()
        defer { condition.unlock() }
        defer { reader = nil }
        return reader
    }

    /// Queues `batch`, waiting while the queue is full; false once the caller has stopped taking.
    private func hand(_ batch: [Record]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= Self.queued && !stopped { condition.wait() }
        guard !stopped else { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// The next batch in journal order, nil when every record has been handed over (or reading failed).
    func next() -> [Record]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        guard !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    /// The caller wants no more records; the reader goes on verifying checksums only.
    func stopTaking() {
        condition.lock()
        stopped = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the reader to finish and returns its first failure (a bad checksum, an undecodable record).
    func wait() -> (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        while !finished { condition.wait() }
        return failure
    }
}
