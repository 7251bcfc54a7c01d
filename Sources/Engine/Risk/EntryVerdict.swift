import Domain

/// The entry guard's verdict on a proposal: the orders it sent, or why it sent none.
public enum EntryVerdict: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Entered: the correlation ids of the entry's orders (one per freeze slice).
    case entered([CorrelationID])
    case blocked(EntryRefusal)

    public var description: String {
        switch self {
        case .entered(let ids): "entered: " + ids.map(\.value).joined(separator: ",")
        case .blocked(let refusal): "blocked: \(refusal)"
        }
    }
}

/// Why the entry guard sent no order for a proposal.
public enum EntryRefusal: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The kill switch, the breaker, the feed or reconciliation blocks every entry.
    case engine(EntryBlock)
    case outsideSession
    case afterEntryCutoff
    /// The proposal itself carries no trade (zero lots, no funds, no strike): the selection's reason.
    case noTrade(String)
    case noSizedContract
    /// The index crossed into another strike since the chain was read.
    case indexMoved(atm: Paise, chainATM: Paise)
    /// The chosen option's quote is older than allowed (nil: there is none).
    case optionQuoteStale(ageSeconds: Int64?)
    case noFunds
    case fundsStale(ageSeconds: Int64)
    case entryPending(index: String)
    /// A position on the other side of the index is open and `allow_call_and_put` is off.
    case otherSideOpen(index: String, direction: SignalDirection)
    case sameSideLimit(index: String, direction: SignalDirection, open: Int, limit: Int)
    case openPositionLimit(open: Int, limit: Int)
    /// Before 0.4.4: the entry's freeze slices, counted as positions, would pass the limit.
    case slicesOverLimit(open: Int, slices: Int, limit: Int)
    case pyramidNotInProfit(CorrelationID)
    case pyramidTooYoung(CorrelationID, ageSeconds: Int64)
    case contractCooldown(InstrumentKey, until: Timestamp)
    case sideCooldown(index: String, direction: SignalDirection, until: Timestamp, after: InstrumentKey)

    public var description: String {
        switch self {
        case .engine(let block): "\(block)"
        case .outsideSession: "outside the session"
        case .afterEntryCutoff: "after the entry cutoff"
        case .noTrade(let reason): reason
        case .noSizedContract: "no sized contract"
        case .indexMoved(let atm, let chainATM): "the index moved: ATM is now \(atm), the chain's was \(chainATM)"
        case .optionQuoteStale(let age): "the option quote is \(age.map { "\($0) s old" } ?? "missing")"
        case .noFunds: "no funds snapshot"
        case .fundsStale(let age): "funds are \(age) s old"
        case .entryPending(let index): "an entry for \(index) is already pending"
        case .otherSideOpen(let index, let direction):
            "a \(direction) position is open on \(index) (allow_call_and_put: false)"
        case .sameSideLimit(let index, let direction, let open, let limit):
            "\(open) \(direction) positions already open on \(index) (max_same_side \(limit))"
        case .openPositionLimit(let open, let limit): "\(open) positions open (the pyramiding limit is \(limit))"
        case .slicesOverLimit(let open, let slices, let limit):
            "\(open) positions open and this entry needs \(slices) freeze slices (the limit is \(limit))"
        case .pyramidNotInProfit(let id): "pyramiding needs the open \(id) in profit"
        case .pyramidTooYoung(let id, let age): "pyramiding needs the open \(id) at least 5 minutes old (\(age) s)"
        case .contractCooldown(let instrument, let until): "re-entry cooldown on \(instrument) until \(until)"
        case .sideCooldown(let index, let direction, let until, let after):
            "re-entry cooldown on \(index) \(direction) until \(until) (after \(after))"
        }
    }
}
