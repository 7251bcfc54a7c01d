import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive `flock` on `writer.lock` in the journal directory: one writing process per journal.
///
/// The file records who holds it (pid, host, start time) so a second writer's error names the holder.
/// The kernel drops the lock when the holder dies, so a SIGKILLed writer never leaves a stale lock.
final class WriterLock: @unchecked Sendable {
    private let descriptor: Int32
    private var released = false

    init(directory: String) throws(JournalError) {
        let lockPath = directory + "/writer.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .cannotOpen(path: directory, reason: "cannot open writer.lock: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.readHolder(fd: fd)
            close(fd)
            throw .writerLockHeld(path: directory, holder: holder.isEmpty ? "another process" : holder)
        }
        let info =
            "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(ISO8601DateFormatter().string(from: Date()))\n"
        ftruncate(fd, 0)
        _ = info.utf8CString.withUnsafeBufferPointer { pwrite(fd, $0.baseAddress, $0.count - 1, 0) }
        descriptor = fd
    }

    deinit { release() }

    /// Drops the lock and closes the file (once; the environment's abrupt close calls it early).
    func release() {
        guard !released else { return }
        released = true
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func readHolder(fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return "" }
        return String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
