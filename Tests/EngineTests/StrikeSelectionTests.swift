import Dhan
import Domain
import Engine
import Foundation
import TestSupport
import Testing

@Suite("Strike selection and sizing on the real NIFTY option chain")
struct StrikeSelectionTests {
    let config: AlgoConfig
    let nifty: IndexConfig
    let chain: OptionChainSnapshot
    let morning = Timestamp.ist(CivilDate(2025, 11, 3), 10, 30)

    init() throws {
        config = try AlgoConfig.parse(yaml: try ConfigFixtures.algoText(), calendar: try ConfigFixtures.calendar())
        nifty = config.index("NIFTY")!
        let body = try ReferenceData.data("dhan/nifty-optionchain-exp-2025-11-04.json")
        chain = try OptionChainResponse.decode(body, source: "chain").snapshot(
            underlying: nifty.instrument, expiry: CivilDate(2025, 11, 4), source: "chain")
    }

    @Test("the real chain decodes: 240 strikes, spot 25722.10, ATM 25700 from the configured step")
    func decoded() {
        #expect(chain.strikes.count == 240)
        #expect(chain.underlyingPrice == Paise(2_572_210))
        #expect(chain.strikes == chain.strikes.sorted { $0.strike < $1.strike })
        #expect(StrikeSelector.atmStrike(spot: chain.underlyingPrice, step: nifty.strikeStep) == .rupees(25_700))
        #expect(StrikeSelector.atmStrike(spot: Paise(2_572_500), step: .rupees(50)) == .rupees(25_750))
    }

