import ArgumentParser
import Foundation

/// The steps of `scalper bench all`: each runs one benchmark, in this process or as a child process, and
/// records its figures in `BenchFigures`.
struct BenchSteps {
    /// A step that cannot run here, and why.
    struct Skip: Error {
        var why: String
    }

    let quick: Bool
    let scratch: String
    let tools: String
    let dhanSim: String

    /// This binary, for the whole-process figures.
    static var selfPath: String { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path }

    func run(_ step: String) async throws {
        switch step {
        case "journal": try await journal()
        case "indicators":
            let bench = try BenchGroup.IndicatorsBench.parse(quick ? ["--bars", "20000", "--ticks", "50000"] : [])
            try await bench.run()
        case "engine":
            let bench = try BenchGroup.EngineBench.parse(quick ? ["--minutes", "30"] : [])
            try await bench.run()
        case "replay":
            let bench = try BenchGroup.ReplayBench.parse(quick ? ["--events", "20000"] : [])
            try await bench.run()
        case "master":
            let bench = try BenchGroup.MasterBench.parse(quick ? ["--rows", "2000"] : [])
            try await bench.run()
        case "feed":
            let bench = try BenchGroup.FeedBench.parse(quick ? ["--packets", "100000"] : [])
            try await bench.run()
        case "chain":
            let bench = try BenchGroup.ChainBench.parse(quick ? ["--chains", "50"] : [])
            try await bench.run()
        case "rest":
            let bench = try BenchGroup.RESTBench.parse(["--requests", quick ? "5" : "100"])
            try await bench.run()
        case "exit":
            let bench = try BenchGroup.ExitLatencyBench.parse(quick ? ["--exits", "50"] : [])
            try await bench.run()
        case "burst":
            let bench = try BenchGroup.BurstBench.parse(
                quick
                    ? ["--rate", "1000", "--seconds", "1", "--producers", "1,2", "--durability", "fast"]
                    : ["--rate", "10000", "--seconds", "60", "--producers", "1,8", "--durability", "both"])
            try await bench.run()
        case "backtest":
            if quick { throw Skip(why: "a year of bars is not quick") }
            let bench = try BenchGroup.BacktestBench.parse([])
            try await bench.run()
        case "backtest-process": try backtestProcess()
        case "help": try help()
        case "demo": try demo()
        case "simulate": try simulate()
        case "study": try study()
        case "restart": try restart()
        case "memory": try memory()
        case "premiums": try premiums()
        default: throw Skip(why: "no such step")
        }
    }

    // MARK: - In process

    private func journal() async throws {
        let events = quick ? "20000" : "1000000"
        for mode in ["fast", "durable"] {
            let bench = try JournalGroup.Bench.parse(
                [scratch + "/journal-\(mode)", "--events", events, "--batch", "1000", "--mode", mode, "--baseline"])
            try await bench.run()
        }
        let group = try JournalGroup.Bench.parse(
            [scratch + "/journal-group", "--events", quick ? "2000" : "20000", "--producers", "8", "--mode", "durable"])
        try await group.run()
    }

    // MARK: - Whole process

    /// A child process's exit status, what it printed (stdout and stderr together) and its wall time.
    struct Ran {
        var status: Int32
        var output: String
        var seconds: Double
    }

