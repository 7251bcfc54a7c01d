import Domain

/// What one cell of a sweep made: its trades' figures and its net on every trading day of the data.
///
/// Net is index points for the proxy study (no costs) and rupees after charges for the engine. The Sharpe
/// ratio is of daily net over the trading days (a day without a trade counts as 0), annualised by √252;
/// maximum drawdown is the largest fall of cumulative daily net from its running peak.
public struct SweepResult: Sendable, Equatable {
    /// One trading day's trades: enough to rebuild every figure of a window (walk-forward) exactly.
    public struct Day: Sendable, Equatable {
        public var date: CivilDate
        public var trades: Int
        /// Trades that made money.
        public var winners: Int
        public var net: Double
        /// The sum of the winning trades' nets, and of the losing trades' (as a positive figure).
        public var grossWins: Double
        public var grossLosses: Double

        public init(
            date: CivilDate, trades: Int = 0, winners: Int = 0, net: Double = 0, grossWins: Double = 0,
            grossLosses: Double = 0
        ) {
            self.date = date
            self.trades = trades
            self.winners = winners
            self.net = net
            self.grossWins = grossWins
            self.grossLosses = grossLosses
        }

        /// Counts one trade's net.
        mutating func add(_ tradeNet: Double) {
            trades += 1
            net += tradeNet
            if tradeNet > 0 {
                winners += 1
                grossWins += tradeNet
            } else if tradeNet < 0 {
                grossLosses -= tradeNet
            }
        }
    }

    public var cell: String
    public var trades: Int
    public var winners: Int
    public var net: Double
    public var grossWins: Double
    public var grossLosses: Double
    public var days: [Day]

    /// From each trade's exit date and net, over `dates` (every trading day of the data, ascending).
    public init(cell: String, trades: [(date: CivilDate, net: Double)], dates: [CivilDate]) {
        var byDate: [CivilDate: Day] = [:]
        for date in dates { byDate[date] = Day(date: date) }
        for trade in trades { byDate[trade.date, default: Day(date: trade.date)].add(trade.net) }
        self.init(cell: cell, days: byDate.values.sorted { $0.date < $1.date })
        // The whole run's figures are summed in trade order (the days' sums may differ in the last bit).
        net = trades.reduce(0) { $0 + $1.net }
        grossWins = trades.filter { $0.net > 0 }.reduce(0) { $0 + $1.net }
        grossLosses = -trades.filter { $0.net < 0 }.reduce(0) { $0 + $1.net }
    }

    /// From its days: a window of walk-forward, or a result read back from its line.
    public init(cell: String, days: [Day]) {
        self.cell = cell
        self.days = days
        trades = days.reduce(0) { $0 + $1.trades }
        winners = days.reduce(0) { $0 + $1.winners }
        net = days.reduce(0) { $0 + $1.net }
        grossWins = days.reduce(0) { $0 + $1.grossWins }
        grossLosses = days.reduce(0) { $0 + $1.grossLosses }
    }

    /// The same cell's result over the days from `first` to `last`.
    public func window(_ first: CivilDate, _ last: CivilDate) -> SweepResult {
        SweepResult(cell: cell, days: days.filter { $0.date >= first && $0.date <= last })
    }

    public var winRate: Double { trades == 0 ? 0 : Double(winners) / Double(trades) }

    /// Gross wins over gross losses; infinite with wins and no loss, 0 with neither.
    public var profitFactor: Double {
        grossLosses == 0 ? (grossWins > 0 ? .infinity : 0) : grossWins / grossLosses
    }

    public var maxDrawdown: Double {
        var peak = 0.0
        var total = 0.0
        var worst = 0.0
        for day in days {
            total += day.net
            peak = max(peak, total)
            worst = max(worst, peak - total)
        }
        return worst
    }

    public var sharpe: Double {
        guard days.count > 1 else { return 0 }
        let mean = days.reduce(0) { $0 + $1.net } / Double(days.count)
        let variance = days.reduce(0) { $0 + ($1.net - mean) * ($1.net - mean) } / Double(days.count - 1)
        guard variance > 0 else { return 0 }
        return mean / variance.squareRoot() * 252.0.squareRoot()
    }

    /// A figure by the name `--objective` and the heatmap use.
    public func metric(_ metric: SweepMetric) -> Double {
        switch metric {
        case .net: net
        case .sharpe: sharpe
        case .profitFactor: profitFactor
        case .winRate: winRate
        case .maxDrawdown: maxDrawdown
        case .trades: Double(trades)
        }
    }
}

/// A figure of a sweep's result that a walk-forward objective or a heatmap reads.
public enum SweepMetric: String, Sendable, CaseIterable {
    case net
    case sharpe
    case profitFactor = "profit_factor"
    case winRate = "win_rate"
    case maxDrawdown = "max_drawdown"
    case trades

    /// Whether a larger value is better (drawdown is the one where it is not).
    public var higherIsBetter: Bool { self != .maxDrawdown }
}
