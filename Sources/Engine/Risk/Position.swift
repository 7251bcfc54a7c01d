import Domain

/// Where a position is in its life; transitions are guarded, and an illegal one is recorded, never applied.
public enum PositionPhase: String, Sendable, Equatable, CaseIterable, Codable {
    /// The entry intent is journaled and sent; no broker answer yet.
    case pending
    /// The broker accepted the entry order; nothing filled yet.
    case accepted
    /// Some or all of the entry filled; exits are watched on every tick.
    case active
    /// An exit intent is in flight for the open quantity.
    case exiting
    /// Flat: the exit filled completely.
    case exited
    /// The broker refused the entry.
    case rejected
    /// The entry was cancelled (or expired) with nothing filled.
    case cancelled

    /// Whether this phase may move to `next`.
    public func allows(_ next: PositionPhase) -> Bool {
        switch (self, next) {
        case (.pending, .accepted), (.pending, .active), (.pending, .rejected), (.pending, .cancelled): true
        case (.accepted, .active), (.accepted, .cancelled), (.accepted, .rejected): true
        case (.active, .active), (.active, .exiting): true
        case (.exiting, .exiting), (.exiting, .active), (.exiting, .exited): true
        default: false
        }
    }

    /// Phases no transition leaves: the position can no longer change.
    public var isSettled: Bool { self == .exited || self == .rejected || self == .cancelled }

    /// Phases in which the position holds (or may hold) quantity and counts against limits.
    public var isOpen: Bool { self == .pending || self == .accepted || self == .active || self == .exiting }
}

/// Why a position was closed; each renders the order tag.
public enum ExitReason: String, Sendable, Equatable, CaseIterable, Codable {
    case stopLoss, takeProfit, trailingStop, breakevenStop, profitLock, timeExit, circuitBreaker, killSwitch, manual
    /// The broker's super-order legs fired (risk.broker_protection: super_order).
    case superOrderTarget, superOrderStop

    /// The order tag, with the configured numbers rendered in (`stop_loss_30pct`, `time_exit_1520`, …).
    public func tag(_ risk: RiskConfig, dailyLossLimit: BasisPoints) -> String {
        func percent(_ value: BasisPoints) -> String {
            value.value % 100 == 0
                ? "\(value.value / 100)pct" : "\(Double(value.value) / 100)pct".replacingOccurrences(of: ".", with: "_")
        }
        switch self {
        case .stopLoss: return "stop_loss_" + percent(risk.stopLoss)
        case .takeProfit: return "take_profit_" + percent(risk.takeProfit)
        case .trailingStop: return "trailing_stop_" + percent(risk.exitDrop)
        case .breakevenStop: return "breakeven_stop"
        case .profitLock: return "profit_lock"
        case .timeExit:
            let hours = risk.timeExit / 3600
            let minutes = risk.timeExit / 60 % 60
            return "time_exit_\(hours)\(minutes < 10 ? "0" : "")\(minutes)"
        case .circuitBreaker: return "circuit_breaker_" + percent(dailyLossLimit)
        case .killSwitch: return "kill_switch"
        case .manual: return "manual"
        case .superOrderTarget: return "super_order_target"
        case .superOrderStop: return "super_order_stop"
        }
    }
}

/// A position's phase with the data that phase holds: the exit intent exists exactly while exiting (the
/// order in flight) and once exited (the order that closed it, none when a broker leg closed it first).
///
/// The stored truth of `Position` (`phase` and `exit` are read from it), in the style of swift-nio's state
/// machines: a state that needs data carries it, so "exiting without an exit order" cannot be written.
public enum PositionStage: Sendable, Equatable, Codable {
    case pending
    case accepted
    case active
    case exiting(ExitIntent)
    case exited(ExitIntent?)
    case rejected
    case cancelled

    /// The phase without its data.
    public var phase: PositionPhase {
        switch self {
        case .pending: .pending
        case .accepted: .accepted
        case .active: .active
        case .exiting: .exiting
        case .exited: .exited
        case .rejected: .rejected
        case .cancelled: .cancelled
        }
    }

    /// The exit intent this phase holds.
    public var exit: ExitIntent? {
        switch self {
        case .exiting(let intent): intent
        case .exited(let intent): intent
        case .pending, .accepted, .active, .rejected, .cancelled: nil
        }
    }
}

