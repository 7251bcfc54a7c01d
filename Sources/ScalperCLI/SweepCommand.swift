import ArgumentParser
import Domain
import Engine
import Foundation
import History
import Replay
import Synchronization

/// `scalper sweep`: parameter grids over backtests, walk-forward tests and heatmaps (docs/sweeps.md).
struct SweepGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Parameter sweeps over backtests: plan the grid, run it on this machine's cores, walk forward.",
        subcommands: [SweepPlanCommand.self, SweepRunCommand.self, SweepHeatmapCommand.self, SweepCellsCommand.self])
}

/// What every sweep command reads: the sweep file and the base configuration.
struct SweepInput: ParsableArguments {
    @Argument(help: "The sweep file (YAML: kind, data, vary; docs/sweeps.md).")
    var file: String

    @Option(help: ConfigLoader.optionHelp)
    var config: String?

    /// The plan and the base configuration; errors name the file and key, and exit 2.
    func load(announce: Bool = true) throws -> (plan: SweepPlan, configs: SweepConfigs, loaded: ConfigLoader.Loaded) {
        do {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigError(file: file, key: "", reason: "cannot read the file: \(error.localizedDescription)")
            }
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
            let plan = try SweepPlan.parse(text, file: file, folder: folder)
            let loaded = try ConfigLoader.load(explicit: config, announce: announce)
            let algo = loaded.files.first { $0.name == "algo.yml" }!.text
            let calendar = loaded.files.first { $0.name == "calendar.yml" }!.text
            let configs = SweepConfigs(
                algoText: algo, file: loaded.source.label, calendar: loaded.config.calendar, calendarText: calendar)
            try configs.validate(plan)
            return (plan, configs, loaded)
        } catch let error as ConfigError {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }
}

/// `scalper sweep plan FILE`: the cells, each with its stable id.
struct SweepPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Print the grid's cells (one backtest each, with a stable id); check every key.")

    @OptionGroup var input: SweepInput

    @Flag(help: "Only the cell ids, one a line (for a driver such as tools/sweep/ray_sweep.py).")
    var ids = false

    func run() async throws {
        let (plan, _, _) = try input.load(announce: !ids)
        let cells = plan.cells
        if ids {
            for cell in cells { print(cell.id) }
            return
        }
        print(
            "sweep: kind \(plan.kind.rawValue), \(cells.count) cell(s) over \(plan.axes.map { "\($0.key) (\($0.values.count))" }.joined(separator: " × "))"
        )
        print("data: \(plan.data.joined(separator: ", "))")
        let keys = plan.axes.map(\.key)
        let widths = keys.map { max($0.count, 6) }
        func row(_ first: String, _ columns: [String]) -> String {
            let padded = zip(columns, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }
            return String((first + "  " + padded.joined(separator: "  ")).reversed().drop { $0 == " " }.reversed())
        }
        print(row("cell".padding(toLength: 17, withPad: " ", startingAt: 0), keys))
        for cell in cells { print(row(cell.id, cell.overrides.map(\.value))) }
    }
}

/// `scalper sweep cells FILE --ids …`: a worker; runs the given cells and prints a result line for each.
struct SweepCellsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cells", abstract: "Run the given cells and print one result line each (a worker's job).",
        shouldDisplay: false)

    @OptionGroup var input: SweepInput

    @Option(help: "Cell ids, comma separated.")
    var ids: String?

    @Option(name: .customLong("ids-file"), help: "A file of cell ids, one a line.")
    var idsFile: String?

    @Option(help: "Scratch folder for engine cells' journals.")
    var scratch: String?

    func run() async throws {
        let (plan, configs, _) = try input.load(announce: false)
        var wanted: [Substring] = []
        if let ids { wanted += ids.split(separator: ",") }
        if let idsFile { wanted += try String(contentsOfFile: idsFile, encoding: .utf8).split(separator: "\n") }
        let byID = Dictionary(uniqueKeysWithValues: plan.cells.map { ($0.id, $0) })
        var cells: [SweepPlan.Cell] = []
        for id in wanted {
            guard let cell = byID[String(id)] else {
                printError("error: no cell \(id) in \(input.file) (scalper sweep plan lists them)")
                throw ExitCode(64)
            }
            cells.append(cell)
        }
        let folder = scratch ?? NSTemporaryDirectory() + "/scalper-sweep-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if scratch == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let evaluator: SweepEvaluator
        do {
            evaluator = try SweepEvaluator(
                plan: plan, configs: configs, scratch: folder,
                historyRoot: HistoryStore.defaultRoot(environment: ProcessInfo.processInfo.environment))
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        for cell in cells {
            do {
                let line = SweepFiles.line(try evaluator.run(cell)) + "\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

/// `scalper sweep heatmap FILE --out DIR --x KEY --y KEY`: a heatmap of a finished sweep over any two keys.
struct SweepHeatmapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heatmap", abstract: "Write a self-contained HTML heatmap of a sweep over two swept keys.")

    @OptionGroup var input: SweepInput

    @Option(help: "The sweep's output folder (as given to sweep run).")
    var out: String = "out/sweep"

    @Option(help: "The swept key across (columns).")
    var x: String

    @Option(help: "The swept key down (rows).")
    var y: String

    @Option(help: "The figure: net, sharpe, profit_factor, win_rate, max_drawdown or trades.")
    var metric: String = "net"

    @Option(help: "The HTML file to write (default: DIR/heatmap-X-Y.html).")
    var file: String?

    func run() async throws {
        guard let metric = SweepMetric(rawValue: metric) else {
            printError("error: --metric must be one of \(SweepMetric.allCases.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(64)
        }
        let (plan, _, _) = try input.load(announce: false)
        guard let text = try? String(contentsOfFile: out + "/cells.tsv", encoding: .utf8) else {
            printError("error: \(out)/cells.tsv is missing: run scalper sweep run \(input.file) --out \(out) first")
            throw ExitCode(1)
        }
        let report = SweepReport(plan: plan, results: SweepFiles.results(in: text))
        let section: String
        do {
            section = try report.heatmap(x: x, y: y, metric: metric)
        } catch {
            printError("error: \(error)")
            throw ExitCode(64)
        }
        let path = file ?? "\(out)/heatmap-\(x)-\(y).html"
        try report.page(sections: [section]).write(toFile: path, atomically: true, encoding: .utf8)
        print("heatmap: \(path)")
    }
}
