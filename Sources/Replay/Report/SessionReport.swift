import Domain
import Engine

/// A report of a replayed journal: every trade, a per-day summary and the equity curve with drawdown.
public struct SessionReport: Sendable {
    /// One closed (or still open) position as a trade line.
    public struct Trade: Sendable, Equatable {
        public var date: CivilDate
        /// The index the option is on (NIFTY, BANKNIFTY, SENSEX).
        public var index: String
        public var entryTag: String
        public var exitTag: String
        public var entryTime: Timestamp?
        public var exitTime: Timestamp?
        public var entryPrice: Paise
        public var exitPrice: Paise?
        public var quantity: Int64
        public var gross: Paise
        public var charges: Paise
        public var net: Paise
    }

    /// One trading day's totals.
    public typealias Day = DayTotals

    public var trades: [Trade]
    public var days: [Day]
    /// Cumulative net PnL after each closed trade, in exit order, with its drawdown from the running peak.
    public var equity: [(time: Timestamp, net: Paise, drawdown: Paise)]
    /// Each day's minute-by-minute MTM and index prices, when the report was made from a replay that kept
    /// them (`IntradaySeries`); the page then draws each day with its trades on the index.
    public var intraday: [IntradaySeries.Day] = []

    public init(state: EngineState) {
        let risk = state.config?.risk
        let grouped = Position.trades(state.positions.filter { $0.entryFilled > 0 })
        trades = grouped.map { slices in
            let position = slices[0]
            let exitTag =
                slices.allSatisfy({ $0.exitReason != nil })
                ? position.exitReason.map { reason in
                    risk.map { reason.tag($0, dailyLossLimit: $0.dailyLossLimit) } ?? reason.rawValue
                } ?? "open" : "open"
            let filled = slices.reduce(Int64(0)) { $0 + $1.entryFilled }
            let cost = slices.reduce(Int64(0)) { $0 + $1.entryAverage.value * $1.entryFilled }
            let entryPrice = Paise((cost + filled / 2) / filled)
            let closedQuantity = slices.reduce(Int64(0)) { $0 + $1.entryFilled - $1.quantity }
            let realized = slices.reduce(Paise.zero) { $0 + $1.realized }
            let closedCost = slices.reduce(Int64(0)) { $0 + $1.entryAverage.value * ($1.entryFilled - $1.quantity) }
            // The sold units' average cost plus their realized PnL a unit (for one record, its entry average).
            let exitPrice =
                closedQuantity > 0
                ? Paise((closedCost + closedQuantity / 2) / closedQuantity) + Paise(realized.value / closedQuantity)
                : nil
            let open = slices.contains { $0.closedAt == nil }
            return Trade(
                date: position.tradingDate, index: position.index, entryTag: position.entryTag, exitTag: exitTag,
                entryTime: slices.compactMap(\.entryTime).min(),
                exitTime: open ? nil : slices.compactMap(\.closedAt).max(), entryPrice: entryPrice,
                exitPrice: exitPrice, quantity: filled,
                gross: slices.reduce(Paise.zero) { $0 + $1.realized + $1.unrealized },
                charges: slices.reduce(Paise.zero) { $0 + $1.charges },
                net: slices.reduce(Paise.zero) { $0 + $1.netPnL })
        }
        days = DayTotals.byDay(trades: grouped)
        var running = Paise.zero
        var peak = Paise.zero
        equity = trades.filter { $0.exitTime != nil }.sorted { $0.exitTime! < $1.exitTime! }.map { trade in
            running = running + trade.net
            peak = max(peak, running)
            return (trade.exitTime!, running, running - peak)
        }
    }

    public var totalNet: Paise { days.reduce(.zero) { $0 + $1.net } }
    public var maxDrawdown: Paise { equity.map(\.drawdown).min() ?? .zero }

