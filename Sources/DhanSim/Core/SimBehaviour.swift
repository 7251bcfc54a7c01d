/// Broker behaviours beyond the documentation's happy path (LIVE-BEHAVIOUR.md), switched on per profile.
///
/// The in-process simulation turns them on per fault kind (and adds transport faults: lost, late and
/// repeated alerts); `dhan-sim --profile` turns on a named set for the socket server.
public struct SimBehaviour: Sendable, Equatable {
    /// Market orders fill in two parts, one second apart.
    public var partialFills = false
    /// Cancelling a super order's `ENTRY_LEG` after the entry traded is refused (DH-906).
    public var refuseEntryLegCancelAfterTrade = false
    /// Alerts of target and stop-loss legs carry the parent's order number instead of their own.
    public var legAlertsCarryParentOrderNo = false
    /// Market orders become limit orders this fraction beyond the touch (#1, since 21 March 2026): they
    /// fill at the touch while it stays inside the band and rest when the market runs away; nil: off.
    public var marketPriceProtection: Double?

    public init() {}

    /// The broker-side behaviours of a named profile (`documented`, `observed`, `hostile`); nil for another name.
    public static func profile(_ name: String) -> SimBehaviour? {
        var behaviour = SimBehaviour()
        switch name {
        case "documented": return behaviour
        case "observed", "hostile":
            behaviour.partialFills = true
            behaviour.refuseEntryLegCancelAfterTrade = true
            behaviour.legAlertsCarryParentOrderNo = true
            behaviour.marketPriceProtection = name == "observed" ? observedProtectionBand : hostileProtectionBand
            return behaviour
        default: return nil
        }
    }

    /// The protection band of the observed profile (2 % beyond the touch).
    public static let observedProtectionBand = 0.02
    /// The hostile profile's narrower band, so protected orders rest more often.
    public static let hostileProtectionBand = 0.003
}
