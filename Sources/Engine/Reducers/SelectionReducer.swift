import Domain

/// From a signal to a chosen, sized contract: expiry list, then option chain (one request per 3 s per
/// underlying), then strike selection and sizing.
enum SelectionReducer {
    static func begin(
        _ state: inout EngineState, _ position: Int, direction: SignalDirection, signalSeq: UInt64, at time: Timestamp
    ) -> [Command] {
        let index = state.indices[position]
        if let listTime = index.expiryListTime, listTime.istDayNumber == time.istDayNumber {
            return requestChain(&state, position, direction: direction, signalSeq: signalSeq, at: time)
        }
        state.indices[position].selection = .awaitingExpiryList(signalSeq: signalSeq, direction: direction)
        return [.fetchData(.expiryList(underlying: index.instrument))]
    }

    static func expiryList(_ state: inout EngineState, _ list: ExpiryList, at time: Timestamp) -> [Command] {
        guard let position = state.indexPosition(of: list.underlying) else { return [] }
        state.indices[position].expiryList = list
        state.indices[position].expiryListTime = time
        guard case .awaitingExpiryList(let signalSeq, let direction) = state.indices[position].selection else {
            return []
        }
        return requestChain(&state, position, direction: direction, signalSeq: signalSeq, at: time)
    }

    /// The expiry to trade at `time`: the calendar's nearest (weekly or monthly per the index), the next
    /// one on expiry day after the switch time; confirmed against the broker's list when it has one.
    ///
    /// From 0.4.3 an index set to `expiry: monthly` on a weekly schedule trades the last expiry of each month;
    /// before, the key was read and ignored.
    static func expiry(for index: IndexState, config: AlgoConfig, at time: Timestamp, rules: EngineRules = .current)
        -> CivilDate?
    {
        let today = time.istDate
        var upcoming = config.calendar.expiries(of: index.key, onOrAfter: today, count: 2)
        if rules.honoursExpiryPreference, config.index(index.key)?.expiry == .monthly {
            // The last expiry of each month (on a monthly schedule every expiry already is).
            let ahead = config.calendar.expiries(of: index.key, onOrAfter: today, count: 16)
            upcoming = zip(ahead, ahead.dropFirst()).filter { $0.0.month != $0.1.month }.map(\.0).prefix(2).map { $0 }
        }
        if let listed = index.expiryList?.expiries.filter({ $0 >= today }), !listed.isEmpty {
            // The broker's list is the truth for which contracts exist; the calendar picks the cadence.
            let preferred = upcoming.filter { listed.contains($0) }
            upcoming =
                preferred.isEmpty
                ? Array(listed.prefix(2)) : preferred + listed.filter { $0 > preferred.last! }.prefix(1)
        }
        guard var chosen = upcoming.first else { return nil }
        if chosen == today && Int(time.istSecondOfDay) >= config.optionChain.expirySwitchTime, upcoming.count > 1 {
            chosen = upcoming[1]
        }
        return chosen
    }

    static func requestChain(
        _ state: inout EngineState, _ position: Int, direction: SignalDirection, signalSeq: UInt64, at time: Timestamp
    ) -> [Command] {
        guard let config = state.config,
            let expiry = expiry(for: state.indices[position], config: config, at: time, rules: state.rules)
        else {
            state.indices[position].selection = .idle
            return []
        }
        let allowed =
            state.indices[position].lastChainRequest.map {
                time.epochSeconds - $0.epochSeconds >= config.optionChain.minRequestIntervalSeconds
            } ?? true
        state.indices[position].selection = .awaitingChain(
            signalSeq: signalSeq, direction: direction, expiry: expiry, requested: allowed)
        guard allowed else { return [] }
        state.indices[position].lastChainRequest = time
        return [.fetchData(.optionChain(underlying: state.indices[position].instrument, expiry: expiry))]
    }

