import ArgumentParser
import BuiltinConfig
import Domain
import Engine
import Foundation

/// Finds and reads `algo.yml` and the calendar it names (the engine itself never touches files).
///
/// Lookup: `--config`, `./config/algo.yml`, `$XDG_CONFIG_HOME/algoscalper/algo.yml`, then the built-in
/// defaults. A file names its calendar relative to itself; the built-in defaults carry their own.
enum ConfigLoader {
    /// The `--config` option's help, the same on every command.
    static let optionHelp: ArgumentHelp =
        "The trading configuration (default: ./config/algo.yml, else $XDG_CONFIG_HOME/algoscalper/algo.yml, else the built-in defaults)."

    /// The parsed configuration and the exact files it came from (for the session-started record).
    struct Loaded {
        var config: AlgoConfig
        var files: [ConfigFile]
        var source: ConfigSource
        /// The calendar file read, or nil when it is the built-in one.
        var calendarPath: String?

        /// The line a command prints on standard error to say which configuration it used.
        var announcement: String {
            switch source {
            case .builtin:
                "config: built-in defaults (scalper init writes editable copies)"
            default:
                "config: \(source.label) (calendar \(calendarPath ?? "built in"))"
            }
        }
    }

    /// Locates, reads and validates the configuration, then says on standard error which one it used.
    static func load(explicit: String?, search: ConfigSearch = .process, announce: Bool = true) throws -> Loaded {
        let source = search.locate(BuiltinConfig.algoFileName, explicit: explicit)
        let loaded: Loaded
        if let path = source.path {
            let algoText = try read(path)
            let root = try ConfigNode.parse(algoText, file: path)
            let calendarName = try root.required("calendar").string()
            let calendarPath: String
            if calendarName.hasPrefix("/") {
                calendarPath = calendarName
            } else if let slash = path.lastIndex(of: "/") {
                calendarPath = path[...slash] + calendarName
            } else {
                calendarPath = calendarName
            }
            let calendarText = try read(calendarPath)
            loaded = try parse(algoText, file: path, calendarText, calendarFile: calendarPath, source: source)
        } else {
            loaded = try parse(
                BuiltinConfig.algoText, file: "built-in algo.yml", BuiltinConfig.calendarText,
                calendarFile: "built-in calendar.yml", source: .builtin)
        }
        if announce { printError(loaded.announcement) }
        return loaded
    }

    private static func parse(
        _ algoText: String, file: String, _ calendarText: String, calendarFile: String, source: ConfigSource
    ) throws -> Loaded {
        let calendar = try TradingCalendar.parse(yaml: calendarText, file: calendarFile)
        let config = try AlgoConfig.parse(yaml: algoText, file: file, calendar: calendar)
        return Loaded(
            config: config,
            files: [
                ConfigFile(name: "algo.yml", text: algoText), ConfigFile(name: "calendar.yml", text: calendarText),
            ],
            source: source, calendarPath: source == .builtin ? nil : calendarFile)
    }

    private static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", reason: "cannot read the file: \(error.localizedDescription)")
        }
    }
}
