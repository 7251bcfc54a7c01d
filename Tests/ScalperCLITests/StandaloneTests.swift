import BuiltinConfig
import Domain
import Engine
import EngineTestSupport
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The repository and its binaries stand alone: built-in configuration, the lookup order, and every user-facing
/// command run from an empty folder on a machine with nothing else.
@Suite("standing alone")
struct StandaloneTests {
    @Test("the compiled-in defaults are exactly the files under config/ (python3 tools/embed-config.py refreshes them)")
    func embeddedTextsMatchTheFiles() throws {
        for (text, file) in [
            (BuiltinConfig.algoText, "config/algo.yml"), (BuiltinConfig.calendarText, "config/calendar.yml"),
            (BuiltinConfig.trendDayScenarioText, "config/scenarios/trend-day.txt"),
        ] {
            #expect(text == (try String(contentsOfFile: Fixtures.path(file), encoding: .utf8)), "\(file)")
        }
        let calendar = try TradingCalendar.parse(yaml: BuiltinConfig.calendarText, file: "built-in")
        _ = try AlgoConfig.parse(yaml: BuiltinConfig.algoText, file: "built-in", calendar: calendar)
    }

    @Test("lookup order: --config, ./config, $XDG_CONFIG_HOME/algoscalper, ~/.config/algoscalper, built in")
    func lookupOrder() {
        func search(_ files: Set<String>, _ environment: [String: String]) -> ConfigSearch {
            ConfigSearch(workingDirectory: "/w", environment: environment, fileExists: { files.contains($0) })
        }
        let xdg = ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]
        let all: Set = ["/w/config/algo.yml", "/x/algoscalper/algo.yml", "/h/.config/algoscalper/algo.yml"]
        #expect(search(all, xdg).locate("algo.yml", explicit: "/e/a.yml") == .explicit(path: "/e/a.yml"))
        #expect(search(all, xdg).locate("algo.yml", explicit: nil) == .workingDirectory(path: "config/algo.yml"))
        #expect(
            search(all.subtracting(["/w/config/algo.yml"]), xdg).locate("algo.yml", explicit: nil)
                == .userDirectory(path: "/x/algoscalper/algo.yml"))
        // HOME's .config only when XDG_CONFIG_HOME is unset (or relative, which the XDG spec says to ignore).
        #expect(
            search(["/h/.config/algoscalper/algo.yml"], xdg).locate("algo.yml", explicit: nil) == .builtin)
        #expect(
            search(["/h/.config/algoscalper/algo.yml"], ["HOME": "/h", "XDG_CONFIG_HOME": "rel"]).locate(
                "algo.yml", explicit: nil) == .userDirectory(path: "/h/.config/algoscalper/algo.yml"))
        #expect(search([], xdg).locate("calendar.yml", explicit: nil) == .builtin)
        #expect(search([], [:]).locate("algo.yml", explicit: nil) == .builtin)
        #expect(ConfigSource.builtin.label == "built-in defaults")
    }

    @Test("nothing in Sources, Tests, tools or .ci reads the shared folder beside the repository")
    func noSharedFolder() throws {
        let needle = ".." + "/shared"
        var offenders: [String] = []
        for folder in ["Sources", "Tests", "tools", ".ci", "Package.swift"] {
            let root = Fixtures.path(folder)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { continue }
            let files =
                isDirectory.boolValue
                ? (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).map { root + "/" + $0 }
                : [root]
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
                if text.contains(needle) { offenders.append(file) }
            }
        }
        #expect(offenders.isEmpty, "these read \(needle): \(offenders)")
    }

    @Test("the index study runs from an empty folder on the built-in configuration and matches its golden output")
    func proxyBacktestFromEmptyFolder() throws {
        let folder = EmptyFolder()
        let data = ReferenceData.path("dhan/nifty-intraday-1m-2025-10-24..31.json")
        let result = try folder.run(
            Executables.scalper, ["backtest", "--proxy", "index", "--data", data, "--out", "study"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "config: built-in defaults (scalper init writes editable copies)\n")
        try expectGolden(maskingSeconds(result.stdout), "Tests/ScalperCLITests/Golden/empty-folder-backtest-proxy.txt")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/study/trades.csv"))
    }

    @Test("the option backtest runs from an empty folder and its journal replays")
    func optionBacktestFromEmptyFolder() throws {
        let folder = EmptyFolder()
        let data = ReferenceData.path("dhan/nifty-intraday-1m-2025-10-24..31.json")
        let result = try folder.run(
            Executables.scalper, ["backtest", "--data", data, "--from", "2025-10-30", "--journal", "journal"])
        #expect(result.status == 0, "\(result.stderr)")
        try expectGolden(
            maskingSeconds(result.stdout), "Tests/ScalperCLITests/Golden/empty-folder-backtest-options.txt")
        let replay = try folder.run(Executables.scalper, ["replay", "journal"])
        #expect(replay.status == 0 && replay.stdout.contains(": identical\n"), "\(replay.stdout)\(replay.stderr)")
    }

    @Test("pick and indicators run from an empty folder with the same answers as from the repository")
    func pickAndIndicatorsFromEmptyFolder() throws {
        let folder = EmptyFolder()
        let pick = try folder.run(
            Executables.scalper,
            [
                "pick", "--chain", ReferenceData.path("dhan/nifty-optionchain-exp-2025-11-04.json"), "--index",
                "NIFTY", "--direction", "bullish", "--at", "2025-11-03 10:30", "--balance", "200000",
            ])
        #expect(pick.status == 0, "\(pick.stderr)")
        #expect(pick.stderr == "config: built-in defaults (scalper init writes editable copies)\n")
        try expectGolden(pick.stdout, "Tests/ScalperCLITests/Golden/pick-nifty-bullish.json")
        let indicators = try folder.run(
            Executables.scalper, ["indicators", ReferenceData.path("dhan/nifty-intraday-5m-2025-10-24..31.json")])
        #expect(indicators.status == 0, "\(indicators.stderr)")
        let head = indicators.stdout.split(separator: "\n").prefix(40).joined(separator: "\n") + "\n"
        try expectGolden(head, "Tests/ScalperCLITests/Golden/indicators-nifty-5m-head.csv")
    }

    @Test("scalper init writes editable copies that the next command finds, and refuses to overwrite them")
    func initWritesEditableCopies() throws {
        let folder = EmptyFolder()
        let first = try folder.run(Executables.scalper, ["init"])
        #expect(first.status == 0, "\(first.stderr)")
        try expectGolden(first.stdout, "Tests/ScalperCLITests/Golden/init.txt")
        #expect(
            try String(contentsOfFile: folder.path + "/config/algo.yml", encoding: .utf8) == BuiltinConfig.algoText)
        #expect(
            try String(contentsOfFile: folder.path + "/config/calendar.yml", encoding: .utf8)
                == BuiltinConfig.calendarText)
        let again = try folder.run(Executables.scalper, ["init"])
        #expect(again.status == 64)
        #expect(again.stderr == "error: config/algo.yml, config/calendar.yml already exist; --force replaces them\n")
        #expect(try folder.run(Executables.scalper, ["init", "--force"]).status == 0)

        // An edit to the copy is what the next command runs on, and it says so.
        let edited = BuiltinConfig.algoText.replacingOccurrences(of: "  min_oi: 50000", with: "  min_oi: lots")
        #expect(edited != BuiltinConfig.algoText)
        try edited.write(toFile: folder.path + "/config/algo.yml", atomically: true, encoding: .utf8)
        let refused = try folder.run(
            Executables.scalper,
            [
                "pick", "--chain", ReferenceData.path("dhan/nifty-optionchain-exp-2025-11-04.json"), "--index",
                "NIFTY", "--direction", "bullish", "--at", "2025-11-03 10:30",
            ])
        #expect(refused.status == 2)
        #expect(refused.stderr == "error: config/algo.yml: option_chain.min_oi: expected a whole number\n")

        // The per-user folder: XDG_CONFIG_HOME when set.
        var environment = folder.environment
        environment["XDG_CONFIG_HOME"] = folder.scratch.sub("xdg")
        let user = try Executables.run(
            Executables.scalper, ["init", "--user"], directory: folder.scratch.sub("home"), environment: environment)
        #expect(user.status == 0, "\(user.stderr)")
        #expect(user.stdout.contains("wrote \(folder.scratch.sub("xdg"))/algoscalper/algo.yml\n"))
        let fromUser = try Executables.run(
            Executables.scalper,
            [
                "pick", "--chain", ReferenceData.path("dhan/nifty-optionchain-exp-2025-11-04.json"), "--index",
                "NIFTY", "--direction", "bullish", "--at", "2025-11-03 10:30", "--balance", "200000",
            ], directory: folder.scratch.sub("home"), environment: environment)
        #expect(fromUser.status == 0, "\(fromUser.stderr)")
        #expect(
            fromUser.stderr
                == "config: \(folder.scratch.sub("xdg"))/algoscalper/algo.yml (calendar \(folder.scratch.sub("xdg"))/algoscalper/calendar.yml)\n"
        )
    }

    @Test("dhan-sim starts from an empty folder on the built-in calendar and serves its clock")
    func dhanSimFromEmptyFolder() async throws {
        let folder = EmptyFolder()
        let sim = try DhanSimChild(in: folder, arguments: ["--speed", "0", "--date", "2025-11-04", "--start", "10:00"])
        defer { sim.stop() }
        let line = sim.banner
        let port = sim.port
        let masked = line.replacingOccurrences(of: ":\(port)", with: ":PORT")
        #expect(
            masked
                == "dhan-sim listening on 127.0.0.1:PORT — REST http://127.0.0.1:PORT/v2, feed and order updates ws://127.0.0.1:PORT"
        )
        let (body, response) = try await URLSession.shared.data(
            from: URL(string: "http://127.0.0.1:\(port)/sim/clock")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let clock = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(clock["date"] as? String == "2025-11-04")
        #expect(clock["secondOfDay"] as? Int == 36_000)
        let stderr = sim.stop()
        #expect(stderr.hasPrefix("calendar: built-in defaults\n"), "\(stderr)")
    }
}

/// Output with wall times (`in 0.25 s`) replaced by `in N s`, so a golden file holds only what is deterministic.
func maskingSeconds(_ text: String) -> String {
    var out = ""
    var rest = Substring(text)
    while let range = rest.range(of: " in ") {
        out += rest[..<range.upperBound]
        rest = rest[range.upperBound...]
        let number = rest.prefix { $0.isNumber || $0 == "." }
        if !number.isEmpty, rest.dropFirst(number.count).hasPrefix(" s") {
            out += "N"
            rest = rest.dropFirst(number.count)
        }
    }
    return out + rest
}
