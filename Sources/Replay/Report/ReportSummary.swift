import Domain
import Foundation

/// The tearsheet's numbers for `summary.json`: closed trades only, rupees as plain numbers.
///
/// - `win_rate`: winners (net > 0) over trades; `profit_factor`: winners' net over the losers' (null without
///   a loser); `expectancy`: net a trade; `average_win` / `average_loss`: net of the winners / losers a trade.
/// - `max_drawdown`: the largest fall of the cumulative net (trades in exit order) from its running peak,
///   as a positive number; `max_drawdown_days`: the most trading days (days with a closed trade) the day-end
///   cumulative net stayed below a previous peak.
/// - `sharpe_daily` / `sortino_daily`: over each trading day's net (days with a closed trade), mean over the
///   sample standard deviation / over the downside deviation (root mean square of the days below zero,
///   over all days), both × √252; null with fewer than two days or no deviation.
/// - `exits_by_reason`: trades by exit tag; `by_index`: trades, winners and net by the entry tag's index;
///   `by_hour`: the same by the IST hour the trade was entered (`"09"` … `"15"`).
public struct ReportSummary: Sendable, Equatable {
    public var trades: Int
    public var winners: Int
    public var gross: Paise
    public var charges: Paise
    public var net: Paise
    public var profitFactor: Double?
    public var averageWin: Double?
    public var averageLoss: Double?
    public var maxDrawdown: Paise
    public var maxDrawdownDays: Int
    public var sharpeDaily: Double?
    public var sortinoDaily: Double?
    public var exitsByReason: [String: Int]
    public var byIndex: [String: (trades: Int, winners: Int, net: Paise)]
    public var byHour: [String: (trades: Int, winners: Int, net: Paise)]

    public static func == (lhs: ReportSummary, rhs: ReportSummary) -> Bool { lhs.json == rhs.json }

