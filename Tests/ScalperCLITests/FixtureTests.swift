import Domain
import Foundation
import Journal
import TestSupport
import Testing

@Suite("Committed fixture journals", .serialized)
struct FixtureTests {
    @Test(
        "regenerate journal-fixtures/sample-session (SCALPER_WRITE_FIXTURES=1)",
        .enabled(if: ProcessInfo.processInfo.environment["SCALPER_WRITE_FIXTURES"] == "1"))
    func writeFixture() throws {
        let scratch = TemporaryDirectory()
        try Fixtures.writeSampleSession(to: scratch.sub("sample-session"))
        let target = Fixtures.path("journal-fixtures/sample-session")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: target + "/data.mdb")
        try FileManager.default.copyItem(atPath: scratch.sub("sample-session/data.mdb"), toPath: target + "/data.mdb")
    }

    @Test("the sample-session fixture (with version-1 ticks) reads back exactly as written")
    func sampleSessionReadable() throws {
        let scratch = TemporaryDirectory()
        let path = try Fixtures.copy("journal-fixtures/sample-session", into: scratch)
        let reader = try Journal.openForReading(at: path).reader
        #expect(try reader.verify { _ = try JournalEntry.decode($0) }.firstFailure == nil)
        var seq: UInt64 = 0
        try reader.forEach { view throws -> Bool in
            seq += 1
            #expect(view.seq == seq)
            let entry = try JournalEntry.decode(view)
            #expect(entry == Fixtures.sampleSessionEntry(seq: seq))
            if Fixtures.legacyTickSeqs.contains(seq) { #expect(view.header.kindVersion == 1) }
            return true
        }
        #expect(seq == Fixtures.sampleSessionCount)
    }
}