    /// On a timer, sends chain requests that the rate limit held back.
    static func releaseHeldRequests(_ state: inout EngineState, at time: Timestamp) -> [Command] {
        var commands: [Command] = []
        for position in state.indices.indices {
            if case .awaitingChain(let signalSeq, let direction, _, false) = state.indices[position].selection {
                commands += requestChain(&state, position, direction: direction, signalSeq: signalSeq, at: time)
            }
        }
        return commands
    }

    static func chain(_ state: inout EngineState, _ chain: OptionChainSnapshot, seq: UInt64, at time: Timestamp)
        -> [Command]
    {
        guard let config = state.config, let position = state.indexPosition(of: chain.underlying),
            let indexConfig = config.index(state.indices[position].key)
        else { return [] }
        let atm = StrikeSelector.atmStrike(spot: chain.underlyingPrice, step: indexConfig.strikeStep)
        if let atmQuote = chain.strikes.first(where: { $0.strike == atm }),
            let iv = atmQuote.call?.impliedVolatility ?? atmQuote.put?.impliedVolatility
        {
            IVRank.recordATM(&state.indices[position], iv: iv)
        }
        guard case .awaitingChain(let signalSeq, let direction, let expiry, _) = state.indices[position].selection,
            chain.expiry == expiry
        else {
            return []
        }
        // With an instrument master, contracts and lot sizes come from it; without, the chain's ids must do.
        let master = state.contracts.first { $0.underlying == indexConfig.key }?.contracts
        let selection = StrikeSelector.select(
            chain: chain, direction: direction, index: indexConfig, config: config.optionChain, at: time,
            contractCheck: master.map { .instrumentMaster($0) } ?? .chainSecurityID,
            itmPenalty: state.rules.itmPenalty)
        let lotSize =
            master.flatMap { contracts in
                selection.chosen.flatMap { chosen in
                    contracts.first {
                        $0.expiry == chain.expiry && $0.strike == chosen.strike && $0.type == chosen.type
                    }?.lotSize
                }
            } ?? indexConfig.lotSize
        let multiplier = state.indices[position].scale?.multiplier ?? 1
        var proposal = EntryProposal(
            signalSeq: signalSeq, chainSeq: seq, direction: direction, expiry: expiry, selection: selection,
            lotSize: lotSize, scaleMultiplier: multiplier, sizing: nil, noTradeReason: nil)
        if let chosen = selection.chosen, let premium = chosen.quote?.lastPrice {
            if let funds = state.funds {
                let sizing = PositionSizer.size(
                    balance: funds.snapshot.available, premium: premium, lotSize: lotSize,
                    index: indexConfig,
                    sizing: config.sizing, stopLoss: config.risk.stopLoss, scaleMultiplier: multiplier,
                    riskCapitalScales: !state.rules.riskCapitalUnscaled)
                proposal.sizing = sizing
                proposal.noTradeReason = sizing.zeroReason.map { "zero lots: \($0)" }
            } else {
                proposal.noTradeReason = "no funds snapshot yet"
            }
        } else {
            proposal.noTradeReason = "no strike passed the filters"
        }
        proposal.chainTime = time
        state.indices[position].selection = .decided(proposal)
        return EntryGuard.consider(&state, position, seq: seq, at: time)
    }
}

/// Entry points the tests use to check rules that are otherwise reached through events.
public enum EngineTesting {
    /// The expiry strike selection would trade for `index` at `time`.
    public static func expiry(
        _ index: IndexState, _ config: AlgoConfig, _ time: Timestamp, rules: EngineRules = .current
    ) -> CivilDate? {
        SelectionReducer.expiry(for: index, config: config, at: time, rules: rules)
    }
}

/// Runs the entry guard directly, as a timer or quote answer would.
public enum EngineTestingGuard {
    public static func run(_ state: inout EngineState, seq: UInt64, at time: Timestamp) -> [Command] {
        state.orderSlot = 0
        defer { state.orderSlot = 0 }
        return EntryGuard.consider(&state, 0, seq: seq, at: time)
    }
}
