import Domain

/// Which behaviour the reducers fold a session with, set from the engine build that recorded it.
///
/// A journal replays under the rules it was traded with (so `journal dump` still explains every order it
/// holds), while sessions recorded by this build get the fixes. Each flag names the build that introduced it.
public struct EngineRules: Sendable, Equatable, Codable {
    /// 0.4.0: the money at risk on one trade (stop distance × quantity) never exceeds the capital band's risk
    /// per trade, whatever the scale multiplier; before, the multiplier scaled the risk capital too.
    public var riskCapitalUnscaled: Bool
    /// 0.4.0: an index's scale multiplier resets when one of its positions exits.
    public var scaleResetsOnExit: Bool
    /// 0.4.0: an entry split at the freeze quantity needs room for every slice under the open-position limit;
    /// before, only the positions already open were counted, so a sliced entry could pass the limit.
    public var slicesCountAgainstLimit: Bool
    /// 0.4.0: after the breaker or the kill switch the engine flattens until flat: entries still working are
    /// cancelled, an entry that fills afterwards is sold at once, and a refused exit is sent again; before,
    /// only the positions active at the trip were sold, once.
    public var flattensUntilFlat: Bool
    /// 0.4.1: an in-the-money strike's ATM-preference points are multiplied by 0.7 (the seed's "ATM+1 for
    /// bullish, ATM−1 for bearish"); before, the rounded ATM won whether or not it was in the money.
    public var itmPenalty: Bool
    /// 0.4.2: an intent the broker has gone quiet about is looked up in the order book every 10 s and, after
    /// 60 s, escalated as an anomaly (`OrderWatch`); before, a lost alert left it waiting for ever.
    public var watchesOrders: Bool
    /// 0.4.3: the order watch also asks about an entry's unfilled remainder (while the position is active or
    /// being sold) and about legs whose cancel is unconfirmed, and an exit not filled in time is cancelled
    /// and sent again; before, a lost remainder fill or leg confirmation left the position open.
    public var watchesEntryRemainder: Bool
    /// 0.4.3: a timer re-checking the exit rules keeps the last option price's time (the price is as old as
    /// its tick; held options without a tick get a quote fetch); before, the timer re-stamped it as fresh.
    public var keepsPriceTime: Bool
    /// 0.4.3: an exit with no fill for `exit_resend_after_sec` is cancelled and, once the cancel is confirmed,
    /// sent again for what is still held, at most `exit_resend_limit` times (`ExitEscalation`); before, an
    /// exit resting at the broker (a market order turned into a protected limit) waited for ever.
    public var resendsExits: Bool
    /// 0.4.3: `expiry: monthly` on an index with weekly expiries trades the month's last expiry (a weekly
    /// preference on a monthly-only index is refused when the configuration is read); before, the key was
    /// read and ignored.
    public var honoursExpiryPreference: Bool
    /// 0.4.3: the re-entry cooldown holds for the index and side (any strike), and a call and a put on one
    /// index at once need `allow_call_and_put: true`; before, the cooldown held for the one contract only.
    public var sideCooldown: Bool
    /// 0.4.3: once a super order's entry has filled completely its target and stop-loss legs move to the
    /// fill's average; before, they stayed where the quote put them.
    public var legsFromFill: Bool
    /// 0.4.3: the profit lock arms at `profit_lock_arm_rupees` and exits at `min_profit_lock_rupees`; before,
    /// both at the latter.
    public var distinctProfitLock: Bool
    /// 0.4.3: a partly filled entry resting for `entry_remainder_cancel_sec` has its remainder cancelled and
    /// keeps what filled (`EntryRemainder`); before, it could rest all day.
    public var cancelsRestingEntries: Bool
    /// 0.4.3: funds are asked for every 30 s and after every fill (`FundsRefresh`); before, only at the start
    /// and once the entry guard had refused a signal for stale funds.
    public var refreshesFunds: Bool
    /// 0.4.4: an entry split at the freeze quantity is one position (`Position.slicesOf`): the open-position
    /// limit, `max_same_side` and pyramiding count it once, the exit rules and the profit lock judge the whole,
    /// an exit sells every slice, and reports show one trade; before, each slice was a position of its own.
    public var slicesAreOnePosition: Bool
    /// 0.4.5: a position sold to flat books its realised PnL as what its sells brought in minus what its buys
    /// cost, in whole paise, as the broker's cash flow does; before, each exit fill was booked against the
    /// average entry price rounded to the paisa, which drifts from the broker's figure by the rounding.
    public var realisedFromCashFlow: Bool
    /// 0.4.6: while nothing of a position has been sold, its entry average is what its buys cost over the
    /// quantity bought, rounded once, as the broker's average is; before, every fill rounded the running
    /// average again, which drifts a paisa from the broker's after three fills or more (an order alert whose
    /// average is not a whole paisa arrives as two fills, so two partial fills are enough).
    public var averageFromBuys: Bool
    /// 0.4.7: an entry fill that arrives after the entry was resolved as rejected or cancelled (the broker's
    /// book did not hold it yet after a restart, an answer was lost, a cancel raced a trade) is the broker's
    /// position: the engine takes the position back and manages and exits it; before, the fill was refused
    /// as an anomaly and the broker's position was left with nothing to exit it.
    public var adoptsLateEntryFills: Bool
    /// 0.4.8: the super order's stop-loss leg is no longer modified once the broker reported it cancelled or
    /// refused a modification of it (DH-906: it cannot be modified); before, the trail kept asking on every
    /// step up to 20 times per order, each refused, and the burst tripped the broker's order rate limit, so
    /// entries and exits waited behind the client's back-off.
    public var stopsModifyingClosedLegs: Bool

