import CLMDB
import Foundation
import Logging

/// How a journal makes commits durable.
public enum Durability: String, Sendable, CaseIterable {
    /// `fsync` on every commit: an acknowledged record survives a crash or power loss. The default for live trading.
    case durable
    /// No sync on commit, writes straight into the map (the OS writes back later): a process crash loses
    /// nothing committed; a power loss or OS crash may lose the last commits or leave the file unusable.
    /// Many times faster; for backtests, demos and replays that can be re-run. Synced on close.
    case fast
}

/// Options for opening a journal.
public struct JournalOptions: Sendable {
    public var durability: Durability
    /// The map LMDB starts with; it doubles whenever a commit needs more.
    public var initialMapSize: Int
    /// Check every record's CRC and seq continuity before accepting writes.
    public var verifyOnOpen: Bool
    /// Whether a `fast` writer writes through the map (`MDB_WRITEMAP`).
    ///
    /// A commit then makes no system call, the right trade for a commit per event. A writer that commits
    /// large batches (`BatchedAppender`) is faster with it off: `pwrite` of a batch's pages costs less than
    /// faulting in the sparse map's new pages one by one (a year's backtest: 16.1 s → 13.8 s).
    public var writeThroughMap: Bool
    /// Injected append failures (tests only).
    public var faults: JournalFaults?

    public init(
        durability: Durability = .durable, initialMapSize: Int = 256 << 20, verifyOnOpen: Bool = true,
        writeThroughMap: Bool = true, faults: JournalFaults? = nil
    ) {
        self.durability = durability
        self.initialMapSize = initialMapSize
        self.verifyOnOpen = verifyOnOpen
        self.writeThroughMap = writeThroughMap
        self.faults = faults
    }
}

/// What `repair --truncate-after` removed.
public struct TruncationReport: Equatable, Sendable {
    public var keptThrough: UInt64
    public var removedCount: UInt64
    public var removedRange: ClosedRange<UInt64>?

    public init(keptThrough: UInt64, removedCount: UInt64, removedRange: ClosedRange<UInt64>?) {
        self.keptThrough = keptThrough
        self.removedCount = removedCount
        self.removedRange = removedRange
    }
}

/// An append-only log of records keyed by seq 1, 2, 3… in one LMDB environment (a directory).
///
/// Open it for writing (one process at a time, enforced by `writer.lock`) or for reading (any number of
/// processes). `append` writes a batch in one transaction and returns once it is committed; for many
/// concurrent producers put a `GroupCommitter` in front of it.
public final class Journal: @unchecked Sendable {
    public let path: String
    public let options: JournalOptions
    let environment: LMDBEnvironment
    private let writerLock: WriterLock?
    private let writeMutex = NSLock()
    private var nextSeq: UInt64
    private let logger: Logger

    /// Opens (creating if needed) the journal at `path` for writing.
    ///
    /// Refuses a journal whose records fail verification; `repair(truncateAfter:)` is the only way past that.
    public static func openForWriting(
        at path: String, options: JournalOptions = JournalOptions(),
        logger: Logger = Logger(label: "journal")
    ) throws(JournalError) -> Journal {
        try Journal(path: path, writable: true, options: options, logger: logger, verify: options.verifyOnOpen)
    }

    /// Opens an existing journal for reading while any writer goes on appending.
    public static func openForReading(at path: String, logger: Logger = Logger(label: "journal")) throws(JournalError)
        -> Journal
    {
        try Journal(path: path, writable: false, options: JournalOptions(), logger: logger, verify: false)
    }

    /// Opens a journal for writing without verifying it, and removes every record after `seq`.
    ///
    /// The only way to make a corrupt journal writable again; it reports what it removed.
    public static func repair(at path: String, truncateAfter seq: UInt64) throws(JournalError) -> TruncationReport {
        let journal = try Journal(
            path: path, writable: true, options: JournalOptions(), logger: Logger(label: "journal"), verify: false)
        defer { journal.close() }
        return try journal.truncate(after: seq)
    }

    private init(path: String, writable: Bool, options: JournalOptions, logger: Logger, verify: Bool)
        throws(JournalError)
    {
        self.path = path
        self.options = options
        self.logger = logger
        if writable {
            if !FileManager.default.fileExists(atPath: path) {
                do {
                    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                } catch {
                    throw .cannotOpen(path: path, reason: "cannot create the directory: \(error.localizedDescription)")
                }
            }
            writerLock = try WriterLock(directory: path)
        } else {
            writerLock = nil
        }
        environment = try LMDBEnvironment(
            path: path, readOnly: !writable, sync: options.durability == .durable,
            writeMap: options.durability == .fast && options.writeThroughMap,
            initialMapSize: options.initialMapSize, writerLock: writerLock)
        let reader = JournalReader(environment: environment)
        if verify {
            let report = try reader.verify()
            if let failure = report.firstFailure {
                throw .refusesToOpenCorrupt(path: path, seq: failure.seq, reason: failure.reason)
            }
        }
        nextSeq = try reader.lastSeq() + 1
    }

