import Domain
import Engine
import TestSupport
import Testing

@Suite("Charges (RULES.md section 3)")
struct ChargesTests {
    let charges: ChargesConfig

    init() throws {
        charges = try AlgoConfig.parse(yaml: try ConfigFixtures.algoText(), calendar: try ConfigFixtures.calendar())
            .charges
    }

    func roundTrip(lot: Int64, exchange: Exchange, date: CivilDate) -> ChargeBreakdown {
        charges.charges(side: .buy, price: .rupees(100), quantity: lot, exchange: exchange, date: date)
            + charges.charges(side: .sell, price: .rupees(130), quantity: lot, exchange: exchange, date: date)
    }

    @Test("the worked example: NIFTY 1 lot of 65, buy ₹100, sell ₹130, after 2026-04-01 → ₹66.36, net ₹1,883.64")
    func workedExample() {
        let total = roundTrip(lot: 65, exchange: .nse, date: CivilDate(2026, 4, 6))
        #expect(
            ChargeBreakdownView(total).lines == [
                "brokerage 40.00", "exchange 5.24", "ipft 0.07", "sebi 0.01", "stt 12.68", "stamp 0.20", "gst 8.16",
            ])
        #expect(total.total == Paise(6_636))
        #expect(Paise.rupees(30 * 65) - total.total == Paise(188_364))
    }

    @Test(
        "the variants: STT 0.10 % before April 2026, the 2025 lot of 75, and SENSEX on BSE",
        arguments: [
            (Int64(65), Exchange.nse, CivilDate(2025, 11, 3), Int64(6_213)),
            (75, .nse, CivilDate(2025, 11, 3), 6_443),
            (75, .nse, CivilDate(2026, 4, 6), 6_930),
            (20, .bse, CivilDate(2026, 4, 6), 5_293),
        ])
    func variants(lot: Int64, exchange: Exchange, date: CivilDate, expected: Int64) {
        #expect(roundTrip(lot: lot, exchange: exchange, date: date).total == Paise(expected))
    }

    @Test(
        "STT changes rate exactly on 2026-04-01; buys pay stamp duty and no STT; a later fill of one order pays no brokerage"
    )
    func boundaries() {
        #expect(
            charges.sttRate(on: CivilDate(2026, 3, 31)) == 0.001 && charges.sttRate(on: CivilDate(2026, 4, 1)) == 0.0015
        )
        let buy = charges.charges(
            side: .buy, price: .rupees(100), quantity: 65, exchange: .nse, date: CivilDate(2026, 4, 1))
        #expect(buy.stt == 0 && ChargeBreakdown.paise(buy.stamp) == Paise(20))  // ₹0.195
        let later = charges.charges(
            side: .sell, price: .rupees(100), quantity: 65, exchange: .nse, date: CivilDate(2026, 4, 1),
            brokerage: false)
        #expect(later.brokerage == 0 && later.stamp == 0 && ChargeBreakdown.paise(later.stt) == Paise(975))
    }
}

/// Rupee lines of a breakdown, each component rounded to the paisa.
struct ChargeBreakdownView {
    let lines: [String]

    init(_ breakdown: ChargeBreakdown) {
        func rupees(_ units: Int64) -> String { ChargeBreakdown.paise(units).description }
        lines = [
            "brokerage \(rupees(breakdown.brokerage))", "exchange \(rupees(breakdown.exchange))",
            "ipft \(rupees(breakdown.ipft))",
            "sebi \(rupees(breakdown.sebi))", "stt \(rupees(breakdown.stt))", "stamp \(rupees(breakdown.stamp))",
            "gst \(rupees(breakdown.gst))",
        ]
    }
}
