import DhanSim

/// A named set of broker behaviours, all driven by the seed (`documented`, `observed`, `hostile`).
public enum BrokerProfile: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The documentation's best case: every answer on time, once, in order.
    case documented
    /// What integrators report from the live API (LIVE-BEHAVIOUR.md): partial fills, late, repeated and
    /// reordered alerts, leg alerts under the parent's order number, ENTRY_LEG cancels refused after a trade,
    /// the odd rejection and feed stall.
    case observed
    /// Every fault turned up, and some the docs never mention: lost alerts, ambiguous submits, 429 storms.
    case hostile

    public var description: String { rawValue }

    /// The fault kinds this profile injects.
    public var faults: Set<FaultKind> {
        switch self {
        case .documented: []
        case .observed:
            [
                .partialFill, .alertDelay, .alertDuplicate, .alertReorder, .orderRejection, .feedStall,
                .entryLegCancelRefused, .legAlertParentOrderNo, .marketPriceProtection, .engineRestart,
            ]
        case .hostile: Set(FaultKind.allCases)
        }
    }

    /// How often each fault fires; hostile turns every rate up.
    var rates: FaultRates {
        switch self {
        case .documented, .observed: FaultRates()
        case .hostile:
            FaultRates(
                alertDuplicate: 0.15, alertLoss: 0.05, alertMaxDelayMilliseconds: 4_000, ambiguousSubmit: 0.08,
                orderRejection: 0.08, feedStallPerMinute: 0.03, rateLimitStormPerMinute: 0.02, restartsPerDay: 3)
        }
    }
}

/// One kind of broker misbehaviour the simulation can inject; failures are reported and shrunk by kind.
public enum FaultKind: String, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// Market orders fill in two parts, a second apart.
    case partialFill = "partial_fill"
    /// Order alerts arrive late (up to a profile's bound).
    case alertDelay = "alert_delay"
    /// An order alert arrives twice.
    case alertDuplicate = "alert_duplicate"
    /// Alerts overtake each other (independent delays).
    case alertReorder = "alert_reorder"
    /// An order alert never arrives.
    case alertLoss = "alert_loss"
    /// The place request reaches the broker but its answer is lost (a timeout after acceptance).
    case ambiguousSubmit = "ambiguous_submit"
    /// The exchange rejects an order.
    case orderRejection = "order_rejection"
    /// The market feed goes silent for a while.
    case feedStall = "feed_stall"
    /// Order-class requests answer 429 for a few seconds.
    case rateLimitStorm = "rate_limit_storm"
    /// Cancelling ENTRY_LEG after the entry traded is refused (DH-906).
    case entryLegCancelRefused = "entry_leg_cancel_refused"
    /// Target and stop-loss leg alerts carry the parent's order number.
    case legAlertParentOrderNo = "leg_alert_parent_order_no"
    /// Market orders become limit orders a band beyond the touch; they can rest (LIVE-BEHAVIOUR.md #1).
    case marketPriceProtection = "market_price_protection"
    /// The engine process is killed at a random moment and started again a few seconds later (the
    /// crash-only start-up: the journal folded, the translator resumed, the broker reconciled).
    case engineRestart = "engine_restart"
    /// Order placements take 1-5 s to reach the broker, and the day's first kill waits until one is on the
    /// wire: the dying process's order reaches the broker after the restart has looked for it.
    case orderOnTheWire = "order_on_the_wire"
    /// The access token expires mid-session (REST answers 401 DH-901, the feed drops with 807); after a few
    /// minutes the operator starts the engine again with a new one.
    case tokenExpiry = "token_expiry"

    public var description: String { rawValue }

    public static func < (lhs: FaultKind, rhs: FaultKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a comma-separated list (`alert_loss,partial_fill`).
    public static func parseList(_ text: String) -> Set<FaultKind>? {
        var out = Set<FaultKind>()
        for name in text.split(separator: ",") {
            guard let kind = FaultKind(rawValue: String(name)) else { return nil }
            out.insert(kind)
        }
        return out
    }
}

/// Probabilities and bounds of the faults.
struct FaultRates: Sendable {
    var alertDuplicate = 0.05
    var alertLoss = 0.0
    var alertMaxDelayMilliseconds: Int64 = 1_500
    var ambiguousSubmit = 0.0
    var orderRejection = 0.02
    var feedStallPerMinute = 0.01
    var rateLimitStormPerMinute = 0.0
    /// Kills of the engine process in one trading day, each at a seeded moment between 09:20 and 15:25.
    var restartsPerDay = 1
    /// How long the killed engine stays down before it starts again (seconds, drawn up to this).
    var restartMaxDownSeconds = 30

    init(
        alertDuplicate: Double = 0.05, alertLoss: Double = 0.0, alertMaxDelayMilliseconds: Int64 = 1_500,
        ambiguousSubmit: Double = 0.0, orderRejection: Double = 0.02, feedStallPerMinute: Double = 0.01,
        rateLimitStormPerMinute: Double = 0.0, restartsPerDay: Int = 1
    ) {
        self.restartsPerDay = restartsPerDay
        self.alertDuplicate = alertDuplicate
        self.alertLoss = alertLoss
        self.alertMaxDelayMilliseconds = alertMaxDelayMilliseconds
        self.ambiguousSubmit = ambiguousSubmit
        self.orderRejection = orderRejection
        self.feedStallPerMinute = feedStallPerMinute
        self.rateLimitStormPerMinute = rateLimitStormPerMinute
    }
}

/// The faults one session may inject: a profile's kinds (possibly narrowed while shrinking) and its rates.
public struct FaultPlan: Sendable {
    public var profile: BrokerProfile
    public var kinds: Set<FaultKind>

    /// Kills of the engine per day in place of the profile's (with `engine_restart`): many kills close
    /// together are what the wall-clock crash test does, and a seed reproduces what it found.
    public var restartsPerDay: Int?

    public init(profile: BrokerProfile, kinds: Set<FaultKind>? = nil, restartsPerDay: Int? = nil) {
        self.profile = profile
        self.kinds = kinds ?? profile.faults
        self.restartsPerDay = restartsPerDay
    }

    var rates: FaultRates {
        var rates = profile.rates
        if let restartsPerDay { rates.restartsPerDay = restartsPerDay }
        return rates
    }

    func has(_ kind: FaultKind) -> Bool { kinds.contains(kind) }

    /// The broker-side behaviours these kinds switch on.
    var behaviour: SimBehaviour {
        var behaviour = SimBehaviour()
        behaviour.partialFills = has(.partialFill)
        behaviour.refuseEntryLegCancelAfterTrade = has(.entryLegCancelRefused)
        behaviour.legAlertsCarryParentOrderNo = has(.legAlertParentOrderNo)
        if has(.marketPriceProtection) {
            behaviour.marketPriceProtection =
                profile == .hostile ? SimBehaviour.hostileProtectionBand : SimBehaviour.observedProtectionBand
        }
        return behaviour
    }
}
