import Domain
import Engine
import Foundation
import History
import Indicators
import Journal
import MarketModel
import Recovery

/// Runs the engine in-process over a recorded index path with a deterministic paper broker and the
/// option market model, journaling every event before the engine sees it and every command (with its
/// cause) before the broker acts on it, in the order the live runtime does.
///
/// The records are committed a batch at a time (`BatchedAppender`) and all of them by the time `runDay`,
/// `runDays` or `recover` returns or the session crashes: a backtest can be re-run, and one transaction per
/// record was most of a year's backtest time.
///
/// Index ticks are rebuilt from 1m bars (every 5 s along open → high → low → close); subscribed options
/// tick with them; a second timer follows each tick. The broker accepts an order after 200 ms and fills
/// it after 500 ms at the ask (buy) or bid (sell), by `OrderMatching` as every paper broker fills; data requests are answered after 50–300 ms. Option prices
/// come from the Black–Scholes model, or from `RecordedPremiums` (what DhanHQ recorded) when given one.
public final class PaperSession {
    /// Settings of the paper account and the simulation.
    public struct Options: Sendable {
        public var startingBalance: Paise = .rupees(200_000)
        public var mode: TradingMode = .backtest
        public var engineVersion = Engine.build

        public init() {}
    }

    private enum Action {
        case event(Event)
        case accept(OrderIntent)
        case fill(OrderIntent)
        case chain(InstrumentKey, CivilDate)
        case funds
        case quote([InstrumentKey])
    }

    /// An option the session has quoted: its index (a position in `config.indices`), strike, type and expiry.
    private struct Contract {
        var index: Int
        var strike: Paise
        var type: OptionType
        var expiry: CivilDate
    }

    /// The latest price of each index, in a short list: a session has a handful of indices, and looking
    /// one up on every tick by hashing its key cost more than reading the list.
    private struct Spots {
        private var entries: [(instrument: InstrumentKey, price: Paise)] = []

        subscript(instrument: InstrumentKey) -> Paise? {
            get { entries.first { $0.instrument == instrument }?.price }
            set {
                if let slot = entries.firstIndex(where: { $0.instrument == instrument }) {
                    if let newValue { entries[slot].price = newValue } else { entries.remove(at: slot) }
                } else if let newValue {
                    entries.append((instrument, newValue))
                }
            }
        }
    }

    public let journal: Journal
    private let appender: BatchedAppender<UnencodedRecord>
    public private(set) var state = EngineState()
    public let config: AlgoConfig
    let files: [ConfigFile]
    let options: Options
    let market = OptionMarketModel()
    /// Recorded premiums instead of the model, with their spread, slippage and what they lacked.
    public let premiums: RecordedPremiums?
    private var scheduled: [(time: Timestamp, order: Int, action: Action)] = []
    private var scheduledCount = 0
    private var spots = Spots()
    private var contracts: [SecurityID: Contract] = [:]
    private var cash: Paise
    private var history: [InstrumentKey: [Candle]] = [:]
    private var orderNumber = 0
    /// Set to simulate a crash: the next event that causes commands is journaled, its commands are not,
    /// and the session stops.
    public var crashBeforeNextCommands = false
    public private(set) var crashed = false

    public init(
        journal: Journal, files: [ConfigFile], config: AlgoConfig, options: Options = Options(),
        premiums: RecordedPremiums? = nil
    ) {
        self.premiums = premiums
        self.journal = journal
        self.appender = BatchedAppender(journal: journal)
        self.files = files
        self.config = config
        self.options = options
        self.cash = options.startingBalance
    }

