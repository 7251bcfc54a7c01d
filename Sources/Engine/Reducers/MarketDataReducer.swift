import Domain
import Indicators

/// Index ticks and timers build 1m bars; closed bars feed both timeframes' indicators and the signal.
enum MarketDataReducer {
    /// An index tick for the index state at `position`.
    static func tick(_ state: inout EngineState, _ position: Int, _ tick: Tick, seq: UInt64, at time: Timestamp)
        -> [Command]
    {
        state.indices[position].lastPrice = tick.lastPrice
        state.indices[position].lastPriceTime = time
        var closed: [Candle] = []
        state.indices[position].minuteBars.add(price: tick.lastPrice, cumulativeVolume: tick.volume, at: time) {
            closed.append($0)
        }
        return closed.flatMap { closedPrimaryBar(&state, position, $0, seq: seq, at: time) }
    }

    /// A timer closes bars whose minute has ended, so a quiet minute still closes.
    static func timer(_ state: inout EngineState, seq: UInt64, at time: Timestamp) -> [Command] {
        var commands: [Command] = []
        for position in state.indices.indices {
            var closed: [Candle] = []
            state.indices[position].minuteBars.close(at: time) { closed.append($0) }
            for bar in closed { commands += closedPrimaryBar(&state, position, bar, seq: seq, at: time) }
        }
        return commands
    }

    /// Warm-up history: fed to the indicators (never evaluated as signals); a bar still open at `time` is skipped.
    static func history(_ state: inout EngineState, _ batch: CandleBatch, at time: Timestamp) {
        guard let config = state.config, let position = state.indexPosition(of: batch.instrument) else { return }
        let interval = Int(batch.intervalMinutes)
        for bar in batch.candles where bar.start + Int64(interval) * 60 <= time.epochSeconds {
            if interval == config.signals.primaryMinutes {
                feedPrimary(&state, position, bar)
            } else if interval == config.signals.confirmationMinutes {
                state.indices[position].confirmation.feed(
                    start: bar.start, high: bar.high.rupees, low: bar.low.rupees, close: bar.close.rupees)
            }
        }
    }

    /// Feeds a closed primary bar to the indicators, the confirmation resampler and the IV-rank proxy.
    static func feedPrimary(_ state: inout EngineState, _ position: Int, _ bar: Candle) {
        if let last = state.indices[position].primary.lastBarStart, bar.start <= last { return }
        state.indices[position].primary.feed(
            start: bar.start, high: bar.high.rupees, low: bar.low.rupees, close: bar.close.rupees)
        var longer: [Candle] = []
        state.indices[position].resampler.add(bar) { longer.append($0) }
        for candle in longer {
            state.indices[position].confirmation.feed(
                start: candle.start, high: candle.high.rupees, low: candle.low.rupees, close: candle.close.rupees)
        }
        IVRank.recordClose(&state.indices[position], bar.close)
    }

    /// A live primary bar closed: indicators first (a 5m bar counts from the 1m close that completes it), then the signal.
    static func closedPrimaryBar(
        _ state: inout EngineState, _ position: Int, _ bar: Candle, seq: UInt64, at time: Timestamp
    ) -> [Command] {
        feedPrimary(&state, position, bar)
        return SignalReducer.evaluate(&state, position, barStart: bar.start, seq: seq, at: time)
    }
}

/// The IV rank for the signal's validation: from the option chain's ATM IV history when there is
/// enough of it, else the original's 4-bar price proxy.
enum IVRank {
    static let minimumChainObservations = 5
    static let minimumProxyObservations = 20
    static let memory = 100

    static func recordClose(_ index: inout IndexState, _ close: Paise) {
        index.recentCloses.append(close)
        if index.recentCloses.count > 5 { index.recentCloses.removeFirst() }
        if index.recentCloses.count == 5, index.recentCloses[0] > .zero {
            let move = abs(Double((close - index.recentCloses[0]).value)) / Double(index.recentCloses[0].value)
            index.fourBarMoves.append(move)
            if index.fourBarMoves.count > memory { index.fourBarMoves.removeFirst() }
        }
    }

    static func recordATM(_ index: inout IndexState, iv: Double) {
        index.atmIVs.append(iv)
        if index.atmIVs.count > memory { index.atmIVs.removeFirst() }
    }

    /// The rank (0…100) and where it came from.
    static func current(_ index: IndexState) -> (Double?, String) {
        if index.atmIVs.count >= minimumChainObservations, let latest = index.atmIVs.last,
            let low = index.atmIVs.min(), let high = index.atmIVs.max(), high > low
        {
            return ((latest - low) / (high - low) * 100, "option-chain IV history")
        }
        if index.fourBarMoves.count >= minimumProxyObservations, let latest = index.fourBarMoves.last {
            // Counted in a loop: `filter(_:).count` builds an array on every closed bar.
            var atOrBelow = 0
            for move in index.fourBarMoves where move <= latest { atOrBelow += 1 }
            return (Double(atOrBelow) / Double(index.fourBarMoves.count) * 100, "4-bar price proxy")
        }
        return (nil, "unavailable")
    }
}
