import CLMDB
import Foundation

/// One LMDB environment (one journal directory) shared by the writer and every reader in this process.
///
/// LMDB must not be opened twice in one process, and `mdb_env_set_mapsize` may only run while no
/// transaction is active here, so every transaction takes `gate` shared and a map resize takes it exclusively.
final class LMDBEnvironment: @unchecked Sendable {
    let env: OpaquePointer
    let dbi: MDB_dbi
    let path: String
    let readOnly: Bool
    private let gate = ReadWriteGate()

    init(path: String, readOnly: Bool, sync: Bool, initialMapSize: Int) throws(JournalError) {
        self.path = path
        self.readOnly = readOnly
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

    deinit { mdb_env_close(env) }

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
        var txn: OpaquePointer?
        var code = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        if code == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size, which needs no transaction open here.
            gate.unlockShared()
            gate.lockExclusive()
            mdb_env_set_mapsize(env, 0)
            gate.unlockExclusive()
            gate.lockShared()
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
        let newSize = mapSize * 2
        try Self.check("mdb_env_set_mapsize", mdb_env_set_mapsize(env, newSize))
        return newSize
    }

    func sync() throws(JournalError) {
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
