import Dhan
import Domain
import Foundation
import MarketModel

/// The simulated market of one day: index paths (generated or scripted) and option prices from them.
///
/// A pure function of the seed, the date, the calendar and the scenario: the same inputs give the same
/// prices at every second.
struct SimMarket: Sendable {
    let date: CivilDate
    let universe: ContractUniverse
    private var paths: [SecurityID: DayPath] = [:]
    /// Scripted premiums by contract (a scenario's), in place of the model's.
    let optionPaths: [SecurityID: [Scenario.Point]]
    let pricer: OptionMarketModel
    private let models: [String: IndexPathModel]
    /// Running day high and low per second of each index path, so a quote is O(1).
    private var ranges: [SecurityID: (high: [Double], low: [Double])] = [:]
    /// Each option's premium at the open and at the previous close: fixed for the day, so a quote prices
    /// one Black–Scholes value instead of three.
    private(set) var anchors: [SecurityID: (open: Double, previousClose: Double)] = [:]
    let calendar: TradingCalendar
    /// Each expiry's strikes in the order an option chain writes them, built once for the day.
    private(set) var chainStrikes: [ChainKey: [ChainStrike]] = [:]
    /// Minute candles of past days already generated (history asks for the same day at 1 and 5 minutes, and
    /// again after every restart; generating a day's path is most of answering).
    private var pastMinutes: [PastDay: [Candle]] = [:]

    init(seed: UInt64, date: CivilDate, calendar: TradingCalendar, scenario: Scenario, indices: [IndexSpec]) {
        self.date = date
        self.calendar = calendar
        var models: [String: IndexPathModel] = [:]
        var opens: [String: Double] = [:]
        var paths: [SecurityID: DayPath] = [:]
        for spec in indices {
            let model = IndexPathModel(spec: spec, seed: seed)
            models[spec.symbol] = model
            var path = model.path(on: date, calendar: calendar)
            if let points = scenario.indexPaths[spec.symbol] {
                path.override(with: Scenario.sessionLevels(points))
            }
            paths[spec.securityID] = path
            opens[spec.symbol] = path.levels[0]
        }
        self.models = models
        self.paths = paths
        for (id, path) in paths {
            var high = path.levels
            var low = path.levels
            for i in 1..<high.count {
                high[i] = max(high[i - 1], high[i])
                low[i] = min(low[i - 1], low[i])
            }
            ranges[id] = (high, low)
        }
        self.optionPaths = scenario.optionPaths
        self.universe = ContractUniverse(indices: indices, date: date, openLevels: opens, calendar: calendar)
        self.chainStrikes = Self.chainStrikes(of: universe)
        var pricer = OptionMarketModel()
        pricer.strikesEachSide = ContractUniverse.strikesEachSide
        self.pricer = pricer
        var anchors: [SecurityID: (open: Double, previousClose: Double)] = [:]
        for contract in universe.contracts {
            guard let spec = universe.index(symbol: contract.underlying), let path = paths[spec.securityID] else {
                continue
            }
            anchors[contract.instrument.securityID] = (
                optionPremium(contract, spec: spec, spot: path.levels[0], second: SessionSeconds.open),
                optionPremium(
                    contract, spec: spec, spot: path.previousClose, second: SessionSeconds.open - 17 * 3600 - 45 * 60)
            )
        }
        self.anchors = anchors
    }

    /// The trading session of the day for an instrument's exchange, or nil on a holiday.
    func isOpen(_ key: InstrumentKey, atSecondOfDay second: Int) -> Bool {
        let exchange: Exchange = (key.segment == .bseFNO || key.segment == .bseEquity) ? .bse : .nse
        guard calendar.covers(date) else { return second >= SessionSeconds.open && second < SessionSeconds.close }
        guard let hours = calendar.session(on: date, exchange: exchange) else { return false }
        return hours.contains(secondOfDay: second)
    }

    func indexLevel(_ id: SecurityID, atSecondOfDay second: Int) -> Double? {
        paths[id]?.level(atSecondOfDay: second)
    }

    func previousClose(_ id: SecurityID) -> Double? { paths[id]?.previousClose }

    func path(_ id: SecurityID) -> DayPath? { paths[id] }

    /// A quote for any simulated instrument at one second: last, bid, ask and the day's open/high/low.
    func quote(_ key: InstrumentKey, atSecondOfDay second: Int, halfSecond: Bool = false) -> InstrumentQuote? {
        if key.segment == .indexValue {
            guard let path = paths[key.securityID] else { return nil }
            let last = path.level(atSecondOfDay: second)
            let (high, low) = dayRange(key.securityID, until: second)
            return InstrumentQuote(
                last: last, bid: last, ask: last, open: path.levels[0], high: high, low: low,
                previousClose: path.previousClose, openInterest: 0, volume: 0, stepsFromATM: 0)
        }
        guard let contract = universe.contract(key), let spec = universe.index(symbol: contract.underlying),
            let path = paths[spec.securityID]
        else { return nil }
        return quote(contract, spec: spec, path: path, atSecondOfDay: second, halfSecond: halfSecond)
    }

