import Domain
import Engine
import Foundation
import History
import MarketModel

/// Option prices for a backtest from the history store: what DhanHQ recorded for expired options, by
/// strike offset from the money, instead of a model.
///
/// Each recorded series is *rolling* (`ATM+1` names a different strike as the spot moves), so a contract
/// the engine holds is found at each minute in whichever offset series carried its strike then. Inside a
/// bar the price walks open → low → high → close (at 0 s, a quarter, half and the last 5 s of the bar):
/// the adverse extreme of a long option first, so a stop inside a bar is hit before a target
/// (docs/backtest-on-recorded-premiums.md). Nothing is invented: a contract or minute the store does not
/// carry has no price, and is counted.
public final class RecordedPremiums {
    /// The spread and slippage a fill pays on top of the recorded premium (the data has no bid or ask).
    public struct Costs: Sendable, Equatable {
        /// The full bid-ask spread as a percentage of the premium (at least one 5-paise tick each side).
        public var spreadPercent: Double
        /// Ticks of 5 paise a market order loses beyond the bid or ask.
        public var slippageTicks: Int

        public init(spreadPercent: Double = 0.5, slippageTicks: Int = 1) {
            self.spreadPercent = spreadPercent
            self.slippageTicks = slippageTicks
        }
    }

    /// What the data could not answer, and how exits were decided.
    public struct Counts: Sendable, Equatable {
        /// Chain requests answered with no recorded strikes (no series for that expiry, day or minute).
        public var chainsWithoutData = 0
        /// Strikes the selector considers (ATM … ATM±N on the signal's side) that the data does not carry.
        public var candidatesNotCarried = 0
        /// Minutes in which a subscribed contract had no price at all (the store has no bar of that minute).
        public var contractMinutesWithoutPrice = 0
        /// Minutes in which a subscribed contract was beyond the stored offsets and priced at the no-arbitrage
        /// lower bound of the minute's recorded strikes.
        public var contractMinutesAtBound = 0
        /// Fills at that bound.
        public var fillsAtBound = 0
        /// Orders refused because their contract had no recorded price at that moment.
        public var ordersWithoutPrice = 0
        /// Exit orders the engine sent.
        public var exits = 0
        /// Exits decided on a price between a bar's open and its close, where the order of its low and high
        /// had to be assumed.
        public var exitsInsideBar = 0

        public init() {}
    }

    /// One contract of the recorded chain.
    struct Contract: Hashable {
        var index: String
        var strike: Paise
        var type: OptionType
        var expiry: CivilDate
    }

    private struct SeriesDay: Hashable {
        var index: String
        var series: HistorySeries
    }

    public let store: HistoryStore
    public let costs: Costs
    public let interval: Int
    public private(set) var counts = Counts()
    private let calendar: TradingCalendar
    /// Per index, the stored option series by expiry folder (`week-1`, `month-2`).
    private var offsets: [String: [String: [HistorySeries]]] = [:]
    private var day: CivilDate?
    private var bars: [SeriesDay: [RecordedOptionBar]] = [:]
    private struct ContractMinute: Hashable {
        var id: SecurityID
        var minute: Int64
    }
    private var pricelessMinutes = Set<ContractMinute>()
    private var boundMinutes = Set<ContractMinute>()
    private var lastOffset: [Contract: HistorySeries] = [:]

    /// Reads `store`'s `interval`-minute option series; `calendar` says which expiry code a date's expiry is.
    public init(store: HistoryStore, calendar: TradingCalendar, interval: Int = 1, costs: Costs = Costs()) {
        self.store = store
        self.calendar = calendar
        self.interval = interval
        self.costs = costs
    }

    /// The option series stored for `index`, by expiry folder (read from the folder names once).
    func stored(_ index: String) -> [String: [HistorySeries]] {
        if let known = offsets[index] { return known }
        var found: [String: [HistorySeries]] = [:]
        let base = "\(store.root)/\(index)/options/\(interval)m"
        let manager = FileManager.default
        for expiryFolder in ((try? manager.contentsOfDirectory(atPath: base)) ?? []).sorted() {
            for seriesFolder in ((try? manager.contentsOfDirectory(atPath: base + "/" + expiryFolder)) ?? []).sorted() {
                guard
                    let series = HistorySeries(path: "options/\(interval)m/\(expiryFolder)/\(seriesFolder)"),
                    case .options = series
                else { continue }
                found[expiryFolder, default: []].append(series)
            }
        }
        offsets[index] = found
        return found
    }

    /// Whether the store holds any option series of `index` at this interval.
    public func hasOptions(_ index: String) -> Bool { !stored(index).isEmpty }

