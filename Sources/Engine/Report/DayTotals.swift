import Domain

/// One trading day's trades and money: what the report's per-day table and the close-of-day summary show.
///
/// A trade is a position: the freeze slices of one entry (`Position.slicesOf`) count once. Gross is realised
/// plus unrealised PnL (an open position counts at its last mark), net is gross less charges.
public struct DayTotals: Sendable, Equatable {
    public var date: CivilDate
    public var trades: Int
    public var winners: Int
    public var gross: Paise
    public var charges: Paise
    public var net: Paise

    public init(date: CivilDate, trades: Int, winners: Int, gross: Paise, charges: Paise, net: Paise) {
        self.date = date
        self.trades = trades
        self.winners = winners
        self.gross = gross
        self.charges = charges
        self.net = net
    }

    /// Nothing traded on `date`.
    public static func empty(_ date: CivilDate) -> DayTotals {
        DayTotals(date: date, trades: 0, winners: 0, gross: .zero, charges: .zero, net: .zero)
    }

    /// Counts one trade.
    public mutating func add(gross: Paise, charges: Paise, net: Paise) {
        trades += 1
        winners += net > .zero ? 1 : 0
        self.gross = self.gross + gross
        self.charges = self.charges + charges
        self.net = self.net + net
    }

    /// Counts one position (all its slices).
    public mutating func add(_ slices: [Position]) {
        add(
            gross: slices.reduce(Paise.zero) { $0 + $1.realized + $1.unrealized },
            charges: slices.reduce(Paise.zero) { $0 + $1.charges },
            net: slices.reduce(Paise.zero) { $0 + $1.netPnL })
    }

    /// The totals of each trading day on which a position traded (an entry fill), in the order of their first
    /// trades.
    public static func byDay(_ records: [Position]) -> [DayTotals] {
        byDay(trades: Position.trades(records.filter { $0.entryFilled > 0 }))
    }

    /// The same from positions already grouped into trades (`Position.trades`), in trade order.
    public static func byDay(trades: [[Position]]) -> [DayTotals] {
        var days: [DayTotals] = []
        for slices in trades {
            let date = slices[0].tradingDate
            if days.last?.date != date { days.append(.empty(date)) }
            days[days.count - 1].add(slices)
        }
        return days
    }
}

extension Position {
    /// Position records grouped into trades, in the order of each trade's first record: the slices of one
    /// entry (`slicesOf`) are one trade.
    public static func trades(_ records: [Position]) -> [[Position]] {
        var groups: [[Position]] = []
        var at: [CorrelationID: Int] = [:]
        for record in records {
            if let group = at[record.positionID] {
                groups[group].append(record)
            } else {
                at[record.positionID] = groups.count
                groups.append([record])
            }
        }
        return groups
    }
}
