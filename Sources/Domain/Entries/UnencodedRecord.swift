import Journal

/// A journal entry and its time, encoded only when a `BatchedAppender` commits it.
public struct UnencodedRecord: PendingRecordConvertible {
    public let entry: JournalEntry
    public let time: Timestamp

    public func pendingRecord() -> PendingRecord { entry.record(at: time) }

    /// Encodes the payload straight into the batch's buffer: the same bytes as `pendingRecord()`'s, without an
    /// array of their own.
    public func encode(into batch: inout EncodedBatch) {
        let start = batch.used
        var writer = BinaryWriter(continuing: batch.takeBuffer(), length: start)
        entry.encodePayload(to: &writer)
        let (buffer, end) = writer.take()
        let kind = entry.kind
        batch.finishRecord(
            kind: kind.rawValue, kindVersion: kind.currentVersion, timestampNanos: time.nanos, buffer: buffer, end: end)
    }
}