    public init(
        riskCapitalUnscaled: Bool, scaleResetsOnExit: Bool, slicesCountAgainstLimit: Bool, flattensUntilFlat: Bool,
        itmPenalty: Bool, watchesOrders: Bool, watchesEntryRemainder: Bool, keepsPriceTime: Bool,
        resendsExits: Bool, honoursExpiryPreference: Bool, sideCooldown: Bool,
        legsFromFill: Bool, distinctProfitLock: Bool, cancelsRestingEntries: Bool,
        refreshesFunds: Bool, slicesAreOnePosition: Bool, realisedFromCashFlow: Bool, averageFromBuys: Bool = false,
        adoptsLateEntryFills: Bool = false, stopsModifyingClosedLegs: Bool = false
    ) {
        self.stopsModifyingClosedLegs = stopsModifyingClosedLegs
        self.adoptsLateEntryFills = adoptsLateEntryFills
        self.averageFromBuys = averageFromBuys
        self.realisedFromCashFlow = realisedFromCashFlow
        self.slicesAreOnePosition = slicesAreOnePosition
        self.refreshesFunds = refreshesFunds
        self.cancelsRestingEntries = cancelsRestingEntries
        self.distinctProfitLock = distinctProfitLock
        self.legsFromFill = legsFromFill
        self.sideCooldown = sideCooldown
        self.honoursExpiryPreference = honoursExpiryPreference
        self.resendsExits = resendsExits
        self.keepsPriceTime = keepsPriceTime
        self.watchesOrders = watchesOrders
        self.watchesEntryRemainder = watchesEntryRemainder
        self.riskCapitalUnscaled = riskCapitalUnscaled
        self.scaleResetsOnExit = scaleResetsOnExit
        self.slicesCountAgainstLimit = slicesCountAgainstLimit
        self.flattensUntilFlat = flattensUntilFlat
        self.itmPenalty = itmPenalty
    }

