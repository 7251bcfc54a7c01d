import Domain
import Engine
import Foundation

/// Reads `algo.yml` and the calendar it names from disk (the engine itself never touches files).
enum ConfigLoader {
    /// The parsed configuration and the exact files it came from (for the session-started record).
    struct Loaded {
        var config: AlgoConfig
        var files: [ConfigFile]
    }

    static func load(path: String) throws -> Loaded {
        let algoText = try read(path)
        let root = try ConfigNode.parse(algoText, file: path)
        let calendarName = try root.required("calendar").string()
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let calendarPath =
            calendarName.hasPrefix("/") ? calendarName : directory.appendingPathComponent(calendarName).path
        let calendarText = try read(calendarPath)
        let calendar = try TradingCalendar.parse(yaml: calendarText, file: calendarPath)
        let config = try AlgoConfig.parse(yaml: algoText, file: path, calendar: calendar)
        return Loaded(
            config: config,
            files: [ConfigFile(name: "algo.yml", text: algoText), ConfigFile(name: "calendar.yml", text: calendarText)])
    }

    private static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", reason: "cannot read the file: \(error.localizedDescription)")
        }
    }
}