    /// Rebuilds the engine from an existing journal after a crash: replays it, journals the commands the
    /// engine computed but never journaled, and treats orders already sent as the broker would (it still
    /// accepts and fills them).
    public func recover() throws {
        try appender.flush()
        let outcome = try JournalReplayer.replay(journal.reader)
        if let divergence = outcome.divergence { throw ReplayFailure(divergence: divergence) }
        state = outcome.state
        // The paper account: the start, less what open positions cost, plus realized PnL, less charges.
        cash = state.positions.reduce(options.startingBalance) { cash, position in
            cash - position.entryAverage * position.quantity + position.realized - position.charges
        }
        var time = state.now
        if !outcome.unjournaled.isEmpty {
            appender.append(
                contentsOf: outcome.unjournaled.map {
                    JournalEntry.command($0.command, causeSeq: $0.cause).unencodedRecord(at: time)
                })
            for item in outcome.unjournaled { handle(item.command, at: time) }
        }
        // Orders in flight before the crash: the broker goes on with them.
        // Orders the re-journaled commands just sent are the broker's now; the others were sent before the crash.
        let resent = Set(
            outcome.unjournaled.compactMap { item -> CorrelationID? in
                if case .placeOrder(let intent) = item.command { return intent.correlationID }
                return nil
            })
        let inFlight = state.positions.filter { [.pending, .accepted, .exiting].contains($0.phase) }.count
        try record(
            .reconciliation(
                ReconciliationResult(
                    clean: true,
                    notes: [
                        "recovered after seq \(outcome.lastSeq): re-journaled \(outcome.unjournaled.count) command(s); \(inFlight) order(s) in flight resumed"
                    ])), at: Timestamp(nanos: time.nanos + 1))
        time = Timestamp(nanos: time.nanos + 1)
        for position in state.positions
        where (position.phase == .pending || position.phase == .accepted) && !resent.contains(position.id) {
            time = Timestamp(nanos: time.nanos + 1)
            let intent = OrderIntent(
                correlationID: position.id, instrument: position.instrument, side: .buy,
                quantity: position.orderedQuantity, tag: position.entryTag)
            if position.phase == .pending { schedule(.accept(intent), at: Timestamp(nanos: time.nanos + 200_000_000)) }
            schedule(.fill(intent), at: Timestamp(nanos: time.nanos + 500_000_000))
        }
        for position in state.positions where position.phase == .exiting {
            guard let exit = position.exit, !resent.contains(exit.correlationID) else { continue }
            let intent = OrderIntent(
                correlationID: exit.correlationID, instrument: position.instrument, side: .sell,
                quantity: exit.quantity, tag: "")
            schedule(.fill(intent), at: Timestamp(nanos: time.nanos + 500_000_000))
        }
        try appender.flush()
    }

    /// Commits every record journaled so far (`runDay` and `recover` do, before they return).
    public func flush() throws { try appender.flush() }

    /// Provides the bars the engine's history requests are answered from.
    public func setHistory(_ instrument: InstrumentKey, minuteBars: [Candle]) {
        history[instrument, default: []] += minuteBars
        history[instrument]!.sort { $0.start < $1.start }
    }

    /// Runs one trading day over `bars` (1m, ascending, of `instrument`) and returns where it stopped.
    ///
    /// `startBar`/`startTick` resume a day after a crash; `stopAfterInputs` stops early (the count when the day completed).
    @discardableResult
    public func runDay(
        _ date: CivilDate, instrument: InstrumentKey, bars: [Candle], startBar: Int = 0, startTick: Int = 0,
        stopAfterInputs: Int? = nil
    ) throws -> (bar: Int, tick: Int) {
        let stopped = try runDayBatched(
            date, instrument: instrument, bars: bars, startBar: startBar, startTick: startTick,
            stopAfterInputs: stopAfterInputs)
        try appender.flush()
        return stopped
    }

    private func runDayBatched(
        _ date: CivilDate, instrument: InstrumentKey, bars: [Candle], startBar: Int = 0, startTick: Int = 0,
        stopAfterInputs: Int? = nil
    ) throws -> (bar: Int, tick: Int) {
        if startBar == 0 && startTick == 0 {
            let started = SessionStarted(
                engineVersion: options.engineVersion, mode: options.mode, tradingDate: date, configFiles: files)
            try record(.sessionStarted(started), at: Timestamp.ist(date, 9, 0))
        }
        var inputs = 0
        for (barIndex, bar) in bars.enumerated() where barIndex >= startBar {
            let path: [(Int64, Paise)] = [(0, bar.open), (15, bar.high), (30, bar.low), (55, bar.close)]
            for tick in 0..<12 where barIndex > startBar || tick >= startTick {
                if crashed { return (barIndex, tick) }
                if let limit = stopAfterInputs, inputs >= limit { return (barIndex, tick) }
                inputs += 1
                let second = Int64(tick * 5)
                let price = Self.interpolate(path, at: second)
                let time = Timestamp(epochSeconds: bar.start + second)
                try deliver(upTo: time)
                if crashed { return (barIndex, tick) }
                spots[instrument] = price
                try record(
                    .tick(Tick(instrument: instrument, lastPrice: price, lastTradeTime: time.epochSeconds)), at: time)
                for subscription in state.subscriptions where subscription.instrument.segment != .indexValue {
                    guard let quote = try optionQuote(subscription.instrument, at: time) else { continue }
                    try record(
                        .tick(
                            Tick(
                                instrument: subscription.instrument, lastPrice: quote.last,
                                lastTradeTime: time.epochSeconds, bestBid: quote.bid, bestAsk: quote.ask)),
                        at: Timestamp(nanos: time.nanos + 1_000_000))
                }
                try record(.timer(TimerFired(kind: .second)), at: Timestamp(nanos: time.nanos + 2_000_000))
                if crashed { return (barIndex, tick) }
            }
        }
        if let last = bars.last { try deliver(upTo: Timestamp(epochSeconds: last.start + 3600)) }
        return (bars.count, 0)
    }

