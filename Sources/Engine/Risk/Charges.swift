import Domain

/// The dated charge table from `algo.yml`: brokerage, exchange, IPFT, SEBI, stamp duty, STT and GST.
public struct ChargesConfig: Equatable, Sendable, Codable {
    /// One exchange's transaction and IPFT rates.
    public struct ExchangeRates: Equatable, Sendable, Codable {
        public var transaction: Double
        public var ipft: Double
    }

    public var brokeragePerOrder: Paise
    public var gst: Double
    public var sebi: Double
    public var stampOnBuy: Double
    public var exchanges: [Exchange: ExchangeRates]
    /// STT on sell premium: (effective from, rate), ascending.
    public var sttOnSell: [DatedRate]

    /// A rate in force from a date on.
    public struct DatedRate: Equatable, Sendable, Codable {
        public var from: CivilDate
        public var rate: Double

        public init(from: CivilDate, rate: Double) {
            self.from = from
            self.rate = rate
        }
    }

    /// The STT rate in force on `date` (0 before the first entry).
    public func sttRate(on date: CivilDate) -> Double { sttOnSell.last { $0.from <= date }?.rate ?? 0 }
}

/// Charges of one executed order in units of 1/10,000 paisa, so that many small components (₹0.0065 of
/// SEBI fee on a leg) add up exactly as a contract note's do; `total` rounds to paise.
public struct ChargeBreakdown: Equatable, Sendable, Codable {
    public var brokerage: Int64 = 0
    public var exchange: Int64 = 0
    public var ipft: Int64 = 0
    public var sebi: Int64 = 0
    public var stt: Int64 = 0
    public var stamp: Int64 = 0
    public var gst: Int64 = 0

    public init() {}

    /// Units per paisa.
    public static let unitsPerPaisa: Int64 = 10_000

    /// Sum in 1/10,000 paisa.
    public var totalUnits: Int64 { brokerage + exchange + ipft + sebi + stt + stamp + gst }

    /// Sum rounded to the paisa.
    public var total: Paise { ChargeBreakdown.paise(totalUnits) }

    /// Rounds 1/10,000-paisa units to the nearest paisa.
    public static func paise(_ units: Int64) -> Paise {
        Paise((units + (units >= 0 ? unitsPerPaisa / 2 : -unitsPerPaisa / 2)) / unitsPerPaisa)
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = ChargeBreakdown()
        sum.brokerage = lhs.brokerage + rhs.brokerage
        sum.exchange = lhs.exchange + rhs.exchange
        sum.ipft = lhs.ipft + rhs.ipft
        sum.sebi = lhs.sebi + rhs.sebi
        sum.stt = lhs.stt + rhs.stt
        sum.stamp = lhs.stamp + rhs.stamp
        sum.gst = lhs.gst + rhs.gst
        return sum
    }
}

extension ChargesConfig {
    /// Charges of one executed order of premium value `price × quantity` on `exchange` on `date`.
    ///
    /// Brokerage is charged once per order (pass `brokerage: false` for a later fill of the same order).
    public func charges(
        side: TransactionSide, price: Paise, quantity: Int64, exchange: Exchange, date: CivilDate,
        brokerage: Bool = true
    ) -> ChargeBreakdown {
        let value = Double(price.value * quantity * ChargeBreakdown.unitsPerPaisa)
        func part(_ rate: Double) -> Int64 { Int64((value * rate).rounded()) }
        var result = ChargeBreakdown()
        let rates = exchanges[exchange] ?? ExchangeRates(transaction: 0, ipft: 0)
        result.brokerage = brokerage ? brokeragePerOrder.value * ChargeBreakdown.unitsPerPaisa : 0
        result.exchange = part(rates.transaction)
        result.ipft = part(rates.ipft)
        result.sebi = part(sebi)
        result.stt = side == .sell ? part(sttRate(on: date)) : 0
        result.stamp = side == .buy ? part(stampOnBuy) : 0
        result.gst = Int64((Double(result.brokerage + result.exchange + result.ipft + result.sebi) * gst).rounded())
        return result
    }
}
