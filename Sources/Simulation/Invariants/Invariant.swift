import DhanSim
import Domain
import Engine

/// A property every simulated session must keep, checked after every step; each has a stable name.
public enum Invariant: String, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// Once settled, the engine's and the broker's net quantity and realised PnL agree for every contract.
    case brokerAgreement = "engine_broker_agree"
    /// The account is never net short an option.
    case neverNetShort = "never_net_short"
    /// A SELL fill never adds to the engine's long quantity.
    case sellNeverAddsToLong = "sell_never_adds_to_long"
    /// Never more open positions than the entry guard allows.
    case openPositionLimit = "open_position_limit"
    /// At most one parent order per correlation id at the broker.
    case oneParentPerCorrelationID = "one_parent_per_correlation_id"
    /// Every order intent resolves (filled, rejected, cancelled) within a bounded time, or is escalated.
    case intentsResolve = "intents_resolve"
    /// Every position flat by 15:30 IST.
    case flatByClose = "flat_by_close"
    /// After the breaker or the kill switch nothing stays open and no entry follows.
    case nothingAfterBreaker = "nothing_after_breaker"
    /// The journal replays to the same state hash and the same commands.
    case replayIdentical = "replay_identical"

    public var description: String { rawValue }

    public static func < (lhs: Invariant, rhs: Invariant) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One broken invariant: which, at which journal seq, and a one-line why.
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    public var invariant: Invariant
    public var seq: UInt64
    public var why: String

    public init(invariant: Invariant, seq: UInt64, why: String) {
        self.invariant = invariant
        self.seq = seq
        self.why = why
    }

    public var description: String { "\(invariant) at seq \(seq): \(why)" }
}

/// Checks the invariants as a session runs.
///
/// It remembers what it needs across steps (when each intent began, when the breaker tripped). Each
/// invariant is reported once per session, at its first violation.
public struct InvariantChecker: Sendable {
    /// How long an order intent may stay unresolved (pending, accepted or exiting) before it must be
    /// escalated: an anomaly naming the position.
    public var resolveWithinNanos: Int64 = 300 * 1_000_000_000
    /// How long after a breaker trip or the kill switch the account must be flat.
    public var flattenWithinNanos: Int64 = 120 * 1_000_000_000
    public private(set) var violations: [Violation] = []
    private var phaseSince: [CorrelationID: (PositionPhase, Int64)] = [:]
    /// Position ids an anomaly has named, and how many anomalies were searched for each id not yet named.
    private var escalatedIDs: Set<String> = []
    private var anomaliesSearched: [String: Int] = [:]
    private var blockedSince: Int64?
    /// Since when the broker has held something without a break, while the breaker or kill switch holds.
    private var heldSince: Int64?
    private var flatChecked = false

    public init() {}

    private mutating func report(_ invariant: Invariant, _ seq: UInt64, _ why: @autoclosure () -> String) {
        guard !violations.contains(where: { $0.invariant == invariant }) else { return }
        violations.append(Violation(invariant: invariant, seq: seq, why: why()))
    }

    /// Open quantity the engine holds per contract.
    static func engineQuantities(_ state: EngineState) -> [InstrumentKey: Int64] {
        var out: [InstrumentKey: Int64] = [:]
        for position in state.unsettledPositions where state.positions[position].quantity > 0 {
            out[state.positions[position].instrument, default: 0] += state.positions[position].quantity
        }
        return out
    }

    /// After one event is folded: `before` is the engine's open quantity per contract before it.
    ///
    /// `brokerChanged` false says `broker` and `parentOrders` are what the last step saw: their checks then
    /// cannot find anything new (each invariant is reported at its first violation), and are skipped.
    public mutating func afterStep(
        event: Event, seq: UInt64, commands: [Command], state: EngineState, before: [InstrumentKey: Int64],
        broker: [SimBrokerPosition], parentOrders: [String: Int], brokerChanged: Bool = true, at time: Timestamp
    ) {
        if case .fill(let fill) = event, fill.side == .sell {
            let after = Self.engineQuantities(state)[fill.instrument] ?? 0
            let prior = before[fill.instrument] ?? 0
            if after > prior {
                report(
                    .sellNeverAddsToLong, seq,
                    "a SELL fill of \(fill.quantity) (order \(fill.orderID)) raised the engine's \(fill.instrument) from \(prior) to \(after)"
                )
            }
        }
        if brokerChanged, let short = broker.first(where: { $0.net < 0 }) {
            report(.neverNetShort, seq, "the broker shows \(short.instrument) net \(short.net)")
        }
        // Counted before they are told apart: distinct positions are never more than open records, and hashing
        // every open record's id after every event was a quarter of these checks.
        var records = 0
        for index in state.unsettledPositions where state.positions[index].phase.isOpen { records += 1 }
        if records > Engine.maxOpenPositions {
            // The slices of one entry split at the freeze quantity are one position (engine 0.4.4 on).
            var openIDs: Set<CorrelationID> = []
            for index in state.unsettledPositions where state.positions[index].phase.isOpen {
                openIDs.insert(
                    state.rules.slicesAreOnePosition ? state.positions[index].positionID : state.positions[index].id)
            }
            let open = openIDs.count
            if open > Engine.maxOpenPositions {
                report(.openPositionLimit, seq, "\(open) positions open; the limit is \(Engine.maxOpenPositions)")
            }
        }
        if brokerChanged, let (id, count) = parentOrders.first(where: { $0.value > 1 }) {
            report(.oneParentPerCorrelationID, seq, "\(count) parent orders at the broker for \(id)")
        }
        checkIntents(state, seq: seq, at: time)
        checkBreaker(commands: commands, state: state, broker: broker, seq: seq, at: time)
        if !flatChecked, time.istSecondOfDay >= 15 * 3600 + 30 * 60 {
            flatChecked = true
            if let held = broker.first(where: { $0.net != 0 }) {
                report(.flatByClose, seq, "at 15:30 the broker holds \(held.net) of \(held.instrument)")
            }
        }
    }

