import Domain
import Indicators

/// Everything the engine knows: a pure fold of the journal.
///
/// Arrays, never dictionaries, so that iteration (and the state's description and hash) is deterministic.
public struct EngineState: Sendable, Equatable, Codable {
    /// The time of the last event folded in.
    public var now = Timestamp(nanos: 0)
    /// The seq of the last event folded in.
    public var lastSeq: UInt64 = 0
    public var session: SessionInfo?
    /// The behaviour this session folds with (from the build that recorded it).
    public var rules = EngineRules.current
    public var config: AlgoConfig?
    /// Why the session's configuration was refused (the engine then trades nothing).
    public var configError: String?
    /// One per configured index, in configuration order.
    public var indices: [IndexState] = []
    /// Watchlist items, sorted by instrument.
    public var watchlist: [WatchItem] = []
    /// What the engine has asked the feed to stream, sorted by instrument.
    public var subscriptions: [Subscription] = []
    public var funds: FundsRecord?
    /// When the engine last asked for funds, and when the last fill arrived (`FundsRefresh`, 0.4.3 on).
    public var fundsRequestedAt: Timestamp?
    public var lastFillAt: Timestamp?
    /// Every position of the session, oldest first.
    public var positions: [Position] = []
    /// How many leading positions are settled (exited, rejected or cancelled, phases nothing leaves): the
    /// per-tick and per-timer loops over positions start here, so a long backtest does not rescan its past.
    public var settledPositions = 0
    /// Whether positions' trading dates never decrease along `positions` (true for any real session; a
    /// backtest that runs one index's year after another's is not): `dayNetPnL` then reads only the newest.
    public var positionDatesAscending = true
    /// The settled part of `dayNetPnL`, so the per-tick and per-timer day check adds up only what can still
    /// change (not part of the state's JSON or equality).
    public var settledDayNet = Derived(SettledDayNet())
    /// Where the newest position in each instrument is, for the entry guard's quote age (not part of the
    /// state's JSON or equality).
    public var newestPositions = Derived(NewestPositions())
    public var dayRisk: DayRisk?
    /// Contracts that may not be re-entered before a time (the re-entry cooldown), sorted by instrument.
    public var cooldowns: [Cooldown] = []
    /// Refused transitions and unknown order events, in seq order.
    public var anomalies: [Anomaly] = []
    /// Option ticks refused for a zero or negative price (0.4.3 on; a broken quote is not a price).
    public var refusedOptionPrices = 0
    /// The instrument master's option contracts, one list per underlying (sorted by underlying).
    public var contracts: [ContractList] = []
    /// Orders the current event has caused so far: each takes the next slot in its correlation id.
    public var orderSlot = 0
    /// Why the runtime's inputs forbid entries now: the feed is stale or the broker session expired
    /// (journaled feed statuses), or the last reconciliation with the broker was not clean.
    public var feedBlock: EntryBlock?
    public var reconciliationBlock: EntryBlock?

    /// The next correlation id for an order caused by the event at `seq`.
    public mutating func nextCorrelationID(causeSeq seq: UInt64) -> CorrelationID? {
        guard let session else { return nil }
        orderSlot += 1
        return CorrelationID(session: session.tradingDate, causeSeq: seq, slot: orderSlot)
    }

    public init() {}

    /// Positions that count against limits (pending, accepted, active or exiting).
    public var openPositions: [Position] {
        // Only the unsettled tail can be open; a year's backtest holds tens of thousands settled before it.
        positions.withUnsafeBufferPointer { buffer in
            unsettledPositions.filter { buffer[$0].phase.isOpen }.map { buffer[$0] }
        }
    }

    /// The last price time of the newest position in `instrument`, read in place (no position is copied).
    ///
    /// Found through `newestPositions`, brought up to date first: the entry guard asks on every entry, and a
    /// scan back through a year's backtest read tens of thousands of positions in other contracts. Debug
    /// builds check the answer against that scan.
    public mutating func lastPriceTime(ofNewestPositionIn instrument: InstrumentKey) -> Timestamp? {
        newestPositions.value.catchUp(with: positions)
        let time = newestPositions.value.newest[instrument].map { index in
            positions.withUnsafeBufferPointer { $0[index].lastPriceTime }
        }
        assert(time == scannedLastPriceTime(ofNewestPositionIn: instrument), "newest position index is stale")
        return time ?? nil
    }

