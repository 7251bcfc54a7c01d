import Domain
import Engine
import Journal
import Recovery
import Replay
import TestSupport
import Testing

@Suite("Session report trade lines")
struct SessionReportTests {
    static let day = CivilDate(2025, 11, 4)
    static func time(_ h: Int, _ m: Int) -> Timestamp { Timestamp.ist(day, h, m) }

    /// A closed record: `quantity` bought at `entry`, sold at `exit`, with `charges` paise of charges.
    static func closed(
        _ id: String, slicesOf: String?, quantity: Int64, entry: Int64, exit: Int64, charges: Int64, closedAt: Timestamp
    ) -> Position {
        var position = Position(
            id: CorrelationID(id)!, index: "NIFTY", instrument: InstrumentKey(.nseFNO, 49081), exchange: .nse,
            optionType: .call, strike: .rupees(25_700), expiry: day, direction: .bullish,
            entryTag: "entry_NIFTY_CE_25700", orderedQuantity: quantity, tradingDate: day)
        position.slicesOf = slicesOf.map { CorrelationID($0)! }
        position.stage = .exited(nil)
        position.entryFilled = quantity
        position.entryAverage = Paise(entry)
        position.entryTime = time(10, 30)
        position.realized = Paise((exit - entry) * quantity)
        position.chargeUnits = charges * 10_000
        position.exitReason = .stopLoss
        position.closedAt = closedAt
        return position
    }

    @Test("the slices of one entry are one trade: quantities, PnL and charges add up, prices are averaged")
    func slicesAreOneTrade() {
        var state = EngineState()
        state.positions = [
            Self.closed(
                "A-1", slicesOf: "A-1", quantity: 75, entry: 10_000, exit: 7_100, charges: 4_000,
                closedAt: Self.time(10, 31)),
            Self.closed(
                "A-2", slicesOf: "A-1", quantity: 75, entry: 10_400, exit: 7_000, charges: 4_100,
                closedAt: Self.time(10, 32)),
            Self.closed(
                "B-1", slicesOf: nil, quantity: 75, entry: 9_000, exit: 9_901, charges: 3_900,
                closedAt: Self.time(11, 0)),
        ]
        let report = SessionReport(state: state)
        #expect(report.trades.count == 2)
        let whole = report.trades[0]
        #expect(whole.quantity == 150 && whole.entryPrice == Paise(10_200) && whole.exitPrice == Paise(7_050))
        #expect(whole.gross == Paise((7_100 - 10_000) * 75 + (7_000 - 10_400) * 75))
        #expect(whole.charges == Paise(8_100) && whole.net == whole.gross - Paise(8_100))
        #expect(whole.exitTime == Self.time(10, 32) && whole.exitTag == "stopLoss")
        // One record: its own prices, as before slices were grouped.
        let single = report.trades[1]
        #expect(single.quantity == 75 && single.entryPrice == Paise(9_000) && single.exitPrice == Paise(9_901))
        #expect(report.days.map(\.trades) == [2])
    }
}

@Suite("The report's intraday series")
struct IntradaySeriesTests {
    @Test(
        "a replay samples each session minute once, in order, ending on the day's final net; the page draws the day and marks every trade on its index"
    )
    func normalDay() throws {
        let scratch = TemporaryDirectory()
        let path = try Fixtures.copy("journal-fixtures/normal-day", into: scratch)
        var series = IntradaySeries()
        var calls = 0
        let outcome = try JournalReplayer.replay(
            try Journal.openForReading(at: path).reader,
            everyMinute: { state, time in
                calls += 1
                series.sample(state, at: time)
            })
        let plain = try JournalReplayer.replay(try Journal.openForReading(at: path).reader)
        #expect(outcome.state == plain.state, "sampling changes nothing in the fold")
        let day = try #require(series.days.first)
        #expect(series.days.count == 1 && day.date == outcome.state.session?.tradingDate)
        let minutes = day.mtm.map { $0.time.epochSeconds / 60 }
        #expect(minutes == minutes.sorted() && Set(minutes).count == minutes.count, "one sample a minute")
        #expect(day.mtm.count > 60 && calls >= day.mtm.count)
        #expect(
            day.mtm.allSatisfy {
                $0.time.istSecondOfDay >= 9 * 3600 + 15 * 60 && $0.time.istSecondOfDay <= 15 * 3600 + 30 * 60
            })
        #expect(day.mtm.last?.net == outcome.state.dayNetPnL)
        #expect(day.prices["NIFTY"]?.count == day.mtm.count)
        var report = SessionReport(state: outcome.state)
        report.intraday = series.days
        let html = report.html(title: "normal day")
        #expect(html.contains("<section class=\"day\" data-date=\"\(day.date)\">"))
        let traded = report.trades.filter { $0.entryTime != nil }
        #expect(!traded.isEmpty)
        #expect(html.components(separatedBy: "<path class=\"entry\"").count - 1 == traded.count)
        #expect(
            html.components(separatedBy: "<path class=\"exit\"").count - 1
                == traded.filter { $0.exitTime != nil }.count)
    }
}
