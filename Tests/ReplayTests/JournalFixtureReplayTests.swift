import Domain
import Engine
import EngineTestSupport
import Foundation
import Journal
import Recovery
import Replay
import TestSupport
import Testing

@Suite("Recorded sessions replay exactly", .serialized)
struct JournalFixtureReplayTests {
    static func expected(_ outcome: ReplayOutcome) -> String {
        "state_hash=\(outcome.state.stateHash)\nrecords=\(outcome.records)\nevents=\(outcome.events)\ncommands=\(outcome.commands)\n"
    }

    @Test(
        "regenerate journal-fixtures/{normal-day,breaker-day,crash-recovery} (SCALPER_WRITE_FIXTURES=1)",
        .enabled(if: ProcessInfo.processInfo.environment["SCALPER_WRITE_FIXTURES"] == "1"))
    func write() throws {
        for fixture in SessionFixtures.all {
            let scratch = TemporaryDirectory()
            try fixture.write(scratch.sub("journal"))
            let target = Fixtures.path("journal-fixtures/\(fixture.name)")
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: scratch.sub("journal/data.mdb"), toPath: target + "/data.mdb")
            let outcome = try JournalReplayer.replay(try Journal.openForReading(at: scratch.sub("journal")).reader)
            try Self.expected(outcome).write(toFile: target + "/expected.txt", atomically: true, encoding: .utf8)
        }
    }

    @Test(
        "each committed session replays to its recorded state hash and command count",
        arguments: ["normal-day", "breaker-day", "crash-recovery"])
    func replays(name: String) throws {
        let scratch = TemporaryDirectory()
        let path = try Fixtures.copy("journal-fixtures/\(name)", into: scratch)
        let outcome = try JournalReplayer.replay(try Journal.openForReading(at: path).reader)
        #expect(outcome.divergence == nil)
        #expect(outcome.unjournaled.isEmpty)
        let expected = try String(
            contentsOfFile: Fixtures.path("journal-fixtures/\(name)/expected.txt"), encoding: .utf8)
        #expect(Self.expected(outcome) == expected)
        // The same journal folded again gives the same state.
        let again = try JournalReplayer.replay(try Journal.openForReading(at: path).reader)
        #expect(again.state == outcome.state)
    }

    @Test(
        "Engine.reduce(_:tick:) folds every tick of each session exactly as reduce(_:.tick(_:)) does",
        arguments: ["normal-day", "breaker-day", "crash-recovery"])
    func tickEntryPoint(name: String) throws {
        let scratch = TemporaryDirectory()
        let journal = try Journal.openForReading(at: try Fixtures.copy("journal-fixtures/\(name)", into: scratch))
        var viaEvent = EngineState()
        var viaTick = EngineState()
        var ticks = 0
        var ticksWithCommands = 0
        try journal.reader.forEach { view in
            guard case .event(let event) = try JournalEntry.decode(view) else { return true }
            let time = Timestamp(nanos: view.header.timestampNanos)
            let expected = Engine.reduce(&viaEvent, event, seq: view.seq, at: time)
            if case .tick(let tick) = event {
                let commands = Engine.reduce(&viaTick, tick: tick, seq: view.seq, at: time)
                #expect(commands == expected, "seq \(view.seq)")
                #expect(viaTick == viaEvent, "seq \(view.seq)")
                ticks += 1
                if !commands.isEmpty { ticksWithCommands += 1 }
            } else {
                _ = Engine.reduce(&viaTick, event, seq: view.seq, at: time)
            }
            return true
        }
        #expect(ticks > 1_000)
        // A session's exits are ticks' commands: the comparison covered ticks that act, not only quiet ones.
        #expect(ticksWithCommands > 0)
        #expect(viaTick.stateHash == viaEvent.stateHash)
    }

    @Test("the normal day has entries and exits; the breaker day trips and nothing enters after")
    func contents() throws {
        let scratch = TemporaryDirectory()
        let normal = try JournalReplayer.replay(
            try Journal.openForReading(at: try Fixtures.copy("journal-fixtures/normal-day", into: scratch)).reader)
        #expect(normal.state.positions.contains { $0.phase == .exited })
        #expect(normal.state.dayRisk?.circuitTripped == false && normal.state.anomalies.isEmpty)

        let breaker = try JournalReplayer.replay(
            try Journal.openForReading(at: try Fixtures.copy("journal-fixtures/breaker-day", into: scratch)).reader)
        let tripped = try #require(breaker.state.dayRisk?.circuitTrippedAt)
        #expect(breaker.state.dayRisk?.circuitTripped == true)
        #expect(breaker.state.positions.allSatisfy { !$0.phase.isOpen })
        #expect(breaker.state.positions.filter { $0.exitReason == .circuitBreaker }.count >= 1)
        // No entry order after the trip: every position's entry came before it.
        let reader = try Journal.openForReading(at: scratch.sub("breaker-day")).reader
        var lateEntries = 0
        try reader.forEach { view in
            if case .command(.placeOrder(let intent), _) = try JournalEntry.decode(view), intent.side == .buy,
                view.header.timestampNanos > tripped.nanos
            {
                lateEntries += 1
            }
            return true
        }
        #expect(lateEntries == 0)
    }

    @Test("the crash-recovery session journals the missing commands after the crash, and no order is placed twice")
    func crashRecovery() throws {
        let scratch = TemporaryDirectory()
        let path = try Fixtures.copy("journal-fixtures/crash-recovery", into: scratch)
        let reader = try Journal.openForReading(at: path).reader
        var sessions = 0
        var placed: [CorrelationID] = []
        try reader.forEach { view in
            switch try JournalEntry.decode(view) {
            case .event(.sessionStarted): sessions += 1
            case .command(.placeOrder(let intent), _): placed.append(intent.correlationID)
            default: break
            }
            return true
        }
        #expect(sessions == 1)
        #expect(Set(placed).count == placed.count)
        // The crash left an event without its commands; recovery journaled them before anything else
        // and recorded what it did.
        var notes: [String] = []
        try reader.forEach { view in
            if case .event(.reconciliation(let result)) = try JournalEntry.decode(view) { notes += result.notes }
            return true
        }
        #expect(notes.count == 1)
        #expect(notes.first?.contains("re-journaled 0 command(s)") == false)
        let outcome = try JournalReplayer.replay(reader)
        let exitAttempts: Int = outcome.state.positions.map { Int($0.exitAttempts) }.reduce(0, +)
        #expect(outcome.state.positions.count == Set(placed).count - exitAttempts)
    }

    @Test("a tampered command is reported at its seq with both sides (exit 3 in the CLI)")
    func divergence() throws {
        let scratch = TemporaryDirectory()
        let source = try Journal.openForReading(at: try Fixtures.copy("journal-fixtures/normal-day", into: scratch))
            .reader
        let tampered = try Journal.openForWriting(at: scratch.sub("tampered"), options: .init(durability: .fast))
        var changedSeq: UInt64 = 0
        for record in try source.records() {
            var copy = PendingRecord(
                kind: record.kind, kindVersion: record.kindVersion, timestampNanos: record.timestampNanos,
                payload: record.payload)
            if changedSeq == 0, case .command(.placeOrder(var intent), let cause) = try JournalEntry.decode(record) {
                intent.quantity += 75
                copy = JournalEntry.command(.placeOrder(intent), causeSeq: cause).record(
                    at: Timestamp(nanos: record.timestampNanos))
                changedSeq = record.seq
            }
            try tampered.append(copy)
        }
        let outcome = try JournalReplayer.replay(tampered.reader)
        tampered.close()
        let divergence = try #require(outcome.divergence)
        #expect(divergence.seq == changedSeq)
        #expect(divergence.explanation == "the journaled command differs from the recomputed one")
        let cli = try Executables.scalper("replay", scratch.sub("tampered-copy"))
        #expect(cli.status == 2)
        try FileManager.default.copyItem(atPath: scratch.sub("tampered/data.mdb"), toPath: scratch.sub("copy.mdb"))
        let dir = scratch.sub("tampered-cli")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: scratch.sub("copy.mdb"), toPath: dir + "/data.mdb")
        let result = try Executables.scalper("replay", dir)
        #expect(result.status == 3)
        #expect(
            result.stdout.hasPrefix(
                "DIVERGENCE at seq \(changedSeq): the journaled command differs from the recomputed one"))
        #expect(result.stdout.contains("journaled place_order") && result.stdout.contains("recomputed place_order"))
    }

    @Test("scalper replay prints the state hash and summary; --until stops early; --state prints JSON")
    func cli() throws {
        let scratch = TemporaryDirectory()
        let path = try Fixtures.copy("journal-fixtures/normal-day", into: scratch)
        let expected = try String(
            contentsOfFile: Fixtures.path("journal-fixtures/normal-day/expected.txt"), encoding: .utf8)
        let hash = expected.split(separator: "\n")[0].dropFirst("state_hash=".count)
        let full = try Executables.scalper("replay", path)
        #expect(full.status == 0)
        #expect(full.stdout.contains(": identical\n") && full.stdout.contains("state hash: \(hash)\n"))
        let partial = try Executables.scalper("replay", path, "--until", "500", "--state")
        #expect(partial.status == 0 && partial.stdout.contains("through seq 500: identical (stopped early)"))
        let json = partial.stdout[partial.stdout.firstIndex(of: "{")!...]
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["lastSeq"] as? Int == 500)
        let atTen = try Executables.scalper("replay", path, "--at", "10:00")
        #expect(atTen.status == 0 && atTen.stdout.contains("(stopped early)"))
    }
}