    /// Runs `executable` to its end, its output in a file (a pipe nobody reads would stall it).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, in scratch: String
    )
        throws -> Ran
    {
        let log = scratch + "/child-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = handle
        process.standardError = handle
        let started = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let seconds = (ContinuousClock.now - started).seconds
        try handle.close()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return Ran(status: process.terminationStatus, output: output, seconds: seconds)
    }

    /// Runs this binary with `arguments`; a failure stops the step with the tail of its output.
    @discardableResult
    private func scalper(_ arguments: [String]) throws -> Ran {
        let ran = try Self.run(Self.selfPath, arguments, in: scratch)
        guard ran.status == 0 else {
            throw Skip(
                why: "scalper \(arguments.first ?? "") exited \(ran.status): \(ran.output.suffix(300))")
        }
        return ran
    }

    private func help() throws {
        var times: [Double] = []
        for _ in 0..<5 { times.append(try scalper(["--help"]).seconds) }
        times.sort()
        print("scalper --help: \(String(format: "%.3f", times[2])) s (median of 5)")
        BenchFigures.record("process.help_seconds", times[2], unit: "s", better: .lower)
    }

    private func demo() throws {
        let ran = try scalper(["demo", "--out", scratch + "/demo"])
        print("scalper demo, whole process: \(String(format: "%.2f", ran.seconds)) s")
        BenchFigures.record("process.demo_seconds", ran.seconds, unit: "s", better: .lower)
    }

    /// The year backtest as a user runs it: a child process, from start to exit (the bars generated, the engine
    /// run, the journal closed and removed).
    private func backtestProcess() throws {
        if quick { throw Skip(why: "a year of bars is not quick") }
        let ran = try scalper(["bench", "backtest"])
        print("scalper bench backtest, whole process: \(String(format: "%.2f", ran.seconds)) s")
        BenchFigures.record("process.year_backtest_seconds", ran.seconds, unit: "s", better: .lower)
    }

    /// Simulated days a wall second on one core: one session at a time (`--jobs 1`), whole process.
    private func simulate() throws {
        let seeds = quick ? 1 : 3
        for profile in ["documented", "observed"] {
            let ran = try scalper(
                [
                    "simulate", "--seeds", "1-\(seeds)", "--profile", profile, "--no-shrink", "--jobs", "1", "--out",
                    scratch + "/sim-\(profile)",
                ])
            let rate = Double(seeds) / ran.seconds
            print(
                "scalper simulate, \(profile), \(seeds) day(s) on one core: \(String(format: "%.2f", rate)) simulated days/s (whole process)"
            )
            BenchFigures.record(
                "process.simulate_\(profile)_days_per_second_per_core", rate, unit: "days/s", better: .higher)
        }
    }

    private var python: String {
        get throws {
            for path in ["/usr/bin/python3", "/usr/local/bin/python3"]
            where FileManager.default.isExecutableFile(atPath: path) {
                return path
            }
            throw Skip(why: "python3 is not installed")
        }
    }

    private func script(_ name: String) throws -> String {
        let path = tools + "/" + name
        guard FileManager.default.fileExists(atPath: path) else {
            throw Skip(why: "\(path) not found (run from the repository, or pass --tools)")
        }
        return path
    }

    private func study() throws {
        let python = try python
        let make = try script("make-study-csv.py")
        let baseline = try script("proxy-study-baseline.py")
        let made = try Self.run(python, [make, scratch], in: scratch)
        guard made.status == 0 else { throw Skip(why: "make-study-csv.py failed: \(made.output.suffix(300))") }
        let csv = ["NIFTY", "BANKNIFTY", "SENSEX"].map { scratch + "/\($0)_1m.csv" }
        var swift: [Double] = []
        var cpython: [Double] = []
        // Alternate the two, three times each, and keep each one's median: the machine's noise hits both.
        for round in 0..<3 {
            let out = scratch + "/study-\(round)"
            swift.append(
                try scalper(["backtest", "--proxy", "index"] + csv.flatMap { ["--data", $0] } + ["--out", out]).seconds)
            let ran = try Self.run(python, [baseline, scratch + "/study-py.csv"] + csv, in: scratch)
            guard ran.status == 0 else { throw Skip(why: "the CPython baseline failed: \(ran.output.suffix(300))") }
            cpython.append(ran.seconds)
            guard FileManager.default.contentsEqual(atPath: out + "/trades.csv", andPath: scratch + "/study-py.csv")
            else {
                throw Skip(why: "the CPython baseline's trades.csv differs from scalper's")
            }
        }
        swift.sort()
        cpython.sort()
        print(
            "index signal study from CSV (281,250 bars): scalper \(String(format: "%.2f", swift[1])) s, plain CPython \(String(format: "%.2f", cpython[1])) s (\(String(format: "%.1f", cpython[1] / swift[1]))x); trades.csv identical"
        )
        BenchFigures.record(
            "process.index_study_seconds", swift[1], unit: "s", better: .lower,
            baseline: .init(name: "plain CPython, same rules", value: cpython[1]))
    }

    private func restart() throws {
        let python = try python
        let tool = try script("restart-time.py")
        guard FileManager.default.isExecutableFile(atPath: dhanSim) else { throw Skip(why: "\(dhanSim) not found") }
        try scalper(["simulate", "--seeds", "1", "--profile", "documented", "--keep", "--out", scratch + "/day"])
        guard
            let kept = try FileManager.default.contentsOfDirectory(atPath: scratch + "/day").first(where: {
                $0.hasPrefix("documented-seed-1-")
            })
        else { throw Skip(why: "the simulated day's journal was not kept") }
        let ran = try Self.run(
            python, [tool, Self.selfPath, dhanSim, scratch + "/day/" + kept, quick ? "1" : "5"], in: scratch)
        guard ran.status == 0, let median = Self.number(after: "median ", in: ran.output) else {
            throw Skip(why: "restart-time.py failed: \(ran.output.suffix(300))")
        }
        print(ran.output.split(separator: "\n").last.map(String.init) ?? "")
        BenchFigures.record("process.restart_ms", median, unit: "ms", better: .lower)
    }

    private func memory() throws {
        if quick { throw Skip(why: "a whole session is not quick") }
        let python = try python
        let tool = try script("run-memory.py")
        guard FileManager.default.isExecutableFile(atPath: dhanSim) else { throw Skip(why: "\(dhanSim) not found") }
        let ran = try Self.run(python, [tool, Self.selfPath, dhanSim], in: scratch)
        guard ran.status == 0, let peak = Self.number(after: "peak RSS ", in: ran.output),
            let first = Self.number(after: "10:00 ", in: ran.output),
            let last = Self.number(after: "15:00 ", in: ran.output)
        else { throw Skip(why: "run-memory.py failed: \(ran.output.suffix(300))") }
        print(ran.output.split(separator: "\n").last.map(String.init) ?? "")
        // Flat means the afternoon's heap stays at the morning's (the journal's map pages grow with it).
        BenchFigures.record("process.run_anonymous_rss_10_00_mb", first, unit: "MB", better: .lower)
        BenchFigures.record("process.run_anonymous_rss_15_00_mb", last, unit: "MB", better: .lower)
        BenchFigures.record("process.run_rss_peak_mb", peak, unit: "MB", better: .lower)
    }

    /// The option backtest on a year of recorded premiums (fetched from dhan-sim) beside the model-premium
    /// backtest over the same index candles.
    private func premiums() throws {
        if quick { throw Skip(why: "a year of recorded premiums is not quick") }
        guard FileManager.default.isExecutableFile(atPath: dhanSim) else { throw Skip(why: "\(dhanSim) not found") }
        let log = scratch + "/dhan-sim.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: dhanSim)
        sim.arguments = ["--port", "0", "--date", "2026-01-05", "--speed", "0"]
        sim.standardOutput = handle
        sim.standardError = handle
        try sim.run()
        defer {
            sim.terminate()
            sim.waitUntilExit()
        }
        var port: Int?
        for _ in 0..<200 where port == nil {
            usleep(50_000)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            port = Self.number(after: "listening on 127.0.0.1:", in: text).map { Int($0) }
        }
        guard let port else { throw Skip(why: "dhan-sim did not start") }
        let store = scratch + "/store"
        let rest = "http://127.0.0.1:\(port)/v2"
        let credentials = ["DHAN_CLIENT_ID": "SIMCLIENT", "DHAN_ACCESS_TOKEN": "SIMTOKEN"]
        for arguments in [
            ["--index", "NIFTY,SENSEX"], ["--index", "BANKNIFTY", "--expiry", "month"],
        ] {
            let ran = try Self.run(
                Self.selfPath,
                ["history", "fetch"] + arguments + [
                    "--from", "2025-01-01", "--to", "2025-12-31", "--store", store, "--dhan-rest", rest,
                ],
                environment: credentials, in: scratch)
            guard ran.status == 0 else { throw Skip(why: "history fetch failed: \(ran.output.suffix(300))") }
        }
        let recorded = try scalper(
            [
                "backtest", "--options", "history", "--store", store, "--from", "2025-01-15", "--to", "2025-12-31",
                "--journal",
                scratch + "/recorded", "--out", scratch + "/recorded-out",
            ])
        var data: [String] = []
        for index in ["NIFTY", "BANKNIFTY", "SENSEX"] {
            let exported = try scalper(
                [
                    "history", "export", "--store", store, "--index", index, "--series", "index/1m", "--from",
                    "2025-01-05", "--to", "2025-12-31",
                ])
            // The export's columns 4-9 are the candle file's (the two in front name the series).
            var lines = ["timestamp,open,high,low,close,volume"]
            for line in exported.output.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                guard fields.count >= 9 else { continue }
                lines.append(fields[3..<9].joined(separator: ","))
            }
            let path = scratch + "/\(index)_2025.csv"
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            data += ["--data", path]
        }
        let model = try scalper(
            ["backtest"] + data + [
                "--from", "2025-01-15", "--to", "2025-12-31", "--journal", scratch + "/model", "--out",
                scratch + "/model-out",
            ])
        print(
            "option backtest on recorded premiums, 2025, three indices: \(String(format: "%.1f", recorded.seconds)) s; the model-premium backtest over the same candles: \(String(format: "%.1f", model.seconds)) s"
        )
        BenchFigures.record(
            "process.recorded_premiums_year_seconds", recorded.seconds, unit: "s", better: .lower,
            baseline: .init(name: "model-premium backtest, same candles", value: model.seconds))
    }

    /// The number printed right after the first `marker` (digits, a sign, a point and thousands commas).
    static func number(after marker: String, in text: String) -> Double? {
        guard let range = text.range(of: marker) else { return nil }
        let digits = text[range.upperBound...].prefix { "+-0123456789.,".contains($0) }.filter { $0 != "," }
        return Double(digits)
    }
}
