import EngineTestSupport
import Foundation
import TestSupport
import Testing

@Suite("scalper sweep")
struct SweepCommandTests {
    static let nifty = ReferenceData.path("dhan/nifty-intraday-1m-2025-10-24..31.json")
    static let config = Fixtures.path("config/algo.yml")

    /// A sweep file over the real NIFTY week, written into `scratch` with the data beside it.
    static func sweepFile(_ scratch: TemporaryDirectory, kind: String = "proxy", vary: String) throws -> String {
        try FileManager.default.copyItem(atPath: nifty, toPath: scratch.sub("NIFTY_1m.json"))
        let file = scratch.sub("sweep.yml")
        try "kind: \(kind)\ndata: [NIFTY_1m.json]\nvary:\n\(vary)".write(
            toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    static let grid =
        "  signals.supertrend.multiplier: [2.0, 3.0, 4.0]\n  signals.adx.min_strength: { from: 15, to: 25, step: 5 }\n"

    @Test("plan prints every cell with its id (golden), or only the ids")
    func plan() throws {
        let scratch = TemporaryDirectory()
        let file = try Self.sweepFile(scratch, vary: Self.grid)
        let result = try Executables.scalper("sweep", "plan", file, "--config", Self.config)
        #expect(result.status == 0)
        try expectGolden(
            result.stdout.replacingOccurrences(of: scratch.path, with: "DIR"),
            "Tests/ScalperCLITests/Golden/sweep-plan.txt")
        let ids = try Executables.scalper("sweep", "plan", file, "--ids", "--config", Self.config)
        #expect(ids.stdout.split(separator: "\n").count == 9)
        #expect(ids.stderr.isEmpty)
    }

    @Test("an unknown key, or one the proxy does not read, is refused with the key and reason (exit 2)")
    func refused() throws {
        let scratch = TemporaryDirectory()
        let file = try Self.sweepFile(scratch, vary: "  signals.supertrend.multipler: [2.0, 3.0]\n")
        let typo = try Executables.scalper("sweep", "plan", file, "--config", Self.config)
        #expect(typo.status == 2)
        #expect(
            typo.stderr.contains("signals.supertrend.multipler: with signals.supertrend.multipler = 2.0: unknown key"))
        try "kind: proxy\ndata: [NIFTY_1m.json]\nvary:\n  risk.tp_pct: [0.5, 0.6]\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        let unread = try Executables.scalper("sweep", "run", file, "--config", Self.config, "--out", scratch.sub("o"))
        #expect(unread.status == 2)
        #expect(unread.stderr.contains("risk.tp_pct: the index proxy study does not read it"))
    }

    @Test("run on two workers writes a row per cell; a run after a kill resumes and gives the same files")
    func runAndResume() throws {
        let scratch = TemporaryDirectory()
        let file = try Self.sweepFile(scratch, vary: Self.grid)
        let whole = scratch.sub("whole")
        let first = try Executables.scalper(
            "sweep", "run", file, "--config", Self.config, "--workers", "2", "--out", whole, "--walk-forward", "2d:1d")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("sweep: 9 of 9 cell(s) to run (0 already finished) on 2 worker(s)"))
        let results = try String(contentsOfFile: whole + "/results.csv", encoding: .utf8)
        let rows = results.split(separator: "\n")
        #expect(rows.count == 10)
        #expect(
            rows[0]
                == "cell,signals.supertrend.multiplier,signals.adx.min_strength,unit,trades,win_rate,net,profit_factor,max_drawdown,sharpe"
        )
        #expect(rows.dropFirst().allSatisfy { $0.split(separator: ",").count == 10 && $0.contains(",points,") })
        #expect(first.stdout.contains("walk-forward 2d:1d by net: "))
        let walk = try String(contentsOfFile: whole + "/walk_forward.csv", encoding: .utf8)
        #expect(walk.split(separator: "\n").count > 1)
        let html = try String(contentsOfFile: whole + "/report.html", encoding: .utf8)
        #expect(html.contains("net by signals.supertrend.multiplier and signals.adx.min_strength"))
        #expect(html.contains("Walk-forward: 2 training days, 1 test days"))

