import Dhan
import DhanClient
import Domain
import Engine
import Foundation
import Journal
import Logging
import Recovery
import Synchronization

/// The live (or paper) trading process: the pure engine wired to the journal, the broker and the clock.
///
/// Inputs (feed ticks, order alerts, REST answers, timers, operator commands) all go through one
/// `Sequencer`; commands reach the effect handlers only after they are durable. On start it replays the
/// journal, journals any commands a crash left unjournaled, and reconciles in-flight orders with the broker
/// by correlation id, so no intent is ever sent twice.
public final class TradingRuntime: Sendable {
    /// Everything `scalper run` decides before the loop starts.
    public struct Options: Sendable {
        public var journalPath: String
        public var mode: TradingMode
        public var configFiles: [ConfigFile]
        public var config: AlgoConfig
        public var endpoints: DhanEndpoints
        public var credentials: DhanCredentials
        public var durability: Durability = .durable
        /// Stop on its own once the clock reaches this IST second of the day (nil: run until stopped, day
        /// after day).
        public var stopAtSecondOfDay: Int?
        /// The IST second of the day each trading day's start-up begins (`session_started`, contracts,
        /// reconciliation): 09:00 by default, before the 09:15 open.
        public var dayStartSecondOfDay = 9 * 3600
        /// No index tick for this many clock seconds in market hours marks the feed stale.
        public var feedStaleSeconds: Int64 = 10
        public var reconnect = ReconnectPolicy()
        public var engineVersion = Engine.build
        /// Save a state snapshot after this many events (0: never), and at shutdown, so that a restart folds
        /// only the journal's tail.
        public var snapshotEvery = 20_000
        /// Start from the newest matching snapshot (off: fold the whole journal).
        public var useSnapshots = true
        /// Where the day's scrip master is cached (nil: `scrip-master` beside the journal).
        public var masterDirectory: String?
        /// Injected journal append failures (tests of a full disk; never set by `scalper run`).
        public var journalFaults: JournalFaults?
        /// The network, feed and executor to use instead of the real ones (the virtual-time harness).
        public var ports = RuntimePorts()
        /// Where alerts go (nil: nowhere), and how long the feed stays stale before one says it is down.
        public var alerts: AlertDispatcher?
        public var feedDownAfterSeconds: Int64 = 60

        public init(
            journalPath: String, mode: TradingMode, configFiles: [ConfigFile], config: AlgoConfig,
            endpoints: DhanEndpoints, credentials: DhanCredentials
        ) {
            self.journalPath = journalPath
            self.mode = mode
            self.configFiles = configFiles
            self.config = config
            self.endpoints = endpoints
            self.credentials = credentials
        }
    }

    /// What the status API shows besides the engine state.
    public struct Health: Sendable {
        public var feed: ConnectionState = .connecting
        public var orderStream: ConnectionState = .connecting
        public var lastIndexTick: Timestamp?
        /// The clock's elapsed time at the last index tick: staleness needs both market time and this to pass,
        /// so an accelerated clock does not call a healthy feed stale between two packets.
        public var lastIndexTickWall: Duration?
        public var feedStale = false
        public var authExpired = false
        public var reconciliation: ReconciliationResult?
        public var recoveredRecords: UInt64 = 0
        /// The snapshot start-up resumed from (its seq), and the records folded after it.
        public var resumedFromSeq: UInt64?
        public var foldedRecords: UInt64 = 0
        /// How long rebuilding the state took.
        public var rebuildMilliseconds = 0.0
        public var stopping = false
        public var journalHealthy = true
        public var journalError: String?
        /// Day net PnL sampled once a clock minute, for the intraday MTM chart.
        public var mtm: [(time: Timestamp, pnl: Paise)] = []
    }

    public let options: Options
    public let sequencer: Sequencer
    /// swift-metrics counters, gauges and the commit-latency histogram, in Prometheus form on `/metrics`.
    public let metrics = RuntimeMetrics()
    public let clock: any RuntimeClock
    /// When the journal was opened, on `RuntimePorts.stopwatch`: start-up is measured from here.
    private let openedAt: Duration
    let rest: DhanRESTClient
    /// The access token all connections use.
    let tokens: DhanTokenStore
    /// When the token was last renewed or generated, or last failed to be, on the clock (`TokenRenewal`).
    let tokenRenewal = Mutex(TokenRenewal())
    /// The session's trading date and whether the next day's start-up is under way (`TradingDays`).
    let tradingDays = Mutex(TradingDays())
    /// Alerts the runtime raises itself (token renewal), beside those read off each fold.
    let alertObserver: AlertObserver
    /// The last records worth a glance, for the dashboard.
    let recentEvents: RecentEvents
    let feed: any MarketDataPort
    let orderUpdates: (any OrderStreamPort)?
    let gateway: any OrderGateway
    let health = Mutex(Health())
    private let translator = Mutex(OrderAlertTranslator())
    /// Effect and pump tasks still running, by spawn number; each removes itself when done, so a process
    /// that places orders for weeks does not keep every finished task.
    private let tasks = Mutex(Tasks())

