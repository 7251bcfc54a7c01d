import Dhan
import Domain
import Foundation
import MarketModel
import TestSupport
import Testing

@testable import DhanSim

/// dhan-sim prices an option chain a strike at a time; every number must be the one its quote and greeks
/// give contract by contract (the simulation's journals hold them), and history from the cache the one a
/// day's path gives.
@Suite("dhan-sim chain pricing")
struct SimChainPricingTests {
    @Test func everyStrikeOfEveryChainPricesAsItsContractsDo() throws {
        let core = SimCore(configuration: try SimCoreTests.configuration())
        let market = core.market
        var strikesSeen = 0
        for spec in market.universe.indices where spec.strikeStep != nil {
            let path = try #require(market.path(spec.securityID))
            for expiry in market.universe.expiries(of: spec.symbol) {
                let strikes = try #require(market.chainStrikes[SimMarket.ChainKey(symbol: spec.symbol, expiry: expiry)])
                #expect(strikes.count == 2 * ContractUniverse.strikesEachSide + 1)
                #expect(strikes.map(\.key) == strikes.map(\.key).sorted(), "in the body's key order")
                for second in [SessionSeconds.open, 11 * 3600 + 7, SessionSeconds.close - 1] {
                    let spot = path.level(atSecondOfDay: second)
                    for strike in strikes {
                        let (call, put) = market.chainSides(strike, spec: spec, path: path, second: second)
                        for (side, contract) in [(call, strike.call), (put, strike.put)] {
                            let contract = try #require(contract)
                            let side = try #require(side)
                            let greeks = market.greeks(contract, spec: spec, spot: spot, second: second)
                            #expect(side.quote == market.quote(contract, spec: spec, path: path, atSecondOfDay: second))
                            #expect(side.delta == greeks.delta && side.iv == greeks.iv)
                            #expect(
                                side.gamma == greeks.gamma && side.theta == greeks.theta && side.vega == greeks.vega)
                        }
                        strikesSeen += 1
                    }
                }
            }
        }
        #expect(strikesSeen == 3 * ContractUniverse.expiriesPerIndex * 3 * (2 * ContractUniverse.strikesEachSide + 1))
    }

    @Test func aStrikeWithAScriptedPremiumTakesTheScript() throws {
        let contract = SimCoreTests.atmCall(SimCore(configuration: try SimCoreTests.configuration()))
        let id = contract.instrument.securityID
        let core = SimCore(
            configuration: try SimCoreTests.configuration(scenario: "option:\(id) 10:30 100\noption:\(id) 10:40 130"))
        let market = core.market
        let spec = try #require(market.universe.index(symbol: contract.underlying))
        let path = try #require(market.path(spec.securityID))
        let strike = try #require(
            market.chainStrikes[SimMarket.ChainKey(symbol: spec.symbol, expiry: contract.expiry)]?.first {
                $0.strike == contract.strike
            })
        let second = 10 * 3600 + 35 * 60
        let (call, put) = market.chainSides(strike, spec: spec, path: path, second: second)
        // Halfway from 100 to 130; the put, unscripted, from the model.
        #expect(call?.quote.last == 115)
        #expect(call?.quote == market.quote(contract, spec: spec, path: path, atSecondOfDay: second))
        let putContract = try #require(strike.put)
        #expect(put?.quote == market.quote(putContract, spec: spec, path: path, atSecondOfDay: second))
        #expect(
            put?.delta
                == market.greeks(putContract, spec: spec, spot: path.level(atSecondOfDay: second), second: second).delta
        )
    }

    @Test func historyFromTheCacheIsTheDaysPath() throws {
        var core = SimCore(configuration: try SimCoreTests.configuration())
        let index = InstrumentKey(.indexValue, 13)
        let day = CivilDate(2025, 10, 28)
        let first = core.market.minuteCandles(index, on: day, untilSecondOfDay: 86_400)
        let again = core.market.minuteCandles(index, on: day, untilSecondOfDay: 86_400)
        let spec = try #require(core.market.universe.index(index))
        let fresh = IndexPathModel(spec: spec, seed: 7).path(on: day, calendar: core.market.calendar).minuteCandles()
        #expect(first.count == 375)
        #expect(first == fresh)
        #expect(again == fresh)
    }
}
