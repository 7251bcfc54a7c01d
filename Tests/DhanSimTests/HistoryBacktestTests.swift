import Dhan
import DhanClient
import Domain
import Engine
import Foundation
import History
import Journal
import Recovery
import Replay
import TestSupport
import Testing

@testable import DhanSim

extension DhanClientTests {
    /// `scalper backtest --options history` on what `history fetch` downloaded from dhan-sim: every fill is
    /// checked against the stored bars by a computation written out here, the counts against the journal,
    /// and the journal replays to the same state.
    @Suite("Backtest on fetched premiums", .serialized)
    struct HistoryBacktestTests {
        /// The premium a stored bar gives at `second` of its minute, worked out by hand: open at 0 s, low at
        /// 15 s, high at 30 s, close at 55 s, straight lines between, down to the 5-paise tick.
        static func premium(_ bar: RecordedOptionBar, second: Int64) -> Int64 {
            let o = bar.open.value
            let l = bar.low.value
            let h = bar.high.value
            let c = bar.close.value
            let exact: Int64
            switch second {
            case 0: exact = o
            case 1..<15: exact = o + (l - o) * second / 15
            case 15: exact = l
            case 16..<30: exact = l + (h - l) * (second - 15) / 15
            case 30: exact = h
            case 31..<55: exact = h + (c - h) * (second - 30) / 25
            default: exact = c
            }
            return exact / 5 * 5
        }

        @Test(
            "a fortnight of NIFTY fetched from dhan-sim: fills at the recorded premium (or its bound beyond ATM±1) ± spread and slippage, counts match the journal, the journal replays"
        )
        func backtestOnFetchedData() async throws {
            let sim = try await DhanClientTests.startSimulator()
            let client = DhanRESTClient(
                endpoints: .simulator(port: sim.port), credentials: .simulator, logger: DhanClientTests.quiet("rest"))
            defer { Task { try? await client.shutdown() } }
            let scratch = TemporaryDirectory("history-backtest")
            let store = HistoryStore(root: scratch.sub("store"))
            let offsets = -1...1
            let series: [HistorySeries] =
                offsets.flatMap { offset in
                    OptionType.allCases.map {
                        .options(interval: 1, expiry: .week, code: 1, offset: StrikeOffset(offset), type: $0)
                    }
                } + [.indexIntraday(interval: 1)]
            let fetch = HistoryFetch(
                targets: [HistoryFetchTests.nifty], series: series, from: CivilDate(2025, 10, 13),
                to: CivilDate(2025, 10, 25))
            let summary = try await fetch.run(try fetch.plan(store).items, stored: 0, source: client, store: store)
            await sim.stop()
            #expect(summary.refused.isEmpty && summary.monthsWritten == 7)

            // The backtest, as `scalper backtest --options history` runs it.
            let files = [
                ConfigFile(name: "algo.yml", text: try ConfigFixtures.algoText()),
                ConfigFile(name: "calendar.yml", text: try ConfigFixtures.calendarText()),
            ]
            let calendar = try TradingCalendar.parse(yaml: files[1].text)
            let config = try AlgoConfig.parse(yaml: files[0].text, calendar: calendar)
            let nifty = try #require(config.index("NIFTY"))
            let candles = try #require(
                try store.read(index: "NIFTY", series: .indexIntraday(interval: 1), month: Month(2025, 10))
            )
            .bars.map { Candle(start: $0.start, open: $0.open, high: $0.high, low: $0.low, close: $0.close) }
            let premiums = RecordedPremiums(
                store: store, calendar: calendar, costs: .init(spreadPercent: 0.5, slippageTicks: 1))
            let path = scratch.sub("journal")
            let journal = try Journal.openForWriting(at: path, options: JournalOptions(durability: .fast))
            let session = PaperSession(journal: journal, files: files, config: config, premiums: premiums)
            let ran = try session.runDays([(nifty.instrument, candles)], from: CivilDate(2025, 10, 22))
            journal.close()
            // 22 October 2025 was a holiday (Diwali Balipratipada): the 23rd and 24th trade.
            #expect(ran.days == 2)
            let positions = session.state.positions
            #expect(positions.count >= 2, "a trending sim market trades on two days")
            #expect(positions.allSatisfy { $0.phase == .exited })

