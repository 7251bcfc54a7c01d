import Domain

/// The one fill rule of every paper broker: dhan-sim's order book (the simulation and the socket server),
/// `scalper run --paper` and the backtests all decide where an order trades with it.
///
/// An order trades at the touch: the ask for a buy, the bid for a sell (the last price when that side of the
/// book is empty), moved against the order by the slippage and never below one tick. A limit trades only
/// where the touch reaches it, at its limit (a market order the broker protected with a limit trades at the
/// touch inside it); a stop triggers on the last price. Prices are paise on the ₹0.05 tick, so every broker
/// gets the same paisa for the same quote.
public struct OrderMatching: Sendable, Equatable {
    /// One price tick (₹0.05).
    public static let tick = Paise(5)

    /// Ticks the touch moves against every market fill.
    public var slippageTicks: Int

    public init(slippageTicks: Int = 0) {
        self.slippageTicks = slippageTicks
    }

    /// The market an order meets: last traded price and the best bid and ask (zero when a side is empty).
    public struct Quote: Sendable, Equatable {
        public var last: Paise
        public var bid: Paise
        public var ask: Paise

        public init(last: Paise, bid: Paise, ask: Paise) {
            self.last = last
            self.bid = bid
            self.ask = ask
        }
    }

    /// What an order asks for.
    public struct Terms: Sendable, Equatable {
        public var side: TransactionSide
        public var type: OrderType
        /// The limit (LIMIT, STOP_LOSS); ignored for market types.
        public var limit: Paise
        /// The trigger (STOP_LOSS, STOP_LOSS_MARKET).
        public var trigger: Paise
        /// A market order the broker turned into a limit (market price protection): it trades at the touch
        /// while the touch is inside the limit.
        public var protectedMarket: Bool

        public init(
            side: TransactionSide, type: OrderType, limit: Paise = .zero, trigger: Paise = .zero,
            protectedMarket: Bool = false
        ) {
            self.side = side
            self.type = type
            self.limit = limit
            self.trigger = trigger
            self.protectedMarket = protectedMarket
        }
    }

    /// Where a market order on `side` trades against `quote` now.
    public func touch(_ side: TransactionSide, _ quote: Quote) -> Paise {
        let slip = Self.tick * Int64(slippageTicks)
        if side == .buy { return (quote.ask > .zero ? quote.ask : quote.last) + slip }
        return max(Self.tick, (quote.bid > .zero ? quote.bid : quote.last) - slip)
    }

    /// Where an order with `terms` trades against `quote` now, or nil while it rests.
    public func price(_ terms: Terms, _ quote: Quote) -> Paise? {
        let touch = touch(terms.side, quote)
        let buy = terms.side == .buy
        let triggered = buy ? quote.last >= terms.trigger : quote.last <= terms.trigger
        let reachesLimit = buy ? touch <= terms.limit : touch >= terms.limit
        switch terms.type {
        case .market:
            return touch
        case .limit:
            guard reachesLimit else { return nil }
            return terms.protectedMarket ? touch : terms.limit
        case .stopLossMarket:
            return triggered ? touch : nil
        case .stopLoss:
            return triggered && reachesLimit ? terms.limit : nil
        }
    }

    /// The limit a broker's market price protection gives a market order: `band` (a fraction) beyond the
    /// touch without slippage, on the tick (up for a buy, down for a sell), at least one tick.
    public static func protectionLimit(_ side: TransactionSide, _ quote: Quote, band: Double) -> Paise {
        let ticks =
            side == .buy
            ? (Double(quote.ask.value) * (1 + band) / Double(tick.value)).rounded(.up)
            : (Double(quote.bid.value) * (1 - band) / Double(tick.value)).rounded(.down)
        return max(tick, Paise(Int64(ticks) * tick.value))
    }

    /// Which of a super order's open exit legs fires against `quote`, and where.
    ///
    /// The target fires when the last price reaches it and trades at the better of the target and the bid;
    /// the stop fires when the last price falls to it and trades at the touch. The target is checked first;
    /// nil when neither fires.
    public func firedLeg(target: Paise?, stop: Paise?, _ quote: Quote) -> (leg: OrderLeg, price: Paise)? {
        if let target, quote.last >= target { return (.target, max(target, quote.bid)) }
        if let stop, quote.last <= stop { return (.stopLoss, touch(.sell, quote)) }
        return nil
    }

    /// A super order's trailing stop after the high-water mark moved: the initial stop raised by whole jumps
    /// of the entry-to-high distance, never lowered.
    public static func trailedStop(initial: Paise, current: Paise, entry: Paise, highWater: Paise, jump: Paise)
        -> Paise
    {
        guard jump > .zero else { return current }
        let jumps = max(0, (highWater.value - entry.value) / jump.value)
        return max(current, initial + jump * jumps)
    }

    /// The first fill of a market order when the broker fills in parts: half its lots (whole lots), or all of
    /// it when it is a single lot.
    public static func firstSlice(remaining: Int, lotSize: Int) -> Int {
        let lot = max(lotSize, 1)
        let lots = remaining / lot
        return lots > 1 ? (lots / 2) * lot : remaining
    }
}