    /// An option's quote when the caller already holds its contract, index and path: an option chain prices
    /// every strike of an expiry, and looking the three up for each strike was a third of pricing it.
    func quote(
        _ contract: ContractSpec, spec: IndexSpec, path: DayPath, atSecondOfDay second: Int, halfSecond: Bool = false
    ) -> InstrumentQuote {
        let spot =
            halfSecond
            ? (path.level(atSecondOfDay: second) + path.level(atSecondOfDay: second + 1)) / 2
            : path.level(atSecondOfDay: second)
        return quote(
            contract, spec: spec, spot: spot, premium: optionPremium(contract, spec: spec, spot: spot, second: second),
            second: second)
    }

    /// An option's quote around its premium at `spot`: spread, the day's anchors, volume and open interest.
    func quote(_ contract: ContractSpec, spec: IndexSpec, spot: Double, premium: Double, second: Int) -> InstrumentQuote
    {
        let step = spec.strikeStep?.value ?? 5_000
        let steps = Int((contract.strike.value - Int64((spot * 100).rounded())) / step)
        let (bid, ask) = pricer.quote(premium: Paise(Int64((premium * 100).rounded())), stepsFromATM: steps)
        let (open, previousClose) = anchors[contract.instrument.securityID] ?? (premium, premium)
        let elapsed = max(0, min(second, SessionSeconds.close) - SessionSeconds.open)
        let atmWeight = 1.0 / Double(1 + steps * steps)
        let volume = Int64(Double(elapsed) * 40 * atmWeight) * contract.lotSize
        let oi = Int64(60_000 * atmWeight + 500) * contract.lotSize
        return InstrumentQuote(
            last: premium, bid: bid.rupees, ask: ask.rupees, open: open, high: max(open, premium),
            low: min(open, premium), previousClose: previousClose, openInterest: oi, volume: volume,
            stepsFromATM: steps)
    }

    /// Black–Scholes premium on the ₹0.05 tick, or the scenario's scripted premium for that contract.
    func optionPremium(_ contract: ContractSpec, spec: IndexSpec, spot: Double, second: Int) -> Double {
        if let points = optionPaths[contract.instrument.securityID] {
            return (Scenario.level(points, atSecondOfDay: second) * 20).rounded() / 20
        }
        var model = pricer
        model.baseVolatility = spec.impliedVolatility
        let time = Timestamp(epochSeconds: Timestamp.ist(date, 0, 0).epochSeconds + Int64(second))
        let (premium, _, _) = model.price(
            spot: Paise(Int64((spot * 100).rounded())), strike: contract.strike, type: contract.type,
            expiry: contract.expiry, at: time)
        return premium.rupees
    }

    /// Greeks and IV for the option chain.
    func greeks(_ contract: ContractSpec, spec: IndexSpec, spot: Double, second: Int) -> (
        delta: Double, iv: Double, gamma: Double, theta: Double, vega: Double
    ) {
        var model = pricer
        model.baseVolatility = spec.impliedVolatility
        let time = Timestamp(epochSeconds: Timestamp.ist(date, 0, 0).epochSeconds + Int64(second))
        let (delta, iv) = model.deltaAndVolatility(
            spot: Paise(Int64((spot * 100).rounded())), strike: contract.strike, type: contract.type,
            expiry: contract.expiry, at: time)
        let (gamma, theta, vega) = Self.sensitivities(
            spot: spot, strike: contract.strike, expiry: contract.expiry, iv: iv, at: time)
        return (delta, iv, gamma, theta, vega)
    }

    /// Gamma, theta (a day) and vega (a volatility point) at the volatility `iv` (percent): the same for a
    /// strike's call and put.
    static func sensitivities(spot: Double, strike: Paise, expiry: CivilDate, iv: Double, at time: Timestamp) -> (
        gamma: Double, theta: Double, vega: Double
    ) {
        let years = max(Double(Timestamp.ist(expiry, 15, 30).epochSeconds - time.epochSeconds), 60) / 31_536_000
        let sigma = iv / 100
        let d1 = (log(spot / strike.rupees) + (0.055 + sigma * sigma / 2) * years) / (sigma * years.squareRoot())
        let density = exp(-d1 * d1 / 2) / (2 * Double.pi).squareRoot()
        let gamma = density / (spot * sigma * years.squareRoot())
        let vega = spot * density * years.squareRoot() / 100
        let theta = -(spot * density * sigma) / (2 * years.squareRoot()) / 365
        return (gamma, theta, vega)
    }

    private func dayRange(_ id: SecurityID, until second: Int) -> (Double, Double) {
        guard let range = ranges[id] else { return (0, 0) }
        let last = min(max(second - SessionSeconds.open, 0), range.high.count - 1)
        return (range.high[last], range.low[last])
    }

