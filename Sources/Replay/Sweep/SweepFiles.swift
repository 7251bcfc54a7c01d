import Domain

/// The text forms of a sweep's results: the line a worker prints per finished cell (also the resumable
/// store, `cells.tsv`), and the `results.csv` and `daily.csv` tables that pandas, DuckDB and Polars read.
///
/// Numbers in the line are Swift's shortest round-trip text, so a result read back is the one computed,
/// whether the cell ran here or on a Ray node.
public enum SweepFiles {
    /// One finished cell: `id \t trades \t winners \t net \t gross wins \t gross losses \t days \t end`, each day
    /// `date:trades:winners:net:gross wins:gross losses` and `;` between days (a walk-forward window is judged
    /// on its own days' trades, so a day keeps all the per-trade figures).
    ///
    /// The closing `end` tells a whole line from one a kill cut short (which could otherwise still parse).
    public static func line(_ result: SweepResult) -> String {
        let days = result.days.map {
            "\($0.date):\($0.trades):\($0.winners):\($0.net):\($0.grossWins):\($0.grossLosses)"
        }.joined(separator: ";")
        return [
            result.cell, String(result.trades), String(result.winners), "\(result.net)", "\(result.grossWins)",
            "\(result.grossLosses)", days, "end",
        ].joined(separator: "\t")
    }

    /// Reads a line back; nil for anything else (a line cut short by a kill is not a result).
    public static func parse(line: Substring) -> SweepResult? {
        let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard parts.count == 8, parts[7] == "end", let trades = Int(parts[1]), let winners = Int(parts[2]),
            let net = Double(parts[3]),
            let wins = Double(parts[4]), let losses = Double(parts[5])
        else { return nil }
        var days: [SweepResult.Day] = []
        for day in parts[6].split(separator: ";") {
            let fields = day.split(separator: ":")
            guard fields.count == 6, let date = CivilDate(iso: String(fields[0])), let count = Int(fields[1]),
                let winning = Int(fields[2]), let value = Double(fields[3]), let dayWins = Double(fields[4]),
                let dayLosses = Double(fields[5])
            else { return nil }
            days.append(
                SweepResult.Day(
                    date: date, trades: count, winners: winning, net: value, grossWins: dayWins,
                    grossLosses: dayLosses))
        }
        var result = SweepResult(cell: String(parts[0]), days: days)
        // The counts are the days' sums; a line where they are not was not written by `line(_:)`.
        guard result.trades == trades, result.winners == winners else { return nil }
        // The sums as the run computed them, in trade order (the days' sums may differ in the last bit).
        result.net = net
        result.grossWins = wins
        result.grossLosses = losses
        return result
    }

    /// Every complete result in a store's text, by cell (a later line for the same cell wins).
    public static func results(in text: String) -> [String: SweepResult] {
        var results: [String: SweepResult] = [:]
        for line in text.split(separator: "\n") {
            if let result = parse(line: line) { results[result.cell] = result }
        }
        return results
    }

    /// `results.csv`: a row per cell in plan order, its parameters as columns.
    public static func resultsCSV(plan: SweepPlan, results: [String: SweepResult]) -> String {
        let unit = plan.kind == .proxy ? "points" : "rupees"
        var out =
            "cell," + plan.axes.map(\.key).joined(separator: ",")
            + ",unit,trades,win_rate,net,profit_factor,max_drawdown,sharpe\n"
        for cell in plan.cells {
            guard let result = results[cell.id] else { continue }
            let columns = [
                cell.id, cell.overrides.map(\.value).joined(separator: ","), unit, String(result.trades),
                fixed(result.winRate, 4), fixed(result.net, 2), fixed(result.profitFactor, 4),
                fixed(result.maxDrawdown, 2), fixed(result.sharpe, 4),
            ]
            out += columns.joined(separator: ",") + "\n"
        }
        return out
    }

    /// `daily.csv`: each cell's net on each trading day, for an equity curve or a custom objective.
    public static func dailyCSV(plan: SweepPlan, results: [String: SweepResult]) -> String {
        var out = "cell,date,trades,net\n"
        for cell in plan.cells {
            guard let result = results[cell.id] else { continue }
            for day in result.days { out += "\(cell.id),\(day.date),\(day.trades),\(fixed(day.net, 2))\n" }
        }
        return out
    }

    /// Fixed decimals; `inf` for an infinite profit factor (pandas reads it as a float).
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        value.isInfinite ? (value > 0 ? "inf" : "-inf") : SweepPlan.format(value, decimals: decimals)
    }
}
