import ArgumentParser
import AsyncHTTPClient
import BuiltinConfig
import DhanClient
import DhanSim
import Domain
import Engine
import Foundation
import Indicators
import Journal
import Logging
import MarketModel
import Replay
import Runtime

/// `scalper demo`: the README's main command.
///
/// Starts dhan-sim in-process on a free local port, runs the real runtime (`scalper run`'s engine, sequencer,
/// feed and REST clients) in paper mode against it for one accelerated session, then replays the journal to
/// prove it exact and writes the report. Needs no credentials and no network beyond loopback.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Paper-trade one accelerated session against dhan-sim, prove the journal replays exactly, and write the report."
    )

    @Option(help: "Directory for the demo's journal and report (its journal is replaced on each run).")
    var out: String = "out/demo"

    @Option(help: ConfigLoader.optionHelp)
    var config: String?

    @Option(help: "Simulated trading day (YYYY-MM-DD).")
    var date: String = "2025-11-04"

    @Option(help: "Simulated seconds per wall second (250 runs the 09:15–15:31 session in about 90 s).")
    var speed: Double = 250

    @Option(
        help:
            "dhan-sim scenario file scripting the index paths (default: the built-in trend day; 'none' for the seeded random market)."
    )
    var scenario: String?

    @Option(help: "Seed of dhan-sim's market model.")
    var seed: UInt64 = 7

    func run() async throws {
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try ConfigLoader.load(explicit: config)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        guard let day = CivilDate(iso: date) else { throw ValidationError("--date '\(date)' is not YYYY-MM-DD") }
        guard speed > 0 else { throw ValidationError("--speed must be positive") }
        let journalPath = out + "/journal"
        try? FileManager.default.removeItem(atPath: journalPath)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

        // 1. dhan-sim in-process, and the runtime in paper mode against it, following its clock.
        var simConfiguration = SimConfiguration(date: day, calendar: loaded.config.calendar)
        simConfiguration.seed = seed
        simConfiguration.speed = speed
        simConfiguration.startSecondOfDay = 9 * 3600 + 14 * 60
        if scenario != "none" {
            do {
                simConfiguration.scenario =
                    if let scenario {
                        try Scenario.parse(try String(contentsOfFile: scenario, encoding: .utf8), source: scenario)
                    } else {
                        try Scenario.parse(BuiltinConfig.trendDayScenarioText, source: "built-in trend day")
                    }
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
        var quiet = Logger(label: "scalper")
        quiet.logLevel = .error
        var simLogger = Logger(label: "dhan-sim")
        simLogger.logLevel = .critical
        let sim = try await DhanSimulator.start(simConfiguration, logger: simLogger)
        print(
            "AlgoScalper demo: dhan-sim on 127.0.0.1:\(sim.port) simulating \(day) at \(Int(speed))x; paper trading \(loaded.config.indices.map(\.key).joined(separator: ", "))"
        )
        var options = TradingRuntime.Options(
            journalPath: journalPath, mode: .paper, configFiles: loaded.files, config: loaded.config,
            endpoints: .simulator(port: sim.port), credentials: .simulator)
        options.durability = .fast
        options.stopAtSecondOfDay = 15 * 3600 + 31 * 60
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let clock = try await SimulatorClock(restURL: sim.restBaseURL, http: http)
        let runtime = try TradingRuntime(options: options, clock: clock, logger: quiet)
        let started = ContinuousClock.now
        let progress = Task {
            var lastHour = -1
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                let state = await runtime.sequencer.state
                let hour = Int(state.now.istSecondOfDay) / 1800
                guard state.now.nanos > 0, hour != lastHour else { continue }
                lastHour = hour
                let traded = state.positions.filter { $0.entryFilled > 0 }
                print(
                    "  \(state.now.istString.suffix(12).prefix(5)) IST  \(traded.count) trades, \(state.openPositions.count) open, day net ₹\(state.dayNetPnL)\(state.dayRisk?.circuitTripped == true ? "  (circuit breaker tripped)" : "")"
                )
            }
        }
        try await runtime.run()
        progress.cancel()
        try await http.shutdown()
        await sim.stop()
        let recorded = await runtime.sequencer.state.stateHash
        let seconds = (ContinuousClock.now - started).seconds
        let journal = try Journal.openForReading(at: journalPath)
        let records = grouped(try journal.reader.lastSeq())
        print("journal: \(journalPath): \(records) records in \(String(format: "%.1f", seconds)) s")
        journal.close()

        // 2. Replay it with the same reducers and no effects: every command must come out the same.
        let replayed = try JournalReplayer.replay(try Journal.openForReading(at: journalPath).reader)
        if let divergence = replayed.divergence {
            printError("error: the demo journal did not replay: seq \(divergence.seq): \(divergence.explanation)")
            throw ExitCode(3)
        }
        guard replayed.state.stateHash == recorded else {
            printError("error: replayed state hash \(replayed.state.stateHash) differs from the live \(recorded)")
            throw ExitCode(3)
        }
        print(
            "replay: \(grouped(replayed.records)) records, \(grouped(replayed.commands)) commands identical; state hash \(recorded)"
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
