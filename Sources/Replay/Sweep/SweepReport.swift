import Domain
import Foundation

/// The sweep's self-contained HTML page: a heatmap over two swept keys, and the walk-forward windows with
/// in-sample beside out-of-sample.
public struct SweepReport {
    public var plan: SweepPlan
    public var results: [String: SweepResult]

    public init(plan: SweepPlan, results: [String: SweepResult]) {
        self.plan = plan
        self.results = results
    }

    /// Why a heatmap cannot be drawn.
    public enum HeatmapError: Error, CustomStringConvertible {
        case notSwept(String, swept: [String])
        case sameKey

        public var description: String {
            switch self {
            case .notSwept(let key, let swept): "\(key) is not swept (the plan varies \(swept.joined(separator: ", ")))"
            case .sameKey: "x and y must be two different keys"
            }
        }
    }

    /// A heatmap of `metric` over `x` (columns) and `y` (rows); with more keys swept, each square shows the
    /// best value over the others.
    public func heatmap(x: String, y: String, metric: SweepMetric) throws(HeatmapError) -> String {
        let swept = plan.axes.map(\.key)
        guard let xAxis = plan.axes.first(where: { $0.key == x }) else { throw .notSwept(x, swept: swept) }
        guard let yAxis = plan.axes.first(where: { $0.key == y }) else { throw .notSwept(y, swept: swept) }
        guard x != y else { throw .sameKey }
        var squares: [String: Double] = [:]
        for cell in plan.cells {
            guard let result = results[cell.id] else { continue }
            let xValue = cell.overrides.first { $0.key == x }!.value
            let yValue = cell.overrides.first { $0.key == y }!.value
            let value = result.metric(metric)
            let key = xValue + "\u{1}" + yValue
            if let held = squares[key] {
                squares[key] = metric.higherIsBetter ? max(held, value) : min(held, value)
            } else {
                squares[key] = value
            }
        }
        let finite = squares.values.filter(\.isFinite)
        let low = finite.min() ?? 0
        let high = finite.max() ?? 0
        func colour(_ value: Double) -> String {
            guard value.isFinite, high > low else { return "#eeeeee" }
            var share = (value - low) / (high - low)
            if !metric.higherIsBetter { share = 1 - share }
            // Red (worst) through pale yellow to green (best).
            let red = share < 0.5 ? 230 : Int(230 - (share - 0.5) * 2 * 150)
            let green = share < 0.5 ? Int(90 + share * 2 * 140) : 230 - Int((share - 0.5) * 2 * 50)
            return "rgb(\(red),\(green),110)"
        }
        var html = "<h2>\(HTMLText.escape(metric.rawValue)) by \(HTMLText.escape(x)) and \(HTMLText.escape(y))</h2>\n"
        if plan.axes.count > 2 {
            html +=
                "<p>Each square is the \(metric.higherIsBetter ? "best" : "lowest") over the other swept keys.</p>\n"
        }
        html += "<table class=heat><tr><th>\(HTMLText.escape(y)) \\ \(HTMLText.escape(x))</th>"
        for value in xAxis.values { html += "<th>\(HTMLText.escape(value))</th>" }
        html += "</tr>\n"
        for yValue in yAxis.values {
            html += "<tr><th>\(HTMLText.escape(yValue))</th>"
            for xValue in xAxis.values {
                if let value = squares[xValue + "\u{1}" + yValue] {
                    html +=
                        "<td style=\"background:\(colour(value))\" title=\"\(HTMLText.escape(x))=\(HTMLText.escape(xValue)) \(HTMLText.escape(y))=\(HTMLText.escape(yValue))\">\(SweepFiles.fixed(value, metric == .trades ? 0 : 2))</td>"
                } else {
                    html += "<td>–</td>"
                }
            }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// The walk-forward section: each window's chosen cell with its training and test figures.
    public func walkForward(_ walk: WalkForward) -> String {
        let byID = Dictionary(uniqueKeysWithValues: plan.cells.map { ($0.id, $0) })
        let perDay = walk.netPerDay
        var html = """
            <h2>Walk-forward: \(walk.trainDays) training days, \(walk.testDays) test days, best by \(HTMLText.escape(walk.objective.rawValue))</h2>
            <p>Net per trading day: in sample \(SweepFiles.fixed(perDay.inSample, 2)), out of sample \(SweepFiles.fixed(perDay.outOfSample, 2)). \
            A setting that earns in sample and not out of it is fitted to the noise.</p>
            <table><tr><th>train</th><th>test</th><th>chosen</th><th>in-sample net</th><th>out-of-sample net</th>\
            <th>in-sample Sharpe</th><th>out-of-sample Sharpe</th></tr>

            """
        for window in walk.windows {
            let values =
                byID[window.cell]?.overrides.map { "\($0.key)=\($0.value)" }.joined(separator: " ") ?? window.cell
            html +=
                "<tr><td>\(window.trainFirst) … \(window.trainLast)</td><td>\(window.testFirst) … \(window.testLast)</td><td>\(HTMLText.escape(values))</td><td>\(SweepFiles.fixed(window.inSample.net, 2))</td><td>\(SweepFiles.fixed(window.outOfSample.net, 2))</td><td>\(SweepFiles.fixed(window.inSample.sharpe, 2))</td><td>\(SweepFiles.fixed(window.outOfSample.sharpe, 2))</td></tr>\n"
        }
        if walk.windows.isEmpty {
            html +=
                "<tr><td colspan=7>the data has fewer trading days than one training and one test window</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// The whole page around the given sections.
    public func page(sections: [String]) -> String {
        """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>AlgoScalper sweep</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; font-variant-numeric: tabular-nums;
            white-space: nowrap; }
        th { background: #f4f4f4; }
        </style></head><body>
        <h1>AlgoScalper sweep: \(plan.kind.rawValue), \(plan.cells.count) cells, \(results.count) finished</h1>
        <p>Net is \(plan.kind == .proxy ? "index points (the proxy study has no costs)" : "rupees after charges").</p>
        \(sections.joined(separator: "\n"))
        </body></html>

        """
    }
}
