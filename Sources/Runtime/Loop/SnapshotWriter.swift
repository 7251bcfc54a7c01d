import DhanClient
import Foundation
import Logging
import Recovery
import Synchronization

/// Writes the sequencer's state snapshots off the sequencer, one at a time; a snapshot asked for while one
/// is being written is skipped (the next one will cover it).
public final class SnapshotWriter: Sendable {
    private struct Progress {
        var writing = false
        var lastSavedSeq: UInt64 = 0
    }

    private let store: SnapshotStore
    private let logger: Logger
    private let progress = Mutex(Progress())
    /// What a write's duration is measured on (the wall clock, or a simulation's virtual clock).
    private let stopwatch: any ElapsedClock

    public init(store: SnapshotStore, logger: Logger, stopwatch: any ElapsedClock = MonotonicClock()) {
        self.store = store
        self.logger = logger
        self.stopwatch = stopwatch
    }

    /// The seq of the last snapshot written by this process (0 before the first).
    public var lastSavedSeq: UInt64 { progress.withLock { $0.lastSavedSeq } }

    /// Builds and writes the snapshot on a background task, unless a write is under way.
    public func saveInBackground(seq: UInt64, _ make: @escaping @Sendable () -> StateSnapshot) {
        let claimed = progress.withLock { progress in
            if progress.writing { return false }
            progress.writing = true
            return true
        }
        guard claimed else { return }
        Task.detached(priority: .utility) { self.write(seq: seq, make) }
    }

    /// Builds and writes the snapshot now (at shutdown), waiting for a background write to finish first.
    public func saveNow(seq: UInt64, _ make: @Sendable () -> StateSnapshot) {
        while !progress.withLock({ progress in
            if progress.writing { return false }
            progress.writing = true
            return true
        }) {
            usleep(1_000)
        }
        write(seq: seq, make)
    }

    private func write(seq: UInt64, _ make: () -> StateSnapshot) {
        let started = stopwatch.elapsed()
        do {
            let path = try store.save(make())
            progress.withLock { $0.lastSavedSeq = max($0.lastSavedSeq, seq) }
            logger.info(
                "state snapshot saved",
                metadata: ["seq": "\(seq)", "path": "\(path)", "ms": "\((stopwatch.elapsed() - started).milliseconds)"])
        } catch {
            logger.warning("state snapshot not saved", metadata: ["seq": "\(seq)", "error": "\(error)"])
        }
        progress.withLock { $0.writing = false }
    }
}