    /// The runtime's spawned tasks, and whether the process was abandoned (no task is spawned after).
    private struct Tasks {
        var next = 0
        var running: [Int: Task<Void, Never>] = [:]
        var abandoned = false
    }
    private let inFlightRequests = Mutex<Set<DataRequest>>([])
    /// Feed ticks folded but not yet durable, in seq order (a burst at a time), for the task that releases
    /// their commands.
    private let folded = AsyncInbox<[Sequencer.Folded]>()
    private let finished = Mutex(false)
    /// Finished by `stop()`; `run()` waits on it (no polling).
    private let stopSignal: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    let logger: Logger
    private let journal: Journal

    /// Opens the journal, rebuilds the state from it, and prepares the broker connections (not yet opened).
    public init(options: Options, clock: any RuntimeClock, logger: Logger) throws {
        self.options = options
        self.clock = clock
        self.logger = logger
        stopSignal = AsyncStream.makeStream(of: Void.self)
        let journal = try Journal.openForWriting(
            at: options.journalPath,
            options: JournalOptions(durability: options.durability, faults: options.journalFaults),
            logger: logger)
        self.journal = journal
        let stopwatch = options.ports.stopwatch
        let started = stopwatch.elapsed()
        openedAt = started
        let snapshots = SnapshotStore(journalPath: options.journalPath)
        let outcome: ReplayOutcome
        do {
            outcome = try Self.rebuild(journal, snapshots: options.useSnapshots ? snapshots : nil, logger: logger)
        } catch {
            journal.close()
            throw error
        }
        let rebuild = (stopwatch.elapsed() - started).milliseconds
        logger.notice(
            "state rebuilt from the journal",
            metadata: [
                "seq": "\(outcome.lastSeq)", "snapshot_seq": "\(outcome.resumedFromSeq.map(String.init) ?? "none")",
                "folded_records": "\(outcome.foldedRecords)", "ms": "\(rebuild)",
            ])
        // Alerts watch every fold, primed with what the journal already holds so a restart repeats nothing; the
        // day's summary is logged at the close whether or not alerts go anywhere.
        let alertObserver = AlertObserver(
            watcher: AlertWatcher(
                primedWith: outcome.state, at: outcome.state.now, feedDownAfterSeconds: options.feedDownAfterSeconds),
            dispatcher: options.alerts, logger: logger)
        self.alertObserver = alertObserver
        let recentEvents = RecentEvents()
        self.recentEvents = recentEvents
        let observers: [any FoldObserver] = [options.ports.foldObserver, alertObserver, recentEvents].compactMap { $0 }
        sequencer = Sequencer(
            journal: journal, state: outcome.state, logger: logger, metrics: metrics,
            snapshots: options.snapshotEvery > 0
                ? SnapshotWriter(store: snapshots, logger: logger, stopwatch: stopwatch) : nil,
            snapshotEvery: options.snapshotEvery, recovered: (outcome.events, outcome.commands),
            inlineCommits: options.ports.inlineCommits,
            observer: observers.count > 1 ? FoldObservers(observers: observers) : observers.first,
            stopwatch: stopwatch)
        health.withLock {
            $0.resumedFromSeq = outcome.resumedFromSeq
            $0.foldedRecords = outcome.foldedRecords
            $0.rebuildMilliseconds = rebuild
        }
        // One token for every connection, renewed in place before it expires (`startTokenRenewal`).
        let tokens = DhanTokenStore(options.credentials)
        self.tokens = tokens
        rest = DhanRESTClient(
            endpoints: options.endpoints, credentials: options.credentials, limiter: RateLimiter(clock: clock),
            transport: options.ports.transport, logger: logger, tokens: tokens)
        feed =
            options.ports.feed
            ?? MarketFeedClient(
                endpoints: options.endpoints, credentials: options.credentials, policy: options.reconnect,
                logger: logger, tokens: tokens)
        if options.mode == .live {
            orderUpdates =
                options.ports.orderStream
                ?? OrderUpdateClient(
                    endpoints: options.endpoints, credentials: options.credentials, policy: options.reconnect,
                    logger: logger, tokens: tokens)
            gateway = DhanOrderGateway(client: rest, logger: logger, clock: clock)
        } else {
            orderUpdates = nil
            let config = options.config
            let rest = rest
            gateway = PaperBroker(
                settings: config.paper, charges: config.charges,
                exchangeOf: { $0.segment == .bseFNO ? .bse : .nse },
                quoteSource: { instrument in
                    guard let quote = try? await rest.quotes([instrument])[instrument],
                        let last = try? Paise(price: quote.lastPrice, field: "last_price"),
                        let bid = try? Paise(price: quote.depth.buy.first?.price ?? 0, field: "bid"),
                        let ask = try? Paise(price: quote.depth.sell.first?.price ?? 0, field: "ask")
                    else { return nil }
                    return Tick(instrument: instrument, lastPrice: last, lastTradeTime: 0, bestBid: bid, bestAsk: ask)
                })
        }
        recovered = outcome
        tradingDays.withLock { $0.current = outcome.state.session?.tradingDate }
        // Fills already journaled, per broker order: the order stream's cumulative quantities are measured
        // against these, so an alert seen again after a restart never becomes a second fill.
        let fills = try JournalReplayer.fills(in: journal.reader)
        translator.withLock { $0 = RestartReconciliation.translator(resumingAfter: fills) }
    }

