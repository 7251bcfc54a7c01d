import Foundation
import Journal
import Synchronization
import TestSupport
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    @Test(
        "8 concurrent producers: every append gets a distinct seq whose record is exactly what it sent",
        arguments: [false, true])
    func concurrentProducers(commitsWhenIdle: Bool) async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let committer = GroupCommitter(
            journal: journal,
            policy: .init(maxBatch: 16, maxDelay: .milliseconds(1), commitsWhenIdle: commitsWhenIdle))
        let acknowledged = try await withThrowingTaskGroup(of: [(UInt64, [UInt8])].self) { group in
            for producer in 0..<8 {
                group.addTask {
                    var mine: [(UInt64, [UInt8])] = []
                    for index in 0..<250 {
                        let payload = Array("p\(producer)-\(index)".utf8)
                        let seq = try await committer.append(
                            PendingRecord(kind: 2, kindVersion: 1, timestampNanos: Int64(index), payload: payload))
                        mine.append((seq, payload))
                    }
                    return mine
                }
            }
            var all: [(UInt64, [UInt8])] = []
            for try await part in group { all += part }
            return all
        }
        committer.close()
        #expect(acknowledged.map(\.0).sorted() == Array(1...2000))
        let stored = Dictionary(uniqueKeysWithValues: try journal.reader.records().map { ($0.seq, $0.payload) })
        for (seq, payload) in acknowledged { #expect(stored[seq] == payload) }
    }

    @Test("a batch never exceeds maxBatch records, and a multi-record append stays contiguous")
    func batchLimits() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let sizes = Mutex<[Int]>([])
        let committer = GroupCommitter(
            journal: journal, policy: .init(maxBatch: 4, maxDelay: .milliseconds(50)),
            onCommit: { count, _ in sizes.withLock { $0.append(count) } })
        async let singles: [UInt64] = withThrowingTaskGroup(of: UInt64.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await committer.append(
                        PendingRecord(kind: 1, kindVersion: 1, timestampNanos: Int64(index), payload: [1]))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let run = try await committer.append(
            contentsOf: (0..<3).map { PendingRecord(kind: 3, kindVersion: 1, timestampNanos: Int64($0), payload: [2]) })
        let single = try await singles
        committer.close()
        #expect(run.count == 3)
        #expect(Set(single).isDisjoint(with: Set(run)))
        #expect(sizes.withLock { $0.allSatisfy { $0 <= 4 } })
        #expect(sizes.withLock { $0.reduce(0, +) } == 23)
    }

    @Test(
        "commitsWhenIdle: an append finding the writer idle is committed before enqueue returns; one arriving during that commit queues for the writer and commits after it"
    )
    func idleCallerCommits() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let box = Mutex<(committer: GroupCommitter?, during: GroupCommitter.Receipt?, queued: Bool?)>((nil, nil, nil))
        let committer = GroupCommitter(
            journal: journal, policy: .init(maxBatch: 16, maxDelay: .zero, commitsWhenIdle: true),
            onCommit: { _, _ in
                // Runs inside the first commit, on the appending caller's thread: the writer is busy.
                let committer = box.withLock { $0.during == nil ? $0.committer : nil }
                guard let committer else { return }
                let ticket = committer.enqueue(
                    contentsOf: [PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 1, payload: [2])])
                // Read here, still inside the first commit: once it ends the writer may take the record at
                // any moment, so after `enqueue` below returns the ticket's state is a race.
                let queued = ticket.completed == nil
                box.withLock {
                    $0.during = ticket
                    $0.queued = queued
                }
            })
        box.withLock { $0.committer = committer }
        let first = committer.enqueue(
            contentsOf: [PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: [1])])
        #expect(try first.completed?.get() == 1...1)
        let during = try #require(box.withLock { $0.during })
        #expect(box.withLock { $0.queued } == true)
        #expect(try await during.seqs() == 2...2)
        committer.close()
        #expect(try journal.reader.records().map(\.payload) == [[1], [2]])
    }

    @Test(
        "commitsWhenIdle: a burst of inputs queued together on an idle committer commits in one transaction before enqueue returns"
    )
    func idleCallerCommitsGroups() throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let sizes = Mutex<[Int]>([])
        let committer = GroupCommitter(
            journal: journal, policy: .init(maxBatch: 16, maxDelay: .zero, commitsWhenIdle: true),
            onCommit: { count, _ in sizes.withLock { $0.append(count) } })
        let tickets = committer.enqueue(groups: [
            [PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: [1])],
            (2...3).map { PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: [$0]) },
        ])
        #expect(try tickets.map { try $0.completed?.get() } == [1...1, 2...3])
        #expect(sizes.withLock { $0 } == [3])
        committer.close()
        #expect(try journal.reader.records().map(\.payload) == [[1], [2], [3]])
    }

    @Test("inline: a burst commits in one transaction on the caller's thread, its receipts committed, no ticket")
    func inlineReceiptsAreCommitted() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let sizes = Mutex<[Int]>([])
        let committer = GroupCommitter(
            journal: journal, policy: .init(inline: true), onCommit: { count, _ in sizes.withLock { $0.append(count) } }
        )
        let receipts = committer.enqueue(groups: [
            (1...2).map { PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: [$0]) },
            [PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: [3])],
        ])
        #expect(sizes.withLock { $0 } == [3])
        for (receipt, expected) in zip(receipts, [1...2, 3...3] as [ClosedRange<UInt64>]) {
            guard case .committed(let result) = receipt else {
                Issue.record("an inline append waits for nothing")
                continue
            }
            #expect(try result.get() == expected)
        }
        #expect(
            try await committer.enqueue(contentsOf: [
                PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: [4])
            ]).seqs() == 4...4)
        committer.close()
        guard
            case .committed(.failure(let error)) = committer.enqueue(groups: [
                [PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: [5])]
            ])[0]
        else {
            Issue.record("after close an inline append is refused at once")
            return
        }
        #expect(error as? JournalError == .closed)
        #expect(try journal.reader.records().map(\.payload) == [[1], [2], [3], [4]])
    }

    @Test("a lone append commits after maxDelay without waiting for a full batch")
    func partialBatchCommits() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .durable))
        let committer = GroupCommitter(journal: journal)
        let seq = try await committer.append(PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: [7]))
        #expect(seq == 1)
        #expect(try journal.reader.record(at: 1)?.payload == [7])
        committer.close()
    }

    @Test("after close, appends fail with JournalError.closed")
    func appendAfterClose() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let committer = GroupCommitter(journal: journal)
        committer.close()
        await #expect(throws: JournalError.closed) {
            try await committer.append(PendingRecord(kind: 1, kindVersion: 1, timestampNanos: 0, payload: []))
        }
    }
}
