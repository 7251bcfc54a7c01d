import Domain
import Foundation

/// A scripted market: index paths or one option's premium path, minute by minute, so a test can force a
/// stop loss, a take profit, a trailing exit, a flat day or a losing day deterministically.
///
/// The file has one point per line, `<target> <HH:MM> <value>`, `#` starts a comment:
///
///     NIFTY 09:15 25800        # a level
///     NIFTY 10:00 +0.8%        # a return from the previous point of the same target
///     option:35123 10:05 142.5 # one option's premium (by security id)
///
/// Between points the level moves linearly second by second; before the first point and after the last it
/// stays flat. The first point of a target must be a level.
public struct Scenario: Sendable, Equatable {
    /// A scripted level at an IST second of the day.
    public struct Point: Sendable, Equatable {
        public var secondOfDay: Int
        public var level: Double
    }

    public var indexPaths: [String: [Point]] = [:]
    public var optionPaths: [SecurityID: [Point]] = [:]

    public init() {}

    /// A scenario line that cannot be read, naming the file, the line and the reason.
    public struct FormatError: Error, Equatable, CustomStringConvertible {
        public var source: String
        public var line: Int
        public var reason: String

        public init(source: String, line: Int, reason: String) {
            self.source = source
            self.line = line
            self.reason = reason
        }

        public var description: String { "\(source): line \(line): \(reason)" }
    }

    public static func parse(_ text: String, source: String) throws(FormatError) -> Scenario {
        var scenario = Scenario()
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            func fail(_ reason: String) -> FormatError { FormatError(source: source, line: number + 1, reason: reason) }
            guard fields.count == 3 else { throw fail("expected '<target> <HH:MM> <value>', got '\(line)'") }
            let clock = fields[1].split(separator: ":")
            guard clock.count == 2, let hour = Int(clock[0]), let minute = Int(clock[1]), (0..<24).contains(hour),
                (0..<60).contains(minute)
            else { throw fail("'\(fields[1])' is not a time HH:MM") }
            let second = hour * 3600 + minute * 60
            let target = String(fields[0])
            var points: [Point]
            if target.hasPrefix("option:") {
                guard let id = SecurityID(String(target.dropFirst(7))) else {
                    throw fail("'\(target)' is not option:<security id>")
                }
                points = scenario.optionPaths[id] ?? []
            } else {
                points = scenario.indexPaths[target] ?? []
            }
            if let last = points.last, second <= last.secondOfDay {
                throw fail("\(fields[1]) is not after the previous point of \(target)")
            }
            let valueText = String(fields[2])
            let level: Double
            if valueText.hasSuffix("%") {
                guard let last = points.last else { throw fail("the first point of \(target) must be a level") }
                guard let percent = Double(valueText.dropLast()), percent.isFinite else {
                    throw fail("'\(valueText)' is not a return like +0.5%")
                }
                level = last.level * (1 + percent / 100)
            } else {
                guard let value = Double(valueText), value.isFinite, value > 0 else {
                    throw fail("'\(valueText)' is not a positive level")
                }
                level = value
            }
            points.append(Point(secondOfDay: second, level: level))
            if target.hasPrefix("option:"), let id = SecurityID(String(target.dropFirst(7))) {
                scenario.optionPaths[id] = points
            } else {
                scenario.indexPaths[target] = points
            }
        }
        return scenario
    }

    /// The per-second session path through `points` (09:15:00 … 15:30:00).
    public static func sessionLevels(_ points: [Point]) -> [Double] {
        (0..<SessionSeconds.count).map { level(points, atSecondOfDay: SessionSeconds.open + $0) }
    }

    /// The scripted level at one second, interpolated linearly between points.
    public static func level(_ points: [Point], atSecondOfDay second: Int) -> Double {
        guard let first = points.first, let last = points.last else { return 0 }
        if second <= first.secondOfDay { return first.level }
        if second >= last.secondOfDay { return last.level }
        var lower = first
        for point in points {
            if point.secondOfDay >= second {
                let span = Double(point.secondOfDay - lower.secondOfDay)
                let fraction = Double(second - lower.secondOfDay) / span
                return lower.level + (point.level - lower.level) * fraction
            }
            lower = point
        }
        return last.level
    }
}