    private mutating func checkIntents(_ state: EngineState, seq: UInt64, at time: Timestamp) {
        for index in state.unsettledPositions {
            switch state.positions[index].phase {
            case .pending, .accepted, .exiting: break
            default: continue
            }
            let position = state.positions[index]
            let key = position.phase == .exiting ? position.exit?.correlationID ?? position.id : position.id
            if let (phase, since) = phaseSince[key], phase == position.phase {
                if time.nanos - since > resolveWithinNanos, !isEscalated(position, in: state) {
                    report(
                        .intentsResolve, seq,
                        "\(key) has been \(position.phase.rawValue) for \((time.nanos - since) / 1_000_000_000) s with no escalation"
                    )
                }
            } else {
                phaseSince[key] = (position.phase, time.nanos)
            }
        }
    }

    /// An intent is escalated when an anomaly names its position: it shows on `/status`.
    static func escalated(_ position: Position, in state: EngineState) -> Bool {
        state.anomalies.contains { $0.message.contains(position.id.value) }
    }

    /// `escalated`, remembering what it has read: anomalies are only ever appended, so each is searched once
    /// per position and an escalation stays one (searching them all on every step was a tenth of a
    /// simulated day).
    private mutating func isEscalated(_ position: Position, in state: EngineState) -> Bool {
        let id = position.id.value
        if escalatedIDs.contains(id) { return true }
        let from = min(anomaliesSearched[id] ?? 0, state.anomalies.count)
        anomaliesSearched[id] = state.anomalies.count
        if state.anomalies[from...].contains(where: { $0.message.contains(id) }) {
            escalatedIDs.insert(id)
            return true
        }
        return false
    }

    private mutating func checkBreaker(
        commands: [Command], state: EngineState, broker: [SimBrokerPosition], seq: UInt64, at time: Timestamp
    ) {
        let blocked = state.dayRisk.map { $0.circuitTripped || $0.killSwitch } ?? false
        guard blocked else {
            blockedSince = nil
            heldSince = nil
            return
        }
        let since = blockedSince ?? time.nanos
        blockedSince = since
        for case .placeOrder(let intent) in commands where intent.side == .buy {
            report(.nothingAfterBreaker, seq, "entry \(intent.correlationID) sent after the breaker or kill switch")
        }
        // A holding counts from the trip or from when it appeared, whichever is later: an entry remainder the
        // broker would not cancel (DH-906 once the entry traded) can still fill after the trip, and the engine
        // then has the same time to sell it.
        let holding = broker.first(where: { $0.net > 0 })
        if holding == nil { heldSince = nil }
        let from = max(since, heldSince ?? time.nanos)
        if holding != nil, heldSince == nil { heldSince = time.nanos }
        if time.nanos - from > flattenWithinNanos, let held = holding {
            report(
                .nothingAfterBreaker, seq,
                "\((time.nanos - since) / 1_000_000_000) s after the breaker or kill switch (\((time.nanos - from) / 1_000_000_000) s after it appeared) the broker still holds \(held.net) of \(held.instrument)"
            )
        }
    }

    /// At the end of a session, once everything in flight has landed: the engine and the broker agree, and
    /// no intent is left unresolved without escalation.
    public mutating func atEnd(state: EngineState, broker: [SimBrokerPosition], seq: UInt64) {
        let engine = Self.engineQuantities(state)
        var realized: [InstrumentKey: Paise] = [:]
        for position in state.positions {
            realized[position.instrument, default: .zero] =
                realized[position.instrument, default: .zero]
                + position.realized
        }
        let contracts = Set(engine.keys).union(broker.map(\.instrument)).sorted()
        for contract in contracts {
            let theirs = broker.first { $0.instrument == contract }
            let ours = engine[contract] ?? 0
            if (theirs?.net ?? 0) != ours {
                report(
                    .brokerAgreement, seq, "\(contract): the broker holds \(theirs?.net ?? 0), the engine \(ours)")
                continue
            }
            // Realised PnL of a flat contract: the broker's cash flow, to the paisa. Fills carry the exact value
            // of what traded (the translator books an average's remainder a paisa dearer) and a flat position
            // books its cash flow (0.4.5 on); sessions of older builds are allowed a paisa a unit of rounding.
            if let theirs, theirs.net == 0 {
                let brokerPnL = theirs.soldValue - theirs.boughtValue
                let enginePnL = realized[contract] ?? .zero
                let tolerance = state.rules.realisedFromCashFlow ? 0 : theirs.bought
                if abs(brokerPnL.value - enginePnL.value) > tolerance {
                    report(
                        .brokerAgreement, seq,
                        "\(contract): realised PnL at the broker ₹\(brokerPnL), in the engine ₹\(enginePnL)")
                }
            }
        }
        for index in state.unsettledPositions {
            let position = state.positions[index]
            if [.pending, .accepted, .exiting].contains(position.phase), !Self.escalated(position, in: state) {
                report(
                    .intentsResolve, seq,
                    "\(position.id) ended the session \(position.phase.rawValue), not escalated")
            }
        }
    }

    /// The journal did not replay to the live state.
    public mutating func replayFailed(_ why: String, seq: UInt64) { report(.replayIdentical, seq, why) }
}
