import ArgumentParser
import BuiltinConfig
import Domain
import Engine
import Foundation
import Journal
import MarketModel
import Recovery
import Replay
import Simulation

/// `scalper demo`: the README's main command.
///
/// Runs one trading day of the engine against dhan-sim's broker on virtual time (the `scalper simulate`
/// kernel, with the documentation's well-behaved broker and the scripted trend day), checks every invariant,
/// proves the journal replays exactly and writes the report. The same inputs give the same trades and the
/// same journal on every run; no sockets, no credentials, no network.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Paper-trade one day against dhan-sim on virtual time, prove the journal replays exactly, and write the report."
    )

    @Option(help: "Directory for the demo's journal and report (its journal is replaced on each run).")
    var out: String = "out/demo"

    @Option(help: ConfigLoader.optionHelp)
    var config: String?

    @Option(help: "Simulated trading day (YYYY-MM-DD).")
    var date: String = "2025-11-04"

    @Option(
        help:
            "dhan-sim scenario file scripting the index paths (default: the built-in trend day; 'none' for the seeded random market)."
    )
    var scenario: String?

    @Option(help: "Seed of dhan-sim's market model.")
    var seed: UInt64 = 7

    func run() throws {
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try ConfigLoader.load(explicit: config)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        guard let day = CivilDate(iso: date) else { throw ValidationError("--date '\(date)' is not YYYY-MM-DD") }
        guard loaded.config.calendar.isTradingDay(day, exchange: .nse) else {
            throw ValidationError("--date \(day) is not an NSE trading day")
        }
        let journalPath = out + "/journal"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var setup = SessionSetup(
            seed: seed, date: day, plan: FaultPlan(profile: .documented), config: loaded.config, files: loaded.files,
            journalPath: journalPath)
        do {
            if let scenario, scenario != "none" {
                setup.scenario = try Scenario.parse(
                    try String(contentsOfFile: scenario, encoding: .utf8), source: scenario)
            } else if scenario == nil {
                setup.scenario = try Scenario.parse(BuiltinConfig.trendDayScenarioText, source: "built-in trend day")
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }

        // 1. One day against dhan-sim's broker on virtual time: feed packets, order alerts and REST bodies as
        //    the sockets would carry them, every input journaled before the engine folds it.
        print(
            "AlgoScalper demo: \(day) 09:14–15:35 IST against dhan-sim's broker on virtual time (seed \(seed)); paper trading \(loaded.config.indices.map(\.key).joined(separator: ", "))"
        )
        let started = Date()
        let outcome = try SimulatedSession(setup).run()
        let seconds = Date().timeIntervalSince(started)
        print(
            "journal: \(journalPath): \(grouped(outcome.records)) records (\(grouped(UInt64(outcome.orders))) orders) in \(String(format: "%.1f", seconds)) s"
        )
        if outcome.violations.isEmpty {
            print("invariants: all \(Invariant.allCases.count) held")
        } else {
            for violation in outcome.violations { printError("invariant broken: \(violation)") }
            throw ExitCode(1)
        }

        // 2. Replay it with the same reducers and no effects: every command must come out the same.
        let journal = try Journal.openForReading(at: journalPath)
        defer { journal.close() }
        let replayed = try JournalReplayer.replay(journal.reader)
        if let divergence = replayed.divergence {
            printError("error: the demo journal did not replay: seq \(divergence.seq): \(divergence.explanation)")
            throw ExitCode(3)
        }
        guard replayed.state.stateHash == outcome.stateHash else {
            printError(
                "error: replayed state hash \(replayed.state.stateHash) differs from the live \(outcome.stateHash)")
            throw ExitCode(3)
        }
        print(
            "replay: \(grouped(replayed.records)) records, \(grouped(replayed.commands)) commands identical; state hash \(outcome.stateHash)"
        )

        // 3. The report.
        let report = SessionReport(state: replayed.state)
        try report.html(title: "AlgoScalper demo: paper session against dhan-sim, \(day)").write(
            toFile: out + "/report.html", atomically: true, encoding: .utf8)
        try report.tradesCSV.write(toFile: out + "/trades.csv", atomically: true, encoding: .utf8)
        print(
            "result: \(report.trades.count) trades, net ₹\(report.totalNet) after charges, max drawdown ₹\(report.maxDrawdown)"
        )
        print("report: \(out)/report.html (trades: \(out)/trades.csv)")
        print("audit:  scalper journal dump \(journalPath) --kind place_order,fill  ·  scalper replay \(journalPath)")
    }
}