/// The exit order in flight for a position.
public struct ExitIntent: Sendable, Equatable, Codable {
    public var correlationID: CorrelationID
    public var reason: ExitReason
    public var orderID: String?
    public var quantity: Int64
    public var filled: Int64
    /// When the engine asked the broker to cancel this exit so it can be sent again (`ExitEscalation`).
    public var cancelRequestedAt: Timestamp?

    public init(
        correlationID: CorrelationID, reason: ExitReason, orderID: String? = nil, quantity: Int64, filled: Int64 = 0
    ) {
        self.correlationID = correlationID
        self.reason = reason
        self.orderID = orderID
        self.quantity = quantity
        self.filled = filled
    }
}

/// One bought option, from the entry intent to flat.
public struct Position: Sendable, Equatable, Codable {
    /// The entry order's correlation id: the position's identity.
    public var id: CorrelationID
    public var index: String
    public var instrument: InstrumentKey
    public var exchange: Exchange
    public var optionType: OptionType
    public var strike: Paise
    public var expiry: CivilDate
    public var direction: SignalDirection
    public var entryTag: String
    /// The trading day the position was opened on (its PnL counts toward that day).
    public var tradingDate: CivilDate
    /// Where the position is, with the exit intent the phase holds (`PositionLifecycle.transition` moves it).
    public var stage: PositionStage
    /// The phase without its data.
    public var phase: PositionPhase { stage.phase }
    public var entryOrderID: String?
    /// A cancel of the entry's unfilled remainder was sent (breaker, kill switch).
    public var entryCancelRequested = false
    /// When an order of this position was last sent or last heard of (placed, accepted, filled, updated).
    public var orderActivityAt: Timestamp?
    /// When the engine last asked the broker's book about it, having heard nothing (`OrderWatch`).
    public var lookupAt: Timestamp?
    /// An intent unresolved past the escalation time was recorded as an anomaly (once).
    public var stallReported = false
    /// An exit past its re-send limit was recorded as an anomaly (once; `ExitEscalation`).
    public var exitStuckReported = false
    /// When the engine last fetched this option's quote because no tick had come (0.4.3 on).
    public var quoteAskedAt: Timestamp?
    public var orderedQuantity: Int64
    /// Filled entry quantity and its average price.
    public var entryFilled: Int64 = 0
    public var entryAverage: Paise = .zero
    public var entryTime: Timestamp?
    /// Open quantity (entry filled minus exit filled); never negative.
    public var quantity: Int64 = 0
    /// The hard stop; moved to the entry price at breakeven.
    public var stop: Paise = .zero
    public var breakevenArmed = false
    public var profitLockArmed = false
    public var highWaterMark: Paise = .zero
    public var lastPrice: Paise?
    public var lastPriceTime: Timestamp?
    /// The exit intent of an exiting or exited position, nil in every other phase.
    ///
    /// Setting it changes the intent a phase holds; it cannot make a phase hold one it has no room for
    /// (begin an exit with `PositionLifecycle.transition(to: .exiting(intent))`).
    public var exit: ExitIntent? {
        get { stage.exit }
        set {
            switch (stage, newValue) {
            case (.exiting, let intent?): stage = .exiting(intent)
            case (.exited, let intent): stage = .exited(intent)
            case (_, nil) where stage.exit == nil: break
            default: assertionFailure("an exit intent exists only while exiting or once exited, not \(phase)")
            }
        }
    }
    /// Exit intents sent so far (retries after a rejected exit get new ids).
    public var exitAttempts = 0
    public var exitReason: ExitReason?
    public var realized: Paise = .zero
    /// What the entry fills cost and the exit fills brought in, price × quantity summed in whole paise: once
    /// flat, their difference is the realised PnL as the broker's cash flow has it (0.4.5 on).
    public var boughtValue: Paise = .zero
    public var soldValue: Paise = .zero
    /// Charges in 1/10,000 paisa.
    public var chargeUnits: Int64 = 0
    public var maxMTM: Paise = .zero
    public var maxMTMTime: Timestamp?
    public var minMTM: Paise = .zero
    public var minMTMTime: Timestamp?
    public var closedAt: Timestamp?
    /// The broker-side legs protecting this position when it was entered as a super order.
    public var protection: BrokerProtectionLegs?
    /// Leg fills that arrived before the entry fill they close (streams and order books can list them first);
    /// applied as soon as the entry's quantity is there.
    public var heldLegFills: [Fill] = []
    /// The first slice's id when the entry was split at the freeze quantity (0.4.4 on): every slice of one
    /// entry carries it, and together they are one position (`SlicedPosition`).
    public var slicesOf: CorrelationID?

