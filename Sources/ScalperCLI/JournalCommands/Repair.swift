import ArgumentParser
import Domain
import Journal
import Recovery
import Replay

extension JournalGroup {
    /// `scalper journal repair`: the one way to make a corrupt journal writable again.
    struct Repair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove every record after a seq, so a journal with a corrupt tail can be written again.",
            discussion: "Without --yes it only says what it would remove. It never removes anything it has not listed."
        )

        @Argument(help: "The journal directory.")
        var path: String

        @Option(name: .customLong("truncate-after"), help: "Keep seq 1 through this seq; remove the rest.")
        var truncateAfter: UInt64

        @Flag(help: "Actually remove the records (otherwise a dry run).")
        var yes = false

        func run() async throws {
            let plan: (count: UInt64, last: UInt64, kinds: [UInt16: UInt64])
            do {
                let journal = try openForReading(path)
                var kinds: [UInt16: UInt64] = [:]
                var count: UInt64 = 0
                var last = truncateAfter
                // Read the doomed tail without CRC checks: it may well be the corrupt part.
                try? journal.reader.forEach(from: truncateAfter + 1, verifyChecksums: false) { view in
                    kinds[view.header.kind, default: 0] += 1
                    count += 1
                    last = view.seq
                    return true
                }
                plan = (count, last, kinds)
            }
            guard plan.count > 0 else {
                print("nothing to remove: the journal ends at or before seq \(truncateAfter)")
                return
            }
            let byKind = plan.kinds.keys.sorted().map {
                "\(EntryKind(rawValue: $0)?.name ?? "kind_\($0)") \(plan.kinds[$0]!)"
            }
            print(
                "will remove \(plan.count) records, seq \(truncateAfter + 1)…\(plan.last): \(byKind.joined(separator: ", "))"
            )
            // State snapshots that cover removed records would no longer match the journal.
            let snapshots = SnapshotStore(journalPath: path)
            let staleSnapshots = snapshots.files().filter {
                SnapshotStore.seq(ofFile: $0).map { $0 > truncateAfter } ?? false
            }
            for file in staleSnapshots { print("will remove state snapshot \(file)") }
            guard yes else {
                print("dry run: nothing removed; pass --yes to remove them")
                return
            }
            do {
                let report = try Journal.repair(at: path, truncateAfter: truncateAfter)
                print("removed \(report.removedCount) records; the journal now ends at seq \(report.keptThrough)")
                let removed = snapshots.removeAfter(truncateAfter)
                if !removed.isEmpty { print("removed \(removed.count) state snapshots") }
            } catch {
                printError("error: \(error)")
                throw JournalExit.cannotOpen
            }
        }
    }
}