    public init(_ report: SessionReport) {
        let closed = report.trades.filter { $0.exitTime != nil }.sorted { $0.exitTime! < $1.exitTime! }
        trades = closed.count
        winners = closed.filter { $0.net > .zero }.count
        gross = closed.reduce(.zero) { $0 + $1.gross }
        charges = closed.reduce(.zero) { $0 + $1.charges }
        net = closed.reduce(.zero) { $0 + $1.net }
        let won = closed.filter { $0.net > .zero }.reduce(Int64(0)) { $0 + $1.net.value }
        let lost = closed.filter { $0.net < .zero }.reduce(Int64(0)) { $0 + $1.net.value }
        let losers = closed.filter { $0.net < .zero }.count
        profitFactor = lost == 0 ? nil : Double(won) / Double(-lost)
        averageWin = winners == 0 ? nil : Double(won) / 100 / Double(winners)
        averageLoss = losers == 0 ? nil : Double(lost) / 100 / Double(losers)
        var running: Int64 = 0
        var peak: Int64 = 0
        var deepest: Int64 = 0
        for trade in closed {
            running += trade.net.value
            peak = max(peak, running)
            deepest = max(deepest, peak - running)
        }
        maxDrawdown = Paise(deepest)
        // Day-end cumulative net, by the day a trade closed.
        var daily: [(date: CivilDate, net: Int64)] = []
        for trade in closed {
            let day = trade.exitTime!.istDate
            if daily.last?.date == day {
                daily[daily.count - 1].net += trade.net.value
            } else {
                daily.append((day, trade.net.value))
            }
        }
        var cumulative: Int64 = 0
        var dayPeak: Int64 = 0
        var under = 0
        var longest = 0
        for day in daily {
            cumulative += day.net
            if cumulative >= dayPeak {
                dayPeak = cumulative
                under = 0
            } else {
                under += 1
                longest = max(longest, under)
            }
        }
        maxDrawdownDays = longest
        let returns = daily.map { Double($0.net) / 100 }
        if returns.count >= 2 {
            let mean = returns.reduce(0, +) / Double(returns.count)
            let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)
            let downside = (returns.reduce(0) { $0 + min($1, 0) * min($1, 0) } / Double(returns.count)).squareRoot()
            sharpeDaily = variance > 0 ? mean / variance.squareRoot() * 252.0.squareRoot() : nil
            sortinoDaily = downside > 0 ? mean / downside * 252.0.squareRoot() : nil
        } else {
            sharpeDaily = nil
            sortinoDaily = nil
        }
        var reasons: [String: Int] = [:]
        var indices: [String: (trades: Int, winners: Int, net: Paise)] = [:]
        var hours: [String: (trades: Int, winners: Int, net: Paise)] = [:]
        for trade in closed {
            if let entered = trade.entryTime {
                let hour = Int(entered.istSecondOfDay) / 3600
                let key = (hour < 10 ? "0" : "") + String(hour)
                var entry = hours[key] ?? (0, 0, .zero)
                entry.trades += 1
                entry.winners += trade.net > .zero ? 1 : 0
                entry.net = entry.net + trade.net
                hours[key] = entry
            }
            reasons[trade.exitTag, default: 0] += 1
            let parts = trade.entryTag.split(separator: "_")
            let index = parts.count > 1 ? String(parts[1]) : trade.entryTag
            var entry = indices[index] ?? (0, 0, .zero)
            entry.trades += 1
            entry.winners += trade.net > .zero ? 1 : 0
            entry.net = entry.net + trade.net
            indices[index] = entry
        }
        exitsByReason = reasons
        byIndex = indices
        byHour = hours
    }

    /// `summary.json`: keys sorted, numbers plain (rupees with two decimals, ratios with four).
    public var json: String {
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "null" }
        func rupees(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "null" }
        let reasons = exitsByReason.keys.sorted().map { "\"\($0)\":\(exitsByReason[$0]!)" }.joined(separator: ",")
        func groups(_ table: [String: (trades: Int, winners: Int, net: Paise)]) -> String {
            table.keys.sorted().map { key in
                let value = table[key]!
                return "\"\(key)\":{\"net\":\(value.net),\"trades\":\(value.trades),\"winners\":\(value.winners)}"
            }.joined(separator: ",")
        }
        let indices = groups(byIndex)
        let hours = groups(byHour)
        return """
            {"average_loss":\(rupees(averageLoss)),"average_win":\(rupees(averageWin)),"by_hour":{\(hours)},\
            "by_index":{\(indices)},\
            "charges":\(charges),"charges_share_of_gross":\(gross > .zero ? ratio(Double(charges.value) / Double(gross.value)) : "null"),\
            "expectancy":\(trades > 0 ? rupees(Double(net.value) / 100 / Double(trades)) : "null"),\
            "exits_by_reason":{\(reasons)},"gross":\(gross),"max_drawdown":\(maxDrawdown),\
            "max_drawdown_days":\(maxDrawdownDays),"net":\(net),"profit_factor":\(ratio(profitFactor)),\
            "sharpe_daily":\(ratio(sharpeDaily)),"sortino_daily":\(ratio(sortinoDaily)),"trades":\(trades),\
            "win_rate":\(trades > 0 ? ratio(Double(winners) / Double(trades)) : "null"),"winners":\(winners)}

            """
    }

    /// The statistics as an HTML table (label, value) for the report page, the same numbers as `json`.
    public var htmlTable: String {
        func ratio(_ value: Double?, percent: Bool = false) -> String {
            guard let value else { return "–" }
            return percent ? String(format: "%.1f %%", value * 100) : String(format: "%.2f", value)
        }
        func rupees(_ value: Double?) -> String { value.map { "₹" + String(format: "%.2f", $0) } ?? "–" }
        let rows: [(String, String)] = [
            ("closed trades", "\(trades)"), ("winners", "\(winners)"),
            ("win rate", trades > 0 ? ratio(Double(winners) / Double(trades), percent: true) : "–"),
            ("gross", "₹\(gross)"), ("charges", "₹\(charges)"),
            (
                "charges / gross",
                gross > .zero ? ratio(Double(charges.value) / Double(gross.value), percent: true) : "–"
            ),
            ("net", "₹\(net)"), ("profit factor", ratio(profitFactor)),
            ("expectancy a trade", trades > 0 ? rupees(Double(net.value) / 100 / Double(trades)) : "–"),
            ("average win", rupees(averageWin)), ("average loss", rupees(averageLoss)),
            ("max drawdown", "₹\(maxDrawdown)"), ("longest drawdown", "\(maxDrawdownDays) trading day(s)"),
            ("Sharpe (daily, annualised)", ratio(sharpeDaily)), ("Sortino (daily, annualised)", ratio(sortinoDaily)),
            (
                "exits by reason",
                exitsByReason.keys.sorted().map { "\($0) \(exitsByReason[$0]!)" }.joined(separator: ", ")
            ),
        ]
        func groupTable(_ title: String, _ table: [String: (trades: Int, winners: Int, net: Paise)]) -> String {
            "<table><tr><th>\(title)</th><th>trades</th><th>winners</th><th>win rate</th><th>net ₹</th></tr>"
                + table.keys.sorted().map { key in
                    let value = table[key]!
                    let rate =
                        value.trades > 0
                        ? String(format: "%.0f %%", Double(value.winners * 100) / Double(value.trades)) : "–"
                    return
                        "<tr><td>\(key)</td><td>\(value.trades)</td><td>\(value.winners)</td><td>\(rate)</td><td>\(value.net)</td></tr>"
                }.joined() + "</table>"
        }
        return "<table>"
            + rows.map { "<tr><th style=\"text-align:left\">\($0.0)</th><td>\($0.1)</td></tr>" }.joined()
            + "</table>" + groupTable("index", byIndex)
            + groupTable("hour of entry (IST)", byHour.mapKeys { "\($0):00" })
    }
}

extension Dictionary where Key == String {
    /// The same values under new keys.
    fileprivate func mapKeys(_ transform: (String) -> String) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
