/// Follows a journal as it grows: yields every committed record from a seq onwards, once, in order.
///
/// It polls with short read transactions (so it never pins old pages), which also works across
/// processes; the poll interval backs off from 1 ms to 50 ms while nothing new arrives.
public struct JournalFollower: Sendable {
    public let reader: JournalReader
    public let startSeq: UInt64

    public init(reader: JournalReader, from startSeq: UInt64 = 1) {
        self.reader = reader
        self.startSeq = max(1, startSeq)
    }

    /// The stream of records; it ends only on an error or when the consumer stops iterating.
    public func records() -> AsyncThrowingStream<JournalRecord, any Error> {
        let reader = self.reader
        let start = startSeq
        return AsyncThrowingStream { continuation in
            let task = Task {
                var next = start
                var idleMillis = 1
                while !Task.isCancelled {
                    do {
                        let batch = try reader.records(from: next, limit: 4096)
                        for record in batch { continuation.yield(record) }
                        if let last = batch.last {
                            next = last.seq + 1
                            idleMillis = 1
                            continue
                        }
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(idleMillis))
                    idleMillis = min(idleMillis * 2, 50)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
