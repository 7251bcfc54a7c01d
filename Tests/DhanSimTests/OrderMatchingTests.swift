import Domain
import MarketModel
import Testing

/// The one fill rule every paper broker uses (dhan-sim's book, `scalper run --paper`, the backtests).
@Suite("OrderMatching: where an order trades against a quote")
struct OrderMatchingTests {
    let quote = OrderMatching.Quote(last: Paise(12_000), bid: Paise(11_990), ask: Paise(12_010))
    let slipping = OrderMatching(slippageTicks: 2)

    @Test("a market order trades at the touch moved against it by the slippage; never below one tick")
    func touch() {
        #expect(OrderMatching().touch(.buy, quote) == Paise(12_010))
        #expect(OrderMatching().touch(.sell, quote) == Paise(11_990))
        #expect(slipping.touch(.buy, quote) == Paise(12_020))
        #expect(slipping.touch(.sell, quote) == Paise(11_980))
        let thin = OrderMatching.Quote(last: Paise(10), bid: Paise(5), ask: Paise(15))
        #expect(slipping.touch(.sell, thin) == Paise(5))
        // An empty side of the book trades at the last price.
        let empty = OrderMatching.Quote(last: Paise(12_000), bid: .zero, ask: .zero)
        #expect(OrderMatching().touch(.buy, empty) == Paise(12_000))
        #expect(OrderMatching().touch(.sell, empty) == Paise(12_000))
    }

    @Test("a limit rests until the touch reaches it and then trades at its limit; a protected market at the touch")
    func limits() {
        let buyBelow = OrderMatching.Terms(side: .buy, type: .limit, limit: Paise(12_000))
        #expect(slipping.price(buyBelow, quote) == nil)
        let buyAbove = OrderMatching.Terms(side: .buy, type: .limit, limit: Paise(12_100))
        #expect(slipping.price(buyAbove, quote) == Paise(12_100))
        var protected = buyAbove
        protected.protectedMarket = true
        #expect(slipping.price(protected, quote) == Paise(12_020))
        let sellAbove = OrderMatching.Terms(side: .sell, type: .limit, limit: Paise(12_000))
        #expect(OrderMatching().price(sellAbove, quote) == nil)
        let sellBelow = OrderMatching.Terms(side: .sell, type: .limit, limit: Paise(11_900))
        #expect(OrderMatching().price(sellBelow, quote) == Paise(11_900))
    }

    @Test("a stop triggers on the last price: stop-loss-market at the touch, stop-loss at its limit if reachable")
    func stops() {
        let notYet = OrderMatching.Terms(side: .sell, type: .stopLossMarket, trigger: Paise(11_950))
        #expect(slipping.price(notYet, quote) == nil)
        let hit = OrderMatching.Terms(side: .sell, type: .stopLossMarket, trigger: Paise(12_000))
        #expect(slipping.price(hit, quote) == Paise(11_980))
        let limited = OrderMatching.Terms(side: .sell, type: .stopLoss, limit: Paise(11_985), trigger: Paise(12_000))
        #expect(OrderMatching().price(limited, quote) == Paise(11_985))
        let unreachable = OrderMatching.Terms(
            side: .sell, type: .stopLoss, limit: Paise(11_995), trigger: Paise(12_000))
        #expect(OrderMatching().price(unreachable, quote) == nil)
    }

    @Test("market price protection: a band beyond the touch, on the tick, up for a buy and down for a sell")
    func protection() {
        #expect(OrderMatching.protectionLimit(.buy, quote, band: 0.02) == Paise(12_255))
        #expect(OrderMatching.protectionLimit(.sell, quote, band: 0.02) == Paise(11_750))
        let round = OrderMatching.Quote(last: Paise(10_000), bid: Paise(10_000), ask: Paise(10_000))
        #expect(OrderMatching.protectionLimit(.buy, round, band: 0.02) == Paise(10_200))
    }

    @Test("super-order legs: the target at the better of target and bid, the stop at the touch, the target first")
    func legs() {
        let rising = OrderMatching.Quote(last: Paise(13_000), bid: Paise(12_990), ask: Paise(13_010))
        #expect(slipping.firedLeg(target: Paise(12_950), stop: Paise(11_000), rising)! == (.target, Paise(12_990)))
        #expect(slipping.firedLeg(target: Paise(12_995), stop: nil, rising)! == (.target, Paise(12_995)))
        let falling = OrderMatching.Quote(last: Paise(10_900), bid: Paise(10_890), ask: Paise(10_910))
        #expect(slipping.firedLeg(target: Paise(12_950), stop: Paise(11_000), falling)! == (.stopLoss, Paise(10_880)))
        #expect(slipping.firedLeg(target: nil, stop: nil, falling) == nil)
        #expect(slipping.firedLeg(target: Paise(12_950), stop: Paise(11_000), quote) == nil)
    }

    @Test("a trailing stop rises by whole jumps of the high-water mark above the entry and never falls")
    func trailing() {
        let stop = { (high: Int64, current: Int64) in
            OrderMatching.trailedStop(
                initial: Paise(9_000), current: Paise(current), entry: Paise(10_000), highWater: Paise(high),
                jump: Paise(500))
        }
        #expect(stop(10_400, 9_000) == Paise(9_000))
        #expect(stop(10_500, 9_000) == Paise(9_500))
        #expect(stop(11_299, 9_000) == Paise(10_000))
        #expect(stop(11_500, 9_000) == Paise(10_500))
        #expect(stop(10_500, 10_500) == Paise(10_500))
        #expect(
            OrderMatching.trailedStop(
                initial: Paise(9_000), current: Paise(9_000), entry: Paise(10_000), highWater: Paise(20_000),
                jump: .zero) == Paise(9_000))
    }

    @Test("a market order filled in parts: half its whole lots first, or all of a single lot")
    func slices() {
        #expect(OrderMatching.firstSlice(remaining: 300, lotSize: 75) == 150)
        #expect(OrderMatching.firstSlice(remaining: 225, lotSize: 75) == 75)
        #expect(OrderMatching.firstSlice(remaining: 75, lotSize: 75) == 75)
        #expect(OrderMatching.firstSlice(remaining: 7, lotSize: 0) == 3)
    }
}
