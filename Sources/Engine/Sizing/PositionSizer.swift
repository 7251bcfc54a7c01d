import Domain

/// How many lots an entry may buy, and why.
public struct SizingDecision: Equatable, Sendable, Codable {
    public var lots: Int64
    /// Units (lots × lot size).
    public var quantity: Int64
    /// Order quantities, each within the exchange freeze quantity, in whole lots.
    public var orderQuantities: [Int64]
    public var allocation: Paise
    public var riskCapital: Paise
    /// Zero-based index of the capital band used.
    public var band: Int
    /// Why no lot could be bought (nil when lots > 0).
    public var zeroReason: String?

    public init(
        lots: Int64, quantity: Int64, orderQuantities: [Int64], allocation: Paise, riskCapital: Paise, band: Int,
        zeroReason: String?
    ) {
        self.lots = lots
        self.quantity = quantity
        self.orderQuantities = orderQuantities
        self.allocation = allocation
        self.riskCapital = riskCapital
        self.band = band
        self.zeroReason = zeroReason
    }
}

/// Sizes an entry by capital band, allocation and risk, in lots (the original mixed units and lots).
public enum PositionSizer {
    /// Lots = min(⌊allocation / (premium × lot)⌋, ⌊risk capital / (premium × sl_pct × lot)⌋, cash, max lots).
    ///
    /// The index's `capital_alloc_pct` overrides the band's allocation; the scale multiplier scales the
    /// allocation (capped at the balance) but never the risk capital, so the money at risk on one trade stays
    /// within the band's risk per trade. `riskCapitalScales` keeps the rule of builds before 0.4.0, which
    /// scaled both, for replaying their journals. Zero lots means no trade.
    public static func size(
        balance: Paise, premium: Paise, lotSize: Int64, index: IndexConfig, sizing: SizingConfig, stopLoss: BasisPoints,
        scaleMultiplier: Int = 1, riskCapitalScales: Bool = false
    ) -> SizingDecision {
        let bandIndex = sizing.bands.firstIndex { $0.upTo.map { balance <= $0 } ?? true } ?? (sizing.bands.count - 1)
        let band = sizing.bands[bandIndex]
        let multiplier = Int64(max(1, scaleMultiplier))
        let allocation = min((index.capitalAllocation ?? band.allocation).of(balance) * multiplier, balance)
        let riskCapital = min(band.risk.of(balance) * (riskCapitalScales ? multiplier : 1), balance)
        var decision = SizingDecision(
            lots: 0, quantity: 0, orderQuantities: [], allocation: allocation, riskCapital: riskCapital,
            band: bandIndex,
            zeroReason: nil)
        guard premium > .zero, lotSize > 0, balance > .zero else {
            decision.zeroReason = balance > .zero ? "no premium" : "no available balance"
            return decision
        }
        let costPerLot = premium * lotSize
        let riskPerLot = stopLoss.of(costPerLot)
        let byAllocation = allocation.value / costPerLot.value
        let byRisk = riskPerLot > .zero ? riskCapital.value / riskPerLot.value : byAllocation
        let byCash = balance.value / costPerLot.value
        let lots = max(0, min(byAllocation, byRisk, byCash, sizing.maxLots))
        if lots == 0 {
            let limit =
                byAllocation == 0
                ? "allocation ₹\(allocation)"
                : byRisk == 0 ? "risk capital ₹\(riskCapital) at \(stopLoss.fraction * 100)% stop" : "cash ₹\(balance)"
            decision.zeroReason = "\(limit) buys no lot at ₹\(costPerLot) per lot (₹\(premium) × \(lotSize))"
            return decision
        }
        decision.lots = lots
        decision.quantity = lots * lotSize
        let perOrder = max(1, index.freezeQuantity / lotSize) * lotSize
        var remaining = decision.quantity
        while remaining > 0 {
            let slice = min(remaining, perOrder)
            decision.orderQuantities.append(slice)
            remaining -= slice
        }
        return decision
    }
}
