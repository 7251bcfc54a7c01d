import CLMDB
import Foundation

/// One LMDB environment (one journal directory) shared by the writer and every reader in this process.
///
/// LMDB must not be opened twice in one process, and `mdb_env_set_mapsize` may only run while no
/// transaction is active here, so every transaction takes `gate` shared and a map resize takes it exclusively.
///
/// A writer without sync (`fast`) writes through the map (`MDB_WRITEMAP`): a commit then makes no system
/// call at all, where `pwrite` of each commit's pages dominated per-event commits (a year-long backtest:
/// 115 s → 46 s). LMDB extends a write-mapped file to the whole map, sparse, so this class checks the file's
/// length before LMDB can extend it, checks the filesystem has room for the map before mapping it (a
/// write to a hole on a full disk is SIGBUS, not an error), and gives the unused tail back on close.
final class LMDBEnvironment: @unchecked Sendable {
    let env: OpaquePointer
    let dbi: MDB_dbi
    let path: String
    let readOnly: Bool
    /// Writes go through the map (`fast` writers only).
    let writeMap: Bool
    /// The writer's lock, held until this environment is closed (and its file cut back): released
    /// earlier, the next writer could start appending before this one's `truncate` runs.
    private let writerLock: WriterLock?
    private let gate = ReadWriteGate()
    /// Set by `close` or `closeAbruptly` (under the gate, held exclusively); every later use throws `closed`.
    private var closed = false

