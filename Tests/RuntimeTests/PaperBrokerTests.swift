import Domain
import Engine
import Synchronization
import TestSupport
import Testing

@testable import Runtime

/// The paper broker fills at the touch of a quote it has seen lately, never at an old one.
@Suite("Paper fills")
struct PaperBrokerTests {
    static let option = InstrumentKey(.nseFNO, 49081)
    static let start = Timestamp.ist(CivilDate(2025, 11, 4), 11, 0)

    static func tick(price: Int64, at time: Timestamp) -> Tick {
        Tick(
            instrument: option, lastPrice: Paise(price), lastTradeTime: time.epochSeconds,
            bestBid: Paise(price - 5), bestAsk: Paise(price + 5))
    }

    static func buy(_ id: String) -> OrderIntent {
        OrderIntent(
            correlationID: CorrelationID(id)!, instrument: option, side: .buy, quantity: 75, tag: "entry_test")
    }

    /// How many times the quote API was asked.
    final class Asked: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    /// A broker whose quote API answers `quote` (nil: none), counting the asks.
    static func broker(quote: Tick?) throws -> (PaperBroker, Asked) {
        let asked = Asked()
        let config = try ConfigFixtures.loadAlgo().config
        let broker = PaperBroker(
            settings: config.paper, charges: config.charges, exchangeOf: { _ in .nse },
            quoteSource: { _ in
                asked.add()
                return quote
            })
        return (broker, asked)
    }

    static func fillPrice(_ events: [Event]) -> Paise? {
        for event in events { if case .fill(let fill) = event { return fill.price } }
        return nil
    }

    @Test("a quote from the last few seconds is filled at its ask plus slippage, without asking the broker")
    func freshQuote() async throws {
        let (broker, asked) = try Self.broker(quote: nil)
        broker.observe(Self.tick(price: 1_275, at: Self.start))
        let events = await broker.place(Self.buy("A-1"), at: Timestamp(epochSeconds: Self.start.epochSeconds + 3))
        #expect(Self.fillPrice(events) == Paise(1_280 + 5))
        #expect(asked.value == 0)
    }

    @Test("a quote a minute old is asked for again and the fill is at the fresh one")
    func staleQuoteRefreshed() async throws {
        let later = Timestamp(epochSeconds: Self.start.epochSeconds + 60)
        let (broker, asked) = try Self.broker(quote: Self.tick(price: 2_000, at: Timestamp(epochSeconds: 0)))
        broker.observe(Self.tick(price: 1_275, at: Self.start))
        let events = await broker.place(Self.buy("A-2"), at: later)
        #expect(Self.fillPrice(events) == Paise(2_005 + 5), "not the old ₹12.75")
        #expect(asked.value == 1)
        // The fetched quote counts as seen now: the next order in the same seconds does not ask again.
        _ = await broker.place(Self.buy("A-3"), at: Timestamp(epochSeconds: later.epochSeconds + 1))
        #expect(asked.value == 1)
    }

    @Test("a quote a minute old with no fresh one from the broker is refused, not filled at the old price")
    func staleQuoteRefused() async throws {
        let (broker, _) = try Self.broker(quote: nil)
        broker.observe(Self.tick(price: 1_275, at: Self.start))
        let events = await broker.place(Self.buy("A-4"), at: Timestamp(epochSeconds: Self.start.epochSeconds + 60))
        #expect(Self.fillPrice(events) == nil)
        guard case .orderRejected(let rejected)? = events.first else {
            Issue.record("expected a rejection, got \(events)")
            return
        }
        #expect(rejected.message.contains("60 s old"))
    }
}
