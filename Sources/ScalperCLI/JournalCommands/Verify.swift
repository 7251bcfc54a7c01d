import ArgumentParser
import Domain
import Journal

extension JournalGroup {
    /// `scalper journal verify`: integrity check of every record.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record: CRC, seq continuity, header sanity and that the payload decodes.",
            discussion:
                "Exits 0 when clean, 1 when a record is corrupt (naming its seq and why), 2 when the journal cannot be opened."
        )

        @Argument(help: "The journal directory.")
        var path: String

        func run() async throws {
            let journal = try openForReading(path)
            let report: VerifyReport
            do {
                report = try journal.reader.verify { view in _ = try JournalEntry.decode(view) }
            } catch {
                printError("error: \(error)")
                throw JournalExit.cannotOpen
            }
            if let failure = report.firstFailure {
                print("corrupt: seq \(failure.seq): \(failure.reason)")
                print("\(report.recordCount) records before it are intact (seq 1…\(report.lastGoodSeq))")
                throw JournalExit.corrupt
            }
            print("ok: \(report.recordCount) records, seq 1…\(report.lastGoodSeq), all intact")
        }
    }
}
