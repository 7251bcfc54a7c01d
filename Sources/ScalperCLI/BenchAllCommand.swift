import ArgumentParser
import Foundation

extension BenchGroup {
    /// `scalper bench all`: every benchmark in one run, written as JSON for `bench compare`.
    struct AllBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "all",
            abstract: "Run every benchmark and write each figure, with its baseline, as JSON.",
            discussion: """
                In-process: the journal against raw LMDB, indicators, the engine, replay beside the bare scan, \
                the scrip master, feed decode, REST to dhan-sim, tick to exit, the burst on group commit and the \
                year backtest. Whole process (this binary run again): --help, the demo, simulated days per \
                second, and with python3 and the repository's tools/ folder the index study beside plain \
                CPython, a restart on a full day's journal, scalper run's memory over a session, and the option \
                backtest on recorded premiums beside the model-premium one. A step that cannot run here is \
                listed under "skipped" with the reason. Use a release build.
                """)

        @Option(help: "Write the figures here (JSON).")
        var json: String

        @Option(help: "Only these steps (comma-separated; see --list).")
        var only: String?

        @Flag(help: "List the steps and exit.")
        var list = false

        @Flag(help: "Small sizes for a quick check of the machinery (figures not comparable with a full run).")
        var quick = false

        @Option(help: "The repository's tools/ folder (python scripts for the CPython baseline and the runs).")
        var tools = "tools"

        @Option(help: "The dhan-sim binary (default: beside this one).")
        var dhanSim: String?

        /// The steps in the order they run.
        static let steps = [
            "journal", "indicators", "engine", "replay", "master", "feed", "chain", "rest", "exit", "burst", "backtest",
            "backtest-process",
            "help",
            "demo", "simulate", "study", "restart", "memory", "premiums",
        ]

        func run() async throws {
            if list {
                print(Self.steps.joined(separator: "\n"))
                return
            }
            let chosen = only.map { $0.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) } }
            if let unknown = chosen?.first(where: { !Self.steps.contains($0) }) {
                throw ValidationError("--only: no step '\(unknown)' (steps: \(Self.steps.joined(separator: ", ")))")
            }
            let began = Date()
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("scalper-bench-\(getpid())")
                .path
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let runner = BenchSteps(
                quick: quick, scratch: scratch, tools: tools,
                dhanSim: dhanSim ?? (BenchSteps.selfPath as NSString).deletingLastPathComponent + "/dhan-sim")
            _ = BenchFigures.take()
            var skipped: [String: String] = [:]
            for step in Self.steps where chosen?.contains(step) ?? true {
                print("### \(step)")
                do {
                    try await runner.run(step)
                } catch let reason as BenchSteps.Skip {
                    print("skipped: \(reason.why)")
                    skipped[step] = reason.why
                } catch {
                    print("failed: \(error)")
                    skipped[step] = "failed: \(error)"
                }
            }
            let formatter = ISO8601DateFormatter()
            let report = BenchReport(
                scalperVersion: Scalper.version, date: formatter.string(from: began),
                host: ProcessInfo.processInfo.hostName, cores: ProcessInfo.processInfo.activeProcessorCount,
                figures: BenchFigures.take(), skipped: skipped)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
            print(
                "\(report.figures.count) figures written to \(json)"
                    + (skipped.isEmpty ? "" : "; skipped: \(skipped.keys.sorted().joined(separator: ", "))"))
        }
    }
}
