/// Everything that can go wrong opening, writing or reading a journal, with a message that names the
/// journal, the record and the reason.
public enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path does not hold a journal, or the journal's files cannot be opened.
    case cannotOpen(path: String, reason: String)
    /// Another process holds the journal for writing.
    case writerLockHeld(path: String, holder: String)
    /// The data file is shorter than LMDB's own metadata says it must be.
    case truncatedFile(path: String, expectedBytes: Int64, actualBytes: Int64)
    /// A record failed a check; nothing past it can be trusted until `repair` truncates it away.
    case corruptRecord(seq: UInt64, reason: String)
    /// A journal with a corrupt record cannot be opened for writing.
    case refusesToOpenCorrupt(path: String, seq: UInt64, reason: String)
    /// An LMDB call failed.
    case lmdb(operation: String, code: Int32, message: String)
    /// The journal (or its group committer) was closed.
    case closed
    /// A record is larger than a journal record may be.
    case recordTooLarge(bytes: Int)
    /// The filesystem lacks the room a `fast` journal's write map needs.
    case insufficientSpace(path: String, mapBytes: Int64, neededBytes: Int64, availableBytes: Int64)
    /// A batch's seqs were handed out, then something else appended to the journal before it was committed.
    case batchOverlapped(path: String, batchFirstSeq: UInt64, journalLastSeq: UInt64)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open journal at \(path): \(reason)"
        case .writerLockHeld(let path, let holder):
            return "journal at \(path) is already open for writing by \(holder)"
        case .truncatedFile(let path, let expected, let actual):
            return
                "journal at \(path) is truncated: data.mdb has \(actual) bytes, its metadata needs at least \(expected)"
        case .corruptRecord(let seq, let reason):
            return "corrupt record at seq \(seq): \(reason)"
        case .refusesToOpenCorrupt(let path, let seq, let reason):
            let keep = seq > 1 ? "\(seq - 1)" : "0"
            return
                "journal at \(path) has a corrupt record at seq \(seq) (\(reason)); refusing to open it for writing. "
                + "Inspect it with 'scalper journal verify', then 'scalper journal repair \(path) --truncate-after \(keep)' "
                + "removes seq \(seq) and everything after it"
        case .lmdb(let operation, let code, let message):
            return "LMDB \(operation) failed (\(code)): \(message)"
        case .closed:
            return "the journal is closed"
        case .insufficientSpace(let path, let map, let needed, let available):
            return
                "journal at \(path) needs a \(map >> 20) MiB map in fast mode: \(needed >> 20) MiB more than data.mdb has, "
                + "but the filesystem has \(available >> 20) MiB free; free space, or use durable mode"
        case .batchOverlapped(let path, let first, let last):
            return
                "journal at \(path): a batch numbered from seq \(first) was not committed, because the journal had meanwhile "
                + "reached seq \(last) by another append"
        case .recordTooLarge(let bytes):
            return "record of \(bytes) bytes exceeds the journal's limit of \(RecordHeader.maxPayloadLength) bytes"
        }
    }
}
