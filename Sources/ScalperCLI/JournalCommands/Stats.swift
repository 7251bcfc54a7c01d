import ArgumentParser
import Domain
import Journal

extension JournalGroup {
    /// `scalper journal stats`: what a journal holds.
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count records by kind and show the first and last time and the size on disk.")

        @Argument(help: "The journal directory.")
        var path: String

        func run() async throws {
            let journal = try openForReading(path)
            var counts: [UInt16: UInt64] = [:]
            var first: Int64?
            var last: Int64?
            var total: UInt64 = 0
            var payloadBytes: UInt64 = 0
            do {
                try journal.reader.forEach(verifyChecksums: false) { view in
                    counts[view.header.kind, default: 0] += 1
                    if first == nil { first = view.header.timestampNanos }
                    last = view.header.timestampNanos
                    total += 1
                    payloadBytes += UInt64(view.payload.count)
                    return true
                }
            } catch {
                printError("error: \(error)")
                throw JournalExit.corrupt
            }
            print("journal:  \(path)")
            print("records:  \(grouped(total))" + (total > 0 ? " (seq 1…\(total))" : ""))
            print("first:    " + (first.map { Timestamp(nanos: $0).istString + " IST" } ?? "-"))
            print("last:     " + (last.map { Timestamp(nanos: $0).istString + " IST" } ?? "-"))
            print("payload:  \(grouped(payloadBytes)) bytes (+\(RecordHeader.size)-byte header per record)")
            print("on disk:  \(grouped(journal.sizeOnDisk)) bytes")
            print("")
            print("kind                 count")
            for kind in counts.keys.sorted() {
                let name = EntryKind(rawValue: kind)?.name ?? "kind_\(kind)"
                let count = grouped(counts[kind]!)
                print(
                    name.padding(toLength: 16, withPad: " ", startingAt: 0)
                        + String(repeating: " ", count: max(1, 10 - count.count)) + count)
            }
        }
    }
}
