import ArgumentParser
import Domain
import Engine
import Foundation
import Simulation

/// `scalper simulate`: seeded sessions of `scalper run`'s process against an adversarial dhan-sim, on virtual time.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run seeded trading days against a misbehaving simulated DhanHQ and check the invariants.",
        discussion: """
            Each seed runs scalper run's own process (its sequencer, journal, timers and effect handlers, on the \
            live order path) against dhan-sim's broker in one thread on virtual time: feed packets, order \
            alerts and REST bodies cross as the bytes the sockets carry; the process is killed and started \
            again at seeded moments. \
            Profiles: documented (the docs' best case), observed (what integrators report from the live API), \
            hostile (every fault up). A failing seed prints one line (seed, day, invariant, seq, why), keeps \
            its journal for 'scalper replay', and names the fewest fault kinds that still fail. \
            Exit 0 when every invariant held, 1 otherwise.
            """)

    @Option(help: "Seeds to run, A-B (inclusive) or one number.")
    var seeds: String = "1-10"

    @Option(help: "Broker profile: documented, observed or hostile.")
    var profile: String = "observed"

    @Option(help: "Trading days per seed, from --date on.")
    var days: Int = 1

    @Option(help: "First simulated trading day (YYYY-MM-DD).")
    var date: String = "2025-11-04"

    @Option(help: "Fault kinds to inject instead of the profile's (comma-separated).")
    var faults: String?

    @Option(
        help: ArgumentHelp(
            "Kills of the engine per day instead of the profile's (with engine_restart; the profile's when absent).",
            valueName: "n"))
    var restarts: Int?

    @Option(help: "Directory for the sessions' journals (a failing session's journal stays there).")
    var out: String = "out/simulate"

    @Flag(help: "Do not search for the smallest set of fault kinds that still fails.")
    var noShrink = false

    @Flag(help: "Keep every session's journal under --out, not only the failing ones'.")
    var keep = false

    @Option(help: "Trade only these configured indices (comma-separated, e.g. NIFTY,SENSEX); default: all.")
    var index: String?

    @Option(
        help: ArgumentHelp(
            "Sessions to run at once, one thread each (default: the machine's cores). The output is the same for any number.",
            valueName: "n"))
    var jobs: Int?

    @Option(help: ConfigLoader.optionHelp)
    var config: String?

    func validate() throws {
        guard parsedSeeds() != nil else { throw ValidationError("--seeds must be A-B with A ≤ B, or one number") }
        guard BrokerProfile(rawValue: profile) != nil else {
            throw ValidationError(
                "--profile must be one of \(BrokerProfile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard days >= 1 else { throw ValidationError("--days must be at least 1") }
        guard CivilDate(iso: date) != nil else { throw ValidationError("--date must be YYYY-MM-DD") }
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be from 1 to 256") }
        if let restarts, !(0...200).contains(restarts) {
            throw ValidationError("--restarts must be from 0 to 200 kills a day")
        }
        if let faults, FaultKind.parseList(faults) == nil {
            throw ValidationError(
                "--faults takes a comma-separated list of \(FaultKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    private func parsedSeeds() -> ClosedRange<UInt64>? {
        let parts = seeds.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1, let one = UInt64(parts[0]) { return one...one }
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else {
            return nil
        }
        return low...high
    }

    func run() throws {
        let loaded: ConfigLoader.Loaded
        do { loaded = try ConfigLoader.load(explicit: config) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        var files = loaded.files
        var algo = loaded.config
        if let index {
            let keep = Set(index.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
            do {
                files = try IndexSelection.files(files, keeping: keep, configured: algo.indices.map(\.key))
                let text = files.first { $0.name == "algo.yml" }?.text ?? ""
                algo = try AlgoConfig.parse(yaml: text, file: "algo.yml", calendar: algo.calendar)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
        var runner = SimulationRunner(
            seeds: parsedSeeds()!, profile: BrokerProfile(rawValue: profile)!, days: days,
            firstDay: CivilDate(iso: date)!, config: algo, files: files, outDirectory: out)
        runner.kinds = faults.flatMap(FaultKind.parseList)
        runner.shrink = !noShrink
        runner.keepJournals = keep
        runner.restartsPerDay = restarts
        runner.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let total = runner.seeds.count * days
        var done = 0
        let summary = try runner.run { outcome in
            done += 1
            if let first = outcome.violations.first {
                print("seed \(outcome.seed) \(outcome.date): \(first.invariant) at seq \(first.seq): \(first.why)")
            }
            if done % 10 == 0 || done == total { printError("simulate: \(done)/\(total) sessions") }
        }
        for failure in summary.failures {
            let faults =
                failure.minimalFaults.map {
                    "; still fails with only: \($0.isEmpty ? "no faults" : $0.sorted().map(\.rawValue).joined(separator: ","))"
                } ?? ""
            print(
                "  seed \(failure.outcome.seed) \(failure.outcome.date): journal \(failure.outcome.journalPath) (scalper replay it)\(faults)"
            )
        }
        print(SimulationReport.table(summary, profile: runner.profile, seeds: runner.seeds, days: days))
        let perSecond = Double(summary.sessions) / max(summary.wallSeconds, 0.001)
        let threads = min(runner.jobs, max(summary.sessions, 1))
        printError(
            "simulate: \(summary.sessions) trading day(s) in \(String(format: "%.1f", summary.wallSeconds)) s wall on \(threads) thread(s) (\(String(format: "%.2f", perSecond)) simulated days per wall second, \(String(format: "%.2f", perSecond / Double(threads))) per thread)"
        )
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }
}