    /// The rules of builds before 0.4.0.
    public static let legacy = EngineRules(
        riskCapitalUnscaled: false, scaleResetsOnExit: false, slicesCountAgainstLimit: false,
        flattensUntilFlat: false, itmPenalty: false, watchesOrders: false, watchesEntryRemainder: false,
        keepsPriceTime: false, resendsExits: false, honoursExpiryPreference: false, sideCooldown: false,
        legsFromFill: false, distinctProfitLock: false, cancelsRestingEntries: false, refreshesFunds: false,
        slicesAreOnePosition: false, realisedFromCashFlow: false)
    /// The rules of build 0.4.0.
    public static let build040 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: false, watchesOrders: false, watchesEntryRemainder: false, keepsPriceTime: false,
        resendsExits: false, honoursExpiryPreference: false, sideCooldown: false, legsFromFill: false,
        distinctProfitLock: false, cancelsRestingEntries: false, refreshesFunds: false, slicesAreOnePosition: false,
        realisedFromCashFlow: false)
    /// The rules of build 0.4.1.
    public static let build041 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: false, watchesEntryRemainder: false, keepsPriceTime: false,
        resendsExits: false, honoursExpiryPreference: false, sideCooldown: false, legsFromFill: false,
        distinctProfitLock: false, cancelsRestingEntries: false, refreshesFunds: false, slicesAreOnePosition: false,
        realisedFromCashFlow: false)
    /// The rules of build 0.4.2.
    public static let build042 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: true, watchesEntryRemainder: false, keepsPriceTime: false, resendsExits: false,
        honoursExpiryPreference: false, sideCooldown: false, legsFromFill: false, distinctProfitLock: false,
        cancelsRestingEntries: false, refreshesFunds: false, slicesAreOnePosition: false, realisedFromCashFlow: false)
    /// The rules of build 0.4.3.
    public static let build043 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: true, watchesEntryRemainder: true, keepsPriceTime: true, resendsExits: true,
        honoursExpiryPreference: true, sideCooldown: true, legsFromFill: true, distinctProfitLock: true,
        cancelsRestingEntries: true, refreshesFunds: true, slicesAreOnePosition: false, realisedFromCashFlow: false)
    /// The rules of build 0.4.4.
    public static let build044 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: true, watchesEntryRemainder: true, keepsPriceTime: true, resendsExits: true,
        honoursExpiryPreference: true, sideCooldown: true, legsFromFill: true, distinctProfitLock: true,
        cancelsRestingEntries: true, refreshesFunds: true, slicesAreOnePosition: true, realisedFromCashFlow: false)
    /// The rules of build 0.4.5.
    public static let build045 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: true, watchesEntryRemainder: true, keepsPriceTime: true, resendsExits: true,
        honoursExpiryPreference: true, sideCooldown: true, legsFromFill: true, distinctProfitLock: true,
        cancelsRestingEntries: true, refreshesFunds: true, slicesAreOnePosition: true, realisedFromCashFlow: true)
    /// The rules of build 0.4.6.
    public static let build046 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: true, watchesEntryRemainder: true, keepsPriceTime: true, resendsExits: true,
        honoursExpiryPreference: true, sideCooldown: true, legsFromFill: true, distinctProfitLock: true,
        cancelsRestingEntries: true, refreshesFunds: true, slicesAreOnePosition: true, realisedFromCashFlow: true,
        averageFromBuys: true)
    /// The rules of build 0.4.7.
    public static let build047 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: true, watchesEntryRemainder: true, keepsPriceTime: true, resendsExits: true,
        honoursExpiryPreference: true, sideCooldown: true, legsFromFill: true, distinctProfitLock: true,
        cancelsRestingEntries: true, refreshesFunds: true, slicesAreOnePosition: true, realisedFromCashFlow: true,
        averageFromBuys: true, adoptsLateEntryFills: true)
    /// The rules of this build (0.4.8 on).
    public static let current = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: true, watchesEntryRemainder: true, keepsPriceTime: true, resendsExits: true,
        honoursExpiryPreference: true, sideCooldown: true, legsFromFill: true, distinctProfitLock: true,
        cancelsRestingEntries: true, refreshesFunds: true, slicesAreOnePosition: true, realisedFromCashFlow: true,
        averageFromBuys: true, adoptsLateEntryFills: true, stopsModifyingClosedLegs: true)

    /// The rules a session recorded by `build` (`session_started`'s engine version) folds with.
    public static func recorded(by build: String) -> EngineRules {
        let parts = build.split(separator: ".").map { Int($0) ?? 0 }
        let version = (parts.count > 0 ? parts[0] : 0, parts.count > 1 ? parts[1] : 0, parts.count > 2 ? parts[2] : 0)
        if version < (0, 4, 0) { return .legacy }
        if version < (0, 4, 1) { return .build040 }
        if version < (0, 4, 2) { return .build041 }
        if version < (0, 4, 3) { return .build042 }
        if version < (0, 4, 4) { return .build043 }
        if version < (0, 4, 5) { return .build044 }
        if version < (0, 4, 6) { return .build045 }
        if version < (0, 4, 7) { return .build046 }
        if version < (0, 4, 8) { return .build047 }
        return .current
    }
}