    /// Trades as CSV.
    public var tradesCSV: String {
        var lines = ["date,entry_tag,exit_tag,entry_time,exit_time,entry_price,exit_price,quantity,gross,charges,net"]
        for trade in trades {
            lines.append(
                [
                    trade.date.description, trade.entryTag, trade.exitTag, trade.entryTime?.istString ?? "",
                    trade.exitTime?.istString ?? "",
                    trade.entryPrice.description, trade.exitPrice?.description ?? "", String(trade.quantity),
                    trade.gross.description,
                    trade.charges.description, trade.net.description,
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One self-contained HTML page (no network resources) with the summary, an SVG equity and drawdown
    /// chart, the per-day table and every trade.
    ///
    /// `notes` are lines shown under the summary (a backtest's assumptions and what its data lacked).
    public func html(title: String, notes: [String] = []) -> String {
        let width = 900.0
        let height = 260.0
        let values = [Paise.zero] + equity.map(\.net)
        let drawdowns = [Paise.zero] + equity.map(\.drawdown)
        let high = Double((values + drawdowns).map(\.value).max() ?? 1)
        let low = Double((values + drawdowns).map(\.value).min() ?? 0)
        let span = max(high - low, 1)
        func point(_ index: Int, _ value: Paise) -> String {
            let x = values.count > 1 ? Double(index) / Double(values.count - 1) * width : 0
            let y = height - (Double(value.value) - low) / span * height
            return "\((x * 10).rounded() / 10),\((y * 10).rounded() / 10)"
        }
        let zero = height - (0 - low) / span * height
        let equityLine = values.enumerated().map { point($0.offset, $0.element) }.joined(separator: " ")
        let drawdownArea =
            (["0,\((zero * 10).rounded() / 10)"] + drawdowns.enumerated().map { point($0.offset, $0.element) }
            + ["\(width),\((zero * 10).rounded() / 10)"]).joined(separator: " ")
        // Axes: rupees at the top, zero and the bottom of the range; exit dates (or times, within one day) below.
        var axes = "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"\(Int(height))\" stroke=\"#666\"/>"
        axes += "<line x1=\"0\" y1=\"\(Int(height))\" x2=\"\(Int(width))\" y2=\"\(Int(height))\" stroke=\"#666\"/>"
        var levels = [(high, "\(Paise(Int64(high)))"), (low, "\(Paise(Int64(low)))")]
        if low < 0 && high > 0 { levels.append((0, "0")) }
        for (value, label) in levels {
            let y = ((height - (value - low) / span * height) * 10).rounded() / 10
            axes += "<text x=\"-6\" y=\"\(y + 4)\" text-anchor=\"end\">₹\(label)</text>"
        }
        axes +=
            "<text x=\"-70\" y=\"\(Int(height) / 2)\" transform=\"rotate(-90 -70 \(Int(height) / 2))\" text-anchor=\"middle\">cumulative net ₹</text>"
        let oneDay = Set(equity.map { $0.time.istDate }).count <= 1
        let marks =
            equity.isEmpty
            ? [] : Array(Set([0, equity.count / 4, equity.count / 2, 3 * equity.count / 4, equity.count - 1])).sorted()
        var lastLabel = ""
        for mark in marks {
            let time = equity[mark].time
            let label = oneDay ? String(time.istString.dropFirst(11).prefix(5)) : "\(time.istDate)"
            // Several marks on one day show its date once.
            guard label != lastLabel else { continue }
            lastLabel = label
            let x = ((Double(mark + 1) / Double(max(values.count - 1, 1)) * width) * 10).rounded() / 10
            axes += "<line x1=\"\(x)\" y1=\"\(Int(height))\" x2=\"\(x)\" y2=\"\(Int(height) + 4)\" stroke=\"#666\"/>"
            axes += "<text x=\"\(x)\" y=\"\(Int(height) + 16)\" text-anchor=\"middle\">\(label)</text>"
        }
        axes +=
            "<text x=\"\(Int(width) / 2)\" y=\"\(Int(height) + 34)\" text-anchor=\"middle\">\(oneDay ? "exit time (IST)" : "exit date (IST)")</text>"
        var rows = ""
        for day in days {
            rows +=
                "<tr><td>\(day.date)</td><td>\(day.trades)</td><td>\(day.winners)</td><td>\(day.gross)</td><td>\(day.charges)</td><td>\(day.net)</td></tr>\n"
        }
        var tradeRows = ""
        for trade in trades {
            tradeRows +=
                "<tr><td>\(trade.date)</td><td>\(HTMLText.escape(trade.entryTag))</td><td>\(HTMLText.escape(trade.exitTag))</td><td>\(trade.entryTime?.istString ?? "")</td><td>\(trade.exitTime?.istString ?? "")</td><td>\(trade.entryPrice)</td><td>\(trade.exitPrice?.description ?? "")</td><td>\(trade.quantity)</td><td>\(trade.gross)</td><td>\(trade.charges)</td><td>\(trade.net)</td></tr>\n"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(HTMLText.escape(title))</title>
            <style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:nth-child(2),td:nth-child(3){text-align:left}.pos{color:#0a6}.neg{color:#c22}</style></head>
            <body><h1>\(HTMLText.escape(title))</h1>
            <p>\(trades.count) trades over \(days.count) day(s); net <b class="\(totalNet >= .zero ? "pos" : "neg")">₹\(totalNet)</b> after charges; max drawdown ₹\(maxDrawdown).</p>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width) + 100)" height="\(Int(height) + 50)" viewBox="-80 -10 \(Int(width) + 100) \(Int(height) + 50)" style="border:1px solid #ddd;background:#fcfcfc" font-family="system-ui,sans-serif" font-size="11">
            \(axes)
            <line x1="0" y1="\((zero * 10).rounded() / 10)" x2="\(Int(width))" y2="\((zero * 10).rounded() / 10)" stroke="#999" stroke-dasharray="4 3"/>
            <polygon points="\(drawdownArea)" fill="#f2b8b8" opacity="0.7"/>
            <polyline points="\(equityLine)" fill="none" stroke="#1565c0" stroke-width="2"/>
            </svg>
            <p>Blue: cumulative net PnL after each exit. Red: drawdown from the running peak.</p>\(notes.isEmpty ? "" : "\n<ul>" + notes.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>")
            <h2>Statistics</h2>\(ReportSummary(self).htmlTable)
            <h2>Per day</h2><table><tr><th>date</th><th>trades</th><th>winners</th><th>gross ₹</th><th>charges ₹</th><th>net ₹</th></tr>
            \(rows)</table>
            \(IntradayCharts.html(intraday, trades: trades))<h2>Trades</h2><table><tr><th>date</th><th>entry</th><th>exit</th><th>entry time</th><th>exit time</th><th>entry ₹</th><th>exit ₹</th><th>qty</th><th>gross ₹</th><th>charges ₹</th><th>net ₹</th></tr>
            \(tradeRows)</table></body></html>

            """
    }
}
