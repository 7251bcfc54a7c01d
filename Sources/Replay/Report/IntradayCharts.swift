import Domain

/// The report's per-day section: each day's intraday MTM, and each index traded that day with every trade's
/// entry and exit marked on it, as inline SVG on a 09:15–15:30 IST time axis.
enum IntradayCharts {
    /// Days drawn at most (the latest); a longer report says how many it left out.
    static let maxDays = 20

    static func html(_ days: [IntradaySeries.Day], trades: [SessionReport.Trade]) -> String {
        guard !days.isEmpty else { return "" }
        let shown = days.suffix(maxDays)
        var out = "<h2>Each day</h2>\n"
        if days.count > shown.count {
            out += "<p>The last \(shown.count) of \(days.count) days.</p>\n"
        }
        out +=
            "<p>Blue: the day's net PnL marked to market each minute. On each index: ▲ a trade's entry, ▼ its exit (green won, red lost), joined by a dashed line.</p>\n"
        for day in shown {
            out += "<section class=\"day\" data-date=\"\(day.date)\"><h3>\(day.date)</h3>\n"
            out += chart(
                series: day.mtm.map { ($0.time, $0.net) }, label: "day net ₹", className: "mtm",
                attributes: "", marks: "")
            let dayTrades = trades.filter { $0.date == day.date && $0.entryTime != nil }
            for key in day.prices.keys.sorted() where dayTrades.contains(where: { $0.index == key }) {
                let prices = day.prices[key]!
                let mine = dayTrades.filter { $0.index == key }
                out += chart(
                    series: prices.map { ($0.time, $0.price) }, label: "\(key) ₹", className: "index-chart",
                    attributes: " data-index=\"\(key)\" data-trades=\"\(mine.count)\"",
                    marks: markers(mine, prices: prices))
            }
            out += "</section>\n"
        }
        return out
    }

    // The drawing area, in SVG units, and the session's span on the time axis.
    static let width = 760.0
    static let height = 170.0
    static let left = 80.0
    static let bottom = 36.0
    static let open = Double(IntradaySeries.open)
    static let close = Double(IntradaySeries.close)

    static func x(_ time: Timestamp) -> Double { x(secondOfDay: Double(time.istSecondOfDay)) }

    /// Where an IST second of the day sits on the time axis (clamped to the session).
    static func x(secondOfDay: Double) -> Double {
        let second = min(max(secondOfDay, open), close)
        return left + (second - open) / (close - open) * (width - left - 10)
    }

    /// An SVG coordinate to a tenth of a unit.
    static func f(_ value: Double) -> String { String((value * 10).rounded() / 10) }

    /// The vertical scale of `series`: its low and high (zero included for PnL).
    struct Scale {
        var low: Double
        var high: Double
        func y(_ value: Paise) -> Double {
            let span = max(high - low, 1)
            return 10 + (high - Double(value.value)) / span * (height - 10 - bottom)
        }
    }

    static func chart(
        series: [(Timestamp, Paise)], label: String, className: String, attributes: String, marks: String
    ) -> String {
        let values = series.map { Double($0.1.value) }
        var low = values.min() ?? 0
        var high = values.max() ?? 0
        if className == "mtm" {
            low = min(low, 0)
            high = max(high, 0)
        }
        let scale = Scale(low: low, high: high)
        var svg =
            "<svg class=\"\(className)\"\(attributes) width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-size=\"11\" style=\"background:#fff;border:1px solid #ddd;display:block;margin:6px 0\">"
        let baseline = height - bottom
        svg +=
            "<line x1=\"\(left)\" y1=\"10\" x2=\"\(left)\" y2=\"\(baseline)\" stroke=\"#666\"/><line x1=\"\(left)\" y1=\"\(baseline)\" x2=\"\(width - 10)\" y2=\"\(baseline)\" stroke=\"#666\"/>"
        var levels = [(high, Paise(Int64(high)))]
        if low != high { levels.append((low, Paise(Int64(low)))) }
        if className == "mtm" && low < 0 && high > 0 {
            // Zero gets a label only where it does not sit on the high's or the low's.
            if levels.allSatisfy({ abs(scale.y(Paise(Int64($0.0))) - scale.y(.zero)) > 12 }) {
                levels.append((0, .zero))
            }
            svg +=
                "<line x1=\"\(left)\" y1=\"\(f(scale.y(.zero)))\" x2=\"\(width - 10)\" y2=\"\(f(scale.y(.zero)))\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>"
        }
        for (_, value) in levels {
            svg += "<text x=\"\(left - 6)\" y=\"\(f(scale.y(value) + 4))\" text-anchor=\"end\">₹\(value)</text>"
        }
        svg +=
            "<text x=\"14\" y=\"\(f(baseline / 2))\" transform=\"rotate(-90 14 \(f(baseline / 2)))\" text-anchor=\"middle\">\(label)</text>"
        for (hour, minute) in [(9, 15), (11, 0), (13, 0), (15, 30)] {
            let tick = x(secondOfDay: Double(hour * 3600 + minute * 60))
            let anchor = hour == 15 ? "end" : "middle"
            svg +=
                "<text x=\"\(f(tick))\" y=\"\(f(baseline + 14))\" text-anchor=\"\(anchor)\">\(hour):\(minute < 10 ? "0" : "")\(minute)</text>"
        }
        svg += "<text x=\"\(f((left + width) / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\">time (IST)</text>"
        let points = series.map { "\(f(x($0.0))),\(f(scale.y($0.1)))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"1.5\" points=\"\(points)\"/>"
        svg += marks
        return svg + "</svg>\n"
    }

    /// Each trade's entry and exit at the index's price at that minute (the last sample at or before it).
    static func markers(_ trades: [SessionReport.Trade], prices: [(time: Timestamp, price: Paise)]) -> String {
        let values = prices.map { Double($0.price.value) }
        let scale = Scale(low: values.min() ?? 0, high: values.max() ?? 0)
        func price(at time: Timestamp) -> Paise? {
            prices.last(where: { $0.time <= time })?.price ?? prices.first?.price
        }
        var out = ""
        for (number, trade) in trades.enumerated() {
            guard let entryTime = trade.entryTime, let entry = price(at: entryTime) else { continue }
            let colour = trade.net > .zero ? "#0a7d3a" : "#c62828"
            let (ex, ey) = (x(entryTime), scale.y(entry))
            let title = "\(trade.entryTag) \(entryTime.istString.dropFirst(11).prefix(8))"
            out +=
                "<path class=\"entry\" data-trade=\"\(number)\" d=\"M\(f(ex)) \(f(ey - 2)) l-5 9 h10 z\" fill=\"\(colour)\"><title>entry \(title) at ₹\(trade.entryPrice)</title></path>"
            if let exitTime = trade.exitTime, let exit = price(at: exitTime) {
                let (xx, xy) = (x(exitTime), scale.y(exit))
                out +=
                    "<line x1=\"\(f(ex))\" y1=\"\(f(ey))\" x2=\"\(f(xx))\" y2=\"\(f(xy))\" stroke=\"\(colour)\" stroke-dasharray=\"3 2\"/>"
                out +=
                    "<path class=\"exit\" data-trade=\"\(number)\" d=\"M\(f(xx)) \(f(xy + 2)) l-5 -9 h10 z\" fill=\"\(colour)\"><title>exit \(trade.exitTag) net ₹\(trade.net)</title></path>"
            }
        }
        return out
    }
}