    /// `lastPriceTime(ofNewestPositionIn:)` by reading back from the newest position.
    func scannedLastPriceTime(ofNewestPositionIn instrument: InstrumentKey) -> Timestamp?? {
        positions.withUnsafeBufferPointer { buffer in
            for index in buffer.indices.reversed() where buffer[index].instrument == instrument {
                return .some(buffer[index].lastPriceTime)
            }
            return nil
        }
    }

    /// The trading day's realized + unrealized − charges, over the positions opened that day.
    ///
    /// Read through a buffer pointer, like the accessors below: a `Position` holds strings and arrays, and
    /// the array's getter would copy (and retain) every one of them on every tick and timer.
    public var dayNetPnL: Paise {
        guard let date = dayRisk?.date ?? session?.tradingDate else { return .zero }
        return positions.withUnsafeBufferPointer { buffer in
            var total = Paise.zero
            if positionDatesAscending {
                // The day's positions are a run at the end (before any later-dated ones).
                for index in buffer.indices.reversed() {
                    let positionDate = buffer[index].tradingDate
                    if positionDate < date { break }
                    if positionDate == date { total = total + buffer[index].netPnL }
                }
            } else {
                for index in buffer.indices where buffer[index].tradingDate == date {
                    total = total + buffer[index].netPnL
                }
            }
            return total
        }
    }

    /// `dayNetPnL`, adding up only the positions not yet settled when the settled part of the day is known.
    ///
    /// The day check reads the day's PnL on every tick and timer; a backtest's day holds a hundred and more
    /// positions, nearly all settled. Debug builds check the result against `dayNetPnL`.
    public mutating func dayNetPnLReusingSettled() -> Paise {
        guard positionDatesAscending, let date = dayRisk?.date ?? session?.tradingDate else { return dayNetPnL }
        var cache = settledDayNet.value
        let settled = settledPositions
        let total: Paise = positions.withUnsafeBufferPointer { buffer in
            if cache.date != date || cache.through > settled {
                // From the first of the day's positions (dates ascend, so they are a run before the settled end).
                var start = min(settled, buffer.count)
                while start > 0 && buffer[start - 1].tradingDate >= date { start -= 1 }
                cache = SettledDayNet()
                cache.date = date
                cache.through = start
            }
            for index in cache.through..<settled where buffer[index].tradingDate == date {
                cache.sum = cache.sum + buffer[index].netPnL
            }
            cache.through = settled
            var total = cache.sum
            for index in settled..<buffer.count where buffer[index].tradingDate == date {
                total = total + buffer[index].netPnL
            }
            return total
        }
        settledDayNet.value = cache
        assert(total == dayNetPnL, "settled day PnL cache \(total) differs from \(dayNetPnL)")
        return total
    }

    /// How many positions had their entry (or part of it) filled: the trades, counted in place.
    public var filledPositionCount: Int {
        positions.withUnsafeBufferPointer { buffer in
            var count = 0
            for index in buffer.indices where buffer[index].entryFilled > 0 { count += 1 }
            return count
        }
    }

    /// Positions that may still change: everything after the settled prefix.
    public var unsettledPositions: Range<Int> { settledPositions..<positions.count }

    /// Appends a new position, keeping `positionDatesAscending`.
    public mutating func appendPosition(_ position: Position) {
        if let last = positions.withUnsafeBufferPointer({ $0.last?.tradingDate }), position.tradingDate < last {
            positionDatesAscending = false
        }
        positions.append(position)
    }

    /// Moves the settled prefix past positions that have settled.
    public mutating func advanceSettledPositions() {
        while settledPositions < positions.count && phase(ofPosition: settledPositions).isSettled {
            settledPositions += 1
        }
    }

    /// The phase of the position at `index`, read without copying the position.
    @inline(__always)
    public func phase(ofPosition index: Int) -> PositionPhase {
        positions.withUnsafeBufferPointer { $0[index].phase }
    }