    /// The price at `second` on a path of (second, price) points, on the 5-paise tick.
    ///
    /// Straight lines between the points, the last point's price after it; index ticks and recorded premiums
    /// both walk one.
    static func interpolate(_ path: [(Int64, Paise)], at second: Int64) -> Paise {
        guard let after = path.firstIndex(where: { $0.0 >= second }) else { return path.last!.1 }
        if after == 0 || path[after].0 == second { return path[after].1 }
        let (t0, p0) = path[after - 1]
        let (t1, p1) = path[after]
        let value = p0.value + (p1.value - p0.value) * (second - t0) / (t1 - t0)
        return Paise(value / 5 * 5)
    }

    private func optionQuote(_ instrument: InstrumentKey, at time: Timestamp, forFill: Bool = false) throws -> (
        last: Paise, bid: Paise, ask: Paise
    )? {
        guard let contract = contracts[instrument.securityID] else { return nil }
        let index = config.indices[contract.index]
        if let premiums {
            let recorded = RecordedPremiums.Contract(
                index: index.key, strike: contract.strike, type: contract.type, expiry: contract.expiry)
            guard let last = try premiums.tickPremium(recorded, id: instrument.securityID, at: time, forFill: forFill)
            else { return nil }
            let (bid, ask) = premiums.quote(last)
            return (last, bid, ask)
        }
        guard let spot = spots[index.instrument] else { return nil }
        let (premium, _, _) = market.price(
            spot: spot, strike: contract.strike, type: contract.type, expiry: contract.expiry, at: time)
        let steps = Int((contract.strike.value - spot.value) / index.strikeStep.value)
        let (bid, ask) = market.quote(premium: premium, stepsFromATM: steps)
        return (premium, bid, ask)
    }

    /// Journals an event, folds it, journals its commands, then lets the broker act on them.
    ///
    /// The records are committed with their batch, or by `flush()`.
    public func record(_ event: Event, at time: Timestamp) throws {
        guard !crashed else { return }
        // A batch ends only between one event's records and the next's.
        try appender.flushIfFull()
        let seq = appender.append(JournalEntry.event(event).unencodedRecord(at: time))
        let commands = Engine.reduce(&state, event, seq: seq, at: time)
        guard !commands.isEmpty else { return }
        if crashBeforeNextCommands {
            crashed = true
            // What a crash right after the event's commit leaves: the event, not its commands.
            try appender.flush()
            return
        }
        for command in commands {
            appender.append(JournalEntry.command(command, causeSeq: seq).unencodedRecord(at: time))
        }
        if let premiums {
            for case .placeOrder(let intent) in commands where intent.side == .sell {
                premiums.countExit(decidedAt: time)
            }
        }
        for command in commands { handle(command, at: time) }
    }

    private func schedule(_ action: Action, at time: Timestamp) {
        scheduledCount += 1
        scheduled.append((time, scheduledCount, action))
    }

    private func deliver(upTo time: Timestamp) throws {
        while !crashed {
            guard
                let next = scheduled.indices.min(by: {
                    (scheduled[$0].time, scheduled[$0].order) < (scheduled[$1].time, scheduled[$1].order)
                }),
                scheduled[next].time <= time
            else { return }
            let item = scheduled.remove(at: next)
            if let event = try materialize(item.action, at: item.time) { try record(event, at: item.time) }
        }
    }

