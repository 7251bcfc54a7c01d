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

    public init(
        riskCapitalUnscaled: Bool, scaleResetsOnExit: Bool, slicesCountAgainstLimit: Bool, flattensUntilFlat: Bool,
        itmPenalty: Bool, watchesOrders: Bool
    ) {
        self.watchesOrders = watchesOrders
        self.riskCapitalUnscaled = riskCapitalUnscaled
        self.scaleResetsOnExit = scaleResetsOnExit
        self.slicesCountAgainstLimit = slicesCountAgainstLimit
        self.flattensUntilFlat = flattensUntilFlat
        self.itmPenalty = itmPenalty
    }

    /// The rules of builds before 0.4.0.
    public static let legacy = EngineRules(
        riskCapitalUnscaled: false, scaleResetsOnExit: false, slicesCountAgainstLimit: false,
        flattensUntilFlat: false, itmPenalty: false, watchesOrders: false)
    /// The rules of build 0.4.0.
    public static let build040 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: false, watchesOrders: false)
    /// The rules of build 0.4.1.
    public static let build041 = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: false)
    /// The rules of this build (0.4.2 on).
    public static let current = EngineRules(
        riskCapitalUnscaled: true, scaleResetsOnExit: true, slicesCountAgainstLimit: true, flattensUntilFlat: true,
        itmPenalty: true, watchesOrders: true)

    /// The rules a session recorded by `build` (`session_started`'s engine version) folds with.
    public static func recorded(by build: String) -> EngineRules {
        let parts = build.split(separator: ".").map { Int($0) ?? 0 }
        let version = (parts.count > 0 ? parts[0] : 0, parts.count > 1 ? parts[1] : 0, parts.count > 2 ? parts[2] : 0)
        if version < (0, 4, 0) { return .legacy }
        if version < (0, 4, 1) { return .build040 }
        if version < (0, 4, 2) { return .build041 }
        return .current
    }
}