    /// The instrument of the position at `index`, read without copying the position.
    @inline(__always)
    public func instrument(ofPosition index: Int) -> InstrumentKey {
        positions.withUnsafeBufferPointer { $0[index].instrument }
    }

    /// A value read from the position at `index` without copying the whole position (the timer's checks
    /// look at one or two fields of every open position every second).
    ///
    /// `read` gets a pointer, valid only during the call, and reads fields through `pointee`. Handed the
    /// `Position` itself, a closure the compiler did not inline received a copy: hundreds of bytes and a
    /// retain of every string in it, on every tick and timer.
    @inline(__always)
    func peek<T>(position index: Int, _ read: (UnsafePointer<Position>) -> T) -> T {
        positions.withUnsafeBufferPointer { read($0.baseAddress! + index) }
    }

    /// The position of `key`'s index state.
    ///
    /// Loops over positions rather than elements: `firstIndex(where:)` hands the closure a copy of each
    /// `IndexState`, which retains every array in it, on every tick.
    public func indexPosition(_ key: String) -> Int? {
        for position in indices.indices where indices[position].key == key { return position }
        return nil
    }

    /// The position of the index state that streams `instrument`.
    public func indexPosition(of instrument: InstrumentKey) -> Int? {
        Self.indexPosition(of: instrument, in: indices)
    }

    /// The position in `indices` of the index state that streams `instrument`.
    ///
    /// For the per-tick path: a reducer holding `inout EngineState` that calls the method above gets a
    /// bitwise copy of the whole state (over a kilobyte) made to call it; handing over only the array does not.
    @inline(__always)
    static func indexPosition(of instrument: InstrumentKey, in indices: [IndexState]) -> Int? {
        indices.withUnsafeBufferPointer { buffer in
            for position in buffer.indices where buffer[position].instrument == instrument { return position }
            return nil
        }
    }
}

/// A contract that may not be entered again before `until`.
public struct Cooldown: Sendable, Equatable, Codable {
    public var instrument: InstrumentKey
    public var until: Timestamp
    /// The index and side the closed position traded (0.4.3 on: the cooldown holds for the whole side).
    public var index: String?
    public var direction: SignalDirection?

    public init(instrument: InstrumentKey, until: Timestamp, index: String? = nil, direction: SignalDirection? = nil) {
        self.instrument = instrument
        self.until = until
        self.index = index
        self.direction = direction
    }
}

/// The running session.
public struct SessionInfo: Sendable, Equatable, Codable {
    public var tradingDate: CivilDate
    public var mode: TradingMode
    public var configHash: String
    public var startedSeq: UInt64

    public init(tradingDate: CivilDate, mode: TradingMode, configHash: String, startedSeq: UInt64) {
        self.tradingDate = tradingDate
        self.mode = mode
        self.configHash = configHash
        self.startedSeq = startedSeq
    }
}

/// The last funds snapshot and when it arrived.
public struct FundsRecord: Sendable, Equatable, Codable {
    public var snapshot: FundsSnapshot
    public var time: Timestamp

    public init(snapshot: FundsSnapshot, time: Timestamp) {
        self.snapshot = snapshot
        self.time = time
    }
}

/// A watchlist entry: an instrument to stream, with a label and an active switch.
public struct WatchItem: Sendable, Equatable, Codable {
    /// What kind of instrument it is (decides the feed mode).
    public enum Kind: String, Sendable, Equatable, Codable {
        case index, option
    }

    public var instrument: InstrumentKey
    public var kind: Kind
    public var label: String
    public var active: Bool

    public init(instrument: InstrumentKey, kind: Kind, label: String, active: Bool) {
        self.instrument = instrument
        self.kind = kind
        self.label = label
        self.active = active
    }
}

/// One instrument the feed streams, and in which mode.
public struct Subscription: Sendable, Equatable, Codable {
    public var instrument: InstrumentKey
    public var mode: FeedMode

    public init(instrument: InstrumentKey, mode: FeedMode) {
        self.instrument = instrument
        self.mode = mode
    }
}