    private let recovered: ReplayOutcome

    /// Folds the journal, from the newest snapshot that fits it when there is one.
    ///
    /// A snapshot whose tail
    /// does not replay cleanly is dropped for a fold from the first record; only that fold can fail.
    static func rebuild(_ journal: Journal, snapshots: SnapshotStore?, logger: Logger) throws -> ReplayOutcome {
        if let snapshots {
            let selection = snapshots.latest(for: journal.reader)
            for reason in selection.rejected {
                logger.warning("state snapshot passed over", metadata: ["reason": "\(reason)"])
            }
            if let snapshot = selection.snapshot {
                let outcome = try JournalReplayer.replay(journal.reader, from: snapshot)
                if outcome.divergence == nil { return outcome }
                logger.warning(
                    "the journal's tail does not replay from the snapshot; folding from the first record",
                    metadata: ["snapshot_seq": "\(snapshot.seq)"])
            }
        }
        let outcome = try JournalReplayer.replay(journal.reader)
        if let divergence = outcome.divergence { throw ReplayFailure(divergence: divergence) }
        return outcome
    }

    // MARK: - Running

    /// Runs until `stop()`, a signal handler calls it, or the clock reaches `stopAtSecondOfDay`.
    public func run() async throws {
        health.withLock { $0.recoveredRecords = recovered.records }
        options.alerts?.start(on: options.ports.taskExecutor)
        await generateTokenIfMissing()
        if !recovered.unjournaled.isEmpty {
            try await sequencer.journalRecovered(recovered.unjournaled)
            logger.notice(
                "journaled commands a crash left behind", metadata: ["count": "\(recovered.unjournaled.count)"])
        }
        if options.snapshotEvery > 0 && recovered.foldedRecords >= UInt64(options.snapshotEvery) {
            await sequencer.snapshot()
        }
        feed.start()
        orderUpdates?.start()
        spawn { await self.releaseFolded() }
        spawn { await self.pumpFeed() }
        if let orderUpdates { spawn { await self.pumpOrders(orderUpdates) } }

        if recovered.records == 0 {
            let now = await clock.now()
            let started = SessionStarted(
                engineVersion: options.engineVersion, mode: options.mode, tradingDate: now.istDate,
                configFiles: options.configFiles)
            try await submit(.sessionStarted(started))
            tradingDays.withLock { $0.current = now.istDate }
            try await journalContracts(day: now.istDate)
        } else {
            // Subscriptions are per connection: ask again for what the state holds.
            let state = await sequencer.state
            for subscription in state.subscriptions {
                await feed.subscribe([subscription.instrument], mode: subscription.mode)
            }
            for item in recovered.unjournaled { await perform(item.command) }
            // The clock runs while the broker is asked: a reconciliation held up for minutes (a 429 storm on
            // the order book and positions reads) must not hold up the order watch and its escalation, the
            // exits on time, the feed-stale check or `--until` with it.
            spawn { await self.timers() }
            try await reconcile()
        }
        // Start-up as an operator waits for it: the journal folded, the broker reconciled (or the session
        // opened), the feed asked for again.
        let readySeq = await sequencer.lastSeq
        logger.notice(
            "trading",
            metadata: [
                "seq": "\(readySeq)",
                "startup_ms": "\((options.ports.stopwatch.elapsed() - openedAt).milliseconds)",
            ])
        if recovered.records == 0 { spawn { await self.timers() } }
        for await _ in stopSignal.stream {}
        // A killed process does no shutdown: nothing is flushed, closed or written for it.
        if tasks.withLock({ $0.abandoned }) { return }
        await settleBeforeStopping()
        await shutdown()
    }