    @Test(
        "bullish: CE 25700…25800 all pass; the ATM CE is in the money (×0.7 on its ATM points: 173), so ATM+1 (178) is chosen; without the penalty it scores 203 and wins"
    )
    func bullish() {
        #expect(chain.underlyingPrice > .rupees(25_700))
        let selection = StrikeSelector.select(
            chain: chain, direction: .bullish, index: nifty, config: config.optionChain, at: morning,
            contractCheck: .skip)
        #expect(selection.candidates.map(\.strike) == [.rupees(25_700), .rupees(25_750), .rupees(25_800)])
        #expect(selection.candidates.map(\.score) == [173, 178, 178])
        #expect(selection.candidates.allSatisfy { $0.rejection == nil && $0.type == .call })
        #expect(
            selection.candidates.map(\.scoreNote) == [
                "in the money (spot \(chain.underlyingPrice)): ATM preference ×0.7", nil, nil,
            ])
        #expect(selection.chosen?.strike == .rupees(25_750))
        // Builds before 0.4.0 (and their journals' replays) score without the penalty.
        let legacy = StrikeSelector.select(
            chain: chain, direction: .bullish, index: nifty, config: config.optionChain, at: morning,
            contractCheck: .skip, itmPenalty: false)
        #expect(legacy.candidates.map(\.score) == [203, 178, 178])
        #expect(legacy.chosen?.strike == .rupees(25_700))
    }

    @Test("bearish: ATM PE passes at 195; 25650 fails the ATM±1 IV floor, 25600 the plain min_iv")
    func bearish() {
        let selection = StrikeSelector.select(
            chain: chain, direction: .bearish, index: nifty, config: config.optionChain, at: morning,
            contractCheck: .skip)
        #expect(selection.candidates.map(\.strike) == [.rupees(25_700), .rupees(25_650), .rupees(25_600)])
        #expect(selection.candidates.map(\.score) == [195, nil, nil])
        #expect(
            selection.candidates.map(\.rejection) == [
                nil, "iv 7.96 below the ATM±1 floor 8.0", "iv 8.35 below the min_iv 10.0",
            ])
        #expect(selection.chosen?.strike == .rupees(25_700) && selection.chosen?.type == .put)
    }

    @Test("every filter's rejection, one at a time, at its boundary")
    func filters() {
        let base = OptionQuote(
            securityID: 1, lastPrice: Paise(10_000), impliedVolatility: 15, delta: 0.5, openInterest: 50_000,
            bestBid: Paise(10_000),
            bestAsk: Paise(10_300))
        let chainConfig = config.optionChain
        func reject(_ quote: OptionQuote, steps: Int = 2, second: Int = 10 * 3600) -> String? {
            let strike = OptionStrike(strike: .rupees(26_000 + 50 * Int64(steps)), call: quote, put: nil)
            let snapshot = OptionChainSnapshot(
                underlying: nifty.instrument, expiry: CivilDate(2025, 11, 4), underlyingPrice: .rupees(26_000),
                strikes: [strike])
            let time = Timestamp(epochSeconds: Timestamp.ist(CivilDate(2025, 11, 3), 0, 0).epochSeconds + Int64(second))
            return StrikeSelector.select(
                chain: snapshot, direction: .bullish, index: nifty, config: chainConfig, at: time
            ).candidates[steps].rejection
        }
        #expect(reject(base) == nil)  // OI exactly min_oi, spread exactly 3.0 %, IV exactly 15
        var quote = base
        quote.lastPrice = .zero
        #expect(reject(quote) == "ltp is 0")
        quote = base
        quote.impliedVolatility = 9.99
        #expect(reject(quote) == "iv 9.99 below the min_iv 10.0")
        #expect(reject(quote, steps: 1) == nil)  // ATM±1 floor is 8
        quote.impliedVolatility = 5.99
        #expect(reject(quote, steps: 0) == "iv 5.99 below the ATM floor 6.0")
        quote.impliedVolatility = 60.01
        #expect(reject(quote) == "iv 60.01 above max_iv 60.0")
        quote = base
        quote.openInterest = 49_999
        #expect(reject(quote) == "oi 49999 below min_oi 50000")
        quote = base
        quote.bestAsk = Paise(10_301)
        #expect(reject(quote) == "spread 3.01% above max_spread_pct 3.0%")
        quote = base
        quote.bestBid = .zero
        #expect(reject(quote) == "no two-sided quote (bid 0.00, ask 103.00)")
        quote = base
        quote.delta = 0.0799
        #expect(reject(quote, second: 10 * 3600 + 3599) == "|delta| 0.08 below 0.08 at this hour")
        quote.delta = 0.08
        #expect(reject(quote, second: 10 * 3600 + 3599) == nil)
        #expect(reject(quote, second: 11 * 3600) == "|delta| 0.08 below 0.1 at this hour")
        quote.delta = -0.149
        #expect(reject(quote, second: 14 * 3600) == "|delta| 0.15 below 0.15 at this hour")
        quote = base
        quote.securityID = nil
        #expect(reject(quote) == "no security id: not in the instrument master")
    }

    @Test(
        "lots for ₹50,000, ₹1,00,000, ₹2,00,000 and ₹5,00,000 on the chosen contracts",
        arguments: [
            (SignalDirection.bullish, Int64(50_000), Int64(0)), (.bullish, 100_000, 0), (.bullish, 200_000, 1),
            (.bullish, 500_000, 3),
            (.bearish, 50_000, 2), (.bearish, 100_000, 2), (.bearish, 200_000, 5), (.bearish, 500_000, 10),
        ])
    func lots(direction: SignalDirection, balance: Int64, lots: Int64) throws {
        // The contracts of the scoring without the in-the-money penalty (the bullish ATM CE), as recorded.
        let selection = StrikeSelector.select(
            chain: chain, direction: direction, index: nifty, config: config.optionChain, at: morning,
            contractCheck: .skip, itmPenalty: false)
        let premium = try #require(selection.chosen?.quote?.lastPrice)
        let sizing = PositionSizer.size(
            balance: .rupees(balance), premium: premium, lotSize: nifty.lotSize, index: nifty, sizing: config.sizing,
            stopLoss: config.risk.stopLoss)
        #expect(sizing.lots == lots)
        #expect(sizing.quantity == lots * 75)
        #expect(sizing.orderQuantities == (lots > 0 ? [lots * 75] : []))
        if lots == 0 { #expect(sizing.zeroReason?.hasPrefix("risk capital") == true) }
    }

    @Test("sizing: band edges, the index override, the scale multiplier, cash, max lots and freeze slices")
    func sizingRules() {
        let sizing = config.sizing
        func size(_ balance: Int64, premium: Int64 = 100, lot: Int64 = 75, index: IndexConfig? = nil, scale: Int = 1)
            -> SizingDecision
        {
            PositionSizer.size(
                balance: .rupees(balance), premium: .rupees(premium), lotSize: lot, index: index ?? nifty,
                sizing: sizing,
                stopLoss: config.risk.stopLoss, scaleMultiplier: scale)
        }
        #expect(size(75_000).band == 0 && size(75_001).band == 1 && size(150_000).band == 1 && size(300_001).band == 3)
        #expect(size(75_000).allocation == .rupees(22_500) && size(75_000).riskCapital == .rupees(3_750))
        var override = nifty
        override.capitalAllocation = BasisPoints(5000)
        #expect(size(100_000, index: override).allocation == .rupees(50_000))
        // The multiplier scales the allocation; the risk capital stays the band's (builds before 0.4.0 scaled
        // it too, and replay their journals with that rule).
        #expect(
            size(100_000, scale: 3).allocation == .rupees(75_000)
                && size(100_000, scale: 3).riskCapital == .rupees(3_500))
        #expect(
            PositionSizer.size(
                balance: .rupees(100_000), premium: .rupees(100), lotSize: 75, index: nifty, sizing: sizing,
                stopLoss: config.risk.stopLoss, scaleMultiplier: 3, riskCapitalScales: true
            ).riskCapital == .rupees(10_500))
        #expect(size(100_000, index: override, scale: 5).allocation == .rupees(100_000))  // capped at the balance
        #expect(size(10_000_000, premium: 1, lot: 1).lots == 100)  // max_lots
        let big = size(10_000_000, premium: 10, lot: 75)
        #expect(big.lots == 100 && big.quantity == 7500)
        #expect(big.orderQuantities == [1800, 1800, 1800, 1800, 300])  // freeze quantity 1800, whole lots
        #expect(size(1_000, premium: 100).lots == 0)
    }
}