    init(
        path: String, readOnly: Bool, sync: Bool, writeMap: Bool = true, initialMapSize: Int,
        writerLock: WriterLock? = nil
    ) throws(JournalError) {
        self.path = path
        self.readOnly = readOnly
        self.writeMap = writeMap && !readOnly && !sync
        self.writerLock = writerLock
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if readOnly { throw .cannotOpen(path: path, reason: "no such journal directory") }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw .cannotOpen(path: path, reason: "cannot create the directory: \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw .cannotOpen(path: path, reason: "not a directory (a journal is a directory holding data.mdb)")
        }
        let dataPath = path + "/data.mdb"
        if readOnly && !FileManager.default.fileExists(atPath: dataPath) {
            throw .cannotOpen(path: path, reason: "no data.mdb in the directory")
        }

        if writeMap {
            if FileManager.default.fileExists(atPath: dataPath) { try Self.probeFileLength(path: path) }
            try Self.requireSpace(forMap: initialMapSize, path: path)
        }

        var envPointer: OpaquePointer?
        try Self.check("mdb_env_create", mdb_env_create(&envPointer))
        guard let env = envPointer else {
            throw .cannotOpen(path: path, reason: "mdb_env_create returned no environment")
        }
        mdb_env_set_maxreaders(env, 256)
        if !readOnly { mdb_env_set_mapsize(env, initialMapSize) }
        var flags = UInt32(MDB_NOTLS)
        if readOnly { flags |= UInt32(MDB_RDONLY) }
        if !sync { flags |= UInt32(MDB_NOSYNC) | UInt32(MDB_NOMETASYNC) }
        if writeMap { flags |= UInt32(MDB_WRITEMAP) }
        let openCode = mdb_env_open(env, path, flags, 0o644)
        if openCode != 0 {
            mdb_env_close(env)
            throw .cannotOpen(path: path, reason: Self.message(openCode))
        }
        self.env = env
        do {
            try Self.checkFileLength(env: env, dataPath: dataPath, path: path)
            var txn: OpaquePointer?
            try Self.check("mdb_txn_begin", mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn))
            var handle = MDB_dbi()
            let code = mdb_dbi_open(txn, nil, 0, &handle)
            if code != 0 {
                mdb_txn_abort(txn)
                throw JournalError.lmdb(operation: "mdb_dbi_open", code: code, message: Self.message(code))
            }
            try Self.check("mdb_txn_commit", mdb_txn_commit(txn))
            self.dbi = handle
        } catch let error as JournalError {
            mdb_env_close(env)
            throw error
        } catch {
            mdb_env_close(env)
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    deinit {
        guard !closed else { return }
        shutDown()
    }

    /// Closes the environment now, cuts back the write map's tail and drops the writer lock.
    ///
    /// Waits for transactions in flight; whoever still holds this object gets `JournalError.closed` from then
    /// on. The writer lock goes with the close rather than with the last reference, so a thread that still
    /// holds one (a reader's, a commit thread's) cannot keep a reopen in this process waiting on it.
    func close() {
        gate.lockExclusive()
        defer { gate.unlockExclusive() }
        guard !closed else { return }
        closed = true
        shutDown()
    }

    private func shutDown() {
        let used = writeMap ? try? Self.usedBytes(env) : nil
        mdb_env_close(env)
        // Give back the sparse tail LMDB added for the write map, so the file is as long as what it holds
        // (as a `durable` writer leaves it). Pages past the last used one hold nothing committed. The lock
        // goes only after the cut: released earlier, the next writer could append before `truncate` runs.
        if let used { _ = truncate(path + "/data.mdb", off_t(used)) }
        writerLock?.release()
    }

    /// Closes the environment and drops the writer lock now, as the kernel does for a killed process.
    ///
    /// No sync, no cut-back of the file; whoever still holds this object gets `JournalError.closed` from then
    /// on. The simulation's kills use it, so a new writer can open the journal in the same process.
    func closeAbruptly() {
        gate.lockExclusive()
        defer { gate.unlockExclusive() }
        guard !closed else { return }
        closed = true
        mdb_env_close(env)
        writerLock?.release()
    }

    /// Bytes of data.mdb that LMDB's metadata says are in use (through the last used page).
    private static func usedBytes(_ env: OpaquePointer) throws(JournalError) -> Int64 {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        try check("mdb_env_info", mdb_env_info(env, &info))
        try check("mdb_env_stat", mdb_env_stat(env, &stat))
        return Int64(info.me_last_pgno + 1) * Int64(stat.ms_psize)
    }

    /// The length check for a write-mapped open, which must run before LMDB extends the file: a read-only
    /// open without the lock file (so closing it cannot drop this process's locks on lock.mdb).
    private static func probeFileLength(path: String) throws(JournalError) {
        var envPointer: OpaquePointer?
        try check("mdb_env_create", mdb_env_create(&envPointer))
        guard let probe = envPointer else {
            throw .cannotOpen(path: path, reason: "mdb_env_create returned no environment")
        }
        defer { mdb_env_close(probe) }
        let code = mdb_env_open(probe, path, UInt32(MDB_RDONLY) | UInt32(MDB_NOLOCK) | UInt32(MDB_NOTLS), 0o644)
        if code != 0 { throw .cannotOpen(path: path, reason: message(code)) }
        try checkFileLength(env: probe, dataPath: path + "/data.mdb", path: path)
    }

    /// Refuses a write map the filesystem could not back: the map's bytes not yet allocated to data.mdb
    /// must be free, or a later page write would fault instead of failing.
    static func requireSpace(forMap mapBytes: Int, path: String) throws(JournalError) {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return }
        let available = Int64(info.f_bavail) * Int64(info.f_frsize)
        var fileInfo = stat()
        let allocated = stat(path + "/data.mdb", &fileInfo) == 0 ? Int64(fileInfo.st_blocks) * 512 : 0
        let needed = Int64(mapBytes) - allocated
        if needed > available {
            throw .insufficientSpace(
                path: path, mapBytes: Int64(mapBytes), neededBytes: needed, availableBytes: available)
        }
    }

