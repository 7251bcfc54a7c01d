import ArgumentParser
import Domain
import Foundation
import Journal
import TestSupport

/// `scalper demo`: the README's main command.
///
/// For now it writes a sample session journal through the group committer, verifies it and shows what
/// the audit tools see; it becomes the full paper-trading demo once the engine and dhan-sim land.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a sample session journal, verify it and show it with the audit tools.")

    @Option(help: "Directory for the demo's output (its journal is replaced on each run).")
    var out: String = "out/demo"

    @Option(help: "How many events the sample session has.")
    var events: Int = 5_000

    func run() async throws {
        let journalPath = out + "/journal"
        try? FileManager.default.removeItem(atPath: journalPath)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

        let journal = try Journal.openForWriting(at: journalPath, options: JournalOptions(durability: .durable))
        let committer = GroupCommitter(journal: journal)
        let started = ContinuousClock.now
        // The sample arrives in bursts of 50 (as a busy feed delivers them); each burst is one group-commit request.
        for start in stride(from: 1, through: events, by: 50) {
            let burst = (start...min(start + 49, events)).map { SampleSession.record(seq: UInt64($0)) }
            _ = try await committer.append(contentsOf: burst)
        }
        committer.close()
        let elapsed = (ContinuousClock.now - started).seconds
        print(
            "wrote \(grouped(events)) events to \(journalPath) in \(String(format: "%.2f", elapsed)) s (durable group commit)"
        )

        let reader = try Journal.openForReading(at: journalPath).reader
        let report = try reader.verify { view in _ = try JournalEntry.decode(view) }
        if let failure = report.firstFailure {
            printError("error: the demo journal failed verification at seq \(failure.seq): \(failure.reason)")
            throw ExitCode.failure
        }
        print("verified: \(report.recordCount) records, seq 1…\(report.lastGoodSeq), all intact")
        print("")
        print("first records and every order event (scalper journal dump \(journalPath)):")
        var shown = 0
        try reader.forEach(verifyChecksums: false) { view in
            let rendered = RenderedRecord(view)
            let isOrderFlow = [EntryKind.placeOrder, .orderAccepted, .fill].contains { $0.rawValue == view.header.kind }
            if view.seq <= 6 || (isOrderFlow && shown < 9) {
                print(rendered.text)
                if isOrderFlow { shown += 1 }
            }
            return true
        }
        print("")
        print(
            "next: scalper journal stats \(journalPath) · scalper journal dump \(journalPath) --kind fill --format ndjson"
        )
    }
}
