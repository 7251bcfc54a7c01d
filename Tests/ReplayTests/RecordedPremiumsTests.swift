import Domain
import Engine
import Foundation
import History
import TestSupport
import Testing

@testable import Replay

/// Recorded premiums on a hand-made store: the path inside a bar, spread and slippage, a held contract
/// found across rolling offsets, and what the store does not carry counted instead of priced.
@Suite("Recorded premiums")
struct RecordedPremiumsTests {
    static func calendar() throws -> TradingCalendar {
        try TradingCalendar.parse(yaml: try SessionFixtures.files()[1].text)
    }

    static func rupees(_ value: Double) -> Paise { Paise(Int64((value * 100).rounded())) }

    static func bar(
        _ start: Int64, _ open: Double, _ high: Double, _ low: Double, _ close: Double, strike: Int64, iv: Double = 14,
        spot: Int64? = nil
    ) -> RecordedOptionBar {
        RecordedOptionBar(
            start: start, open: rupees(open), high: rupees(high), low: rupees(low), close: rupees(close),
            volume: 1_000, openInterest: 2_000_000, impliedVolatility: iv, strike: .rupees(strike),
            spot: .rupees(spot ?? strike))
    }

    @Test("inside a bar the price walks open, low, high, close: the adverse extreme of a long option first")
    func pathInsideABar() throws {
        let start = Timestamp.ist(CivilDate(2025, 10, 28), 10, 0).epochSeconds
        let bar = Self.bar(start, 100, 120, 90, 110, strike: 25_000)
        func at(_ second: Int64) -> Paise {
            RecordedPremiums.price(in: bar, at: Timestamp(epochSeconds: start + second), intervalSeconds: 60)
        }
        #expect(at(0) == Self.rupees(100))
        #expect(at(15) == Self.rupees(90))
        #expect(at(30) == Self.rupees(120))
        #expect(at(55) == Self.rupees(110))
        #expect(at(59) == Self.rupees(110))
        // 5 s of the 15 s from 100 to 90: 96.666…, down to the 5-paise tick.
        #expect(at(5) == Self.rupees(96.65))
        // Halfway from the high to the close (30 s → 55 s): 115.20 at 42 s (120 − 10 × 12/25).
        #expect(at(42) == Self.rupees(115.20))
        let premiums = RecordedPremiums(store: HistoryStore(root: "/nonexistent"), calendar: try Self.calendar())
        #expect(!premiums.isInsideBar(Timestamp(epochSeconds: start)))
        #expect(premiums.isInsideBar(Timestamp(epochSeconds: start + 15)))
        #expect(premiums.isInsideBar(Timestamp(epochSeconds: start + 50)))
        #expect(!premiums.isInsideBar(Timestamp(epochSeconds: start + 55)))
    }

    @Test("a fill pays half the spread and the slippage: ₹100 at 0.5 % and one tick buys at 100.30, sells at 99.70")
    func spreadAndSlippage() throws {
        let premiums = RecordedPremiums(
            store: HistoryStore(root: "/nonexistent"), calendar: try Self.calendar(),
            costs: .init(spreadPercent: 0.5, slippageTicks: 1))
        #expect(premiums.quote(.rupees(100)).bid == Self.rupees(99.75))
        #expect(premiums.quote(.rupees(100)).ask == Self.rupees(100.25))
        #expect(premiums.fillPrice(side: .buy, premium: .rupees(100)) == Self.rupees(100.30))
        #expect(premiums.fillPrice(side: .sell, premium: .rupees(100)) == Self.rupees(99.70))
        // At least a tick each side, and never below a tick.
        #expect(premiums.quote(.rupees(2)).bid == Self.rupees(1.95))
        #expect(premiums.quote(.rupees(2)).ask == Self.rupees(2.05))
        #expect(premiums.fillPrice(side: .sell, premium: Paise(5)) == Paise(5))
        let free = RecordedPremiums(
            store: HistoryStore(root: "/nonexistent"), calendar: try Self.calendar(),
            costs: .init(spreadPercent: 0, slippageTicks: 0))
        #expect(free.fillPrice(side: .buy, premium: .rupees(100)) == Self.rupees(100.05))
    }

