import Domain

/// The quotes one simulated second has priced, so the broker's matching and the feed's ticks price an option
/// once: a working super order's option is also subscribed, and pricing it twice a second was about a hundredth of
/// a simulated day.
///
/// Only for one second of one market: a quote is a pure function of the two.
struct SecondQuotes {
    private var priced: [(key: InstrumentKey, quote: InstrumentQuote?)] = []

    /// `market`'s quote for `key` at `second`, priced on first use.
    mutating func quote(_ key: InstrumentKey, in market: SimMarket, atSecondOfDay second: Int) -> InstrumentQuote? {
        // A handful of instruments a second: a short list beats hashing each key.
        for entry in priced where entry.key == key { return entry.quote }
        let quote = market.quote(key, atSecondOfDay: second)
        priced.append((key, quote))
        return quote
    }

    /// `market`'s quote for `key` at `second`, from the ones already priced if there, not kept otherwise (the
    /// feed prices each subscription once a second; only the broker's few repeat).
    func quoteOnce(_ key: InstrumentKey, in market: SimMarket, atSecondOfDay second: Int) -> InstrumentQuote? {
        for entry in priced where entry.key == key { return entry.quote }
        return market.quote(key, atSecondOfDay: second)
    }
}