    /// The id of the position this record is part of: the first slice's, or its own.
    public var positionID: CorrelationID { slicesOf ?? id }

    public init(
        id: CorrelationID, index: String, instrument: InstrumentKey, exchange: Exchange, optionType: OptionType,
        strike: Paise,
        expiry: CivilDate, direction: SignalDirection, entryTag: String, orderedQuantity: Int64, tradingDate: CivilDate
    ) {
        self.tradingDate = tradingDate
        self.id = id
        self.index = index
        self.instrument = instrument
        self.exchange = exchange
        self.optionType = optionType
        self.strike = strike
        self.expiry = expiry
        self.direction = direction
        self.entryTag = entryTag
        self.stage = .pending
        self.orderedQuantity = orderedQuantity
    }

    /// Unrealized PnL of the open quantity at the last price.
    public var unrealized: Paise {
        guard let price = lastPrice, quantity > 0 else { return .zero }
        return (price - entryAverage) * quantity
    }

    /// Charges rounded to paise.
    public var charges: Paise { ChargeBreakdown.paise(chargeUnits) }

    /// Realized + unrealized − charges.
    public var netPnL: Paise { realized + unrealized - charges }
}

/// The day's risk: PnL, the circuit breaker and the kill switch.
public struct DayRisk: Sendable, Equatable, Codable {
    public var date: CivilDate
    /// The balance the loss limit is measured against: the day's first funds snapshot (start-of-day limit).
    public var startingBalance: Paise?
    public var circuitTripped = false
    public var circuitTrippedAt: Timestamp?
    public var killSwitch = false
    public var maxMTM: Paise = .zero
    public var maxMTMTime: Timestamp?
    public var minMTM: Paise = .zero
    public var minMTMTime: Timestamp?

    public init(date: CivilDate) { self.date = date }

    /// Whether entries are blocked, and why.
    public var entryBlock: EntryBlock? {
        if killSwitch { return .killSwitch }
        if circuitTripped { return .circuitBreaker }
        return nil
    }
}

/// Something the engine refused or could not place: an illegal transition, an unknown order.
public struct Anomaly: Sendable, Equatable, Codable {
    public var seq: UInt64
    public var message: String

    public init(seq: UInt64, message: String) {
        self.seq = seq
        self.message = message
    }
}

/// A position's super-order legs at the broker, as the engine last set them.
public struct BrokerProtectionLegs: Sendable, Equatable, Codable {
    /// The stop-loss leg's trigger price now.
    public var stopTrigger: Paise
    public var target: Paise
    /// Modifications sent to the stop-loss leg (DhanHQ allows 25 per order; the engine stops at 20).
    public var modifications = 0
    /// The engine asked to cancel the legs before its own exit; the exit order goes out once they are gone.
    public var cancelRequested = false
    public var targetCancelled = false
    public var stopCancelled = false

    public init(stopTrigger: Paise, target: Paise) {
        self.stopTrigger = stopTrigger
        self.target = target
    }

    public static let maxModifications = 20
}

extension Paise {
    /// The nearest multiple of the ₹0.05 option tick.
    public var roundedToTick: Paise { Paise((value + 2) / 5 * 5) }
}

extension Position {
    /// Whether the entry has an unfilled remainder the broker knows (an order id) and no cancel was asked for.
    public var hasCancellableRemainder: Bool {
        entryFilled < orderedQuantity && !entryCancelRequested && entryOrderID != nil
    }

    /// Seconds the broker has been quiet about this position's orders at `now`; nil when it never spoke.
    public func quietSeconds(at now: Timestamp) -> Int64? {
        orderActivityAt.map { now.epochSeconds - $0.epochSeconds }
    }

    /// Whether the engine has reported its order stuck (an exit it stopped re-sending, or a stalled order):
    /// an operator has to act.
    public var orderStuck: Bool { exitStuckReported || stallReported }

    /// The contract as a trader names it: `NIFTY 25650 CE 2025-11-11` (paise shown only when the strike has them).
    public var contractLabel: String {
        let whole = strike.value % 100 == 0 ? "\(strike.value / 100)" : "\(strike)"
        return "\(index) \(whole) \(optionType) \(expiry)"
    }
}