    /// Which stored series hold `expiry` on `date`: week code n is the n-th expiry on or after the date,
    /// month code n the n-th last-of-month expiry (as DhanHQ's `expiryCode` counts them).
    func series(of index: String, expiry: CivilDate, on date: CivilDate) -> [HistorySeries]? {
        let stored = stored(index)
        let listed = calendar.expiries(of: index, onOrAfter: date, count: 16)
        if let position = listed.firstIndex(of: expiry), let found = stored["week-\(position + 1)"] {
            return found
        }
        let monthly = listed.filter { $0.adding(days: 7).month != $0.month }
        if let position = monthly.firstIndex(of: expiry), let found = stored["month-\(position + 1)"] {
            return found
        }
        return nil
    }

    /// The recorded bar of one series covering `time`, or nil.
    func bar(_ index: String, _ series: HistorySeries, at time: Timestamp) throws(HistoryStoreError)
        -> RecordedOptionBar?
    {
        let date = time.istDate
        if day != date {
            // A backtest runs forward day by day: only today's bars are kept.
            day = date
            bars.removeAll(keepingCapacity: true)
            pricelessMinutes.removeAll(keepingCapacity: true)
            boundMinutes.removeAll(keepingCapacity: true)
        }
        let key = SeriesDay(index: index, series: series)
        let dayBars: [RecordedOptionBar]
        if let cached = bars[key] {
            dayBars = cached
        } else {
            dayBars = try store.bars(index: index, series: series, on: date)
            bars[key] = dayBars
        }
        let second = time.epochSeconds
        // The last bar starting at or before `time`.
        var low = 0
        var high = dayBars.count
        while low < high {
            let middle = (low + high) / 2
            if dayBars[middle].start <= second { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let found = dayBars[low - 1]
        return second < found.start + Int64(interval * 60) ? found : nil
    }

    /// The premium inside `bar` at `time`: open at 0 s, low at a quarter, high at a half, close 5 s before
    /// the end, straight lines between, on the 5-paise tick.
    public static func price(in bar: RecordedOptionBar, at time: Timestamp, intervalSeconds: Int64) -> Paise {
        PaperSession.interpolate(
            [
                (0, bar.open), (intervalSeconds / 4, bar.low), (intervalSeconds / 2, bar.high),
                (intervalSeconds - 5, bar.close),
            ],
            at: time.epochSeconds - bar.start)
    }

    /// Whether `time` falls strictly between a bar's open and its close on the path above.
    public func isInsideBar(_ time: Timestamp) -> Bool {
        let length = Int64(interval * 60)
        let second = time.epochSeconds % length
        return second > 0 && second < length - 5
    }

    /// Bid and ask around a premium: half the configured spread each side, at least one tick.
    public func quote(_ premium: Paise) -> (bid: Paise, ask: Paise) {
        let halfTicks = max(1, Int64((Double(premium.value) * costs.spreadPercent / 200 / 5).rounded()))
        return (max(Paise(5), premium - Paise(5 * halfTicks)), premium + Paise(5 * halfTicks))
    }

    /// What a market order fills at: the ask (buy) or the bid (sell), less the slippage (`OrderMatching`, the
    /// rule every paper broker fills by).
    public func fillPrice(side: TransactionSide, premium: Paise) -> Paise {
        let (bid, ask) = quote(premium)
        return OrderMatching(slippageTicks: costs.slippageTicks).touch(
            side, OrderMatching.Quote(last: premium, bid: bid, ask: ask))
    }

    /// The recorded price of a contract at `time`, from whichever offset series carried its strike then.
    ///
    /// A contract no stored offset carries that minute (a winner drifts into the money past the stored
    /// strikes) gets the no-arbitrage lower bound from the same minute's recorded strikes of its side: a call
    /// is worth at least its intrinsic value and any higher strike's call, a put its intrinsic value and any
    /// lower strike's put; at least one tick. Nil only when the store has no bar of that minute at all.
    func premium(_ contract: Contract, at time: Timestamp) throws(HistoryStoreError) -> (Paise, Pricing)? {
        guard let candidates = series(of: contract.index, expiry: contract.expiry, on: time.istDate) else {
            return nil
        }
        // The series that carried it last time first: a held contract rarely changes offset.
        var order = candidates.filter {
            if case .options(_, _, _, _, let type) = $0 { type == contract.type } else { false }
        }
        if let last = lastOffset[contract], let position = order.firstIndex(of: last) {
            order.swapAt(0, position)
        }
        var bound: Int64?
        for series in order {
            guard let bar = try bar(contract.index, series, at: time) else { continue }
            let price = Self.price(in: bar, at: time, intervalSeconds: Int64(interval * 60))
            if bar.strike == contract.strike {
                lastOffset[contract] = series
                return (price, .recorded)
            }
            let intrinsic =
                contract.type == .call
                ? bar.spot.value - contract.strike.value : contract.strike.value - bar.spot.value
            let dominated = contract.type == .call ? bar.strike > contract.strike : bar.strike < contract.strike
            bound = max(bound ?? 0, intrinsic, dominated ? price.value : 0)
        }
        guard let bound else { return nil }
        return (Paise(max(5, bound / 5 * 5)), .bound)
    }

    /// How a contract's price at a moment was found.
    public enum Pricing: Sendable, Equatable {
        /// From the recorded bar of its own strike.
        case recorded
        /// The no-arbitrage lower bound from the minute's other recorded strikes (`premium(_:at:)`).
        case bound
    }

    /// The price of a subscribed contract at a tick or a fill, counting a minute it has none or only a bound,
    /// and a fill at a bound.
    func tickPremium(_ contract: Contract, id: SecurityID, at time: Timestamp, forFill: Bool = false)
        throws(HistoryStoreError) -> Paise?
    {
        let found = try premium(contract, at: time)
        let minute = time.epochSeconds / Int64(interval * 60)
        switch found?.1 {
        case .recorded?:
            break
        case .bound?:
            if boundMinutes.insert(ContractMinute(id: id, minute: minute)).inserted {
                counts.contractMinutesAtBound += 1
            }
            if forFill { counts.fillsAtBound += 1 }
        case nil:
            if pricelessMinutes.insert(ContractMinute(id: id, minute: minute)).inserted {
                counts.contractMinutesWithoutPrice += 1
            }
        }
        return found?.0
    }

    /// A security id for a recorded contract, stable across the backtest: index, expiry, side and strike.
    public static func securityID(indexOrdinal: Int, expiry: CivilDate, strike: Paise, step: Paise, type: OptionType)
        -> SecurityID
    {
        let strikeSteps = UInt32(truncatingIfNeeded: (strike.value / max(step.value, 1)) % 50_000)
        let expiryPart = UInt32(truncatingIfNeeded: expiry.daysSinceEpoch % 1_000)
        return SecurityID(
            UInt32(indexOrdinal + 1) * 100_000_000 + expiryPart * 100_000 + (type == .call ? 0 : 50_000) + strikeSteps)
    }

    /// The chain at `time` as the store recorded it: every stored offset's strike and premium.
    ///
    /// Greeks come from the recorded implied volatility. Counts the strikes the selector will look for on
    /// `wanted`'s side that are missing, and a chain with nothing.
    func chain(
        index: IndexConfig, indexOrdinal: Int, spot: Paise, expiry: CivilDate, at time: Timestamp,
        wanted: OptionType?, strikesBeyondATM: Int
    ) throws(HistoryStoreError) -> (OptionChainSnapshot, [SecurityID: Contract]) {
        var byStrike: [Paise: (call: OptionQuote?, put: OptionQuote?)] = [:]
        var contracts: [SecurityID: Contract] = [:]
        if let stored = series(of: index.key, expiry: expiry, on: time.istDate) {
            let years = max(Double(Timestamp.ist(expiry, 15, 30).epochSeconds - time.epochSeconds), 60) / (365 * 86_400)
            for series in stored {
                guard case .options(_, _, _, _, let type) = series, let bar = try bar(index.key, series, at: time)
                else { continue }
                let premium = Self.price(in: bar, at: time, intervalSeconds: Int64(interval * 60))
                guard premium > .zero else { continue }
                let id = Self.securityID(
                    indexOrdinal: indexOrdinal, expiry: expiry, strike: bar.strike, step: index.strikeStep, type: type)
                contracts[id] = Contract(index: index.key, strike: bar.strike, type: type, expiry: expiry)
                let (bid, ask) = quote(premium)
                let quote = OptionQuote(
                    securityID: id, lastPrice: premium, impliedVolatility: bar.impliedVolatility,
                    delta: OptionMarketModel.delta(
                        spot: spot, strike: bar.strike, type: type, years: years, sigma: bar.impliedVolatility / 100),
                    openInterest: bar.openInterest, volume: bar.volume, bestBid: bid, bestAsk: ask)
                if type == .call {
                    byStrike[bar.strike, default: (nil, nil)].call = quote
                } else {
                    byStrike[bar.strike, default: (nil, nil)].put = quote
                }
            }
        }
        let strikes = byStrike.keys.sorted().map {
            OptionStrike(strike: $0, call: byStrike[$0]!.call, put: byStrike[$0]!.put)
        }
        if strikes.isEmpty { counts.chainsWithoutData += 1 }
        if let wanted {
            let atm = StrikeSelector.atmStrike(spot: spot, step: index.strikeStep)
            let sign: Int64 = wanted == .call ? 1 : -1
            for steps in 0...max(strikesBeyondATM, 0) {
                let strike = atm + index.strikeStep * (sign * Int64(steps))
                let carried = byStrike[strike].map { wanted == .call ? $0.call != nil : $0.put != nil } ?? false
                if !carried { counts.candidatesNotCarried += 1 }
            }
        }
        return (
            OptionChainSnapshot(underlying: index.instrument, expiry: expiry, underlyingPrice: spot, strikes: strikes),
            contracts
        )
    }

    /// Counts an order refused for want of a price.
    func countOrderWithoutPrice() { counts.ordersWithoutPrice += 1 }

    /// Counts an exit order and whether it was decided inside a bar.
    func countExit(decidedAt time: Timestamp) {
        counts.exits += 1
        if isInsideBar(time) { counts.exitsInsideBar += 1 }
    }
}