    /// Minute candles of an index or option for `day` up to `untilSecond` (today) or the whole day (history).
    mutating func minuteCandles(_ key: InstrumentKey, on day: CivilDate, untilSecondOfDay untilSecond: Int)
        -> [Candle]
    {
        if key.segment == .indexValue {
            guard let spec = universe.index(key) else { return [] }
            if day == date { return paths[key.securityID]?.minuteCandles(untilSecondOfDay: untilSecond) ?? [] }
            guard day < date, let model = models[spec.symbol] else { return [] }
            let past = PastDay(id: key.securityID, day: day)
            if let candles = pastMinutes[past] { return candles }
            let candles = model.path(on: day, calendar: calendar).minuteCandles()
            pastMinutes[past] = candles
            return candles
        }
        guard day == date, let contract = universe.contract(key),
            let spec = universe.index(symbol: contract.underlying),
            let path = paths[spec.securityID]
        else { return [] }
        var out: [Candle] = []
        let minutes = min((untilSecond - SessionSeconds.open) / 60, 375)
        guard minutes > 0 else { return [] }
        for minute in 0..<minutes {
            var prices: [Double] = []
            for offset in stride(from: 0, through: 60, by: 15) {
                let second = SessionSeconds.open + minute * 60 + offset
                prices.append(
                    optionPremium(contract, spec: spec, spot: path.level(atSecondOfDay: second), second: second))
            }
            func paise(_ value: Double) -> Paise { Paise(Int64((value * 100).rounded())) }
            out.append(
                Candle(
                    start: Timestamp.ist(day, 9, 15).epochSeconds + Int64(minute * 60), open: paise(prices[0]),
                    high: paise(prices.max()!), low: paise(prices.min()!), close: paise(prices[prices.count - 1]),
                    volume: Int64(40 * 60) * contract.lotSize))
        }
        return out
    }

    /// What DhanHQ's expired-options data would hold for one past day.
    ///
    /// `interval`-minute bars of the option `offset` strikes from the money (the strike re-chosen from the spot
    /// at each bar's start) of `expiry`, priced by the same model as the live option chain, sampled every 15 s.
    func recordedOptionBars(
        _ spec: IndexSpec, on day: CivilDate, expiry: CivilDate, offset: Int, type: OptionType, interval: Int
    ) -> [RecordedOptionBar] {
        guard day < date, let model = models[spec.symbol], let step = spec.strikeStep?.value else { return [] }
        let path = model.path(on: day, calendar: calendar)
        var pricing = pricer
        pricing.baseVolatility = spec.impliedVolatility
        let midnight = Timestamp.ist(day, 0, 0).epochSeconds
        let lot = spec.lotSize(expiry: expiry)
        let weight = 1.0 / Double(1 + offset * offset)
        func paise(_ rupees: Double) -> Paise { Paise(Int64((rupees * 100).rounded())) }
        var bars: [RecordedOptionBar] = []
        var start = SessionSeconds.open
        while start < SessionSeconds.close {
            let end = min(start + interval * 60, SessionSeconds.close)
            let spotAtStart = paise(path.level(atSecondOfDay: start)).value
            let strike = Paise((spotAtStart + step / 2) / step * step + step * Int64(offset))
            var prices: [Paise] = []
            var iv = 0.0
            for second in stride(from: start, through: end, by: 15) {
                let (premium, _, sigma) = pricing.price(
                    spot: paise(path.level(atSecondOfDay: second)), strike: strike, type: type, expiry: expiry,
                    at: Timestamp(epochSeconds: midnight + Int64(second)))
                prices.append(premium)
                iv = sigma
            }
            bars.append(
                RecordedOptionBar(
                    start: midnight + Int64(start), open: prices[0], high: prices.max()!, low: prices.min()!,
                    close: prices[prices.count - 1], volume: Int64(Double(40 * 60 * interval) * weight) * lot,
                    openInterest: Int64(60_000 * weight + 500) * lot, impliedVolatility: (iv * 100).rounded() / 100,
                    strike: strike, spot: paise(path.level(atSecondOfDay: end))))
            start = end
        }
        return bars
    }

    /// Trading days with data before and including the sim date, most recent last.
    func tradingDays(from start: CivilDate, through end: CivilDate, exchange: Exchange) -> [CivilDate] {
        var out: [CivilDate] = []
        var day = max(start, IndexPathModel.anchorDate)
        while day <= min(end, date) {
            let open = calendar.covers(day) ? calendar.isTradingDay(day, exchange: exchange) : day.weekday < 6
            if open { out.append(day) }
            day = day.adding(days: 1)
        }
        return out
    }
}

/// One instrument's prices at one second of the simulated day, in rupees as the wire carries them.
struct InstrumentQuote: Sendable, Equatable {
    var last: Double
    var bid: Double
    var ask: Double
    var open: Double
    var high: Double
    var low: Double
    var previousClose: Double
    var openInterest: Int64
    var volume: Int64
    var stepsFromATM: Int
}