    private func handle(_ command: Command, at time: Timestamp) {
        func after(_ millis: Int64) -> Timestamp { Timestamp(nanos: time.nanos + millis * 1_000_000) }
        switch command {
        case .placeOrder(let intent):
            schedule(.accept(intent), at: after(200))
            schedule(.fill(intent), at: after(500))
        case .fetchData(.funds):
            schedule(.funds, at: after(100))
        case .fetchData(.expiryList(let underlying)):
            guard let index = config.index(for: underlying) else { return }
            let expiries = config.calendar.expiries(of: index.key, onOrAfter: time.istDate, count: 4)
            schedule(.event(.expiryList(ExpiryList(underlying: underlying, expiries: expiries))), at: after(100))
        case .fetchData(.optionChain(let underlying, let expiry)):
            schedule(.chain(underlying, expiry), at: after(300))
        case .fetchData(.quote(let keys)):
            schedule(.quote(keys), at: after(100))
        case .fetchData(.history(let instrument, let interval, let from, _)):
            let start = Timestamp.ist(from, 0, 0).epochSeconds
            let minutes = Self.bars(of: history[instrument] ?? [], from: start, before: time.epochSeconds)
            var candles = Array(minutes)
            if interval != 1 {
                var resampler = CandleResampler(fromMinutes: 1, toMinutes: Int(interval))
                candles = []
                for bar in minutes { resampler.add(bar) { candles.append($0) } }
                resampler.flush { candles.append($0) }
            }
            schedule(
                .event(
                    .candleBatch(
                        CandleBatch(
                            instrument: instrument, intervalMinutes: interval, source: .history, candles: candles))),
                at: after(50))
        case .cancelOrder(let cancellation) where cancellation.leg == .entry:
            // Super-order legs exist only on paper here: their cancellation is confirmed, so the engine's own
            // exit goes out.
            // Newest first, without copying every position on the way.
            guard
                let position = state.positions.withUnsafeBufferPointer({ buffer in
                    buffer.indices.reversed().first { buffer[$0].id == cancellation.correlationID }.map { buffer[$0] }
                })
            else { return }
            for leg in [OrderLeg.target, .stopLoss] {
                schedule(
                    .event(
                        .orderUpdate(
                            OrderUpdate(
                                correlationID: position.id, orderID: "\(cancellation.orderID)-\(leg.apiName)",
                                instrument: position.instrument, side: .sell, status: .cancelled, leg: leg,
                                quantity: position.quantity, tradedQuantity: 0, averagePrice: .zero,
                                reason: "cancelled on paper"))), at: after(100))
            }
        case .fetchData(.positions), .fetchData(.orderByCorrelation), .subscribe, .unsubscribe, .modifyOrder,
            .cancelOrder:
            break
        }
    }

    /// The bars of `sorted` (ascending by start) that start in `from..<before`, found by binary search: a
    /// year's backtest asks for history thousands of times, and a filter read every bar of the year each time.
    static func bars(of sorted: [Candle], from: Int64, before: Int64) -> ArraySlice<Candle> {
        func firstIndex(startingAtOrAfter second: Int64) -> Int {
            var low = 0
            var high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle].start < second { low = middle + 1 } else { high = middle }
            }
            return low
        }
        let lower = firstIndex(startingAtOrAfter: from)
        return sorted[lower..<max(lower, firstIndex(startingAtOrAfter: before))]
    }

    private func materialize(_ action: Action, at time: Timestamp) throws -> Event? {
        switch action {
        case .event(let event):
            return event
        case .accept(let intent):
            orderNumber += 1
            return .orderAccepted(
                OrderAccepted(
                    correlationID: intent.correlationID, orderID: "PAPER-\(intent.correlationID.value)",
                    status: .pending))
        case .fill(let intent):
            guard let quote = try optionQuote(intent.instrument, at: time, forFill: true) else {
                premiums?.countOrderWithoutPrice()
                return .orderRejected(
                    OrderRejected(
                        correlationID: intent.correlationID, code: "DH-906",
                        message: premiums == nil
                            ? "no market for \(intent.instrument)"
                            : "no recorded bar of \(intent.instrument)'s index options at this minute"))
            }
            let price =
                premiums?.fillPrice(side: intent.side, premium: quote.last)
                ?? OrderMatching().touch(
                    intent.side, OrderMatching.Quote(last: quote.last, bid: quote.bid, ask: quote.ask))
            let exchange = contracts[intent.instrument.securityID].map { config.indices[$0.index].exchange } ?? .nse
            let charges = config.charges.charges(
                side: intent.side, price: price, quantity: intent.quantity, exchange: exchange, date: time.istDate
            ).total
            cash =
                intent.side == .buy
                ? cash - price * intent.quantity - charges : cash + price * intent.quantity - charges
            return .fill(
                Fill(
                    correlationID: intent.correlationID, orderID: "PAPER-\(intent.correlationID.value)",
                    tradeID: "T-\(intent.correlationID.value)",
                    instrument: intent.instrument, side: intent.side, quantity: intent.quantity, price: price,
                    tradeTime: time.epochSeconds))
        case .chain(let underlying, let expiry):
            guard let ordinal = config.indices.firstIndex(where: { $0.instrument == underlying }),
                let spot = spots[underlying]
            else { return nil }
            let index = config.indices[ordinal]
            if let premiums {
                var wanted: OptionType?
                if let position = state.indexPosition(of: underlying),
                    case .awaitingChain(_, let direction, _, _) = state.indices[position].selection
                {
                    wanted = direction.optionType
                }
                let (chain, recorded) = try premiums.chain(
                    index: index, indexOrdinal: ordinal, spot: spot, expiry: expiry,
                    at: time, wanted: wanted, strikesBeyondATM: config.optionChain.strikesBeyondATM)
                for (id, contract) in recorded {
                    contracts[id] = Contract(
                        index: ordinal, strike: contract.strike, type: contract.type, expiry: contract.expiry)
                }
                return .optionChain(chain)
            }
            let chain = market.chain(
                underlying: underlying, spot: spot, step: index.strikeStep, expiry: expiry, at: time)
            for strike in chain.strikes {
                if let id = strike.call?.securityID {
                    contracts[id] = Contract(index: ordinal, strike: strike.strike, type: .call, expiry: expiry)
                }
                if let id = strike.put?.securityID {
                    contracts[id] = Contract(index: ordinal, strike: strike.strike, type: .put, expiry: expiry)
                }
            }
            return .optionChain(chain)
        case .funds:
            return .funds(FundsSnapshot(available: cash, startOfDayLimit: cash))
        case .quote(let keys):
            guard let key = keys.first, let spot = spots[key] else { return nil }
            return .tick(Tick(instrument: key, lastPrice: spot, lastTradeTime: time.epochSeconds))
        }
    }
}