    /// Journals the instrument master's contracts for every configured index at the start of a session.
    ///
    /// Strikes are then checked against real contracts and sized with their lot (the configuration's lot
    /// sizes are only a fallback, and a wrong lot gets every order refused). Without a master the engine trades on
    /// the fallback, and the log says so.
    func journalContracts(day: CivilDate) async throws {
        let underlyings = Set(options.config.indices.map(\.key))
        let directory =
            options.masterDirectory
            ?? ((options.journalPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
                "scrip-master")
        let master: InstrumentMaster
        do {
            let loaded = try await InstrumentMasterStore.load(
                day: day, directory: directory, underlyings: underlyings, client: rest)
            master = loaded.master
            logger.notice(
                "instrument master loaded",
                metadata: ["options": "\(master.optionCount)", "cached": "\(loaded.fromCache)"])
        } catch {
            logger.error(
                "instrument master unavailable: sizing with the configured lot sizes",
                metadata: ["error": "\(error)"])
            return
        }
        for underlying in underlyings.sorted() {
            let list = master.contracts(of: underlying)
            if !list.contracts.isEmpty { try await submit(.contracts(list)) }
        }
    }

    /// The simulation's stand-in for SIGKILL (`VirtualRuntime.kill`): the journal closes as the kernel closes
    /// a killed process's files, and every task is told to end without acting.
    ///
    /// Nothing of this runtime may touch the journal, a snapshot or the broker again: the sequencer refuses
    /// input, no task is spawned, `run()` returns without its shutdown, and the tasks it had are cancelled so
    /// they unwind (the caller runs them to their end, with their ports already severed, so the process's
    /// memory is freed as the kernel would free it). Everything acknowledged is already durable; a restart
    /// folds it.
    public func abandon() {
        journal.closeAbruptly()
        sequencer.abandon()
        let running = tasks.withLock { tasks in
            tasks.abandoned = true
            return Array(tasks.running.values)
        }
        for task in running { task.cancel() }
        folded.finish()
        stopSignal.continuation.finish()
    }

    /// Asks the loop to stop; `run()` returns once sockets are closed and the journal is flushed.
    public func stop() {
        finished.withLock { $0 = true }
        stopSignal.continuation.finish()
    }

    private func spawn(_ body: @escaping @Sendable () async -> Void) {
        // Registered under the lock before the task can finish and remove itself.
        tasks.withLock { tasks in
            guard !tasks.abandoned else { return }
            tasks.next += 1
            let number = tasks.next
            tasks.running[number] = startTask(on: options.ports.taskExecutor) {
                await body()
                _ = self.tasks.withLock { $0.running.removeValue(forKey: number) }
            }
        }
    }

    /// Tasks spawned and not yet finished (for tests and the status page).
    var runningTasks: Int { tasks.withLock { $0.running.count } }

    /// Before a planned stop, cancels the entries still working at the broker and waits a little for every
    /// order in flight to be answered, so nothing fills after the process that would watch it has gone.
    ///
    /// Open positions stay open (their broker legs protect them; the next start manages them again). An
    /// entry the broker has not acknowledged yet is cancelled once it is; the wait ends when no order is in
    /// flight or after `stopSettleSeconds` clock seconds, and what is still in flight then is logged (the
    /// next start's reconciliation looks it up).
    private func settleBeforeStopping() async {
        guard health.withLock({ $0.journalHealthy }) else { return }
        let deadline = clock.elapsed() + clock.secondDuration * Self.stopSettleSeconds
        var state = await sequencer.state
        while true {
            if state.workingEntriesToCancel > 0 { await post(.operatorCommand(.stopping)) }
            state = await sequencer.state
            if state.ordersInFlight.isEmpty || clock.elapsed() >= deadline { break }
            try? await clock.sleep(for: clock.secondDuration / 4)
            state = await sequencer.state
        }
        let left = state.ordersInFlight
        if !left.isEmpty {
            let seq = await sequencer.lastSeq
            logger.warning(
                "stopping with orders in flight: the next start looks them up",
                metadata: ["orders": "\(left)", "seq": "\(seq)"])
        }
    }

    /// Clock seconds a planned stop waits for the orders in flight to be answered.
    static let stopSettleSeconds = 15

    private func shutdown() async {
        health.withLock { $0.stopping = true }
        await sequencer.close()
        folded.finish()
        for task in tasks.withLock({ Array($0.running.values) }) { task.cancel() }
        await feed.stop()
        await orderUpdates?.stop()
        try? await rest.shutdown()
        // Every input already folded reaches the journal before the last snapshot and the exit.
        await sequencer.finish()
        await sequencer.snapshot(waiting: true)
        let state = await sequencer.state
        let open = state.openPositions
        let lastSeq = await sequencer.lastSeq
        logger.notice(
            "stopped",
            metadata: [
                "seq": "\(lastSeq)", "open_positions": "\(open.count)",
                "positions": "\(open.map { "\($0.instrument) \($0.quantity) @ \($0.entryAverage)" })",
            ])
        journal.close()
        // The last alerts (a kill switch, the day's summary) get a few seconds to go out; no longer.
        await options.alerts?.finish(within: .seconds(5))
    }

    /// Journals an input, folds it, journals the commands, then lets the handlers act on them.
    @discardableResult
    nonisolated(nonsending) func submit(_ event: Event) async throws -> Sequencer.Submission {
        let time = await clock.now()
        do {
            let submission = try await sequencer.submit(event, at: time)
            for command in submission.commands { await perform(command) }
            return submission
        } catch let error as SequencerClosed {
            throw error
        } catch {
            journalFailed(error)
            throw error
        }
    }

    /// Submits and logs instead of throwing (for pumps and handlers).
    nonisolated(nonsending) func post(_ event: Event) async {
        _ = try? await submit(event)
    }

    /// Folds feed inputs that arrived together without waiting for the disk, so the next ones fold (and share
    /// the commit) while these are written; `releaseFolded` acts on their commands, in order, once they are
    /// durable.
    private nonisolated(nonsending) func postFromFeed(_ events: [Event], readAt: Timestamp? = nil) async {
        guard !events.isEmpty else { return }
        let time: Timestamp
        if let readAt { time = readAt } else { time = await clock.now() }
        let (burst, error) = await sequencer.fold(events, at: time)
        if !burst.isEmpty { folded.send(burst) }
        if let error, !(error is SequencerClosed) { journalFailed(error) }
    }

    /// Releases folded feed inputs' commands once their batch is durable, in the order they were folded.
    private func releaseFolded() async {
        for await burst in folded {
            for result in await sequencer.durable(burst) {
                switch result {
                case .success(let submission):
                    for command in submission.commands { await perform(command) }
                case .failure(let error):
                    if !(error is SequencerClosed) { journalFailed(error) }
                }
            }
        }
    }

    /// The journal refused a write: nothing is decided or acted on until it accepts writes again.
    ///
    /// The timer retries every second; open positions keep their broker-side legs; `/readyz` says why.
    private func journalFailed(_ error: any Error) {
        let first = health.withLock { health in
            defer {
                health.journalHealthy = false
                health.journalError = "\(error)"
            }
            return health.journalHealthy
        }
        if first {
            logger.critical(
                "JOURNAL CANNOT BE WRITTEN: no entries, no actions until it can; open positions keep their broker legs",
                metadata: ["error": "\(error)"])
        }
    }

    /// Once a second while the journal refuses writes: tries the held inputs and this second's timer again.
    private func retryJournal(at now: Timestamp) async {
        let retried = await sequencer.retryJournal(probe: .timer(TimerFired(kind: .second)), at: now)
        if await sequencer.journalProblem == nil {
            health.withLock {
                $0.journalHealthy = true
                $0.journalError = nil
            }
            logger.notice("journal writable again: trading resumes", metadata: ["inputs": "\(retried?.count ?? 0)"])
        }
        guard let submissions = retried else {
            // The sequencer was not degraded (an input failed and the next one succeeded): an ordinary second.
            await post(.timer(TimerFired(kind: .second)))
            return
        }
        for submission in submissions {
            for command in submission.commands { await perform(command) }
        }
    }

    // MARK: - Effects

    /// Runs one durable command.
    ///
    /// Order and data effects run concurrently; their outcomes come back as events.
    func perform(_ command: Command) async {
        switch command {
        case .subscribe(let subscription):
            await feed.subscribe(subscription.instruments, mode: subscription.mode)
        case .unsubscribe(let subscription):
            await feed.unsubscribe(subscription.instruments)
        case .placeOrder(let intent):
            spawn {
                let time = await self.clock.now()
                for event in await self.gateway.place(intent, at: time) { await self.post(event) }
            }
        case .cancelOrder(let cancellation):
            spawn { for event in await self.gateway.cancel(cancellation) { await self.post(event) } }
        case .modifyOrder(let modification):
            spawn { for event in await self.gateway.modify(modification) { await self.post(event) } }
        case .fetchData(let request):
            // A request already on its way is not queued again: the answer will serve both, and a queue of
            // stale duplicates would push fresh requests past the rate limits.
            // Keyed by the request itself: its text (`fields` interpolated) went through reflection, a
            // fiftieth of a simulated day.
            let fresh = inFlightRequests.withLock { $0.insert(request).inserted }
            guard fresh else { return }
            spawn {
                await self.fetch(request)
                _ = self.inFlightRequests.withLock { $0.remove(request) }
            }
        }
    }

    private func fetch(_ request: DataRequest) async {
        do {
            switch request {
            case .quote(let keys):
                let prices = try await rest.lastPrices(keys)
                let now = await clock.now()
                for key in keys.sorted() {
                    guard let price = prices[key] else { continue }
                    await post(.tick(Tick(instrument: key, lastPrice: price, lastTradeTime: now.epochSeconds)))
                }
            case .optionChain(let underlying, let expiry):
                await post(.optionChain(try await rest.optionChain(underlying: underlying, expiry: expiry)))
            case .expiryList(let underlying):
                let expiries = try await rest.expiryList(underlying: underlying)
                await post(.expiryList(ExpiryList(underlying: underlying, expiries: expiries)))
            case .funds:
                if let paper = gateway as? PaperBroker {
                    let balance = paper.balance
                    await post(
                        .funds(FundsSnapshot(available: balance, startOfDayLimit: options.config.paper.startingBalance))
                    )
                } else {
                    let limit = try await rest.fundLimit()
                    await post(
                        .funds(
                            FundsSnapshot(
                                available: try Paise(amount: limit.availabelBalance, field: "availabelBalance"),
                                startOfDayLimit: try Paise(amount: limit.sodLimit, field: "sodLimit"))))
                }
            case .positions:
                await post(.positions(try await brokerPositions()))
            case .history(let instrument, let interval, let from, let to):
                let candles = try await rest.intradayCandles(
                    instrument, instrumentType: instrument.segment == .indexValue ? "INDEX" : "OPTIDX",
                    interval: Int(interval), from: "\(from) 09:15:00", to: "\(to) 15:30:00")
                let now = await clock.now()
                // Only completed bars: the one still forming comes from the feed.
                let complete = candles.filter { $0.start + Int64(interval) * 60 <= now.epochSeconds }
                await post(
                    .candleBatch(
                        CandleBatch(
                            instrument: instrument, intervalMinutes: interval, source: .history, candles: complete)))
            case .orderByCorrelation(let id):
                // The broker's book for an intent the engine has not heard of for a while: the parent's id and
                // status, and any fill, cancellation or rejection a lost alert would have carried, the legs'
                // included (counted once, like the stream's).
                let book = try await rest.orders()
                for event in translator.withLock({ OrderBookLookup.events(for: id, book: book, translator: &$0) }) {
                    await post(event)
                }
            }
        } catch let error as DhanError {
            if case .authExpired = error { await authExpired(error.description) }
            logger.warning("data request failed", metadata: ["request": "\(request.fields)", "error": "\(error)"])
        } catch {
            logger.warning("data request failed", metadata: ["error": "\(error)"])
        }
    }

    private func brokerPositions() async throws -> PositionsSnapshot {
        var out: [BrokerPosition] = []
        for record in try await rest.positions() {
            if let position = try record.brokerPosition() { out.append(position) }
        }
        return PositionsSnapshot(positions: out.sorted { $0.instrument < $1.instrument })
    }

    /// The broker refused the current token (REST answers after the client's retry with any newer token, feed
    /// refusals on a connection logged in with it): trading pauses until a token works again.
    private func authExpired(_ detail: String) async {
        let first = health.withLock { health in
            defer { health.authExpired = true }
            return !health.authExpired
        }
        guard first else { return }
        logger.critical("ACCESS TOKEN REJECTED (DH-901): trading paused until a new token is supplied")
        await post(.feedStatus(FeedStatus(channel: .marketFeed, state: .authExpired, reasonCode: 807, detail: detail)))
    }

    // MARK: - Pumps

    private func pumpFeed() async {
        for await update in feed.updates {
            switch update {
            case .trade(let trade):
                await pumpTrades(CollectionOfOne(trade))
            case .trades(let trades):
                await pumpTrades(trades)
            case .state(let state):
                health.withLock { $0.feed = state }
                switch state {
                case .connected: await post(.feedStatus(FeedStatus(channel: .marketFeed, state: .connected)))
                case .reconnecting(_, let reason):
                    await post(
                        .feedStatus(FeedStatus(channel: .marketFeed, state: .disconnected, reasonCode: reason ?? 0)))
                default: break
                }
            case .disconnect(let reason, let staleToken):
                guard reason == 807 || reason == 808 || reason == 809 else { break }
                if staleToken {
                    // DhanHQ keeps one token per client: the connection logged in with the token a renewal
                    // replaced is ended, and reconnects with the new one.
                    logger.notice(
                        "feed refused the replaced access token: reconnecting with the new one",
                        metadata: ["reason": "\(reason)"])
                } else {
                    await authExpired("feed disconnect \(reason)")
                }
            case .malformed(let error, let count):
                logger.warning("malformed feed message", metadata: ["error": "\(error)", "count": "\(count)"])
            case .previousClose, .openInterest, .marketStatus:
                break
            }
        }
    }

    /// Turns trade packets into ticks and folds them as one burst; an index tick that ends a stale spell is
    /// preceded by the news that ticks resumed.
    private nonisolated(nonsending) func pumpTrades(_ trades: some Collection<FeedTrade>) async {
        var events: [Event] = []
        events.reserveCapacity(trades.count)
        // One reading of the clock for the burst: its trades arrived together, and each `await` is a switch.
        var now = await clock.now()
        for trade in trades {
            guard let tick = try? trade.tick() else { continue }
            gateway.observe(tick)
            if tick.instrument.segment == .indexValue {
                let wasStale = health.withLock { health in
                    defer {
                        health.lastIndexTick = now
                        health.lastIndexTickWall = clock.elapsed()
                        health.feedStale = false
                    }
                    return health.feedStale
                }
                if wasStale {
                    await postFromFeed(events, readAt: now)
                    events.removeAll()
                    await post(
                        .feedStatus(FeedStatus(channel: .marketFeed, state: .connected, detail: "ticks resumed")))
                    // Time has moved on while that news was folded: what follows reads the clock again.
                    now = await clock.now()
                }
            }
            events.append(.tick(tick))
        }
        await postFromFeed(events, readAt: now)
    }

    private func pumpOrders(_ client: any OrderStreamPort) async {
        for await update in client.updates {
            switch update {
            case .alert(let alert):
                let events = translator.withLock { $0.events(for: alert) }
                for event in events { await post(event) }
            case .state(let state):
                health.withLock { $0.orderStream = state }
            case .malformed(let text, let count):
                logger.warning(
                    "unexpected order-stream message", metadata: ["message": "\(text)", "count": "\(count)"])
            }
        }
    }

    /// A clock second: risk checks between ticks, bar closes, stale-feed detection, the stop time.
    private func timers() async {
        var resync = 0
        // Outside the session the engine hears the clock once a minute (a night of idle seconds is not news).
        var lastTimerMinute: Int64 = -1
        let calendar = options.config.calendar
        let start = options.dayStartSecondOfDay
        // The day's session hours, looked up once a date: each lookup hashes the date into the calendar's tables,
        // and it was asked three times a second.
        var sessionDay: (date: CivilDate, hours: SessionHours?)?
        while !Task.isCancelled && !finished.withLock({ $0 }) {
            try? await clock.sleep(for: clock.secondDuration)
            resync += 1
            if resync % 20 == 0, let simulator = clock as? SimulatorClock { await simulator.resync() }
            let now = await clock.now()
            let today = now.istDate
            if sessionDay?.date != today { sessionDay = (today, calendar.session(on: today)) }
            let hours = sessionDay?.hours
            let second = Int(now.istSecondOfDay)
            if !health.withLock({ $0.journalHealthy }) {
                await retryJournal(at: now)
            } else if TradingDays.ticksEverySecond(atSecondOfDay: second, startSecond: start, hours: hours)
                || now.epochSeconds / 60 != lastTimerMinute
            {
                lastTimerMinute = now.epochSeconds / 60
                await post(.timer(TimerFired(kind: .second)))
            }
            let due = tradingDays.withLock { days -> CivilDate? in
                guard let day = days.dayToStart(at: now, startSecond: start, calendar: calendar) else { return nil }
                days.starting = true
                return day
            }
            if let due { spawn { await self.startDay(due) } }
            let inMarket = hours?.contains(secondOfDay: second) ?? false
            if inMarket {
                let minute = now.epochSeconds / 60
                let sampled = health.withLock { $0.mtm.last.map { $0.time.epochSeconds / 60 == minute } ?? false }
                if !sampled {
                    let pnl = await sequencer.dayNetPnL
                    health.withLock { $0.mtm.append((now, pnl)) }
                }
            }
            let (last, lastWall, stale) = health.withLock { ($0.lastIndexTick, $0.lastIndexTickWall, $0.feedStale) }
            if inMarket, !stale, let last, let lastWall,
                now.epochSeconds - last.epochSeconds > options.feedStaleSeconds,
                clock.elapsed() - lastWall > .seconds(2)
            {
                health.withLock { $0.feedStale = true }
                logger.warning("feed stale: entries blocked until ticks resume", metadata: ["since": "\(last)"])
                await post(
                    .feedStatus(
                        FeedStatus(channel: .marketFeed, state: .stale, detail: "no index tick since \(last.istString)")
                    ))
            }
            if startTokenRenewal(at: now) { spawn { await self.renewToken(at: now) } }
            if let stopAt = options.stopAtSecondOfDay, second >= stopAt { stop() }
        }
    }

    // MARK: - Reconciliation

    /// After a restart, settles every intent whose outcome the journal does not know.
    ///
    /// It asks the broker by correlation id, then compares positions. Nothing is resent blindly.
    func reconcile() async throws {
        let state = await sequencer.state
        var notes: [String] = []
        var clean = true
        if options.mode == .live {
            for id in state.unacknowledgedIntents {
                do {
                    let record = try await rest.order(correlationID: id.value)
                    let (events, note) = translator.withLock {
                        RestartReconciliation.lookupEvents(id, record: record, translator: &$0)
                    }
                    notes.append(note)
                    for event in events { await post(event) }
                    if record == nil { spawn { await self.lookUpAgain(id) } }
                } catch {
                    // No answer is not "not there": it is looked up again like an intent the book did not hold.
                    clean = false
                    notes.append("\(id): lookup failed: \(error); looked up again, never resent")
                    spawn { await self.lookUpAgain(id) }
                }
            }
            let mismatches = await comparePositions()
            if !mismatches.isEmpty { clean = false }
            notes += mismatches
        }
        let result = ReconciliationResult(clean: clean, notes: notes.isEmpty ? ["nothing in flight"] : notes)
        health.withLock { $0.reconciliation = result }
        if !clean { logger.error("reconciliation found a mismatch", metadata: ["notes": "\(notes)"]) }
        await post(.reconciliation(result))
    }

    /// Reads the fills the order stream delivered while the process was down, then compares the broker's net
    /// quantities with the engine's; the mismatches, none when they agree.
    ///
    /// The feed and the order stream already run, so an order can trade between the two reads (an entry the
    /// killed process sent, or one sent since): a fill the broker's positions show before its alert was folded
    /// looks like a position the engine does not hold. Such a difference is gone a moment later and must not
    /// block entries for the rest of the day, so the positions are read first, the book after them (it holds
    /// every fill the positions do), and a difference is read again up to `reconcileAttempts` times, a clock
    /// second apart. Only one that stays is reported. A read that fails is tried again the same way; when no
    /// read succeeds the positions are unknown, which is a mismatch too (entries stay blocked), never a clean
    /// result.
    func comparePositions() async -> [String] {
        var mismatches: [String] = []
        var readFailure: String?
        for attempt in 0..<Self.reconcileAttempts {
            if attempt > 0 { try? await clock.sleep(for: clock.secondDuration) }
            let broker: PositionsSnapshot
            do {
                broker = try await brokerPositions()
                readFailure = nil
            } catch {
                readFailure = "\(error)"
                logger.notice("broker positions could not be read; reading again", metadata: ["error": "\(error)"])
                continue
            }
            // Fills the order stream delivered while we were down (counted once, whatever the stream sent since).
            if let orders = try? await rest.orders() {
                for event in translator.withLock({ RestartReconciliation.bookEvents(orders, translator: &$0) }) {
                    await post(event)
                }
            }
            var held: [InstrumentKey: Int64] = [:]
            for position in broker.positions { held[position.instrument, default: 0] += position.netQuantity }
            mismatches = await sequencer.state.quantityMismatches(broker: held)
            if mismatches.isEmpty { return [] }
            logger.notice("positions differ from the broker's; reading again", metadata: ["notes": "\(mismatches)"])
        }
        if mismatches.isEmpty, let readFailure { return ["broker positions could not be read: \(readFailure)"] }
        return mismatches
    }

    /// How many times a restart reads the broker's positions before a difference is reported.
    public static let reconcileAttempts = 3

    /// Looks up again, for a minute, an intent the broker's book did not hold at the restart.
    ///
    /// The killed process may have sent it moments before it died, and the broker may take it after the
    /// lookup. It stays in flight (no entry or exit is sent in its place) and is looked up again at growing
    /// intervals; an alert on the order stream resolves it sooner. Only when every lookup misses is it
    /// resolved as never sent; it is never resent.
    func lookUpAgain(_ id: CorrelationID) async {
        // The order stream (or the order watch) may answer meanwhile.
        let answer = await OrderLookup.find(id, client: rest, clock: clock) {
            await self.sequencer.state.unacknowledgedIntents.contains(id)
        }
        switch answer {
        case .found(let record):
            let (events, note) = translator.withLock {
                RestartReconciliation.lookupEvents(id, record: record, translator: &$0)
            }
            logger.notice("an intent the restart did not find reached the broker", metadata: ["note": "\(note)"])
            for event in events { await post(event) }
        case .absent:
            guard !Task.isCancelled, await sequencer.state.unacknowledgedIntents.contains(id) else { return }
            logger.notice("an intent the restart did not find never reached the broker", metadata: ["id": "\(id)"])
            await post(RestartReconciliation.neverReached(id))
        case .unknown:
            guard !Task.isCancelled, await sequencer.state.unacknowledgedIntents.contains(id) else { return }
            // Not resolved on failed lookups: it stays in flight, and the order watch asks the book every 10 s
            // and escalates it.
            logger.warning(
                "the broker did not answer the lookups of an intent the restart did not find; it stays in flight",
                metadata: ["id": "\(id)"])
        }
    }

    // MARK: - Operator

    /// Journals an operator command (kill switch, circuit reset) like any other input.
    public func operatorCommand(_ command: OperatorCommand) async throws {
        try await submit(.operatorCommand(command))
    }

    public var healthSnapshot: Health { health.withLock { $0 } }
}