/// Per-index market data, indicators, signal and strike-selection state.
public struct IndexState: Sendable, Equatable, Codable {
    public var key: String
    public var instrument: InstrumentKey
    public var lastPrice: Paise?
    public var lastPriceTime: Timestamp?
    public var minuteBars: CandleAggregator
    public var resampler: CandleResampler
    public var primary: TrendIndicators
    public var confirmation: TrendIndicators
    /// Recent primary closes (newest last) and 4-bar moves, for the IV-rank price proxy.
    public var recentCloses: [Paise] = []
    public var fourBarMoves: [Double] = []
    /// ATM implied volatilities seen in option chains, oldest first.
    public var atmIVs: [Double] = []
    public var signal: SignalRecord?
    public var scale: ScaleState?
    public var selection: Selection = .idle
    public var expiryList: ExpiryList?
    public var expiryListTime: Timestamp?
    public var lastChainRequest: Timestamp?

    public init(config: IndexConfig, signals: SignalConfig) {
        key = config.key
        instrument = config.instrument
        minuteBars = CandleAggregator(intervalMinutes: signals.primaryMinutes)
        resampler = CandleResampler(fromMinutes: signals.primaryMinutes, toMinutes: signals.confirmationMinutes)
        primary = TrendIndicators(config: signals)
        confirmation = TrendIndicators(config: signals)
    }
}

/// Repeated same-side signals raise the size multiplier.
public struct ScaleState: Sendable, Equatable, Codable {
    public var direction: SignalDirection
    public var multiplier: Int
    public var time: Timestamp

    public init(direction: SignalDirection, multiplier: Int, time: Timestamp) {
        self.direction = direction
        self.multiplier = multiplier
        self.time = time
    }
}

/// Where strike selection for an index stands.
public enum Selection: Sendable, Equatable, Codable {
    case idle
    /// Waiting for the broker's expiry list (asked by the command caused by `signalSeq`).
    case awaitingExpiryList(signalSeq: UInt64, direction: SignalDirection)
    /// Waiting for the chain of `expiry`; `requested` is false while the 3-second limit holds it back.
    case awaitingChain(signalSeq: UInt64, direction: SignalDirection, expiry: CivilDate, requested: Bool)
    /// A contract was chosen and sized (or why not), ready for the entry guard.
    ///
    /// Boxed: the proposal is over 400 bytes, and the entry guard reads the selection on every index tick;
    /// in place, each read copied all of it.
    indirect case decided(EntryProposal)
}

/// The outcome of a signal's strike selection and sizing: what the entry guard will consider.
public struct EntryProposal: Sendable, Equatable, Codable {
    public var signalSeq: UInt64
    public var chainSeq: UInt64
    public var direction: SignalDirection
    public var expiry: CivilDate
    public var selection: StrikeSelection
    public var lotSize: Int64
    public var scaleMultiplier: Int
    public var sizing: SizingDecision?
    /// Why no entry should follow (no contract, no funds, zero lots), nil when it can.
    public var noTradeReason: String?
    /// When the chain behind this proposal arrived (the chosen option's quote time).
    public var chainTime: Timestamp?
    /// The entry guard's verdict: nil until it ran.
    public var guardResult: EntryVerdict?
    /// True while the guard waits for a fresh index quote (the last-quote sanity check).
    public var awaitingQuote = false

    public init(
        signalSeq: UInt64, chainSeq: UInt64, direction: SignalDirection, expiry: CivilDate, selection: StrikeSelection,
        lotSize: Int64, scaleMultiplier: Int, sizing: SizingDecision?, noTradeReason: String?,
        chainTime: Timestamp? = nil,
        guardResult: EntryVerdict? = nil, awaitingQuote: Bool = false
    ) {
        self.chainTime = chainTime
        self.guardResult = guardResult
        self.awaitingQuote = awaitingQuote
        self.signalSeq = signalSeq
        self.chainSeq = chainSeq
        self.direction = direction
        self.expiry = expiry
        self.selection = selection
        self.lotSize = lotSize
        self.scaleMultiplier = scaleMultiplier
        self.sizing = sizing
        self.noTradeReason = noTradeReason
    }
}
