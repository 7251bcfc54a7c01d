import Domain

/// Evaluates the signal on each closed primary bar, scales repeated same-side signals, and starts
/// strike selection for a bullish or bearish one.
enum SignalReducer {
    static func evaluate(_ state: inout EngineState, _ position: Int, barStart: Int64, seq: UInt64, at time: Timestamp)
        -> [Command]
    {
        guard let config = state.config, let indexConfig = config.index(state.indices[position].key) else { return [] }
        // Read in place: a copy of the `IndexState` would retain every array in it.
        let (context, scale) = state.indices.withUnsafeBufferPointer { indices in
            let (rank, source) = IVRank.current(indices[position])
            let context = SignalEvaluator.Context(
                index: indexConfig, barStart: barStart, time: time, primary: indices[position].primary.reading,
                confirmation: indices[position].confirmation.reading,
                primaryRecentDirections: indices[position].primary.recentDirections,
                ivRank: rank,
                ivRankSource: source)
            return (context, indices[position].scale)
        }
        var signal = SignalEvaluator.evaluate(context, config: config)
        guard signal.direction != .avoid else {
            state.indices[position].signal = signal
            return []
        }
        // Same side on a new bar within the decay window raises the multiplier; anything else resets it.
        var multiplier = 1
        if let scale, scale.direction == signal.direction,
            time.epochSeconds - scale.time.epochSeconds <= config.signals.scaleDecaySeconds
        {
            multiplier = min(scale.multiplier + 1, config.signals.maxScaleMultiplier)
        }
        state.indices[position].scale = ScaleState(direction: signal.direction, multiplier: multiplier, time: time)
        signal.scaleMultiplier = multiplier
        state.indices[position].signal = signal
        return SelectionReducer.begin(&state, position, direction: signal.direction, signalSeq: seq, at: time)
    }
}
