import ArgumentParser
import Foundation

extension BenchGroup {
    /// `scalper bench compare`: what changed between two `bench all --json` runs.
    struct CompareBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Print each figure's change between two 'bench all --json' files; exit 1 on a regression.",
            discussion: """
                A figure is worse when it moved the wrong way (a rate down, a time up) by more than --threshold \
                percent. Figures are matched by name; one missing from either run is listed.
                """)

        @Argument(help: "The earlier run's JSON.")
        var old: String

        @Argument(help: "The later run's JSON.")
        var new: String

        @Option(help: "Percent a figure may move the wrong way before it counts as a regression.")
        var threshold: Double = 10

        func run() async throws {
            let before = try Self.load(old)
            let after = try Self.load(new)
            let comparison = BenchComparison(old: before, new: after, threshold: threshold)
            print(comparison.text, terminator: "")
            if !comparison.regressions.isEmpty { throw ExitCode.failure }
        }

        static func load(_ path: String) throws -> BenchReport {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ValidationError("\(path): cannot read: \(error.localizedDescription)")
            }
            do {
                return try JSONDecoder().decode(BenchReport.self, from: data)
            } catch {
                throw ValidationError("\(path): not a 'scalper bench all --json' file: \(error)")
            }
        }
    }
}

/// Two benchmark runs side by side: each figure's change, and the ones that moved the wrong way.
struct BenchComparison {
    let text: String
    /// Names of the figures worse by more than the threshold.
    let regressions: [String]

    init(old: BenchReport, new: BenchReport, threshold: Double) {
        var lines = [
            "old: \(old.date) on \(old.host) (\(old.cores) cores), scalper \(old.scalperVersion)",
            "new: \(new.date) on \(new.host) (\(new.cores) cores), scalper \(new.scalperVersion)",
            "",
        ]
        let before = Dictionary(old.figures.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let nameWidth = max(6, new.figures.map(\.name.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        lines.append(pad("figure", nameWidth) + "  " + pad("old", 22) + "  " + pad("new", 22) + "  change")
        var regressions: [String] = []
        for figure in new.figures {
            let shown = pad(figure.name, nameWidth) + "  "
            guard let earlier = before[figure.name] else {
                lines.append(shown + pad("-", 22) + "  " + pad(Self.format(figure), 22) + "  new figure")
                continue
            }
            var change = "n/a"
            if earlier.value != 0 {
                let percent = (figure.value - earlier.value) / abs(earlier.value) * 100
                let worse = figure.better == .higher ? -percent : percent
                change = String(format: "%+.1f %%", percent)
                if worse > threshold {
                    change += "  WORSE"
                    regressions.append(figure.name)
                } else if worse < -threshold {
                    change += "  better"
                }
            }
            lines.append(shown + pad(Self.format(earlier), 22) + "  " + pad(Self.format(figure), 22) + "  " + change)
        }
        let names = Set(new.figures.map(\.name))
        for figure in old.figures where !names.contains(figure.name) {
            lines.append(
                pad(figure.name, nameWidth) + "  " + pad(Self.format(figure), 22) + "  " + pad("-", 22)
                    + "  not measured")
        }
        let baselines = new.figures.filter { $0.baseline != nil }
        if !baselines.isEmpty {
            lines.append("")
            lines.append("beside their baselines (new run; how many times the baseline, the better way up):")
            for figure in baselines {
                guard let baseline = figure.baseline, baseline.value != 0 else { continue }
                let ratio = figure.better == .higher ? figure.value / baseline.value : baseline.value / figure.value
                lines.append(
                    "  \(figure.name): \(Self.format(figure)) against \(Self.number(baseline.value)) \(figure.unit) (\(baseline.name)): \(String(format: "%.2f", ratio))x"
                )
            }
        }
        for (step, why) in new.skipped.sorted(by: { $0.key < $1.key }) {
            lines.append("skipped in the new run: \(step) (\(why))")
        }
        lines.append("")
        lines.append(
            regressions.isEmpty
                ? "no figure worse by more than \(String(format: "%g", threshold)) %"
                : "\(regressions.count) figure(s) worse by more than \(String(format: "%g", threshold)) %: \(regressions.joined(separator: ", "))"
        )
        text = lines.joined(separator: "\n") + "\n"
        self.regressions = regressions
    }

    static func format(_ figure: BenchFigure) -> String { "\(number(figure.value)) \(figure.unit)" }

    /// Whole numbers with thousands commas from 100 up; two decimals below, three below 1.
    static func number(_ value: Double) -> String {
        if abs(value) >= 100 { return (value < 0 ? "-" : "") + grouped(Int64(abs(value).rounded())) }
        if abs(value) >= 1 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }
}
