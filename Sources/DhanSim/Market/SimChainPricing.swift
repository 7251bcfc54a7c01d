import Domain
import Foundation
import MarketModel

/// An option chain's strikes, priced a strike at a time.
///
/// dhan-sim answers a few hundred chains of 81 strikes in a simulated day. Priced a contract at a time, each
/// side worked out its Black–Scholes terms twice (premium, then delta) and its greeks once more, and the
/// strikes went through a dictionary keyed by their text only to be sorted back out; here a strike's call and
/// put share one set of terms and one set of greeks, and the strikes are kept in the order the body writes
/// them. Every number comes out exactly as `quote(_:spec:path:atSecondOfDay:halfSecond:)` and `greeks` give it.
extension SimMarket {
    /// Which chain: an index and one of its expiries.
    struct ChainKey: Hashable, Sendable {
        let symbol: String
        let expiry: CivilDate
    }

    /// One strike of a chain: its key as DhanHQ writes it (`"25650.000000"`) and its two contracts.
    struct ChainStrike: Sendable {
        let key: String
        let strike: Paise
        var call: ContractSpec?
        var put: ContractSpec?
    }

    /// One side of a strike as the chain quotes it.
    struct ChainSide: Sendable {
        var quote: InstrumentQuote
        var delta: Double
        var iv: Double
        var gamma: Double
        var theta: Double
        var vega: Double
    }

    /// A past day of one index, whose minute candles history answers from.
    struct PastDay: Hashable, Sendable {
        let id: SecurityID
        let day: CivilDate
    }

    /// Every expiry's strikes, in the order the chain's JSON writes its keys (as text, so `"10000.000000"`
    /// comes before `"9950.000000"`).
    static func chainStrikes(of universe: ContractUniverse) -> [ChainKey: [ChainStrike]] {
        var byKey: [ChainKey: [String: ChainStrike]] = [:]
        for contract in universe.contracts {
            // "%.6f" of the rupees, from the whole paise.
            let paise = contract.strike.value
            let text = "\(paise / 100).\(paise % 100 < 10 ? "0" : "")\(paise % 100)0000"
            let chain = ChainKey(symbol: contract.underlying, expiry: contract.expiry)
            var strike = byKey[chain]?[text] ?? ChainStrike(key: text, strike: contract.strike)
            if contract.type == .call { strike.call = contract } else { strike.put = contract }
            byKey[chain, default: [:]][text] = strike
        }
        return byKey.mapValues { strikes in strikes.keys.sorted().map { strikes[$0]! } }
    }

    /// A strike's call and put at `second`, with `path` the strike's index path.
    func chainSides(_ strike: ChainStrike, spec: IndexSpec, path: DayPath, second: Int) -> (
        call: ChainSide?, put: ChainSide?
    ) {
        let spot = path.level(atSecondOfDay: second)
        func isScripted(_ contract: ContractSpec?) -> Bool {
            contract.map { optionPaths[$0.instrument.securityID] != nil } ?? false
        }
        let scripted = !optionPaths.isEmpty && (isScripted(strike.call) || isScripted(strike.put))
        guard !scripted, let call = strike.call, let put = strike.put else {
            // A scenario's scripted premium, or a strike listed on one side only: each side on its own.
            func side(_ contract: ContractSpec?) -> ChainSide? {
                guard let contract else { return nil }
                let greeks = greeks(contract, spec: spec, spot: spot, second: second)
                return ChainSide(
                    quote: quote(contract, spec: spec, path: path, atSecondOfDay: second), delta: greeks.delta,
                    iv: greeks.iv, gamma: greeks.gamma, theta: greeks.theta, vega: greeks.vega)
            }
            return (side(strike.call), side(strike.put))
        }
        var model = pricer
        model.baseVolatility = spec.impliedVolatility
        let time = Timestamp(epochSeconds: Timestamp.ist(date, 0, 0).epochSeconds + Int64(second))
        let (calls, puts) = model.priceCallAndPut(
            spot: Paise(Int64((spot * 100).rounded())), strike: strike.strike, expiry: call.expiry, at: time)
        // Both sides share the strike's volatility, so their gamma, theta and vega.
        let (gamma, theta, vega) = Self.sensitivities(
            spot: spot, strike: strike.strike, expiry: call.expiry, iv: calls.2, at: time)
        func side(_ contract: ContractSpec, _ priced: (Paise, Double, Double)) -> ChainSide {
            ChainSide(
                quote: quote(contract, spec: spec, spot: spot, premium: priced.0.rupees, second: second),
                delta: priced.1, iv: priced.2, gamma: gamma, theta: theta, vega: vega)
        }
        return (side(call, calls), side(put, puts))
    }
}
