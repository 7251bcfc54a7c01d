import Domain

/// The last gate before an entry order: every block records its reason on the proposal.
enum EntryGuard {
    static let indexQuoteMaxAge: Int64 = 5
    static let optionQuoteMaxAge: Int64 = 2
    static let fundsMaxAge: Int64 = 60
    static let maxOpenPositions = 3
    static let pyramidMinimumAge: Int64 = 300

    /// Runs the guard on `index`'s decided proposal (once; or again when a requested quote arrives).
    static func consider(_ state: inout EngineState, _ index: Int, seq: UInt64, at time: Timestamp) -> [Command] {
        // Every index tick comes here, and a proposal the guard has ruled on stays decided until the next signal;
        // reading the selection through the array's getter would copy the whole `IndexState` and the proposal
        // on each of those ticks, so look through a buffer pointer first.
        let awaiting = state.indices.withUnsafeBufferPointer { $0[index].selection.awaitsGuard }
        if !awaiting { return [] }
        guard case .decided(var proposal) = state.indices[index].selection, proposal.guardResult == nil,
            let config = state.config, let indexConfig = config.index(state.indices[index].key)
        else { return [] }
        func block(_ refusal: EntryRefusal) -> [Command] {
            proposal.guardResult = .blocked(refusal)
            proposal.awaitingQuote = false
            state.indices[index].selection = .decided(proposal)
            return []
        }
        if let reason = state.dayRisk?.entryBlock { return block(.engine(reason)) }
        if let reason = state.feedBlock { return block(.engine(reason)) }
        if let reason = state.reconciliationBlock { return block(.engine(reason)) }
        let second = Int(time.istSecondOfDay)
        guard let session = config.calendar.session(on: time.istDate, exchange: indexConfig.exchange),
            session.contains(secondOfDay: second)
        else { return block(.outsideSession) }
        if second >= config.entryCutoff { return block(.afterEntryCutoff) }
        if let reason = proposal.noTradeReason { return block(.noTrade(reason)) }
        guard let chosen = proposal.selection.chosen, let quote = chosen.quote, let securityID = quote.securityID,
            let sizing = proposal.sizing, sizing.lots > 0
        else { return block(.noSizedContract) }

        // The index price must be fresh; if not, ask for a quote and decide on its answer.
        let indexAge = state.indices[index].lastPriceTime.map { time.epochSeconds - $0.epochSeconds }
        if indexAge == nil || indexAge! > indexQuoteMaxAge {
            if proposal.awaitingQuote { return [] }
            proposal.awaitingQuote = true
            state.indices[index].selection = .decided(proposal)
            return [.fetchData(.quote([state.indices[index].instrument]))]
        }
        if let spot = state.indices[index].lastPrice,
            StrikeSelector.atmStrike(spot: spot, step: indexConfig.strikeStep) != proposal.selection.atm
        {
            return block(
                .indexMoved(
                    atm: StrikeSelector.atmStrike(spot: spot, step: indexConfig.strikeStep),
                    chainATM: proposal.selection.atm))
        }
        let instrument = InstrumentKey(indexConfig.optionSegment, securityID)
        let newestTime = state.lastPriceTime(ofNewestPositionIn: instrument)
        let quoteTime: Timestamp? =
            switch (proposal.chainTime, newestTime) {
            case (let chain?, let newest?): max(chain, newest)
            case (let chain, let newest): chain ?? newest
            }
        let quoteAge = quoteTime.map { time.epochSeconds - $0.epochSeconds } ?? .max
        if quoteAge > optionQuoteMaxAge {
            return block(.optionQuoteStale(ageSeconds: quoteAge == .max ? nil : quoteAge))
        }
        guard let funds = state.funds else { return block(.noFunds) }
        let fundsAge = time.epochSeconds - funds.time.epochSeconds
        if fundsAge > fundsMaxAge {
            _ = block(.fundsStale(ageSeconds: fundsAge))
            return [.fetchData(.funds)]
        }
        let open = state.openPositions
        let mine = open.filter { $0.index == indexConfig.key }
        if mine.contains(where: { $0.phase == .pending || $0.phase == .accepted }) {
            return block(.entryPending(index: indexConfig.key))
        }
        // 0.4.3: a call and a put on one index at once only when the configuration allows it.
        if state.rules.sideCooldown, !config.risk.allowCallAndPut,
            let other = mine.first(where: { $0.direction != proposal.direction })
        {
            return block(.otherSideOpen(index: indexConfig.key, direction: other.direction))
        }
        let sameSide = mine.filter { $0.direction == proposal.direction }
        // 0.4.4: the slices of one entry are one position for every limit.
        let onePosition = state.rules.slicesAreOnePosition
        let sameSideCount = onePosition ? SlicedPosition.count(sameSide) : sameSide.count
        let openCount = onePosition ? SlicedPosition.count(open) : open.count
        if sameSideCount >= indexConfig.maxSameSide {
            return block(
                .sameSideLimit(
                    index: indexConfig.key, direction: proposal.direction, open: sameSideCount,
                    limit: indexConfig.maxSameSide))
        }
        if openCount >= maxOpenPositions {
            return block(.openPositionLimit(open: openCount, limit: maxOpenPositions))
        }
        let slices = sizing.orderQuantities.count
        if state.rules.slicesCountAgainstLimit, !onePosition, open.count + slices > maxOpenPositions {
            return block(.slicesOverLimit(open: open.count, slices: slices, limit: maxOpenPositions))
        }
        var judged: Set<CorrelationID> = []
        for existing in sameSide where judged.insert(existing.positionID).inserted || !onePosition {
            let members = onePosition ? sameSide.filter { $0.positionID == existing.positionID } : [existing]
            let unrealized = members.reduce(Paise.zero) { $0 + $1.unrealized }
            if unrealized <= .zero { return block(.pyramidNotInProfit(existing.id)) }
            let entered = members.compactMap(\.entryTime).min()
            let age = entered.map { time.epochSeconds - $0.epochSeconds } ?? 0
            if age < pyramidMinimumAge {
                return block(.pyramidTooYoung(existing.id, ageSeconds: age))
            }
        }
        if let cooldown = state.cooldown(of: instrument), cooldown.until > time {
            return block(.contractCooldown(instrument, until: cooldown.until))
        }
        // 0.4.3: the cooldown holds for the index and side, not only the contract (a new strike is no escape).
        if state.rules.sideCooldown,
            let cooldown = state.cooldowns.first(where: {
                $0.index == indexConfig.key && $0.direction == proposal.direction && $0.until > time
            })
        {
            return block(
                .sideCooldown(
                    index: indexConfig.key, direction: proposal.direction, until: cooldown.until,
                    after: cooldown.instrument))
        }

        // Enter: BUY MARKET INTRADAY DAY, one order per freeze-quantity slice; from 0.4.4 the slices are one
        // position (each slice's record names the first), before each was a position of its own.
        let tag = "entry_\(indexConfig.key)_\(chosen.type.code)_\(chosen.strike.value / 100)"
        var commands: [Command] = []
        var ids: [CorrelationID] = []
        var first: CorrelationID?
        for quantity in sizing.orderQuantities {
            guard let id = state.nextCorrelationID(causeSeq: seq) else { break }
            if first == nil { first = id }
            // With broker protection the entry is a super order whose legs sit at the hard stop and the take
            // profit of the quoted premium, so the position stays protected if the engine dies.
            let legs: SuperOrderLegs? =
                config.risk.brokerProtection == .superOrder
                ? SuperOrderLegs(
                    target: (quote.lastPrice + config.risk.takeProfit.of(quote.lastPrice)).roundedToTick,
                    stopLoss: max(Paise(5), (quote.lastPrice - config.risk.stopLoss.of(quote.lastPrice)).roundedToTick))
                : nil
            commands.append(
                .placeOrder(
                    OrderIntent(
                        correlationID: id, instrument: instrument, side: .buy, quantity: quantity, tag: tag,
                        superOrder: legs)))
            var position = Position(
                id: id, index: indexConfig.key, instrument: instrument, exchange: indexConfig.exchange,
                optionType: chosen.type,
                strike: chosen.strike, expiry: proposal.expiry, direction: proposal.direction, entryTag: tag,
                orderedQuantity: quantity, tradingDate: state.session?.tradingDate ?? time.istDate)
            position.protection = legs.map { BrokerProtectionLegs(stopTrigger: $0.stopLoss, target: $0.target) }
            if onePosition, sizing.orderQuantities.count > 1 { position.slicesOf = first }
            if state.rules.watchesOrders { position.orderActivityAt = time }
            state.appendPosition(position)
            ids.append(id)
        }
        proposal.guardResult = .entered(ids)
        proposal.awaitingQuote = false
        state.indices[index].selection = .decided(proposal)
        return commands
    }
}

extension Selection {
    /// A decided proposal the entry guard has not ruled on yet.
    fileprivate var awaitsGuard: Bool {
        guard case .decided(let proposal) = self else { return false }
        return proposal.guardResult == nil
    }
}
