import Domain
import Foundation
import Journal
import Recovery
import Simulation
import TestSupport
import Testing

/// `journal-fixtures/observed-leg-cancel`: a recorded simulated session (observed profile, seed 5, 09:14–09:32)
/// holding the event kinds 0.4.0 added: a refused ENTRY_LEG cancel, then the legs cancelled one by one.
@Suite("Recorded simulated session", .serialized)
struct SimulatedFixtureTests {
    static let fixture = "journal-fixtures/observed-leg-cancel"

    static func expected(_ outcome: ReplayOutcome) -> String {
        "state_hash=\(outcome.state.stateHash)\nrecords=\(outcome.records)\nevents=\(outcome.events)\ncommands=\(outcome.commands)\n"
    }

    @Test(
        "regenerate journal-fixtures/observed-leg-cancel (SCALPER_WRITE_FIXTURES=1)",
        .enabled(if: ProcessInfo.processInfo.environment["SCALPER_WRITE_FIXTURES"] == "1"))
    func write() throws {
        let scratch = TemporaryDirectory()
        let runner = try SimulationFixtures.runner(.observed, out: scratch.path)
        var setup = SessionSetup(
            seed: 5, date: CivilDate(2025, 11, 4), plan: FaultPlan(profile: .observed), config: runner.config,
            files: runner.files, journalPath: scratch.sub("journal"))
        setup.endSecondOfDay = 9 * 3600 + 32 * 60
        let outcome = try RuntimeSession(setup).run()
        #expect(outcome.violations == [])
        let target = Fixtures.path(Self.fixture)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: scratch.sub("journal/data.mdb"), toPath: target + "/data.mdb")
        let replayed = try JournalReplayer.replay(try Journal.openForReading(at: scratch.sub("journal")).reader)
        try Self.expected(replayed).write(toFile: target + "/expected.txt", atomically: true, encoding: .utf8)
    }

    @Test("it replays command for command to its recorded state, and holds a cancel_rejected record")
    func replays() throws {
        let scratch = TemporaryDirectory()
        let path = try Fixtures.copy(Self.fixture, into: scratch)
        let journal = try Journal.openForReading(at: path)
        defer { journal.close() }
        let outcome = try JournalReplayer.replay(journal.reader)
        #expect(outcome.divergence == nil)
        #expect(outcome.unjournaled.isEmpty)
        let expected = try String(contentsOfFile: Fixtures.path(Self.fixture + "/expected.txt"), encoding: .utf8)
        #expect(Self.expected(outcome) == expected)
        var kinds = Set<EntryKind>()
        try journal.reader.forEach { view in
            if let kind = EntryKind(rawValue: view.header.kind) { kinds.insert(kind) }
            return true
        }
        #expect(kinds.contains(.cancelRejected))
        #expect(kinds.isSuperset(of: [.placeOrder, .fill, .cancelOrder, .orderUpdate]))
    }
}
