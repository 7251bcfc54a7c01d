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
        let (s, k, years, sigma, d1) = terms(spot: spot, strike: strike, expiry: expiry, at: time)
        let d2 = d1 - sigma * sqrt(years)
        let discount = exp(-riskFreeRate * years)
        let value: Double
        let delta: Double
        if type == .call {
            value = s * cdf(d1) - k * discount * cdf(d2)
            delta = cdf(d1)
        } else {
            value = k * discount * cdf(-d2) - s * cdf(-d1)
            delta = cdf(d1) - 1
        }
        let ticks = max(1, (value / 0.05).rounded())
        return (Paise(Int64(ticks) * 5), delta, sigma * 100)
    }

    /// Delta and implied volatility (percent) exactly as `price` computes them, without the premium.
    public func deltaAndVolatility(spot: Paise, strike: Paise, type: OptionType, expiry: CivilDate, at time: Timestamp)
        -> (delta: Double, iv: Double)
    {
        let (_, _, _, sigma, d1) = terms(spot: spot, strike: strike, expiry: expiry, at: time)
        return (type == .call ? cdf(d1) : cdf(d1) - 1, sigma * 100)
    }

    /// Spot and strike in rupees, years to 15:30 IST on expiry day, the smile's volatility and d1.
    private func terms(spot: Paise, strike: Paise, expiry: CivilDate, at time: Timestamp) -> (
        s: Double, k: Double, years: Double, sigma: Double, d1: Double
    ) {
        let s = spot.rupees
        let k = strike.rupees
        let expiryTime = Timestamp.ist(expiry, 15, 30)
        let years = max(Double(expiryTime.epochSeconds - time.epochSeconds), 60) / (365 * 86_400)
        let moneyness = log(k / s)
        let sigma = baseVolatility + smile * moneyness * moneyness
        let d1 = (log(s / k) + (riskFreeRate + sigma * sigma / 2) * years) / (sigma * sqrt(years))
        return (s, k, years, sigma, d1)
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
        for offset in -strikesEachSide...strikesEachSide {
            let strike = atm + step * Int64(offset)
            func side(_ type: OptionType) -> OptionQuote {
                let (premium, delta, iv) = price(spot: spot, strike: strike, type: type, expiry: expiry, at: time)
                let (bid, ask) = quote(premium: premium, stepsFromATM: offset)
                return OptionQuote(
                    securityID: securityID(strike: strike, type: type, step: step), lastPrice: premium,
                    impliedVolatility: iv, delta: delta,
                    openInterest: Int64(3_000_000 / (1 + offset * offset)), volume: 100_000, bestBid: bid, bestAsk: ask)
            }
            strikes.append(OptionStrike(strike: strike, call: side(.call), put: side(.put)))
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
