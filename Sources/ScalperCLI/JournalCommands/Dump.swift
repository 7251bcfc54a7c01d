import ArgumentParser
import Domain
import Journal

extension JournalGroup {
    /// `scalper journal dump`: one line per record, for auditors.
    struct Dump: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the journal's records, one line each (seq, IST time, kind, fields).",
            discussion:
                "Exits 1 if a record is corrupt or does not decode (it is shown, and the dump goes on where it can), 2 if the journal cannot be opened."
        )

        /// Output formats.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, ndjson
        }

        @Argument(help: "The journal directory.")
        var path: String

        @Option(help: "Output format: text or ndjson.")
        var format: Format = .text

        @Option(help: "First seq to print.")
        var from: UInt64 = 1

        @Option(help: "Last seq to print (default: the end; with --follow, go on until interrupted).")
        var to: UInt64?

        @Option(help: "Only these kinds (comma-separated names, e.g. tick,fill,place_order).")
        var kind: String?

        @Option(name: .customLong("security-id"), help: "Only records about this security id.")
        var securityID: UInt32?

        @Flag(help: "Keep printing records as they are committed (until interrupted).")
        var follow = false

        func validate() throws {
            if let kind {
                for name in kind.split(separator: ",") where EntryKind(name: String(name)) == nil {
                    let known = EntryKind.allCases.map(\.name).joined(separator: ", ")
                    throw ValidationError("unknown kind '\(name)'; known kinds: \(known)")
                }
            }
            if let to, from > to { throw ValidationError("--from \(from) is after --to \(to)") }
        }

        func run() async throws {
            let to = self.to ?? .max
            let journal = try openForReading(path)
            let kinds = kind.map { Set($0.split(separator: ",").compactMap { EntryKind(name: String($0))?.rawValue }) }
            var output = LineWriter()
            var failed = false
            var next = from

            func emit(_ view: RecordView) {
                let rendered = RenderedRecord(view)
                if let kinds, !kinds.contains(rendered.kind) { return }
                if let securityID {
                    guard case .success(let entry) = rendered.entry,
                        entry.payload.securityIDs.contains(SecurityID(securityID))
                    else { return }
                }
                if case .failure = rendered.entry { failed = true }
                output.line(format == .text ? rendered.text : rendered.json)
            }

            do {
                try journal.reader.forEach(from: from, through: to) { view in
                    emit(view)
                    next = view.seq + 1
                    return true
                }
            } catch {
                output.flush()
                printError("error: \(error)")
                throw JournalExit.corrupt
            }
            output.flush()
            if follow && next <= to {
                let follower = JournalFollower(reader: journal.reader, from: next)
                for try await record in follower.records() {
                    if record.seq > to { break }
                    record.payload.withUnsafeBytes { payload in
                        emit(
                            RecordView(
                                seq: record.seq,
                                header: RecordHeader(
                                    kind: record.kind, kindVersion: record.kindVersion,
                                    timestampNanos: record.timestampNanos, payloadLength: UInt32(payload.count)),
                                payload: payload))
                    }
                    output.flush()
                    if record.seq >= to { break }
                }
            }
            if failed { throw JournalExit.corrupt }
        }
    }
}
