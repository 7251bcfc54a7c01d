import Foundation
import Journal
import TestSupport
import Testing

@Suite("Follower")
struct FollowerTests {
    @Test("a follower reading while the writer appends sees every record once, in order")
    func followsWhileWriting() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.openForWriting(at: directory.path, options: .init(durability: .fast))
        let total = 20_000
        let writer = Task.detached {
            for batch in 0..<(total / 100) {
                try journal.append(
                    (0..<100).map { index in
                        let n = batch * 100 + index
                        return PendingRecord(
                            kind: 2, kindVersion: 1, timestampNanos: Int64(n), payload: Array("r\(n)".utf8))
                    })
                if batch % 20 == 0 { try await Task.sleep(for: .milliseconds(2)) }
            }
        }
        var expected: UInt64 = 1
        for try await record in JournalFollower(reader: journal.reader).records() {
            #expect(record.seq == expected)
            #expect(record.payload == Array("r\(expected - 1)".utf8))
            expected += 1
            if expected > UInt64(total) { break }
        }
        try await writer.value
        #expect(expected == UInt64(total) + 1)
    }
}
