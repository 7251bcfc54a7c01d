import ArgumentParser
import Domain
import Foundation
import Journal

/// `scalper journal …`: audit and maintain a journal.
struct JournalGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Audit and maintain an event journal.",
        subcommands: [Dump.self, Verify.self, Stats.self, Bench.self, Repair.self]
    )
}

/// Exit codes shared by the journal commands (documented in `scalper --help`).
enum JournalExit {
    static let corrupt = ExitCode(1)
    static let cannotOpen = ExitCode(2)
}

/// Opens a journal for reading, or prints why not and exits 2.
func openForReading(_ path: String) throws -> Journal {
    do {
        return try Journal.openForReading(at: path)
    } catch {
        printError("error: \(error)")
        throw JournalExit.cannotOpen
    }
}

/// One record rendered for `dump`: the decoded entry, or why it does not decode.
struct RenderedRecord {
    let seq: UInt64
    let time: Timestamp
    let kind: UInt16
    let version: UInt16
    let entry: Result<JournalEntry, EntryDecodeError>

    init(_ view: RecordView) {
        seq = view.seq
        time = Timestamp(nanos: view.header.timestampNanos)
        kind = view.header.kind
        version = view.header.kindVersion
        entry = Result { () throws(EntryDecodeError) in try JournalEntry.decode(view) }
    }

    var kindName: String { EntryKind(rawValue: kind)?.name ?? "kind_\(kind)" }

    var text: String {
        let seqText = String(seq)
        let padded = String(repeating: " ", count: max(0, 8 - seqText.count)) + seqText
        let name = kindName.padding(toLength: 16, withPad: " ", startingAt: 0)
        switch entry {
        case .success(let entry):
            let fields = entry.fields.text
            return "\(padded)  \(time.istString)  \(name) \(fields)"
        case .failure(let error):
            return "\(padded)  \(time.istString)  \(name) !undecodable: \(error.underlying)"
        }
    }

    var json: String {
        var fields: [Field] = [
            .int("seq", seq), .string("time", time.iso8601IST), .int("time_ns", time.nanos),
            .string("kind", kindName), .int("version", version),
        ]
        switch entry {
        case .success(let entry): fields.append(Field("fields", .object(entry.fields)))
        case .failure(let error): fields.append(.string("error", error.underlying.description))
        }
        return fields.json
    }
}
