import Domain
import Foundation

/// Finds and parses a trading calendar on its own (dhan-sim, benchmarks): `--calendar`, `./config/calendar.yml`,
/// `$XDG_CONFIG_HOME/algoscalper/calendar.yml`, then the built-in one.
public enum CalendarLoader {
    /// The calendar and where it came from; errors name the file and the key.
    public static func load(explicit: String?, search: ConfigSearch = .process) throws -> (
        calendar: TradingCalendar, source: ConfigSource
    ) {
        let source = search.locate(BuiltinConfig.calendarFileName, explicit: explicit)
        guard let path = source.path else {
            return (try TradingCalendar.parse(yaml: BuiltinConfig.calendarText, file: "built-in calendar.yml"), source)
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, key: "", reason: "cannot read the file: \(error.localizedDescription)")
        }
        return (try TradingCalendar.parse(yaml: text, file: path), source)
    }
}
