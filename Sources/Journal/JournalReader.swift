import CLMDB

/// Reads records by seq; many readers may read while the writer appends (they see committed records only).
public struct JournalReader: Sendable {
    let environment: LMDBEnvironment

    /// The last committed seq, or 0 for an empty journal.
    public func lastSeq() throws(JournalError) -> UInt64 {
        try typed { try lastSeqUntyped() }
    }

    private func lastSeqUntyped() throws -> UInt64 {
        try run { txn in
            try withCursor(txn) { cursor in
                var key = MDB_val()
                var value = MDB_val()
                let code = mdb_cursor_get(cursor, &key, &value, MDB_LAST)
                if code == MDB_NOTFOUND { return 0 }
                try LMDBEnvironment.check("mdb_cursor_get(last)", code)
                return SeqKey.decode(key) ?? 0
            }
        }
    }

    /// Calls `body` with each record from `from` through `through`, in seq order, without copying payloads.
    ///
    /// Seq continuity and header sanity are always checked; the CRC when `verifyChecksums` is set. `body`
    /// returns false to stop early. The views are valid only during the call.
    public func forEach(
        from: UInt64 = 1, through: UInt64 = .max, verifyChecksums: Bool = true,
        _ body: (RecordView) throws -> Bool
    ) throws {
        guard from <= through else { return }
        try run { txn in
            try withCursor(txn) { cursor in
                var value = MDB_val()
                var key = MDB_val()
                var code = SeqKey.withKey(max(from, 1)) { start in
                    let code = mdb_cursor_get(cursor, &start, &value, MDB_SET_RANGE)
                    key = start
                    return code
                }
                var expected = max(from, 1)
                while code == 0 {
                    guard let seq = SeqKey.decode(key) else {
                        throw JournalError.corruptRecord(
                            seq: expected, reason: "key of \(key.mv_size) bytes is not a seq")
                    }
                    if seq > through { return }
                    if seq != expected {
                        throw JournalError.corruptRecord(
                            seq: expected, reason: "seq \(expected) is missing (next present is \(seq))")
                    }
                    // LMDB lays a leaf page's records out from its end downwards: the next records sit just
                    // below this one. Asking for them now overlaps their fetch with this record's CRC and
                    // decode, where a verified scan otherwise waits on memory once a record.
                    clmdb_prefetch(value.mv_data - 256)
                    clmdb_prefetch(value.mv_data - 512)
                    let bytes = UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
                    let header = try RecordHeader.parse(seq: seq, value: bytes, verifyChecksum: verifyChecksums)
                    let view = RecordView(
                        seq: seq, header: header,
                        payload: UnsafeRawBufferPointer(rebasing: bytes[RecordHeader.size...]))
                    if try !body(view) { return }
                    expected = seq + 1
                    code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
                }
                if code != MDB_NOTFOUND { try LMDBEnvironment.check("mdb_cursor_get", code) }
            }
        }
    }

    /// Copies out the records from `from` through `through` (at most `limit`).
    public func records(from: UInt64 = 1, through: UInt64 = .max, limit: Int = .max) throws -> [JournalRecord] {
        var result: [JournalRecord] = []
        try forEach(from: from, through: through) { view in
            result.append(view.copy())
            return result.count < limit
        }
        return result
    }

    /// The record at `seq`, or nil when the journal does not reach it.
    public func record(at seq: UInt64) throws -> JournalRecord? {
        try records(from: seq, through: seq).first
    }

    /// Walks every record and stops at the first failure.
    ///
    /// It checks the CRC, seq continuity from 1, header sanity and, when given, that `decode` accepts the payload.
    public func verify(decode: ((RecordView) throws -> Void)? = nil) throws(JournalError) -> VerifyReport {
        var count: UInt64 = 0
        var lastSeq: UInt64 = 0
        do {
            try forEach(verifyChecksums: true) { view in
                if let decode {
                    do { try decode(view) } catch {
                        throw JournalError.corruptRecord(seq: view.seq, reason: "payload does not decode: \(error)")
                    }
                }
                count += 1
                lastSeq = view.seq
                return true
            }
        } catch let JournalError.corruptRecord(seq, reason) {
            return VerifyReport(recordCount: count, lastGoodSeq: lastSeq, firstFailure: .init(seq: seq, reason: reason))
        } catch let error as JournalError {
            throw error
        } catch {
            throw .lmdb(operation: "verify", code: -1, message: "\(error)")
        }
        return VerifyReport(recordCount: count, lastGoodSeq: lastSeq, firstFailure: nil)
    }

    private func typed<T>(_ body: () throws -> T) throws(JournalError) -> T {
        do {
            return try body()
        } catch let error as JournalError {
            throw error
        } catch {
            throw .lmdb(operation: "read", code: -1, message: "\(error)")
        }
    }

    private func run<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try environment.withReadTransaction(body)
    }

    private func withCursor<T>(_ txn: OpaquePointer, _ body: (OpaquePointer) throws -> T) throws -> T {
        var cursor: OpaquePointer?
        try LMDBEnvironment.check("mdb_cursor_open", mdb_cursor_open(txn, environment.dbi, &cursor))
        defer { mdb_cursor_close(cursor) }
        return try body(cursor!)
    }
}

/// The outcome of `verify`: how many records are good and, if any, the first bad one.
public struct VerifyReport: Equatable, Sendable {
    /// The first record that failed, with the reason.
    public struct Failure: Equatable, Sendable {
        public var seq: UInt64
        public var reason: String

        public init(seq: UInt64, reason: String) {
            self.seq = seq
            self.reason = reason
        }
    }

    public var recordCount: UInt64
    public var lastGoodSeq: UInt64
    public var firstFailure: Failure?

    public init(recordCount: UInt64, lastGoodSeq: UInt64, firstFailure: Failure?) {
        self.recordCount = recordCount
        self.lastGoodSeq = lastGoodSeq
        self.firstFailure = firstFailure
    }
}
