import Domain

/// Builds bars of one interval from ticks, aligned to the 09:15 IST session open, from event time only.
///
/// A bar closes on the first tick of a later period or when `close(at:)` (a timer event) passes its
/// end, so a quiet minute still closes. Periods with no tick inside the same IST day become flat bars
/// at the last close, so the series has no gaps. Volume is the rise of the instrument's cumulative
/// day volume over the bar.
public struct CandleAggregator: Sendable, Equatable, Codable {
    public let intervalSeconds: Int64
    /// Seconds after IST midnight that bars align to (09:15 = 33,300).
    public let anchorSecondOfDay: Int64
    public private(set) var forming: Candle?
    private var lastClose: Paise?
    private var lastClosedStart: Int64?
    private var lastCumulativeVolume: Int64?

    public init(intervalMinutes: Int, anchorHour: Int = 9, anchorMinute: Int = 15) {
        precondition(intervalMinutes >= 1, "a bar interval is at least one minute")
        intervalSeconds = Int64(intervalMinutes) * 60
        anchorSecondOfDay = Int64(anchorHour * 3600 + anchorMinute * 60)
    }

    /// The start (epoch seconds UTC) of the period holding `time`.
    public func periodStart(of time: Timestamp) -> Int64 {
        let seconds = time.epochSeconds
        let istMidnight = seconds - time.istSecondOfDay
        let anchor = istMidnight + anchorSecondOfDay
        let offset = seconds - anchor
        let periods = offset >= 0 ? offset / intervalSeconds : -((-offset + intervalSeconds - 1) / intervalSeconds)
        return anchor + periods * intervalSeconds
    }

    /// Adds a trade at `price` (cumulative day volume `cumulativeVolume`, 0 if unknown) seen at `time`;
    /// calls `emit` for every bar this closes, oldest first.
    public mutating func add(price: Paise, cumulativeVolume: Int64 = 0, at time: Timestamp, emit: (Candle) -> Void) {
        // Most ticks land in the forming bar's period. When the interval divides a day the bar grid is the
        // same every day, so "inside the forming bar's span" is exactly `periodStart(of:) == bar.start`.
        let seconds = time.epochSeconds
        let start =
            if let bar = forming, 86_400 % intervalSeconds == 0, seconds >= bar.start,
                seconds < bar.start + intervalSeconds
            {
                bar.start
            } else {
                periodStart(of: time)
            }
        if let bar = forming, start > bar.start {
            closeForming(emit: emit)
            fillGap(upTo: start, sameDayAs: time, emit: emit)
        } else if forming == nil {
            fillGap(upTo: start, sameDayAs: time, emit: emit)
        }
        let traded = lastCumulativeVolume.map { max(0, cumulativeVolume - $0) } ?? 0
        lastCumulativeVolume = cumulativeVolume
        if var bar = forming {
            bar.high = max(bar.high, price)
            bar.low = min(bar.low, price)
            bar.close = price
            bar.volume += traded
            forming = bar
        } else {
            forming = Candle(start: start, open: price, high: price, low: price, close: price, volume: traded)
        }
    }

    /// A timer at `time`: closes the forming bar if its period has ended, and flat-fills quiet periods
    /// that ended since the last bar (within the same IST day).
    public mutating func close(at time: Timestamp, emit: (Candle) -> Void) {
        let currentStart = periodStart(of: time)
        if let bar = forming, bar.start < currentStart { closeForming(emit: emit) }
        if forming == nil { fillGap(upTo: currentStart, sameDayAs: time, emit: emit) }
    }

    /// Closes whatever bar is forming (session end, shutdown).
    public mutating func flush(emit: (Candle) -> Void) {
        if forming != nil { closeForming(emit: emit) }
    }

    private mutating func closeForming(emit: (Candle) -> Void) {
        guard let bar = forming else { return }
        emit(bar)
        lastClose = bar.close
        lastClosedStart = bar.start
        forming = nil
    }

    private mutating func fillGap(upTo start: Int64, sameDayAs time: Timestamp, emit: (Candle) -> Void) {
        guard let close = lastClose, let last = lastClosedStart else { return }
        guard Timestamp(epochSeconds: last).istDayNumber == time.istDayNumber else { return }
        var next = last + intervalSeconds
        while next < start {
            emit(Candle(start: next, open: close, high: close, low: close, close: close, volume: 0))
            lastClosedStart = next
            next += intervalSeconds
        }
    }
}

/// Folds closed bars of a short interval into a longer one (1m → 5m), aligned to 09:15 IST.
///
/// A long bar closes with the short bar that completes it (its last minute), or when a short bar of a
/// later period arrives, or on `flush`.
public struct CandleResampler: Sendable, Equatable, Codable {
    public let intervalSeconds: Int64
    public let sourceSeconds: Int64
    private let aligner: CandleAggregator
    public private(set) var forming: Candle?

    public init(fromMinutes source: Int, toMinutes target: Int) {
        precondition(target % source == 0 && target > source, "target interval must be a multiple of the source")
        sourceSeconds = Int64(source) * 60
        intervalSeconds = Int64(target) * 60
        aligner = CandleAggregator(intervalMinutes: target)
    }

    /// Adds one closed source bar; calls `emit` for each long bar that closes.
    public mutating func add(_ bar: Candle, emit: (Candle) -> Void) {
        let start = aligner.periodStart(of: Timestamp(epochSeconds: bar.start))
        if let current = forming, current.start != start {
            emit(current)
            forming = nil
        }
        if var current = forming {
            current.high = max(current.high, bar.high)
            current.low = min(current.low, bar.low)
            current.close = bar.close
            current.volume += bar.volume
            forming = current
        } else {
            forming = Candle(
                start: start, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume)
        }
        if bar.start + sourceSeconds >= start + intervalSeconds, let done = forming {
            emit(done)
            forming = nil
        }
    }

    /// Closes the forming long bar, if any.
    public mutating func flush(emit: (Candle) -> Void) {
        if let done = forming { emit(done) }
        forming = nil
    }
}
