import Domain

/// An ordered run of bars of one interval: one bar per start time, history and live merged.
public struct CandleSeries: Sendable, Equatable, Codable {
    public let intervalSeconds: Int64
    public private(set) var candles: [Candle] = []

    public init(intervalMinutes: Int) { intervalSeconds = Int64(intervalMinutes) * 60 }

    /// Merges bars from REST history or the live builder: a start already present is replaced by the
    /// incoming bar (one bar per timestamp), the result stays sorted, and a missing period inside an IST
    /// day between two known bars is filled flat at the previous close (no gaps).
    public mutating func merge(_ incoming: some Sequence<Candle>) {
        var byStart: [Int64: Candle] = [:]
        for candle in candles { byStart[candle.start] = candle }
        for candle in incoming { byStart[candle.start] = candle }
        var merged: [Candle] = []
        merged.reserveCapacity(byStart.count)
        for start in byStart.keys.sorted() {
            let candle = byStart[start]!
            if let previous = merged.last,
                Timestamp(epochSeconds: previous.start).istDayNumber == Timestamp(epochSeconds: start).istDayNumber
            {
                var gap = previous.start + intervalSeconds
                while gap < start {
                    merged.append(
                        Candle(
                            start: gap, open: previous.close, high: previous.close, low: previous.close,
                            close: previous.close))
                    gap += intervalSeconds
                }
            }
            merged.append(candle)
        }
        candles = merged
    }

    /// Appends one closed live bar (the common case), merging if it is not strictly newer.
    public mutating func append(_ candle: Candle) {
        if let last = candles.last, candle.start <= last.start || candle.start != last.start + intervalSeconds {
            merge(CollectionOfOne(candle))
        } else {
            candles.append(candle)
        }
    }
}
