import Domain
import Engine
import Foundation
import Journal
import Logging
import Recovery
import Runtime
import TestSupport
import Testing

/// The journal refuses writes (a full disk, an I/O error): nothing is folded or acted on, inputs that carry
/// news are held in order, and when appends succeed again they are journaled first and trading resumes.
@Suite("Sequencer when the journal cannot be written")
struct JournalOutageTests {
    private static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    private static func journaledEvents(_ journal: Journal) throws -> [Event] {
        var out: [Event] = []
        try journal.reader.forEach { view in
            if case .event(let event) = try JournalEntry.decode(view) { out.append(event) }
            return true
        }
        return out
    }

    @Test("a refused append stops folding; news is held in order, ticks dropped; healed, the held inputs go first")
    func outageAndRecovery() async throws {
        let scratch = TemporaryDirectory()
        let faults = JournalFaults()
        let journal = try Journal.openForWriting(
            at: scratch.sub("journal"), options: JournalOptions(durability: .durable, faults: faults))
        let sequencer = Sequencer(journal: journal, state: EngineState(), logger: Self.quiet)
        let day = try Fixtures.events(ofJournal: "normal-day")
        // The outage starts a little before the first signal's chain, entry and fill, and lasts 400 inputs.
        func isNews(_ event: Event) -> Bool {
            if case .tick = event { return false }
            if case .timer = event { return false }
            return true
        }
        let firstNews = try #require(day.indices.first { $0 >= 300 && isNews(day[$0].0) })
        let before = Array(day.prefix(firstNews - 20))
        let during = Array(day[(firstNews - 20)..<(firstNews + 380)])
        for (event, time) in before { _ = try await sequencer.submit(event, at: time) }
        let acknowledged = try Self.journaledEvents(journal)
        let lastSeq = journal.lastSeq

        faults.failAppends()
        var refused = 0
        for (event, time) in during {
            do { _ = try await sequencer.submit(event, at: time) } catch is SequencerDegraded { refused += 1 }
        }
        #expect(refused == during.count, "every input during the outage is refused, none acted on")
        #expect(await sequencer.journalProblem?.contains("No space left on device") == true)
        #expect(journal.lastSeq == lastSeq, "nothing was written")
        // The state is the journal's, not the one that had folded the first refused input.
        #expect(await sequencer.state == (try JournalReplayer.replay(journal.reader).state))
        let news = during.filter { isNews($0.0) }
        #expect(!news.isEmpty && news.count < during.count, "the stretch has both news and ticks")
        #expect(await sequencer.droppedWhileDegraded == during.count - news.count)

        // Still refused: what was held stays held.
        let probeTime = Timestamp(nanos: during.last!.1.nanos + 1_000_000_000)
        #expect(await sequencer.retryJournal(probe: .timer(TimerFired(kind: .second)), at: probeTime)?.isEmpty == true)
        #expect(await sequencer.journalProblem != nil)
        #expect(journal.lastSeq == lastSeq)

        faults.heal()
        let resumed = try #require(
            await sequencer.retryJournal(probe: .timer(TimerFired(kind: .second)), at: probeTime))
        #expect(await sequencer.journalProblem == nil)
        #expect(resumed.count == news.count + 1)
        // Nothing acknowledged lost or reordered; the held news follows in its order, then the probe.
        let journaled = try Self.journaledEvents(journal)
        #expect(Array(journaled.prefix(acknowledged.count)) == acknowledged)
        #expect(Array(journaled.dropFirst(acknowledged.count)) == news.map(\.0) + [.timer(TimerFired(kind: .second))])
        let replayed = try JournalReplayer.replay(journal.reader)
        #expect(replayed.divergence == nil)
        #expect(replayed.state == (await sequencer.state))
        // And inputs fold as before.
        let next = day[firstNews + 380]
        _ = try await sequencer.submit(next.0, at: max(next.1, probeTime))
        await sequencer.finish()
    }

    /// A real full filesystem: a 1 MiB tmpfs (needs root to mount; skipped where mounting is refused).
    @Test(
        "a tmpfs that fills: appends fail with ENOSPC, and succeed again once space is freed",
        .enabled(if: TmpfsMount.available))
    func realFullDisk() async throws {
        let mount = try #require(TmpfsMount(bytes: 1 << 20))
        defer { mount.unmount() }
        let journal = try Journal.openForWriting(
            at: mount.path + "/journal", options: JournalOptions(durability: .durable, initialMapSize: 64 << 20))
        let sequencer = Sequencer(journal: journal, state: EngineState(), logger: Self.quiet)
        let day = try Fixtures.events(ofJournal: "normal-day")
        let filler = mount.path + "/filler"
        // Leave the journal a little room, then fill it with inputs until the disk refuses one.
        _ = FileManager.default.createFile(atPath: filler, contents: Data(count: (1 << 20) - (256 << 10)))
        var index = 0
        var refusedAt: Int?
        while index < day.count, refusedAt == nil {
            do { _ = try await sequencer.submit(day[index].0, at: day[index].1) } catch is SequencerDegraded {
                refusedAt = index
            }
            index += 1
        }
        let refused = try #require(refusedAt, "the filesystem never filled")
        #expect(await sequencer.journalProblem != nil)
        let kept = journal.lastSeq
        try FileManager.default.removeItem(atPath: filler)
        let resumed = await sequencer.retryJournal(
            probe: .timer(TimerFired(kind: .second)), at: Timestamp(nanos: day[refused].1.nanos + 1))
        let problem = await sequencer.journalProblem
        #expect(resumed != nil && problem == nil)
        #expect(journal.lastSeq > kept)
        let replayed = try JournalReplayer.replay(journal.reader)
        let state = await sequencer.state
        #expect(replayed.divergence == nil && replayed.state == state)
        await sequencer.finish()
    }
}

/// A small tmpfs mounted for one test.
struct TmpfsMount {
    let path: String

    /// Whether this process may mount one (root in a container that allows it).
    static let available: Bool = {
        guard let probe = TmpfsMount(bytes: 64 << 10) else { return false }
        probe.unmount()
        return true
    }()

    init?(bytes: Int) {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-\(UUID())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard let result = try? Executables.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path]),
            result.status == 0
        else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
    }

    func unmount() {
        _ = try? Executables.run("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }
}
