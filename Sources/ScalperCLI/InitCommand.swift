import ArgumentParser
import BuiltinConfig
import Foundation

/// `scalper init [DIR]`: writes editable copies of the built-in `algo.yml` and `calendar.yml`.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write editable copies of the built-in algo.yml and calendar.yml.",
        discussion: """
            Commands look for their configuration in this order: --config FILE, ./config/algo.yml, \
            $XDG_CONFIG_HOME/algoscalper/algo.yml (~/.config/algoscalper when unset), then the built-in defaults. \
            'scalper init' writes ./config (found from this folder); 'scalper init --user' writes the per-user folder.
            """)

    @Argument(help: "Directory to write algo.yml and calendar.yml into (default: ./config).")
    var directory: String?

    @Flag(help: "Write into the per-user folder ($XDG_CONFIG_HOME/algoscalper, or ~/.config/algoscalper).")
    var user = false

    @Flag(help: "Replace files that already exist.")
    var force = false

    func validate() throws {
        if user && directory != nil { throw ValidationError("give a DIR or --user, not both") }
    }

    func run() throws {
        let search = ConfigSearch.process
        guard let target = user ? search.userDirectory : (directory ?? "config") else {
            throw ValidationError("--user needs XDG_CONFIG_HOME or HOME to be an absolute path")
        }
        let files = [
            (BuiltinConfig.algoFileName, BuiltinConfig.algoText),
            (BuiltinConfig.calendarFileName, BuiltinConfig.calendarText),
        ]
        let paths = files.map { (target + "/" + $0.0, $0.1) }
        let existing = paths.map(\.0).filter { FileManager.default.fileExists(atPath: $0) }
        if !existing.isEmpty && !force {
            printError("error: \(existing.joined(separator: ", ")) already exist; --force replaces them")
            throw ExitCode(64)
        }
        do {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            for (path, text) in paths { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        } catch {
            printError("error: cannot write into \(target): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        for (path, _) in paths { print("wrote \(path)") }
        // Say whether the lookup now finds what was written, or how to point a command at it.
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        let written = absolute(paths[0].0)
        if let found = search.locate(BuiltinConfig.algoFileName, explicit: nil).path, absolute(found) == written {
            print("commands run from this folder now use \(found)")
        } else {
            print("use it with --config \(paths[0].0)")
        }
    }
}
