import Domain
import MarketModel
import TestSupport
import Testing

@Suite("index path model")
struct IndexPathTests {
    @Test("paths over a range are each day's path(on:), the daily chain walked once")
    func pathsMatchOneDayAtATime() throws {
        let calendar = try ConfigFixtures.calendar()
        for spec in IndexSpec.standard {
            let model = IndexPathModel(spec: spec, seed: 7)
            let start = CivilDate(2025, 2, 20)
            let end = CivilDate(2025, 3, 20)
            let paths = model.paths(from: start, through: end, calendar: calendar)
            var expected: [DayPath] = []
            var day = start
            while day <= end {
                if calendar.isTradingDay(day, exchange: spec.exchange) {
                    expected.append(model.path(on: day, calendar: calendar))
                }
                day = day.adding(days: 1)
            }
            #expect(paths.count == expected.count && paths.count > 15, "\(spec.symbol)")
            for (got, want) in zip(paths, expected) {
                #expect(got.date == want.date, "\(spec.symbol)")
                #expect(got.previousClose == want.previousClose, "\(spec.symbol) \(want.date)")
                #expect(got.levels == want.levels, "\(spec.symbol) \(want.date)")
            }
        }
    }

    @Test("from the anchor day, the first path's previous close is the anchor level")
    func fromTheAnchor() throws {
        let spec = IndexSpec.standard[0]
        let model = IndexPathModel(spec: spec, seed: 7)
        let calendar = try ConfigFixtures.calendar()
        let paths = model.paths(from: IndexPathModel.anchorDate, through: CivilDate(2025, 1, 10), calendar: calendar)
        let first = model.path(on: paths[0].date, calendar: calendar)
        #expect(paths[0].previousClose == first.previousClose)
        #expect(paths[0].levels == first.levels)
    }
}
