import ArgumentParser
import BuiltinConfig
import DhanClient
import DhanSim
import Domain
import Engine
import Foundation
import Journal
import Logging
import MarketModel
import Recovery
import Replay
import Runtime
import Simulation

/// `scalper demo`: the README's main command.
///
/// Runs one trading day of `scalper run`'s own process (`TradingRuntime`, its live order path) against
/// dhan-sim's broker held in memory, on virtual time (`VirtualRuntime`), with the documentation's
/// well-behaved broker and the scripted trend day; checks every simulation invariant after every fold,
/// proves the journal replays exactly and writes the report. The same inputs give the same trades and the
/// same journal on every run; no sockets, no credentials, no network, no real broker.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Trade one day of scalper run against dhan-sim in memory on virtual time, prove the journal replays exactly, and write the report."
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
        try? FileManager.default.removeItem(atPath: journalPath)
        var world = SimConfiguration(date: day, calendar: loaded.config.calendar)
        world.seed = seed
        world.speed = 0
        world.startSecondOfDay = 9 * 3600 + 14 * 60
        world.openingBalance = loaded.config.paper.startingBalance
        do {
            if let scenario, scenario != "none" {
                world.scenario = try Scenario.parse(
                    try String(contentsOfFile: scenario, encoding: .utf8), source: scenario)
            } else if scenario == nil {
                world.scenario = try Scenario.parse(BuiltinConfig.trendDayScenarioText, source: "built-in trend day")
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }

        // 1. One day of scalper run's process against dhan-sim's broker on virtual time: feed packets, order
        //    alerts and REST bodies as the sockets would carry them, every input journaled before it is folded.
        print(
            "AlgoScalper demo: \(day) 09:14–15:35 IST, scalper run against dhan-sim's broker in memory on virtual time (seed \(seed)); trading \(loaded.config.indices.map(\.key).joined(separator: ", ")), no real broker"
        )
        let started = Date()
        let harness = VirtualRuntime(
            world: SimWorld(world, behaviour: SimBehaviour.profile("documented") ?? SimBehaviour()), seed: seed)
        let invariants = RuntimeInvariants(harness.transport)
        var ports = harness.ports
        ports.foldObserver = invariants
        var options = TradingRuntime.Options(
            journalPath: journalPath, mode: .live, configFiles: loaded.files, config: loaded.config,
            endpoints: VirtualRuntime.endpoints,
            credentials: .simulator)
        options.durability = .fast
        options.stopAtSecondOfDay = 15 * 3600 + 35 * 60
        options.snapshotEvery = 0
        options.masterDirectory = out + "/scrip-master"
        options.ports = ports
        let runtime = try TradingRuntime(
            options: options, clock: harness.clock, logger: Logger(label: "demo") { _ in SwiftLogNoOpLogHandler() })
        let ending = try harness.run(runtime, until: 15 * 3600 + 36 * 60)
        guard ending == .stopped,
            let live = harness.perform({ [runtime] in
                (await runtime.sequencer.state, await runtime.sequencer.orderCount)
            })
        else {
            printError("error: the session did not stop on its own (\(ending))")
            throw ExitCode(1)
        }
        let liveHash = live.0.stateHash
        let seconds = Date().timeIntervalSince(started)
        print(
            "journal: \(journalPath): \(grouped(live.0.lastSeq)) records (\(grouped(UInt64(live.1))) orders) in \(String(format: "%.1f", seconds)) s"
        )
        let violations = invariants.finish(state: live.0)
        if violations.isEmpty {
            print("invariants: all \(Invariant.allCases.count) held")
        } else {
            for violation in violations { printError("invariant broken: \(violation)") }
            throw ExitCode(1)
        }

        // 2. Replay it with the same reducers and no effects: every command must come out the same.
        let journal = try Journal.openForReading(at: journalPath)
        defer { journal.close() }
        var intraday = IntradaySeries()
        let replayed = try JournalReplayer.replay(journal.reader, everyMinute: { intraday.sample($0, at: $1) })
        if let divergence = replayed.divergence {
            printError("error: the demo journal did not replay: seq \(divergence.seq): \(divergence.explanation)")
            throw ExitCode(3)
        }
        guard replayed.state.stateHash == liveHash else {
            printError("error: replayed state hash \(replayed.state.stateHash) differs from the live \(liveHash)")
            throw ExitCode(3)
        }
        print(
            "replay: \(grouped(replayed.records)) records, \(grouped(replayed.commands)) commands identical; state hash \(liveHash)"
        )

        // 3. The report.
        var report = SessionReport(state: replayed.state)
        report.intraday = intraday.days
        try report.html(title: "AlgoScalper demo: scalper run against dhan-sim in memory, \(day)").write(
            toFile: out + "/report.html", atomically: true, encoding: .utf8)
        try report.tradesCSV.write(toFile: out + "/trades.csv", atomically: true, encoding: .utf8)
        print(
            "result: \(report.trades.count) trades, net ₹\(report.totalNet) after charges, max drawdown ₹\(report.maxDrawdown)"
        )
        print("report: \(out)/report.html (trades: \(out)/trades.csv)")
        print("audit:  scalper journal dump \(journalPath) --kind place_order,fill  ·  scalper replay \(journalPath)")
    }
}