    /// A reader over this journal sharing its environment (LMDB must not be opened twice in one process).
    public var reader: JournalReader { JournalReader(environment: environment) }

    /// The last committed seq (0 when empty).
    public var lastSeq: UInt64 {
        writeMutex.lock()
        defer { writeMutex.unlock() }
        return nextSeq - 1
    }

    /// Appends `records` in one transaction and returns their seqs once the commit is done.
    ///
    /// In `durable` mode the commit is synced first. A full map is grown and the batch retried.
    @discardableResult
    public func append<Records: Collection<PendingRecord>>(_ records: Records) throws(JournalError) -> ClosedRange<
        UInt64
    > {
        // Callers in other modules get this generic unspecialized; one call reaches contiguous storage and
        // the per-record loop runs in the non-generic `appendContiguous`.
        let result: Result<ClosedRange<UInt64>, JournalError>? = records.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JournalError) in try appendContiguous(buffer) }
        }
        if let result { return try result.get() }
        let copied = Array(records)
        return try copied.withUnsafeBufferPointer { buffer in
            Result { () throws(JournalError) in try appendContiguous(buffer) }
        }.get()
    }

    /// Appends the records of `batch` in one transaction and returns their seqs once the commit is done; see
    /// `append(_:)` for records of their own.
    @discardableResult
    public func append(_ batch: EncodedBatch) throws(JournalError) -> ClosedRange<UInt64> {
        try checkWritable(count: batch.count)
        return try batch.withRecords { records, payloads throws(JournalError) in
            for record in records where record.length > RecordHeader.maxPayloadLength {
                throw .recordTooLarge(bytes: record.length)
            }
            return try appendRecords(count: records.count) { index, seq, cursor throws(JournalError) in
                let record = records[index]
                try Self.put(
                    kind: record.kind, kindVersion: record.kindVersion, timestampNanos: record.timestampNanos,
                    payload: UnsafeRawBufferPointer(rebasing: payloads[record.start..<record.start + record.length]),
                    seq: seq, cursor: cursor)
            }
        }
    }

    private func appendContiguous(_ records: UnsafeBufferPointer<PendingRecord>) throws(JournalError) -> ClosedRange<
        UInt64
    > {
        try checkWritable(count: records.count)
        for record in records where record.payload.count > RecordHeader.maxPayloadLength {
            throw .recordTooLarge(bytes: record.payload.count)
        }
        return try appendRecords(count: records.count) { index, seq, cursor throws(JournalError) in
            let record = records[index]
            try record.payload.withUnsafeBytes { payload in
                Result { () throws(JournalError) in
                    try Self.put(
                        kind: record.kind, kindVersion: record.kindVersion, timestampNanos: record.timestampNanos,
                        payload: payload, seq: seq, cursor: cursor)
                }
            }.get()
        }
    }

    /// Refuses an append to a journal opened read-only, or of no records.
    private func checkWritable(count: Int) throws(JournalError) {
        guard writerLock != nil else { throw .cannotOpen(path: path, reason: "opened read-only") }
        guard count > 0 else { throw .cannotOpen(path: path, reason: "append needs at least one record") }
    }

    /// Puts `count` records in one transaction, record `index` by `put` at its seq, growing a full map and
    /// trying again; returns their seqs.
    private func appendRecords(
        count: Int, put: (_ index: Int, _ seq: UInt64, _ cursor: OpaquePointer?) throws(JournalError) -> Void
    ) throws(JournalError) -> ClosedRange<UInt64> {
        writeMutex.lock()
        defer { writeMutex.unlock() }
        if let error = options.faults?.pendingError { throw error }
        let first = nextSeq
        while true {
            do {
                try environment.withWriteTransaction { txn in
                    // One cursor for the batch: `mdb_put` would set one up for every record.
                    var cursor: OpaquePointer?
                    try LMDBEnvironment.check("mdb_cursor_open", mdb_cursor_open(txn, environment.dbi, &cursor))
                    defer { mdb_cursor_close(cursor) }
                    var seq = first
                    for index in 0..<count {
                        try put(index, seq, cursor)
                        seq += 1
                    }
                }
                break
            } catch let error as JournalError {
                guard case .lmdb(_, let code, _) = error, code == MDB_MAP_FULL else { throw error }
                let newSize = try environment.growMap()
                logger.info(
                    "journal map grown", metadata: ["journal.map_bytes": "\(newSize)", "journal.seq": "\(first)"])
            } catch {
                throw .lmdb(operation: "append", code: -1, message: "\(error)")
            }
        }
        nextSeq = first + UInt64(count)
        return first...(nextSeq - 1)
    }

    /// Appends one record; see `append(_:)`.
    @discardableResult
    public func append(_ record: PendingRecord) throws(JournalError) -> UInt64 {
        try append(CollectionOfOne(record)).lowerBound
    }

    private static func put(
        kind: UInt16, kindVersion: UInt16, timestampNanos: Int64, payload: UnsafeRawBufferPointer, seq: UInt64,
        cursor: OpaquePointer?
    ) throws(JournalError) {
        let total = RecordHeader.size + payload.count
        let code = SeqKey.withKey(seq) { key in
            var data = MDB_val(mv_size: total, mv_data: nil)
            // MDB_RESERVE hands back the record's place in the page, so it is written once, in place.
            let code = mdb_cursor_put(cursor, &key, &data, UInt32(MDB_APPEND | MDB_RESERVE))
            guard code == 0, let target = data.mv_data else { return code }
            let buffer = UnsafeMutableRawBufferPointer(start: target, count: total)
            if payload.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[RecordHeader.size...]).copyMemory(from: payload)
            }
            let header = RecordHeader(
                kind: kind, kindVersion: kindVersion, timestampNanos: timestampNanos,
                payloadLength: UInt32(payload.count))
            RecordHeader.write(header, seq: seq, into: buffer)
            return 0
        }
        if code != 0 { try LMDBEnvironment.check("mdb_cursor_put(seq \(seq))", code) }
    }

    /// Removes every record after `seq`; see `repair(at:truncateAfter:)`.
    func truncate(after seq: UInt64) throws(JournalError) -> TruncationReport {
        writeMutex.lock()
        defer { writeMutex.unlock() }
        let last = try reader.lastSeq()
        guard last > seq else { return TruncationReport(keptThrough: last, removedCount: 0, removedRange: nil) }
        do {
            try environment.withWriteTransaction { txn in
                var cursor: OpaquePointer?
                try LMDBEnvironment.check("mdb_cursor_open", mdb_cursor_open(txn, environment.dbi, &cursor))
                defer { mdb_cursor_close(cursor) }
                var value = MDB_val()
                var code: Int32 = 0
                while true {
                    code = SeqKey.withKey(seq + 1) { key in mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE) }
                    guard code == 0 else { break }
                    try LMDBEnvironment.check("mdb_cursor_del", mdb_cursor_del(cursor, 0))
                }
                if code != MDB_NOTFOUND { try LMDBEnvironment.check("mdb_cursor_get", code) }
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw .lmdb(operation: "truncate", code: -1, message: "\(error)")
        }
        try environment.sync()
        nextSeq = seq + 1
        return TruncationReport(keptThrough: seq, removedCount: last - seq, removedRange: (seq + 1)...last)
    }

    /// Closes the journal at once and releases the writer lock, as the kernel does when the process is killed.
    ///
    /// Nothing is synced (a `fast` writer's unsynced pages are what a crash of the machine would lose), and
    /// every later call on this object, or a reader of it, throws `JournalError.closed`. For the simulation's
    /// in-process kills.
    public func closeAbruptly() {
        environment.closeAbruptly()
    }

    /// Closes the journal: flushes what `fast` mode has not yet synced, unless told not to, and releases the
    /// writer lock.
    ///
    /// Waits for a transaction in flight; every later call on this object, or a reader of it, throws
    /// `JournalError.closed`. Closing twice is harmless. The lock goes here, not with the last reference:
    /// any thread still holding one (a commit thread, a replay's reader) would otherwise decide when a
    /// reopen in this process may write.
    ///
    /// `forcingToDisk: false` leaves a `fast` journal's unsynced pages to the kernel's writeback. It is for
    /// derived journals (a backtest's, which running the backtest again rebuilds), where forcing 1.5 GB to
    /// disk cost a year's backtest 2.3 s of its 15 and a machine crash before writeback costs a rerun,
    /// not trading data. A session's journal is always forced.
    public func close(forcingToDisk: Bool = true) {
        if forcingToDisk { flush() }
        environment.close()
    }

    /// Forces to disk what a `fast` writer has committed but not yet synced (a `durable` one syncs each
    /// commit); the journal stays open.
    public func flush() {
        if writerLock != nil && options.durability == .fast { try? environment.sync() }
    }

    /// Size of the journal's files on disk, in bytes.
    public var sizeOnDisk: Int64 {
        let files = ["data.mdb", "lock.mdb"]
        return files.reduce(0) { sum, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            return sum + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }
}
