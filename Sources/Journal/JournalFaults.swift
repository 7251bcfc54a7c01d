import Foundation
import Synchronization

/// A switch under the journal for tests: while it is set, every append fails as a full disk or a failing
/// device would (the commit is refused, nothing is written), until it is cleared.
///
/// `scalper run` never sets one; the tests of what the engine does when its journal cannot be written do.
public final class JournalFaults: Sendable {
    private let code = Atomic<Int32>(0)

    public init() {}

    /// Appends fail with `errno` (no space left on the device by default) until `heal()`.
    public func failAppends(errno: Int32 = ENOSPC) { code.store(errno, ordering: .sequentiallyConsistent) }

    /// Appends succeed again.
    public func heal() { code.store(0, ordering: .sequentiallyConsistent) }

    /// The error an append gets now, if any.
    var pendingError: JournalError? {
        let errno = code.load(ordering: .sequentiallyConsistent)
        guard errno != 0 else { return nil }
        return .lmdb(operation: "mdb_txn_commit", code: errno, message: String(cString: strerror(errno)))
    }
}
