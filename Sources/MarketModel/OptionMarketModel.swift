import Domain
import Foundation

/// A deterministic option market driven by the index path, for backtests.
///
/// Black–Scholes with a simple IV smile, time to 15:30 IST on expiry day, r = 5.5 %, premiums on the ₹0.05
/// tick, spreads widening away from the money. The backtest's stand-in until dhan-sim's market model exists.
public struct OptionMarketModel: Sendable {
    public var baseVolatility = 0.13
    public var smile = 0.8
    public var riskFreeRate = 0.055
    /// Strikes quoted on each side of the ATM strike.
    public var strikesEachSide = 10

    public init() {}

    /// Security ids are stable per strike and type: calls from 40,000, puts from 60,000 (strike / step).
    public func securityID(strike: Paise, type: OptionType, step: Paise) -> SecurityID {
        SecurityID(UInt32((type == .call ? 40_000 : 60_000) + (strike.value / step.value) % 20_000))
    }

    /// Premium, delta and IV (percent) of one option.
    public func price(spot: Paise, strike: Paise, type: OptionType, expiry: CivilDate, at time: Timestamp) -> (
        Paise, Double, Double
    ) {
        let terms = terms(spot: spot, strike: strike, expiry: expiry, at: time)
        return type == .call ? call(terms, cdf(terms.d1), cdf(terms.d2)) : put(terms, cdf(terms.d1))
    }

    /// The call's premium, delta and IV from the strike's terms and N(d1), N(d2).
    private func call(_ terms: Terms, _ n1: Double, _ n2: Double) -> (Paise, Double, Double) {
        let value = terms.s * n1 - terms.k * terms.discount * n2
        return (premium(value), n1, terms.sigma * 100)
    }

    /// The put's premium, delta and IV from the strike's terms and N(d1).
    private func put(_ terms: Terms, _ n1: Double) -> (Paise, Double, Double) {
        let value = terms.k * terms.discount * cdf(-terms.d2) - terms.s * cdf(-terms.d1)
        return (premium(value), n1 - 1, terms.sigma * 100)
    }

    /// A Black–Scholes value in rupees on the ₹0.05 tick, at least one tick.
    private func premium(_ value: Double) -> Paise {
        let ticks = max(1, (value / 0.05).rounded())
        return Paise(Int64(ticks) * 5)
    }

    /// Premium, delta and IV of a strike's call and of its put, each exactly as `price` gives it.
    ///
    /// The two share their terms and N(d1), worked out once: dhan-sim prices every strike of an expiry for
    /// each option chain it answers, and pricing each side twice over (premium, then delta) was most of it.
    public func priceCallAndPut(spot: Paise, strike: Paise, expiry: CivilDate, at time: Timestamp) -> (
        call: (Paise, Double, Double), put: (Paise, Double, Double)
    ) {
        let terms = terms(spot: spot, strike: strike, expiry: expiry, at: time)
        let n1 = cdf(terms.d1)
        return (call(terms, n1, cdf(terms.d2)), put(terms, n1))
    }

    /// Delta and implied volatility (percent) exactly as `price` computes them, without the premium.
    public func deltaAndVolatility(spot: Paise, strike: Paise, type: OptionType, expiry: CivilDate, at time: Timestamp)
        -> (delta: Double, iv: Double)
    {
        let terms = terms(spot: spot, strike: strike, expiry: expiry, at: time)
        return (type == .call ? cdf(terms.d1) : cdf(terms.d1) - 1, terms.sigma * 100)
    }

    /// One strike's Black–Scholes inputs, shared by its call and its put.
    private struct Terms {
        var s: Double
        var k: Double
        var years: Double
        var sigma: Double
        var d1: Double
        var d2: Double
        var discount: Double
    }

    /// Spot and strike in rupees, years to 15:30 IST on expiry day, the smile's volatility, d1, d2 and the
    /// discount factor.
    private func terms(spot: Paise, strike: Paise, expiry: CivilDate, at time: Timestamp) -> Terms {
        let s = spot.rupees
        let k = strike.rupees
        let expiryTime = Timestamp.ist(expiry, 15, 30)
        let years = max(Double(expiryTime.epochSeconds - time.epochSeconds), 60) / (365 * 86_400)
        let moneyness = log(k / s)
        let sigma = baseVolatility + smile * moneyness * moneyness
        let d1 = (log(s / k) + (riskFreeRate + sigma * sigma / 2) * years) / (sigma * sqrt(years))
        return Terms(
            s: s, k: k, years: years, sigma: sigma, d1: d1, d2: d1 - sigma * sqrt(years),
            discount: exp(-riskFreeRate * years))
    }

    /// Best bid and ask around a premium: at least one tick wide, wider away from the money.
    public func quote(premium: Paise, stepsFromATM: Int) -> (bid: Paise, ask: Paise) {
        let halfTicks = max(1, Int64((premium.rupees * (0.001 + 0.0005 * Double(abs(stepsFromATM)))) / 0.05))
        return (max(Paise(5), premium - Paise(5 * halfTicks)), premium + Paise(5 * halfTicks))
    }

    /// A full chain snapshot for `underlying` at `spot`.
    public func chain(underlying: InstrumentKey, spot: Paise, step: Paise, expiry: CivilDate, at time: Timestamp)
        -> OptionChainSnapshot
    {
        let atm = Paise((spot.value + step.value / 2) / step.value * step.value)
        var strikes: [OptionStrike] = []
        strikes.reserveCapacity(2 * strikesEachSide + 1)
        for offset in -strikesEachSide...strikesEachSide {
            let strike = atm + step * Int64(offset)
            // The call and the put share their terms and N(d1): each is worked out once per strike, and each
            // side comes out exactly as `price` gives it.
            let terms = terms(spot: spot, strike: strike, expiry: expiry, at: time)
            let n1 = cdf(terms.d1)
            func side(_ type: OptionType, _ priced: (Paise, Double, Double)) -> OptionQuote {
                let (premium, delta, iv) = priced
                let (bid, ask) = quote(premium: premium, stepsFromATM: offset)
                return OptionQuote(
                    securityID: securityID(strike: strike, type: type, step: step), lastPrice: premium,
                    impliedVolatility: iv, delta: delta,
                    openInterest: Int64(3_000_000 / (1 + offset * offset)), volume: 100_000, bestBid: bid, bestAsk: ask)
            }
            strikes.append(
                OptionStrike(
                    strike: strike, call: side(.call, call(terms, n1, cdf(terms.d2))), put: side(.put, put(terms, n1))))
        }
        return OptionChainSnapshot(underlying: underlying, expiry: expiry, underlyingPrice: spot, strikes: strikes)
    }

    /// Black–Scholes delta of one option at volatility `sigma` (a fraction), `years` to expiry and rate `rate`.
    ///
    /// For recorded premiums, whose data carries the implied volatility but no greeks.
    public static func delta(
        spot: Paise, strike: Paise, type: OptionType, years: Double, sigma: Double, rate: Double = 0.055
    ) -> Double {
        guard sigma > 0, years > 0, spot > .zero, strike > .zero else {
            // No volatility or no time: the option is worth its intrinsic value, delta 1, 0 or -1.
            let inTheMoney = type == .call ? spot > strike : spot < strike
            return inTheMoney ? (type == .call ? 1 : -1) : 0
        }
        let d1 = (log(spot.rupees / strike.rupees) + (rate + sigma * sigma / 2) * years) / (sigma * sqrt(years))
        let n = 0.5 * erfc(-d1 / 2.0.squareRoot())
        return type == .call ? n : n - 1
    }

    private func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
}