extension PaperSession {
    /// Runs one session per trading day in `candles` (1m bars of `instrument`) and returns the days and bars run.
    ///
    /// The first day only warms the indicators up (its bars answer the history requests); days outside
    /// `from`…`to` are skipped. `afterDay` is called with each day and its bars.
    @discardableResult
    public func runDays(
        _ candles: [Candle], instrument: InstrumentKey, from: CivilDate? = nil, to: CivilDate? = nil,
        afterDay: (CivilDate, [Candle]) -> Void = { _, _ in }
    ) throws -> (days: Int, bars: Int) {
        try runDays([(instrument, candles)], from: from, to: to) { day, _, bars in afterDay(day, bars) }
    }

    /// Runs several instruments' 1m bars day by day: each trading day, one session per instrument in the
    /// given order, so the journal (and the positions) run forward in time as a live engine's would.
    ///
    /// Each instrument's first day only warms its indicators up; days outside `from`…`to` are skipped.
    /// Returns the instrument-days and bars run. Everything is committed on return; `afterDay` may run
    /// while that day's last batch is still being committed, so it must not read the journal.
    @discardableResult
    public func runDays(
        _ series: [(instrument: InstrumentKey, candles: [Candle])], from: CivilDate? = nil, to: CivilDate? = nil,
        afterDay: (CivilDate, InstrumentKey, [Candle]) -> Void = { _, _, _ in }
    ) throws -> (days: Int, bars: Int) {
        var byInstrument: [[CivilDate: [Candle]]] = []
        var firstDays: [CivilDate?] = []
        var allDays = Set<CivilDate>()
        for (instrument, candles) in series {
            setHistory(instrument, minuteBars: candles)
            let byDay = Dictionary(grouping: candles) { Timestamp(epochSeconds: $0.start).istDate }
            byInstrument.append(byDay)
            firstDays.append(byDay.keys.min())
            allDays.formUnion(byDay.keys)
        }
        var totals = (days: 0, bars: 0)
        for day in allDays.sorted() {
            if let from, day < from { continue }
            if let to, day > to { continue }
            for (position, (instrument, _)) in series.enumerated() {
                guard day != firstDays[position], let dayBars = byInstrument[position][day] else { continue }
                let bars = dayBars.sorted { $0.start < $1.start }
                // Each day's last batch is committed beside the next day's reducers; all is committed on return.
                _ = try runDayBatched(day, instrument: instrument, bars: bars)
                try appender.handOver()
                totals.days += 1
                totals.bars += bars.count
                afterDay(day, instrument, bars)
            }
        }
        try appender.flush()
        return totals
    }
}
