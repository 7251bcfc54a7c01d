import ArgumentParser
import Domain
import Foundation
import Replay
import Synchronization

/// `scalper sweep run FILE --workers N --out DIR`: every cell not yet finished, on worker processes.
///
/// Each worker is this binary's `sweep cells`: it parses the data once and runs its share of the cells,
/// printing a line per finished cell, which this process appends to `DIR/cells.tsv` at once. A run that is
/// stopped (even by SIGKILL) loses at most the cells in progress; the next run skips every finished one.
struct SweepRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a sweep's cells on worker processes; resumable; results.csv, daily.csv, report.html.",
        discussion: """
            Writes to --out: cells.tsv (the finished cells as they finish; a later run skips them), results.csv \
            (a row per cell: its parameters, trades, win rate, net, profit factor, maximum drawdown and Sharpe \
            ratio of daily net), daily.csv (each cell's net on each trading day), report.html (a heatmap over the \
            first two swept keys, and the walk-forward windows), and with --walk-forward walk_forward.csv. Net \
            is index points for kind: proxy and rupees after charges for kind: engine.
            """)

    @OptionGroup var input: SweepInput

    @Option(help: "Worker processes (default: one per core).")
    var workers: Int?

    /// `--workers`, or one per core.
    private var workerCount: Int { workers ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(help: "Output folder.")
    var out: String = "out/sweep"

    @Option(
        name: .customLong("walk-forward"),
        help:
            "TRAIN:TEST in trading days, e.g. 120d:20d: pick the best cell on each training window by --objective and report it on the next window."
    )
    var walkForward: String?

    @Option(help: "What 'best' means: net, sharpe, profit_factor, win_rate, max_drawdown (lowest) or trades.")
    var objective: String = "net"

    func validate() throws {
        if let workers, !(1...256).contains(workers) { throw ValidationError("--workers must be 1 to 256") }
        if let walkForward, WalkForward.lengths(walkForward) == nil {
            throw ValidationError("--walk-forward must be TRAIN:TEST trading days, such as 120d:20d")
        }
        guard SweepMetric(rawValue: objective) != nil else {
            throw ValidationError(
                "--objective must be one of \(SweepMetric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let (plan, configs, _) = try input.load()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try checkBase(configs.algoText)
        let store = out + "/cells.tsv"
        if !FileManager.default.fileExists(atPath: store) {
            _ = FileManager.default.createFile(atPath: store, contents: nil)
        }
        let cells = plan.cells
        var held = try String(contentsOfFile: store, encoding: .utf8)
        if !held.isEmpty && !held.hasSuffix("\n") {
            // A stopped run's last line, cut short: dropped, so the next result starts a line of its own.
            held = held.lastIndex(of: "\n").map { String(held[...$0]) } ?? ""
            try held.write(toFile: store, atomically: true, encoding: .utf8)
            printError("sweep: dropped the unfinished last line of \(store) (a stopped run's)")
        }
        let known = SweepFiles.results(in: held)
        let todo = cells.filter { known[$0.id] == nil }
        let started = ContinuousClock.now
        if !todo.isEmpty {
            printError(
                "sweep: \(todo.count) of \(cells.count) cell(s) to run (\(cells.count - todo.count) already finished) on \(min(workerCount, todo.count)) worker(s)"
            )
            try runWorkers(todo, total: cells.count, finished: cells.count - todo.count, store: store)
        }
        let seconds = (ContinuousClock.now - started).seconds
        let results = SweepFiles.results(in: try String(contentsOfFile: store, encoding: .utf8))
        let missing = cells.filter { results[$0.id] == nil }
        guard missing.isEmpty else {
            printError("error: \(missing.count) cell(s) have no result (first: \(missing[0].id)); run again to resume")
            throw ExitCode(1)
        }
        try SweepFiles.resultsCSV(plan: plan, results: results).write(
            toFile: out + "/results.csv", atomically: true, encoding: .utf8)
        try SweepFiles.dailyCSV(plan: plan, results: results).write(
            toFile: out + "/daily.csv", atomically: true, encoding: .utf8)
        let report = SweepReport(plan: plan, results: results)
        var sections: [String] = []
        if plan.axes.count >= 2 {
            sections.append(try report.heatmap(x: plan.axes[0].key, y: plan.axes[1].key, metric: .net))
        }
        let unit = plan.kind == .proxy ? "points" : "₹"
        print(
            "sweep: \(cells.count) cell(s), \(todo.count) run now in \(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", Double(todo.count) / max(seconds, 0.001))) cells/s, \(min(workerCount, max(todo.count, 1))) worker(s))"
        )
        let ranked = cells.compactMap { results[$0.id] }.sorted { $0.net > $1.net }
        print("best by net:")
        let byID = Dictionary(uniqueKeysWithValues: cells.map { ($0.id, $0) })
        for result in ranked.prefix(5) {
            let values = byID[result.cell]!.overrides.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print(
                "  \(result.cell)  \(values)  net \(SweepFiles.fixed(result.net, 2)) \(unit), \(result.trades) trades, win \(SweepFiles.fixed(result.winRate * 100, 1))%, PF \(SweepFiles.fixed(result.profitFactor, 2)), Sharpe \(SweepFiles.fixed(result.sharpe, 2))"
            )
        }
        if let walkForward, let lengths = WalkForward.lengths(walkForward) {
            let walk = WalkForward(
                cells: cells, results: results, trainDays: lengths.train, testDays: lengths.test,
                objective: SweepMetric(rawValue: objective)!)
            try walk.csv(plan: plan).write(toFile: out + "/walk_forward.csv", atomically: true, encoding: .utf8)
            sections.append(report.walkForward(walk))
            let perDay = walk.netPerDay
            print(
                "walk-forward \(lengths.train)d:\(lengths.test)d by \(objective): \(walk.windows.count) window(s); net per day in sample \(SweepFiles.fixed(perDay.inSample, 2)), out of sample \(SweepFiles.fixed(perDay.outOfSample, 2)) \(unit)"
            )
        }
        try report.page(sections: sections).write(toFile: out + "/report.html", atomically: true, encoding: .utf8)
        print("results: \(out)/results.csv, \(out)/daily.csv, \(out)/report.html")
    }

    /// A folder started on another base configuration would mix results; refuse it.
    private func checkBase(_ algoText: String) throws {
        let path = out + "/base-algo.yml"
        if let held = try? String(contentsOfFile: path, encoding: .utf8) {
            guard held == algoText else {
                printError(
                    "error: \(out) holds results of another base configuration (\(path) differs); use a new --out or remove the folder"
                )
                throw ExitCode(1)
            }
        } else {
            try algoText.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// Starts the workers on round-robin shares of `todo` and appends each result line as it arrives.
    private func runWorkers(_ todo: [SweepPlan.Cell], total: Int, finished: Int, store: String) throws {
        let count = min(workerCount, todo.count)
        let appender = try FileHandle(forWritingTo: URL(fileURLWithPath: store))
        appender.seekToEndOfFile()
        let progress = Progress(total: total, done: finished, appender: appender)
        var processes: [Process] = []
        // A reader per worker's pipe; the group is done when every pipe has reached its end of file.
        let readers = DispatchGroup()
        let scratch = out + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        for worker in 0..<count {
            let ids = stride(from: worker, to: todo.count, by: count).map { todo[$0].id }
            let idsFile = scratch + "/worker-\(worker).ids"
            try (ids.joined(separator: "\n") + "\n").write(toFile: idsFile, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            var arguments = ["sweep", "cells", input.file, "--ids-file", idsFile, "--scratch", scratch]
            if let config = input.config { arguments += ["--config", config] }
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            DispatchQueue.global().async(group: readers) {
                var pending = Data()
                while true {
                    let chunk = pipe.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        progress.finished(line: pending[pending.startIndex...newline])
                        pending.removeSubrange(pending.startIndex...newline)
                    }
                }
            }
            processes.append(process)
        }
        var failed = false
        for process in processes {
            process.waitUntilExit()
            if process.terminationStatus != 0 { failed = true }
        }
        readers.wait()
        try appender.close()
        if standardErrorIsTerminal { printProgress("") }
        try? FileManager.default.removeItem(atPath: scratch)
        if failed {
            printError("error: a worker failed (its message is above); finished cells are kept, run again to resume")
            throw ExitCode(1)
        }
    }
}

/// Counts finished cells across the workers' reader threads, appends their lines, and shows the bar.
private final class Progress: Sendable {
    private struct Counts {
        var done: Int
        var lastShownTenth = -1
    }

    private let counts: Mutex<Counts>
    private let total: Int
    private let started = ContinuousClock.now
    private let startDone: Int
    private let appender: FileHandle

    init(total: Int, done: Int, appender: FileHandle) {
        self.total = total
        startDone = done
        counts = Mutex(Counts(done: done))
        self.appender = appender
    }

    func finished(line: Data) {
        counts.withLock { counts in
            appender.write(line)
            counts.done += 1
            let ranNow = counts.done - startDone
            let seconds = (ContinuousClock.now - started).seconds
            let rate = Double(ranNow) / max(seconds, 0.001)
            let eta = Double(total - counts.done) / max(rate, 0.001)
            let text =
                "sweep: \(counts.done)/\(total) cells \(bar(Double(counts.done) / Double(total))) \(String(format: "%.1f", rate)) cells/s, ETA \(String(format: "%.0f", eta)) s"
            if standardErrorIsTerminal {
                printProgress(text)
            } else if counts.done * 10 / total > counts.lastShownTenth {
                counts.lastShownTenth = counts.done * 10 / total
                printError(text)
            }
        }
    }

    private func bar(_ share: Double) -> String {
        let filled = Int((share * 20).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "]"
    }
}