            // Every fill, worked out from the stored bars.
            let reader = try Journal.openForReading(at: path)
            defer { reader.close() }
            var contracts: [SecurityID: (strike: Paise, type: OptionType)] = [:]
            var fills: [Fill] = []
            var exitTimes: [Int64] = []
            try reader.reader.forEach(verifyChecksums: true) { view in
                switch try JournalEntry.decode(view) {
                case .event(.optionChain(let chain)):
                    for strike in chain.strikes {
                        if let id = strike.call?.securityID { contracts[id] = (strike.strike, .call) }
                        if let id = strike.put?.securityID { contracts[id] = (strike.strike, .put) }
                    }
                case .event(.fill(let fill)):
                    fills.append(fill)
                case .command(.placeOrder(let intent), _) where intent.side == .sell:
                    exitTimes.append(view.header.timestampNanos / 1_000_000_000)
                default:
                    break
                }
                return true
            }
            #expect(fills.count == 2 * positions.count)
            var boundFills = 0
            for fill in fills {
                let contract = try #require(contracts[fill.instrument.securityID])
                let day = Timestamp(epochSeconds: fill.tradeTime).istDate
                let minute = fill.tradeTime - fill.tradeTime % 60
                var minuteBars: [RecordedOptionBar] = []
                for offset in offsets {
                    let name = HistorySeries.options(
                        interval: 1, expiry: .week, code: 1, offset: StrikeOffset(offset), type: contract.type)
                    minuteBars += try store.bars(index: "NIFTY", series: name, on: day).filter { $0.start == minute }
                }
                let second = fill.tradeTime - minute
                let premium: Int64
                if let bar = minuteBars.first(where: { $0.strike == contract.strike }) {
                    premium = Self.premium(bar, second: second)
                } else {
                    // Beyond the stored strikes: intrinsic value, or a call above / put below it, whichever is more.
                    #expect(!minuteBars.isEmpty, "no stored bar at \(fill.tradeTime)")
                    var bound: Int64 = 0
                    for bar in minuteBars {
                        let call = contract.type == .call
                        bound = max(
                            bound,
                            call ? bar.spot.value - contract.strike.value : contract.strike.value - bar.spot.value)
                        if call ? bar.strike > contract.strike : bar.strike < contract.strike {
                            bound = max(bound, Self.premium(bar, second: second))
                        }
                    }
                    premium = max(5, bound / 5 * 5)
                    boundFills += 1
                }
                // Half of a 0.5 % spread in ticks (at least one), then one tick of slippage.
                let halfSpread = max(1, Int64((Double(premium) * 0.5 / 200 / 5).rounded())) * 5
                let expected = fill.side == .buy ? premium + halfSpread + 5 : max(5, premium - halfSpread - 5)
                #expect(fill.price.value == expected, "\(fill.side) \(contract) at \(fill.tradeTime)")
            }
            // Exits decided inside a bar: those at 1–54 s of a minute.
            let counts = premiums.counts
            #expect(counts.exits == exitTimes.count && counts.exits >= positions.count)
            #expect(counts.exitsInsideBar == exitTimes.filter { (1...54).contains($0 % 60) }.count)
            #expect(counts.chainsWithoutData == 0 && counts.ordersWithoutPrice == 0)
            #expect(counts.fillsAtBound == boundFills)
            // ATM±1 only: winners drift past the stored strikes, so the bound is exercised too.
            #expect(boundFills > 0 && counts.contractMinutesAtBound > 0)

            // The journal replays to the same state.
            let outcome = try JournalReplayer.replay(reader.reader)
            #expect(outcome.divergence == nil)
            #expect(outcome.state == session.state)
        }
    }
}
