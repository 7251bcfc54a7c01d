import Foundation
import TestSupport
import Testing

/// `scalper report`'s summary.json against an independent computation (Python, from trades.csv) on a week
/// of option backtest trades.
@Suite("report summary statistics")
struct ReportSummaryTests {
    /// The same statistics from trades.csv, written in Python without the Swift code in view.
    static let independent = #"""
        import csv, json, math, sys
        rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["exit_time"]]
        rows.sort(key=lambda r: r["exit_time"])
        net = [float(r["net"]) for r in rows]
        wins = [x for x in net if x > 0]
        losses = [x for x in net if x < 0]
        equity, peak, deepest = 0.0, 0.0, 0.0
        for x in net:
            equity += x
            peak = max(peak, equity)
            deepest = max(deepest, peak - equity)
        days = {}
        for r in rows:
            days[r["exit_time"][:10]] = days.get(r["exit_time"][:10], 0.0) + float(r["net"])
        daily = [days[d] for d in sorted(days)]
        cumulative, day_peak, under, longest = 0.0, 0.0, 0, 0
        for x in daily:
            cumulative += x
            if cumulative >= day_peak - 1e-9:
                day_peak, under = max(day_peak, cumulative), 0
            else:
                under += 1
                longest = max(longest, under)
        sharpe = sortino = None
        if len(daily) >= 2:
            mean = sum(daily) / len(daily)
            sd = math.sqrt(sum((x - mean) ** 2 for x in daily) / (len(daily) - 1))
            down = math.sqrt(sum(min(x, 0) ** 2 for x in daily) / len(daily))
            sharpe = mean / sd * math.sqrt(252) if sd > 0 else None
            sortino = mean / down * math.sqrt(252) if down > 0 else None
        reasons, indices, hours = {}, {}, {}
        for r in rows:
            hour = hours.setdefault(r["entry_time"][11:13], {"trades": 0, "winners": 0, "net": 0.0})
            hour["trades"] += 1
            hour["winners"] += 1 if float(r["net"]) > 0 else 0
            hour["net"] = round(hour["net"] + float(r["net"]), 2)
            reasons[r["exit_tag"]] = reasons.get(r["exit_tag"], 0) + 1
            index = r["entry_tag"].split("_")[1]
            entry = indices.setdefault(index, {"trades": 0, "winners": 0, "net": 0.0})
            entry["trades"] += 1
            entry["winners"] += 1 if float(r["net"]) > 0 else 0
            entry["net"] = round(entry["net"] + float(r["net"]), 2)
        gross = sum(float(r["gross"]) for r in rows)
        print(json.dumps({
            "trades": len(rows), "winners": len(wins), "win_rate": len(wins) / len(rows),
            "gross": round(gross, 2), "charges": round(sum(float(r["charges"]) for r in rows), 2),
            "net": round(sum(net), 2), "profit_factor": sum(wins) / -sum(losses) if losses else None,
            "expectancy": sum(net) / len(rows), "average_win": sum(wins) / len(wins) if wins else None,
            "average_loss": sum(losses) / len(losses) if losses else None, "max_drawdown": round(deepest, 2),
            "max_drawdown_days": longest, "sharpe_daily": sharpe, "sortino_daily": sortino,
            "exits_by_reason": reasons, "by_index": indices, "by_hour": hours,
        }))
        """#

    @Test("summary.json matches an independent computation from trades.csv, key by key")
    func matchesIndependentComputation() throws {
        let folder = EmptyFolder()
        let data = ReferenceData.path("dhan/nifty-intraday-1m-2025-10-24..31.json")
        let backtest = try folder.run(Executables.scalper, ["backtest", "--data", data, "--journal", "journal"])
        #expect(backtest.status == 0, "\(backtest.stderr)")
        let report = try folder.run(Executables.scalper, ["report", "journal", "--out", "report"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("summary: report/summary.json"))
        let ours = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder.path + "/report/summary.json")))
                as? [String: Any])
        let script = folder.path + "/independent.py"
        try Self.independent.write(toFile: script, atomically: true, encoding: .utf8)
        let python = try Executables.run("/usr/bin/python3", [script, folder.path + "/report/trades.csv"])
        #expect(python.status == 0, "\(python.stderr)")
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(python.stdout.utf8)) as? [String: Any])
        #expect((theirs["trades"] as? Int ?? 0) >= 10, "a week of trades")
        for key in theirs.keys.sorted() {
            let expected = theirs[key]!
            let actual = ours[key] ?? NSNull()
            switch expected {
            case let number as NSNumber where !(expected is NSNull):
                let tolerance =
                    ["win_rate", "profit_factor", "sharpe_daily", "sortino_daily"].contains(key) ? 1e-4 : 0.006
                #expect(
                    abs(number.doubleValue - ((actual as? NSNumber)?.doubleValue ?? .nan)) <= tolerance,
                    "\(key): \(expected) vs \(actual)")
            case is NSNull:
                #expect(actual is NSNull, "\(key): null vs \(actual)")
            default:
                #expect(
                    NSDictionary(dictionary: expected as? [String: Any] ?? [:])
                        == NSDictionary(dictionary: actual as? [String: Any] ?? [:]), "\(key): \(expected) vs \(actual)"
                )
            }
        }
        #expect(Set(ours.keys).isSuperset(of: theirs.keys))
        // The report page shows the same numbers.
        let html = try String(contentsOfFile: folder.path + "/report/report.html", encoding: .utf8)
        #expect(
            html.contains("<h2>Statistics</h2>") && html.contains("<th style=\"text-align:left\">profit factor</th>"))
        #expect(html.contains(String(format: "%.2f", (ours["profit_factor"] as? NSNumber)?.doubleValue ?? -1)))
    }
}
