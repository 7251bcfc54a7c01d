import Dhan
import Domain
import Foundation
import History
import TestSupport
import Testing

/// The history store's files and names, without a network.
@Suite("History store")
struct HistoryStoreTests {
    static func bar(_ day: CivilDate, minute: Int, close: Int64) -> RecordedOptionBar {
        RecordedOptionBar(
            start: Timestamp.ist(day, 9, 15 + minute).epochSeconds, open: Paise(close - 5), high: Paise(close + 10),
            low: Paise(close - 15), close: Paise(close), volume: 750, openInterest: 12_000, impliedVolatility: 13.25,
            strike: .rupees(25_700), spot: Paise(2_571_234))
    }

    @Test("a month file round-trips byte for byte; a day is found by binary search; a damaged file names itself")
    func fileRoundTrip() throws {
        let days = [CivilDate(2025, 10, 27), CivilDate(2025, 10, 28), CivilDate(2025, 10, 30)]
        let bars = days.flatMap { day in (0..<3).map { Self.bar(day, minute: $0, close: 12_000 + Int64($0) * 5) } }
        let file = HistoryFile(from: CivilDate(2025, 10, 1), through: CivilDate(2025, 11, 1), bars: bars)
        let data = file.encoded()
        #expect(data.count == 20 + 80 * 9)
        #expect(try HistoryFile.decode(data, file: "f") == file)
        #expect(Array(file.bars(on: CivilDate(2025, 10, 28))) == Array(bars[3..<6]))
        #expect(file.bars(on: CivilDate(2025, 10, 29)).isEmpty)
        #expect(file.isComplete(Month(2025, 10)) && !file.isComplete(Month(2025, 11)))
        #expect(
            throws: HistoryStoreError.corrupt(file: "f", reason: "739 bytes for 9 bars (expected 740); fetch it again")
        ) { try HistoryFile.decode(data.dropLast(), file: "f") }
        #expect(throws: HistoryStoreError.corrupt(file: "g", reason: "not a history file (no ASHS header)")) {
            try HistoryFile.decode(Data("hello world, this is not it".utf8), file: "g")
        }
    }

    @Test("series names and store paths: every kind round-trips; months cover a range")
    func names() {
        let series: [HistorySeries] = [
            .options(interval: 1, expiry: .week, code: 1, offset: StrikeOffset(-3), type: .put),
            .options(interval: 60, expiry: .month, code: 2, offset: StrikeOffset(0), type: .call),
            .indexIntraday(interval: 5), .indexDaily,
        ]
        for item in series { #expect(HistorySeries(path: item.path) == item, "\(item)") }
        #expect(series[0].path == "options/1m/week-1/ATM-3-PE")
        #expect(HistorySeries(path: "options/1m/week-1/ATM+11-CE") == nil)
        let store = HistoryStore(root: "/data")
        #expect(
            store.path(index: "NIFTY", series: series[1], month: Month(2025, 3))
                == "/data/NIFTY/options/60m/month-2/ATM-CE/2025-03.bin")
        #expect(
            Month.covering(from: CivilDate(2024, 12, 20), to: CivilDate(2025, 2, 1)) == [
                Month(2024, 12), Month(2025, 1),
            ])
        #expect(
            HistoryStore.defaultRoot(environment: ["HOME": "/home/t", "XDG_DATA_HOME": "relative"])
                == "/home/t/.local/share/algoscalper/history")
    }

    @Test("written files list by index and series, with partial months counted; a fetch plan skips what is stored")
    func listAndPlan() throws {
        let scratch = TemporaryDirectory("history-store")
        let store = HistoryStore(root: scratch.sub("store"))
        let atm = HistorySeries.options(interval: 1, expiry: .week, code: 1, offset: StrikeOffset(0), type: .call)
        let october = HistoryFile(
            from: CivilDate(2025, 10, 1), through: CivilDate(2025, 11, 1),
            bars: [Self.bar(CivilDate(2025, 10, 27), minute: 0, close: 12_000)])
        let november = HistoryFile(from: CivilDate(2025, 11, 1), through: CivilDate(2025, 11, 4), bars: [])
        try store.write(october, index: "NIFTY", series: atm, month: Month(2025, 10))
        try store.write(november, index: "NIFTY", series: atm, month: Month(2025, 11))
        let listing = try store.list()
        #expect(listing.count == 1)
        #expect(listing.first?.months == [Month(2025, 10), Month(2025, 11)] && listing.first?.bars == 1)
        #expect(listing.first?.partialMonths == 1 && listing.first?.through == CivilDate(2025, 11, 4))
        let fetch = HistoryFetch(
            targets: [.init(index: "NIFTY", underlying: InstrumentKey(.indexValue, 13), optionSegment: .nseFNO)],
            series: [atm], from: CivilDate(2025, 10, 15), to: CivilDate(2025, 11, 10))
        let plan = try fetch.plan(store)
        #expect(plan.stored == 1)
        #expect(plan.items.map(\.month) == [Month(2025, 11)])
        #expect(
            plan.items.first?.from == CivilDate(2025, 11, 1) && plan.items.first?.through == CivilDate(2025, 11, 10))
        let lines = try HistoryExport.lines(
            store, index: "NIFTY", series: atm, from: CivilDate(2025, 10, 27), to: CivilDate(2025, 10, 28))
        #expect(
            lines == [
                "NIFTY,options/1m/week-1/ATM-CE,2025-10-27T09:15:00.000+05:30,1761536700,119.95,120.10,119.85,120.00,750,12000,13.25,25700.00,25712.34"
            ])
    }
}