        // A run killed after three cells: its store holds three whole lines and one cut short.
        let resumed = scratch.sub("resumed")
        try FileManager.default.createDirectory(atPath: resumed, withIntermediateDirectories: true)
        let lines = try String(contentsOfFile: whole + "/cells.tsv", encoding: .utf8).split(separator: "\n")
        let partial = lines.prefix(3).joined(separator: "\n") + "\n" + lines[3].prefix(20)
        try partial.write(toFile: resumed + "/cells.tsv", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: whole + "/base-algo.yml", toPath: resumed + "/base-algo.yml")
        let again = try Executables.scalper(
            "sweep", "run", file, "--config", Self.config, "--workers", "2", "--out", resumed, "--walk-forward",
            "2d:1d")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("sweep: 6 of 9 cell(s) to run (3 already finished)"))
        for name in ["results.csv", "daily.csv", "walk_forward.csv", "report.html"] {
            #expect(
                try String(contentsOfFile: resumed + "/" + name, encoding: .utf8)
                    == String(contentsOfFile: whole + "/" + name, encoding: .utf8), "\(name)")
        }
        // Finished: nothing runs again.
        let done = try Executables.scalper("sweep", "run", file, "--config", Self.config, "--out", resumed)
        #expect(done.status == 0 && !done.stderr.contains("to run"))
        #expect(try String(contentsOfFile: resumed + "/results.csv", encoding: .utf8) == results)

        let heatmap = try Executables.scalper(
            "sweep", "heatmap", file, "--config", Self.config, "--out", whole, "--x", "signals.adx.min_strength", "--y",
            "signals.supertrend.multiplier", "--metric", "sharpe")
        #expect(heatmap.status == 0)
        let page = try String(
            contentsOfFile: whole + "/heatmap-signals.adx.min_strength-signals.supertrend.multiplier.html",
            encoding: .utf8)
        #expect(page.contains("sharpe by signals.adx.min_strength and signals.supertrend.multiplier"))
        #expect(page.components(separatedBy: "<td style=").count == 10)
    }

    @Test("a run killed with SIGKILL mid-sweep resumes: only the unfinished cells run, and the files are the same")
    func killedAndResumed() throws {
        let scratch = TemporaryDirectory()
        let file = try Self.sweepFile(
            scratch,
            vary:
                "  signals.supertrend.multiplier: { from: 1.0, to: 5.95, step: 0.05 }\n  signals.adx.period: [10, 14]\n"
        )
        let whole = try Executables.scalper(
            "sweep", "run", file, "--config", Self.config, "--workers", "2", "--out", scratch.sub("whole"))
        #expect(whole.status == 0, "\(whole.stderr)")
        // The same sweep, killed as soon as it reports its first tenth done.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Executables.scalper)
        process.arguments = [
            "sweep", "run", file, "--config", Self.config, "--workers", "2", "--out", scratch.sub("killed"),
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while !seen.contains("cells ["), case let chunk = errors.fileHandleForReading.availableData, !chunk.isEmpty {
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "killed before it finished")
        let again = try Executables.scalper(
            "sweep", "run", file, "--config", Self.config, "--workers", "2", "--out", scratch.sub("killed"))
        #expect(again.status == 0, "\(again.stderr)")
        let resumed = try #require(
            again.stderr.split(separator: "\n").first { $0.hasPrefix("sweep: ") && $0.contains(" to run (") })
        let counts = resumed.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "(")))
        }
        #expect(counts.count >= 3 && counts[1] == 200, "\(resumed)")
        #expect(
            counts[0] > 0 && counts[0] < 200 && counts[0] + counts[2] == 200,
            "some cells were left, the rest kept: \(resumed)")
        for name in ["results.csv", "daily.csv", "report.html"] {
            #expect(
                try String(contentsOfFile: scratch.sub("killed/\(name)"), encoding: .utf8)
                    == String(contentsOfFile: scratch.sub("whole/\(name)"), encoding: .utf8), "\(name)")
        }
    }

    @Test("a folder of another base configuration is refused, not mixed")
    func otherBase() throws {
        let scratch = TemporaryDirectory()
        let file = try Self.sweepFile(scratch, vary: "  signals.supertrend.multiplier: [2.0, 3.0]\n")
        let out = scratch.sub("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "mode: paper\n".write(toFile: out + "/base-algo.yml", atomically: true, encoding: .utf8)
        let result = try Executables.scalper("sweep", "run", file, "--config", Self.config, "--out", out)
        #expect(result.status == 1)
        #expect(result.stderr.contains("holds results of another base configuration"))
    }

    @Test("an engine cell makes what scalper backtest makes with the same settings")
    func engineCell() throws {
        let scratch = TemporaryDirectory()
        let file = try Self.sweepFile(scratch, kind: "engine", vary: "  risk.sl_pct: [0.3, 0.2]\n")
        let swept = try Executables.scalper(
            "sweep", "run", file, "--config", Self.config, "--workers", "1", "--out", scratch.sub("out"))
        #expect(swept.status == 0, "\(swept.stderr)")
        let row = try String(contentsOfFile: scratch.sub("out/results.csv"), encoding: .utf8)
            .split(separator: "\n")[1].split(separator: ",")
        #expect(row[1] == "0.3" && row[2] == "rupees")
        let backtest = try Executables.scalper(
            "backtest", "--data", scratch.sub("NIFTY_1m.json"), "--config", Self.config, "--out", scratch.sub("bt"),
            "--journal", scratch.sub("bt/journal"))
        #expect(backtest.status == 0)
        #expect(backtest.stdout.contains("net ₹\(row[5])\n"), "sweep net \(row[5])")
    }
}
