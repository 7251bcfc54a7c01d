import Domain
import Engine
import Foundation
import Journal
import Logging
import Recovery
import Runtime
import TestSupport
import Testing

/// The live sequencer on group commit: the same journal as one commit per input, commands released only once
/// durable, and concurrent inputs sharing commits.
@Suite("Sequencer group commit")
struct SequencerGroupCommitTests {
    private static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test("a recorded day through the sequencer gives the recorded commands and state, each durable on return")
    func recordedDay() async throws {
        let scratch = TemporaryDirectory()
        let journal = try Journal.openForWriting(
            at: scratch.sub("journal"), options: JournalOptions(durability: .durable))
        let sequencer = Sequencer(journal: journal, state: EngineState(), logger: Self.quiet)
        let original = try JournalReplayer.replay(
            try Journal.openForReading(at: try Fixtures.copy("journal-fixtures/normal-day", into: scratch)).reader)
        var commands = 0
        for (event, time) in try Fixtures.events(ofJournal: "normal-day") {
            let submission = try await sequencer.submit(event, at: time)
            commands += submission.commands.count
            // Released only once the input and every command it caused are in the journal.
            #expect(journal.lastSeq == submission.seq + UInt64(submission.commands.count))
        }
        await sequencer.finish()
        #expect(commands == Int(original.commands))
        let replayed = try JournalReplayer.replay(journal.reader)
        #expect(replayed.divergence == nil)
        #expect(replayed.state == (await sequencer.state))
        #expect(replayed.state.stateHash == original.state.stateHash)
    }

    @Test("eight producers share commits, and the journal folds to the sequencer's state")
    func concurrentProducers() async throws {
        let scratch = TemporaryDirectory()
        let journal = try Journal.openForWriting(
            at: scratch.sub("journal"), options: JournalOptions(durability: .durable))
        let sequencer = Sequencer(journal: journal, state: EngineState(), logger: Self.quiet)
        let day = try Fixtures.events(ofJournal: "normal-day")
        // The session and its first minutes in order, then ticks from eight producers at once.
        for (event, time) in day.prefix(200) { _ = try await sequencer.submit(event, at: time) }
        let start = day[199].1
        let perProducer = 1_500
        let late = try await withThrowingTaskGroup(of: Int.self) { group in
            for producer in 0..<8 {
                group.addTask {
                    var late = 0
                    for i in 0..<perProducer {
                        let time = Timestamp(nanos: start.nanos + Int64(i) * 1_000_000 + Int64(producer))
                        let tick = Tick(
                            instrument: InstrumentKey(.nseFNO, SecurityID(UInt32(90_000 + producer))),
                            lastPrice: Paise(Int64(10_000 + i)), lastTradeTime: time.epochSeconds)
                        let submission = try await sequencer.submit(.tick(tick), at: time)
                        if await sequencer.lastSeq < submission.seq + UInt64(submission.commands.count) { late += 1 }
                    }
                    return late
                }
            }
            return try await group.reduce(0, +)
        }
        await sequencer.finish()
        #expect(late == 0, "a submission returned before its batch was durable")
        let inputs = 200 + 8 * perProducer
        #expect(await sequencer.eventCount == inputs)
        let commits = sequencer.commits
        #expect(commits < inputs - 200, "\(commits) commits for \(inputs) inputs: no batching")
        let replayed = try JournalReplayer.replay(journal.reader)
        #expect(replayed.divergence == nil)
        #expect(replayed.events == UInt64(inputs))
        #expect(replayed.state == (await sequencer.state))
    }
}