@Suite("Strike selection against the instrument master")
struct InstrumentMasterSelectionTests {
    @Test(
        "with a contracts event, the chain needs no ids: the master's id and lot size are used; a missing contract is rejected"
    )
    func masterDecides() throws {
        var state = try RiskFixtures.readyState()
        let expiry = CivilDate(2025, 11, 4)
        let contracts = [
            ContractSpec(
                underlying: "NIFTY", instrument: InstrumentKey(.nseFNO, 49081), expiry: expiry, strike: .rupees(25_700),
                type: .call, lotSize: 65, tickSize: Paise(5)),
            ContractSpec(
                underlying: "NIFTY", instrument: InstrumentKey(.nseFNO, 49083), expiry: expiry, strike: .rupees(25_800),
                type: .call, lotSize: 65, tickSize: Paise(5)),
        ]
        _ = Engine.reduce(
            &state, .contracts(ContractList(underlying: "NIFTY", contracts: contracts)), seq: 5,
            at: RiskFixtures.time(10, 30))
        #expect(state.contracts.map(\.underlying) == ["NIFTY"])
        state.indices[0].selection = .awaitingChain(signalSeq: 3, direction: .bullish, expiry: expiry, requested: true)
        func quote(_ ltp: Int64, _ delta: Double) -> OptionQuote {
            OptionQuote(
                securityID: nil, lastPrice: Paise(ltp), impliedVolatility: 15, delta: delta, openInterest: 2_000_000,
                bestBid: Paise(ltp - 5), bestAsk: Paise(ltp))
        }
        let chain = OptionChainSnapshot(
            underlying: EngineScenario.nifty, expiry: expiry, underlyingPrice: .rupees(25_700),
            strikes: [
                OptionStrike(strike: .rupees(25_700), call: quote(10_000, 0.5), put: nil),
                OptionStrike(strike: .rupees(25_750), call: quote(8_000, 0.45), put: nil),
                OptionStrike(strike: .rupees(25_800), call: quote(6_000, 0.4), put: nil),
            ])
        _ = Engine.reduce(&state, .optionChain(chain), seq: 6, at: RiskFixtures.time(10, 30))
        guard case .decided(let proposal) = state.indices[0].selection else {
            Issue.record("no decision")
            return
        }
        #expect(proposal.selection.candidates.map(\.rejection) == [nil, "not in the instrument master", nil])
        #expect(proposal.selection.chosen?.quote?.securityID == SecurityID(49081))
        #expect(proposal.lotSize == 65)
        // ₹2,00,000 → band 3 (20 % / 3 %): risk ₹6,000 / (₹100 × 30 % × 65 = ₹1,950) = 3 lots of 65.
        #expect(proposal.sizing?.lots == 3 && proposal.sizing?.quantity == 195)
    }
}
