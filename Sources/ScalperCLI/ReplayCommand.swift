import ArgumentParser
import Domain
import Engine
import Foundation
import Journal
import Recovery
import Replay

/// `scalper replay`: prove a journal replays exactly.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Fold a journal with the engine's reducers and check every command against the journaled one.",
        discussion: """
            No network and no effects. Identical: exit 0 with the final state hash and a session summary. On the \
            first difference: exit 3 with the seq, the event and both commands. Exit 1 for a corrupt journal, 2 \
            when it cannot be opened.
            """
    )

    @Argument(help: "The journal directory.")
    var journal: String

    @Option(help: "Stop after this seq.")
    var until: UInt64?

    @Option(help: "Stop before the first event at or after this IST time of day, HH:MM.")
    var at: String?

    @Flag(help: "Print the final state as JSON.")
    var state = false

    func validate() throws {
        if at != nil && secondOfDay() == nil { throw ValidationError("--at must be HH:MM (IST)") }
    }

    private func secondOfDay() -> Int? {
        guard let at else { return nil }
        let parts = at.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else { return nil }
        return parts[0] * 3600 + parts[1] * 60
    }

    func run() async throws {
        let opened = try openForReading(journal)
        let terminal = standardErrorIsTerminal
        let outcome: ReplayOutcome
        do {
            outcome = try JournalReplayer.replay(
                opened.reader, stop: .init(seq: until, secondOfDay: secondOfDay()),
                progress: terminal
                    ? { seq, last in
                        printProgress(
                            "replaying \(last > 0 ? seq * 100 / last : 100)% (\(grouped(seq)) of \(grouped(last)) records)"
                        )
                    } : nil)
        } catch {
            if terminal { printProgress("") }
            printError("error: \(error)")
            throw JournalExit.corrupt
        }
        if terminal { printProgress("") }
        if let divergence = outcome.divergence {
            print("DIVERGENCE at seq \(divergence.seq): \(divergence.explanation)")
            if let cause = divergence.cause { print("  event     seq \(divergence.causeSeq) \(describe(cause))") }
            print("  journaled \(divergence.journaled.map(describe) ?? "(nothing)")")
            print(
                "  recomputed \(divergence.recomputed.map { describe(.command($0, causeSeq: divergence.recomputedCause ?? 0)) } ?? "(nothing)")"
            )
            throw ExitCode(3)
        }
        let final = outcome.state
        let stopped = until != nil || at != nil ? " (stopped early)" : ""
        print(
            "replayed \(grouped(outcome.records)) records (\(grouped(outcome.events)) events, \(grouped(outcome.commands)) commands) through seq \(outcome.lastSeq): identical\(stopped)"
        )
        print("state hash: \(final.stateHash)")
        if let session = final.session {
            print(
                "session: \(session.tradingDate) \(session.mode), config \(session.configHash)"
                    + (final.configError.map { ", config refused: \($0)" } ?? ""))
        }
        let positions = final.positions
        let realized = positions.reduce(Paise.zero) { $0 + $1.realized }
        let charges = positions.reduce(Paise.zero) { $0 + $1.charges }
        print(
            "positions: \(positions.count) (\(positions.filter { $0.phase == .exited }.count) exited, \(positions.filter(\.phase.isOpen).count) open); realized ₹\(realized), charges ₹\(charges), net ₹\(final.dayNetPnL)"
        )
        if !outcome.unjournaled.isEmpty && until == nil && at == nil {
            print(
                "note: \(outcome.unjournaled.count) command(s) computed after the last journaled one were never journaled (the session stopped between an event and its commands; a restart journals them first)"
            )
        }
        if let day = final.dayRisk {
            print(
                "day: max MTM ₹\(day.maxMTM), min MTM ₹\(day.minMTM), breaker \(day.circuitTripped ? "tripped" : "armed"), kill switch \(day.killSwitch ? "on" : "off")"
            )
        }
        if !final.anomalies.isEmpty {
            print(
                "anomalies: \(final.anomalies.count) (first: seq \(final.anomalies[0].seq) \(final.anomalies[0].message))"
            )
        }
        if state { print(StateJSON.render(final)) }
    }

    private func describe(_ entry: JournalEntry) -> String {
        "\(entry.kind.name) " + entry.fields.text
    }
}

/// Rewrites the progress line on standard error.
func printProgress(_ text: String) {
    FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
}
