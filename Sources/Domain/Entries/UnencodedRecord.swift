import Journal

/// A journal entry and its time, encoded only when a `BatchedAppender` commits it.
public struct UnencodedRecord: PendingRecordConvertible {
    public let entry: JournalEntry
    public let time: Timestamp

    public func pendingRecord() -> PendingRecord { entry.record(at: time) }
}
