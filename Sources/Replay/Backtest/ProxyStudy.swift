import Domain
import Indicators

/// The signal study traders run to compare tools: trade one unit of the index itself on the engine's
/// signal (long on bullish, short on bearish), without costs, on 1m bars.
///
/// At each 1m bar close: bullish = 1m and 5m Supertrend both up and ADX1m ≥ the 1m threshold and
/// ADX5m ≥ the 5m threshold (bearish mirrors it); a 5m bar (buckets from 09:15 IST) counts from the 1m
/// close that completes it. A long exits on bearish, a short on bullish, and anything open exits at the
/// close of the bar that closes at 15:20 (the 15:19 bar). When flat and the bar closes before 15:20, a
/// signal opens a position at that bar's close; never an exit and an entry on the same bar. Indicators
/// run on across days.
public struct ProxyStudy: Sendable {
    /// Study parameters.
    public struct Parameters: Sendable, Hashable {
        public var supertrendPeriod: Int
        public var supertrendMultiplier: Double
        public var adxPeriod: Int
        public var adx1mThreshold: Double
        public var adx5mThreshold: Double

        public init(
            supertrendPeriod: Int, supertrendMultiplier: Double, adxPeriod: Int, adx1mThreshold: Double,
            adx5mThreshold: Double
        ) {
            self.supertrendPeriod = supertrendPeriod
            self.supertrendMultiplier = supertrendMultiplier
            self.adxPeriod = adxPeriod
            self.adx1mThreshold = adx1mThreshold
            self.adx5mThreshold = adx5mThreshold
        }
    }

    /// One closed study trade.
    public struct Trade: Sendable, Equatable {
        /// Long or short one unit of the index.
        public enum Side: String, Sendable, Equatable {
            case long, short
        }

        /// Why the trade closed.
        public enum Reason: String, Sendable, Equatable {
            /// The opposite signal.
            case reverseSignal = "reverse_signal"
            /// The 15:19 bar's close (the bar that closes at 15:20).
            case timeExit = "time_exit"
            /// The day's data ended before 15:19.
            case endOfDay = "end_of_day"
            /// The data ended.
            case endOfData = "end_of_data"
        }

        public var symbol: String
        public var side: Side
        /// Bar-open epoch seconds of the entry and exit bars.
        public var entryTime: Int64
        public var entryPrice: Double
        public var exitTime: Int64
        public var exitPrice: Double
        public var reason: Reason

        /// Points gained (long: exit − entry; short: entry − exit).
        public var points: Double { side == .long ? exitPrice - entryPrice : entryPrice - exitPrice }
    }

    public let parameters: Parameters
    static let timeExitBarSecond = 15 * 3600 + 19 * 60

    public init(parameters: Parameters) { self.parameters = parameters }

    /// Runs the study over one symbol's 1m bars (ascending).
    public func run(symbol: String, bars: [PriceBar]) -> [Trade] {
        var st1 = Supertrend(period: parameters.supertrendPeriod, multiplier: parameters.supertrendMultiplier)
        var st5 = Supertrend(period: parameters.supertrendPeriod, multiplier: parameters.supertrendMultiplier)
        var adx1 = DirectionalMovement(period: parameters.adxPeriod)
        var adx5 = DirectionalMovement(period: parameters.adxPeriod)
        let aligner = CandleAggregator(intervalMinutes: 5)
        var bucket: PriceBar?
        var trades: [Trade] = []
        var open: (side: Trade.Side, time: Int64, price: Double)?
        var previous: PriceBar?

        func close(_ bar: PriceBar, _ reason: Trade.Reason) {
            guard let position = open else { return }
            trades.append(
                Trade(
                    symbol: symbol, side: position.side, entryTime: position.time, entryPrice: position.price,
                    exitTime: bar.start, exitPrice: bar.close, reason: reason))
            open = nil
        }

        for bar in bars {
            let time = Timestamp(epochSeconds: bar.start)
            if let last = previous, Timestamp(epochSeconds: last.start).istDayNumber != time.istDayNumber, open != nil {
                close(last, .endOfDay)
            }
            previous = bar
            let one = st1.update(high: bar.high, low: bar.low, close: bar.close)
            let dm1 = adx1.update(high: bar.high, low: bar.low, close: bar.close)
            // The 5m bucket this minute belongs to; it completes with its last minute.
            let start = aligner.periodStart(of: time)
            if var current = bucket, current.start == start {
                current.high = max(current.high, bar.high)
                current.low = min(current.low, bar.low)
                current.close = bar.close
                bucket = current
            } else {
                bucket = PriceBar(start: start, open: bar.open, high: bar.high, low: bar.low, close: bar.close)
            }
            if bar.start + 60 >= start + 300, let completed = bucket {
                st5.update(high: completed.high, low: completed.low, close: completed.close)
                adx5.update(high: completed.high, low: completed.low, close: completed.close)
                bucket = nil
            }
            var signal: Trade.Side?
            if let one, let five = st5.current, let a1 = dm1.adx, let a5 = adx5.values.adx,
                a1 >= parameters.adx1mThreshold, a5 >= parameters.adx5mThreshold, one.direction == five.direction
            {
                signal = one.direction == .up ? .long : .short
            }
            let second = Int(time.istSecondOfDay)
            var exited = false
            if let position = open {
                if second >= Self.timeExitBarSecond {
                    close(bar, .timeExit)
                    exited = true
                } else if let signal, signal != position.side {
                    close(bar, .reverseSignal)
                    exited = true
                }
            }
            // The bar closes before 15:20 exactly when it opens before 15:19.
            if open == nil, !exited, let signal, second < Self.timeExitBarSecond {
                open = (signal, bar.start, bar.close)
            }
        }
        if let last = previous { close(last, .endOfData) }
        return trades
    }

    /// `trades.csv`: `symbol,side,entry_time,entry_price,exit_time,exit_price,reason`.
    public static func csv(_ trades: [Trade]) -> String {
        var lines = ["symbol,side,entry_time,entry_price,exit_time,exit_price,reason"]
        for trade in trades {
            lines.append(
                "\(trade.symbol),\(trade.side.rawValue),\(trade.entryTime),\(trade.entryPrice),\(trade.exitTime),\(trade.exitPrice),\(trade.reason.rawValue)"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