    @Test(
        "a held strike is found in whichever offset carried it that minute; beyond the stored strikes it gets the no-arbitrage lower bound; counted"
    )
    func rollingOffsetsAndMissingData() throws {
        let files = try SessionFixtures.files()
        let calendar = try TradingCalendar.parse(yaml: files[1].text)
        let config = try AlgoConfig.parse(yaml: files[0].text, calendar: calendar)
        let nifty = try #require(config.index("NIFTY"))
        let day = CivilDate(2025, 10, 28)
        let expiries = calendar.expiries(of: "NIFTY", onOrAfter: day, count: 2)
        let scratch = TemporaryDirectory("premiums")
        let store = HistoryStore(root: scratch.path)
        let first = Timestamp.ist(day, 10, 0).epochSeconds
        func series(_ offset: Int) -> HistorySeries {
            .options(interval: 1, expiry: .week, code: 1, offset: StrikeOffset(offset), type: .call)
        }
        // 10:00 the ATM strike is 25,000; at 10:01 the spot has moved up a step, so 25,050 is ATM.
        let atm = [
            Self.bar(first, 100, 104, 98, 102, strike: 25_000, spot: 25_010),
            Self.bar(first + 60, 120, 125, 118, 121, strike: 25_050, spot: 25_040),
        ]
        let up1 = [
            Self.bar(first, 80, 84, 78, 81, strike: 25_050, spot: 25_010),
            Self.bar(first + 60, 95, 99, 93, 96, strike: 25_100, spot: 25_040),
        ]
        let month = Month(of: day)
        try store.write(
            HistoryFile(from: month.first, through: month.next.first, bars: atm), index: "NIFTY", series: series(0),
            month: month)
        try store.write(
            HistoryFile(from: month.first, through: month.next.first, bars: up1), index: "NIFTY", series: series(1),
            month: month)

        let premiums = RecordedPremiums(store: store, calendar: calendar)
        let held = RecordedPremiums.Contract(index: "NIFTY", strike: .rupees(25_050), type: .call, expiry: expiries[0])
        // 10:00:00 in ATM+1 at its open, 10:01:15 in ATM at its low.
        #expect(try premiums.premium(held, at: Timestamp(epochSeconds: first))?.0 == .rupees(80))
        #expect(try premiums.premium(held, at: Timestamp(epochSeconds: first + 75))?.0 == .rupees(118))
        #expect(try premiums.premium(held, at: Timestamp(epochSeconds: first))?.1 == .recorded)
        // A call below the stored strikes (drifted into the money): at least its intrinsic value (25,010 −
        // 24,950 = 60) and every higher strike's call (100 and 80 at the open): ₹100, a bound, counted.
        let below = RecordedPremiums.Contract(index: "NIFTY", strike: .rupees(24_950), type: .call, expiry: expiries[0])
        #expect(try premiums.premium(below, at: Timestamp(epochSeconds: first))?.0 == .rupees(100))
        #expect(try premiums.premium(below, at: Timestamp(epochSeconds: first))?.1 == .bound)
        #expect(try premiums.tickPremium(below, id: 1, at: Timestamp(epochSeconds: first)) == .rupees(100))
        #expect(try premiums.tickPremium(below, id: 1, at: Timestamp(epochSeconds: first + 5), forFill: true) != nil)
        // Deep in the money the intrinsic value is the bound: 25,010 − 24,800 = 210.
        let deep = RecordedPremiums.Contract(index: "NIFTY", strike: .rupees(24_800), type: .call, expiry: expiries[0])
        #expect(try premiums.premium(deep, at: Timestamp(epochSeconds: first))?.0 == .rupees(210))
        // Far out of the money nothing bounds it above zero: one tick.
        let far = RecordedPremiums.Contract(index: "NIFTY", strike: .rupees(25_300), type: .call, expiry: expiries[0])
        #expect(try premiums.premium(far, at: Timestamp(epochSeconds: first))?.0 == Paise(5))
        #expect(premiums.counts.contractMinutesAtBound == 1 && premiums.counts.fillsAtBound == 1)
        // A minute without any bar: no price at all, one count per contract-minute.
        #expect(try premiums.tickPremium(held, id: 2, at: Timestamp(epochSeconds: first + 120)) == nil)
        #expect(try premiums.tickPremium(held, id: 2, at: Timestamp(epochSeconds: first + 125)) == nil)
        #expect(premiums.counts.contractMinutesWithoutPrice == 1)
        // The put side, the next expiry: not stored.
        var put = held
        put.type = .put
        #expect(try premiums.premium(put, at: Timestamp(epochSeconds: first)) == nil)
        var next = held
        next.expiry = expiries[1]
        #expect(try premiums.premium(next, at: Timestamp(epochSeconds: first)) == nil)

        // The chain at 10:00:30 (the bars' highs): two strikes; a bullish selector looking at ATM…ATM+2 misses ATM+2.
        let (chain, contracts) = try premiums.chain(
            index: nifty, indexOrdinal: 0, spot: .rupees(25_010), expiry: expiries[0],
            at: Timestamp(epochSeconds: first + 30), wanted: .call, strikesBeyondATM: 2)
        #expect(chain.strikes.map(\.strike) == [.rupees(25_000), .rupees(25_050)])
        #expect(chain.strikes.map { $0.call?.lastPrice } == [.rupees(104), .rupees(84)])
        #expect(chain.strikes.allSatisfy { $0.put == nil })
        let quote = try #require(chain.strikes[0].call)
        #expect(quote.bestBid == Self.rupees(103.75) && quote.bestAsk == Self.rupees(104.25))
        #expect(quote.impliedVolatility == 14 && quote.openInterest == 2_000_000)
        // Delta from the recorded IV: a call just in the money, a little above a half.
        #expect(quote.delta > 0.5 && quote.delta < 0.6)
        #expect(contracts.count == 2 && contracts[quote.securityID!]?.strike == .rupees(25_000))
        #expect(premiums.counts.candidatesNotCarried == 1 && premiums.counts.chainsWithoutData == 0)
        // The next expiry has no stored series: an empty chain, counted.
        let (empty, _) = try premiums.chain(
            index: nifty, indexOrdinal: 0, spot: .rupees(25_010), expiry: expiries[1],
            at: Timestamp(epochSeconds: first + 30), wanted: .put, strikesBeyondATM: 2)
        #expect(empty.strikes.isEmpty)
        #expect(premiums.counts.chainsWithoutData == 1 && premiums.counts.candidatesNotCarried == 4)
    }

    @Test("ids are distinct across indices, expiries, sides and strikes")
    func securityIDs() {
        let expiry = CivilDate(2025, 10, 28)
        var seen = Set<SecurityID>()
        for ordinal in 0..<3 {
            for day in 0..<3 {
                for type in OptionType.allCases {
                    for strike in stride(from: Int64(24_000), through: 26_000, by: 50) {
                        seen.insert(
                            RecordedPremiums.securityID(
                                indexOrdinal: ordinal, expiry: expiry.adding(days: 7 * day), strike: .rupees(strike),
                                step: .rupees(50), type: type))
                    }
                }
            }
        }
        #expect(seen.count == 3 * 3 * 2 * 41)
    }
}
