import Domain
import Engine
import TestSupport

/// A session ready to enter: config, funds, a fresh NIFTY tick and a decided, sized proposal for NIFTY 25700 CE.
enum RiskFixtures {
    static let day = CivilDate(2025, 11, 3)
    static let option = InstrumentKey(.nseFNO, 49081)

    static func time(_ hour: Int, _ minute: Int, _ second: Int = 0) -> Timestamp {
        Timestamp.ist(day, hour, minute, second)
    }

    static func config() throws -> AlgoConfig {
        try AlgoConfig.parse(
            yaml: try ConfigFixtures.algoText(), file: "algo.yml", calendar: try ConfigFixtures.calendar())
    }

    /// The state after seq 1…4: session started, funds ₹2,00,000, NIFTY at 25,700, and a proposal awaiting the guard.
    static func readyState(
        lots: Int64 = 1, premium: Paise = .rupees(100), at decision: Timestamp = time(10, 30),
        superOrders: Bool = false, slices: [Int64]? = nil
    ) throws
        -> EngineState
    {
        var state = EngineState()
        var algo = try ConfigFixtures.algoText()
        // Plain orders unless a test is about super orders, whatever the committed default is.
        algo = algo.replacingOccurrences(
            of: "broker_protection: super_order", with: "broker_protection: \(superOrders ? "super_order" : "none")")
        let started = SessionStarted(
            engineVersion: "test", mode: .paper, tradingDate: day,
            configFiles: [
                ConfigFile(name: "algo.yml", text: algo),
                ConfigFile(name: "calendar.yml", text: try ConfigFixtures.calendarText()),
            ])
        _ = Engine.reduce(&state, .sessionStarted(started), seq: 1, at: time(9, 0))
        _ = Engine.reduce(
            &state, .funds(FundsSnapshot(available: .rupees(200_000), startOfDayLimit: .rupees(200_000))), seq: 2,
            at: decision)
        _ = Engine.reduce(
            &state,
            .tick(
                Tick(instrument: EngineScenario.nifty, lastPrice: .rupees(25_700), lastTradeTime: decision.epochSeconds)
            ), seq: 3, at: decision)
        let quote = OptionQuote(
            securityID: option.securityID, lastPrice: premium, impliedVolatility: 15, delta: 0.5,
            openInterest: 2_000_000,
            bestBid: premium - Paise(5), bestAsk: premium)
        let candidate = StrikeCandidate(
            strike: .rupees(25_700), type: .call, stepsFromATM: 0, quote: quote, score: 203, rejection: nil)
        let selection = StrikeSelection(
            spot: .rupees(25_700), atm: .rupees(25_700), expiry: CivilDate(2025, 11, 4), candidates: [candidate],
            chosen: candidate)
        let sizing = SizingDecision(
            lots: lots, quantity: lots * 75, orderQuantities: slices ?? (lots > 0 ? [lots * 75] : []),
            allocation: .rupees(40_000),
            riskCapital: .rupees(6_000),
            band: 2, zeroReason: lots > 0 ? nil : "risk capital buys no lot")
        state.indices[0].selection = .decided(
            EntryProposal(
                signalSeq: 3, chainSeq: 4, direction: .bullish, expiry: CivilDate(2025, 11, 4), selection: selection,
                lotSize: 75,
                scaleMultiplier: 1, sizing: sizing, noTradeReason: sizing.zeroReason.map { "zero lots: \($0)" },
                chainTime: decision))
        state.lastSeq = 4
        return state
    }

    /// An active position of `quantity` bought at `entry`, for the pure exit-rule tests.
    static func activePosition(entry: Paise = .rupees(100), quantity: Int64 = 75) -> Position {
        var position = Position(
            id: CorrelationID("T-1")!, index: "NIFTY", instrument: option, exchange: .nse, optionType: .call,
            strike: .rupees(25_700),
            expiry: CivilDate(2025, 11, 4), direction: .bullish, entryTag: "entry_NIFTY_CE_25700",
            orderedQuantity: quantity, tradingDate: RiskFixtures.day)
        position.stage = .active
        position.entryFilled = quantity
        position.entryAverage = entry
        position.quantity = quantity
        position.stop = entry - BasisPoints(3000).of(entry)
        position.highWaterMark = entry
        position.lastPrice = entry
        return position
    }
}