    /// A data file shorter than its last used page would fault (SIGBUS) when read; refuse it up front.
    private static func checkFileLength(env: OpaquePointer, dataPath: String, path: String) throws(JournalError) {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        try check("mdb_env_info", mdb_env_info(env, &info))
        try check("mdb_env_stat", mdb_env_stat(env, &stat))
        let needed = Int64(info.me_last_pgno + 1) * Int64(stat.ms_psize)
        let attributes = try? FileManager.default.attributesOfItem(atPath: dataPath)
        let actual = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        if actual < needed {
            throw .truncatedFile(path: path, expectedBytes: needed, actualBytes: actual)
        }
    }

    /// Runs `body` inside a read transaction (shared with other readers, never with a resize).
    func withReadTransaction<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        gate.lockShared()
        defer { gate.unlockShared() }
        guard !closed else { throw JournalError.closed }
        var txn: OpaquePointer?
        var code = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        if code == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size, which needs no transaction open here.
            gate.unlockShared()
            gate.lockExclusive()
            if !closed { mdb_env_set_mapsize(env, 0) }
            gate.unlockExclusive()
            gate.lockShared()
            // The gate was let go of: the environment may have been closed meanwhile.
            guard !closed else { throw JournalError.closed }
            code = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        }
        try Self.check("mdb_txn_begin(read)", code)
        defer { mdb_txn_abort(txn) }
        return try body(txn!)
    }

    /// Runs `body` inside a write transaction and commits it; the caller is the single writer.
    func withWriteTransaction<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        gate.lockShared()
        defer { gate.unlockShared() }
        guard !closed else { throw JournalError.closed }
        var txn: OpaquePointer?
        try Self.check("mdb_txn_begin(write)", mdb_txn_begin(env, nil, 0, &txn))
        let result: T
        do {
            result = try body(txn!)
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        try Self.check("mdb_txn_commit", mdb_txn_commit(txn))
        return result
    }

    /// Current map size in bytes.
    var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return info.me_mapsize
    }

    /// Doubles the map; waits for this process's readers to finish their transactions first.
    func growMap() throws(JournalError) -> Int {
        gate.lockExclusive()
        defer { gate.unlockExclusive() }
        guard !closed else { throw .closed }
        let newSize = mapSize * 2
        if writeMap { try Self.requireSpace(forMap: newSize, path: path) }
        try Self.check("mdb_env_set_mapsize", mdb_env_set_mapsize(env, newSize))
        return newSize
    }

    func sync() throws(JournalError) {
        gate.lockShared()
        defer { gate.unlockShared() }
        guard !closed else { throw .closed }
        try Self.check("mdb_env_sync", mdb_env_sync(env, 1))
    }

    static func check(_ operation: String, _ code: Int32) throws(JournalError) {
        if code != 0 { throw .lmdb(operation: operation, code: code, message: message(code)) }
    }

    static func message(_ code: Int32) -> String {
        String(cString: mdb_strerror(code))
    }
}

/// Journal keys are big-endian seqs so LMDB's byte order is numeric order and MDB_APPEND applies.
enum SeqKey {
    static func withKey<T>(_ seq: UInt64, _ body: (inout MDB_val) throws -> T) rethrows -> T {
        var bigEndian = seq.bigEndian
        return try withUnsafeMutableBytes(of: &bigEndian) { bytes in
            var value = MDB_val(mv_size: 8, mv_data: bytes.baseAddress)
            return try body(&value)
        }
    }

    static func decode(_ value: MDB_val) -> UInt64? {
        guard value.mv_size == 8, let data = value.mv_data else { return nil }
        return UInt64(bigEndian: data.loadUnaligned(as: UInt64.self))
    }
}

/// A pthread read-write lock: many transactions at once, or one map resize.
final class ReadWriteGate: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    init() { pthread_rwlock_init(lock, nil) }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func lockShared() { pthread_rwlock_rdlock(lock) }
    func unlockShared() { pthread_rwlock_unlock(lock) }
    func lockExclusive() { pthread_rwlock_wrlock(lock) }
    func unlockExclusive() { pthread_rwlock_unlock(lock) }
}
