import Dhan
import DhanClient
import Domain
import Foundation
import History
import TestSupport
import Testing

@testable import DhanSim

extension DhanClientTests {
    /// `scalper history fetch`'s download against dhan-sim over sockets: the store, resuming, a 429 storm, a
    /// refused token. (In the client's suite: it needs the wall clock and a quiet machine.)
    @Suite("History download against dhan-sim", .serialized)
    struct HistoryFetchTests {
        static let nifty = HistoryFetch.Target(
            index: "NIFTY", underlying: InstrumentKey(.indexValue, 13), optionSegment: .nseFNO)
        static let sensex = HistoryFetch.Target(
            index: "SENSEX", underlying: InstrumentKey(.indexValue, 51), optionSegment: .bseFNO)

        static func series(_ offsets: [Int]) -> [HistorySeries] {
            offsets.flatMap { offset in
                OptionType.allCases.map {
                    .options(interval: 15, expiry: .week, code: 1, offset: StrikeOffset(offset), type: $0)
                }
            } + [.indexIntraday(interval: 5), .indexDaily]
        }

        @Test(
            "two indices over two months: every month-series stored, the bars equal dhan-sim's, a second run fetches nothing"
        )
        func fetchAndResume() async throws {
            let sim = try await DhanClientTests.startSimulator()
            let client = DhanRESTClient(
                endpoints: .simulator(port: sim.port), credentials: .simulator, logger: DhanClientTests.quiet("rest"))
            defer { Task { try? await client.shutdown() } }
            let scratch = TemporaryDirectory("history")
            let store = HistoryStore(root: scratch.sub("store"))
            let fetch = HistoryFetch(
                targets: [Self.nifty, Self.sensex], series: Self.series([-1, 0]), from: CivilDate(2025, 9, 25),
                to: CivilDate(2025, 11, 1))
            let (items, stored) = try fetch.plan(store)
            // 2 indices × 6 series × 2 months (September from the 25th, October).
            #expect(items.count == 24 && stored == 0)
            var seen: [(Int, Int)] = []
            let summary = try await fetch.run(items, stored: stored, source: client, store: store) {
                seen.append(($0, $1))
            }
            // October's 31 days take two expired-options requests (30 days at most): 24 + 8 requests.
            #expect(summary.requests == 32 && summary.monthsWritten == 24 && summary.refused.isEmpty)
            #expect(seen.map(\.0) == Array(1...32) && seen.allSatisfy { $0.1 == 32 })
            // What is stored is what dhan-sim serves: one day of NIFTY ATM calls, read back by day.
            let day = CivilDate(2025, 10, 28)
            let atm = HistorySeries.options(interval: 15, expiry: .week, code: 1, offset: StrikeOffset(0), type: .call)
            let bars = try store.bars(index: "NIFTY", series: atm, on: day)
            let direct = try await client.recordedOptionBars(
                RollingOptionRequest(
                    underlying: 13, segment: .nseFNO, interval: 15, expiry: .week, expiryCode: 1,
                    strike: StrikeOffset(0), type: .call, from: day, to: day.adding(days: 1)))
            #expect(bars.count == 25 && bars == direct)
            let october = try #require(try store.read(index: "NIFTY", series: atm, month: Month(2025, 10)))
            #expect(october.isComplete(Month(2025, 10)))
            let september = try #require(try store.read(index: "NIFTY", series: atm, month: Month(2025, 9)))
            #expect(!september.isComplete(Month(2025, 9)) && september.from == CivilDate(2025, 9, 25))
            // Resumed: nothing again; one file removed is the only request.
            #expect(try fetch.plan(store).items.isEmpty)
            try FileManager.default.removeItem(
                atPath: store.path(index: "SENSEX", series: .indexDaily, month: Month(2025, 10)))
            let (again, storedAgain) = try fetch.plan(store)
            #expect(again.map(\.series) == [.indexDaily] && storedAgain == 23)
            let second = try await fetch.run(again, stored: storedAgain, source: client, store: store)
            #expect(second.requests == 1 && second.monthsWritten == 1 && second.monthsAlreadyStored == 23)
            // An earlier --from extends September's file, keeping what it had.
            let wider = HistoryFetch(
                targets: [Self.nifty], series: [atm], from: CivilDate(2025, 9, 15), to: CivilDate(2025, 9, 25))
            _ = try await wider.run(try wider.plan(store).items, stored: 0, source: client, store: store)
            let extended = try #require(try store.read(index: "NIFTY", series: atm, month: Month(2025, 9)))
            #expect(extended.from == CivilDate(2025, 9, 15) && extended.through == CivilDate(2025, 10, 1))
            #expect(extended.bars.count == september.bars.count + 8 * 25)
            await sim.stop()
        }

        @Test("a 429 storm is waited out; a refused token stops with what is stored kept; a refused series is skipped")
        func faults() async throws {
            let sim = try await DhanClientTests.startSimulator()
            let limiter = RateLimiter(scale: 1)
            let client = DhanRESTClient(
                endpoints: .simulator(port: sim.port), credentials: .simulator, limiter: limiter, maxAttempts: 8,
                logger: DhanClientTests.quiet("rest"))
            defer { Task { try? await client.shutdown() } }
            let scratch = TemporaryDirectory("history-faults")
            let store = HistoryStore(root: scratch.sub("store"))
            var storm = SimFaults()
            storm.rateLimitStormClass = "data"
            storm.rateLimitStormSeconds = 1.0
            sim.inject(storm)
            let fetch = HistoryFetch(
                targets: [Self.nifty], series: [.indexDaily, .indexIntraday(interval: 5)], from: CivilDate(2025, 10, 1),
                to: CivilDate(2025, 11, 1))
            let summary = try await fetch.run(try fetch.plan(store).items, stored: 0, source: client, store: store)
            #expect(summary.monthsWritten == 2)
            #expect((await limiter.throttled[.data] ?? 0) >= 1, "the storm answered 429s and the client backed off")
            // ATM+5 of the next (not the near) expiry is beyond what DhanHQ serves: that series is refused, the
            // other goes on.
            let refused = HistoryFetch(
                targets: [Self.nifty],
                series: [
                    .options(interval: 60, expiry: .week, code: 2, offset: StrikeOffset(5), type: .call),
                    .options(interval: 60, expiry: .week, code: 2, offset: StrikeOffset(1), type: .call),
                ], from: CivilDate(2025, 10, 1), to: CivilDate(2025, 11, 1))
            let partly = try await refused.run(try refused.plan(store).items, stored: 0, source: client, store: store)
            #expect(partly.monthsWritten == 1 && partly.refused.count == 1)
            #expect(partly.refused.first?.hasPrefix("NIFTY options/60m/week-2/ATM+5-CE: strike must be") == true)
            var expired = SimFaults()
            expired.tokenExpired = true
            sim.inject(expired)
            let more = HistoryFetch(
                targets: [Self.nifty], series: [.indexDaily], from: CivilDate(2025, 9, 1), to: CivilDate(2025, 10, 1))
            let moreItems = try more.plan(store).items
            do {
                _ = try await more.run(moreItems, stored: 0, source: client, store: store)
                Issue.record("a refused token did not stop the fetch")
            } catch {
                guard case .tokenRefused = error else { throw error }
                #expect(error.description.hasPrefix("the access token was refused (DH-901): renew it"))
            }
            #expect(try store.read(index: "NIFTY", series: .indexDaily, month: Month(2025, 10)) != nil)
            await sim.stop()
        }
    }
}
