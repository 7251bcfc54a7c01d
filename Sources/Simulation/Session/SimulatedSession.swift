import Dhan
import DhanClient
import DhanSim
import Domain
import Engine
import Foundation
import Journal
import MarketModel
import Recovery

/// What one simulated session is: the seed, the day, the faults and the configuration.
public struct SessionSetup: Sendable {
    public var seed: UInt64
    public var date: CivilDate
    public var plan: FaultPlan
    public var config: AlgoConfig
    public var files: [ConfigFile]
    /// Where the session's journal is written (a directory; replaced if present).
    public var journalPath: String
    /// The IST second of the day the market stops moving (15:35 by default; earlier for short fixtures).
    public var endSecondOfDay = 15 * 3600 + 35 * 60
    /// dhan-sim's market script (the demo's trend day); empty: the seeded random market.
    public var scenario = Scenario()

    public init(
        seed: UInt64, date: CivilDate, plan: FaultPlan, config: AlgoConfig, files: [ConfigFile], journalPath: String
    ) {
        self.seed = seed
        self.date = date
        self.plan = plan
        self.config = config
        self.files = files
        self.journalPath = journalPath
    }
}

/// How one simulated session went.
public struct SessionOutcome: Sendable {
    public var seed: UInt64
    public var date: CivilDate
    public var events = 0
    public var commands = 0
    public var orders = 0
    /// Positions the engine opened, and how many of them went out as freeze slices (several orders).
    public var positions = 0
    public var slicedPositions = 0
    public var faults: [FaultKind: Int] = [:]
    public var violations: [Violation] = []
    public var records: UInt64 = 0
    /// The engine's state when the session ended.
    public internal(set) var finalState = EngineState()
    /// Its hash, computed when asked for (it walks the whole state, and `scalper simulate` never prints it).
    public var stateHash: String { finalState.stateHash }
    /// FNV-1a over every journal record (kind, version, time, payload): equal digests, equal journals.
    public var journalDigest: UInt64 = 0
    public var journalPath: String
}

/// One trading day of the real engine against dhan-sim's broker, on virtual time, in one thread.
///
/// The world moves a simulated second at a time. Feed packets, order alerts and REST bodies cross between
/// them as the bytes the sockets would carry and go through the same decoders and translators as the live
/// runtime. Every input is journaled before the engine folds it and every command is journaled before it
/// is carried out; the invariants are checked after every step. A seeded random source picks each fault, so
/// the same setup gives the same journal.
public final class SimulatedSession {
    enum Action {
        case second
        case timer
        case alert(Data)
        case feed(SimOutput)
        case call(BrokerCall, attempt: Int)
        case answer(BrokerCall, status: Int, body: Data, attempt: Int)
        /// The engine process is killed (SIGKILL): whatever it had in memory and in flight is gone.
        case crash(downSeconds: Int)
        /// The engine starts again: the crash-only start-up path (fold the journal, reconcile).
        case boot
        /// The access token expires; the operator restarts the engine with a new one after `renewAfter` s.
        case tokenExpires(renewAfter: Int)
        /// The new token is in place and the engine is started again with it.
        case tokenRenewed

        /// Work of the engine process (dropped while it is down, or when it was scheduled by an incarnation
        /// that has since been killed); the world's seconds run regardless.
        var belongsToEngine: Bool {
            switch self {
            case .second, .crash, .boot, .tokenExpires, .tokenRenewed: false
            case .timer, .alert, .feed, .call, .answer: true
            }
        }
    }

    let setup: SessionSetup
    private var world: SimWorld
    private var scheduler = Scheduler<(incarnation: Int, action: Action)>()
    /// Which run of the engine process this is (one more after every simulated crash).
    private var incarnation = 0
    private var engineDown = false
    private var random: SeededRandom
    private let journal: Journal
    private(set) var state = EngineState()
    private var translator = OrderAlertTranslator()
    private var checker = InvariantChecker()
    private var outcome: SessionOutcome
    private var now: Int64 = 0
    private var lastAlertAt: Int64 = 0
    private var stallUntilSecond = 0
    private var stormUntilSecond = 0
    private var lastIndexTick: Int64?
    /// The broker's positions and parent orders, read again only after a call that may change them.
    private var brokerView: (positions: [SimBrokerPosition], parents: [String: Int])?
    private var feedStale = false

    public init(_ setup: SessionSetup) throws {
        self.setup = setup
        var configuration = SimConfiguration(date: setup.date, calendar: setup.config.calendar)
        configuration.seed = setup.seed
        configuration.speed = 0
        configuration.startSecondOfDay = 9 * 3600 + 14 * 60
        configuration.openingBalance = setup.config.paper.startingBalance
        configuration.scenario = setup.scenario
        world = SimWorld(configuration, behaviour: setup.plan.behaviour)
        random = SeededRandom(seed: setup.seed, key: "faults:\(setup.plan.profile)")
        try? FileManager.default.removeItem(atPath: setup.journalPath)
        journal = try Journal.openForWriting(
            at: setup.journalPath, options: JournalOptions(durability: .fast, initialMapSize: 64 << 20))
        outcome = SessionOutcome(seed: setup.seed, date: setup.date, journalPath: setup.journalPath)
    }

    deinit { journal.close() }

    /// Runs the day from 09:14 to 15:35 IST, checks the end-of-day invariants and the replay.
    public func run() throws -> SessionOutcome {
        now = world.now.nanos
        world.connectFeed()
        try record(
            .sessionStarted(
                SessionStarted(
                    engineVersion: Engine.build, mode: .paper, tradingDate: setup.date, configFiles: setup.files)))
        try record(.feedStatus(FeedStatus(channel: .marketFeed, state: .connected)))
        try recordContracts()
        schedule(.second, at: now + 1_000_000_000)
        scheduleCrashes()
        while let (time, item) = scheduler.next(dueBy: .max) {
            now = time
            if item.action.belongsToEngine && (engineDown || item.incarnation != incarnation) { continue }
            try perform(item.action)
        }
        try finish()
        return outcome
    }

    /// The instrument master's contracts for every configured index, as the live runtime journals them at
    /// the start of a session: strikes are checked against real contracts and sized with the broker's lot.
    private func recordContracts() throws {
        let underlyings = Set(setup.config.indices.map(\.key))
        let master = try InstrumentMaster.parse(
            Data(world.detailedScripMasterCSV.utf8), underlyings: underlyings, source: "dhan-sim")
        for underlying in underlyings.sorted() {
            let list = master.contracts(of: underlying)
            if !list.contracts.isEmpty { try record(.contracts(list)) }
        }
    }

    // MARK: - The loop

    private func schedule(_ action: Action, at nanos: Int64) {
        scheduler.schedule((incarnation, action), at: nanos)
    }

    private func perform(_ action: Action) throws {
        switch action {
        case .second:
            try advanceSecond()
        case .timer:
            try record(.timer(TimerFired(kind: .second)))
        case .alert(let bytes):
            guard let message = try? JSONDecoder().decode(OrderAlertMessage.self, from: bytes) else { return }
            for event in translator.events(for: message.data) { try record(event) }
        case .feed(let output):
            try deliver(output)
        case .call(let call, let attempt):
            try send(call, attempt: attempt)
        case .answer(let call, let status, let body, let attempt):
            try answer(call, status: status, body: body, attempt: attempt)
        case .crash(let downSeconds):
            crash(downSeconds: downSeconds)
        case .boot:
            try boot()
        case .tokenExpires(let renewAfter):
            try expireToken(renewAfter: renewAfter)
        case .tokenRenewed:
            _ = world.tokenExpired(false)
            stop(downSeconds: 5)
        }
    }

    private func advanceSecond() throws {
        let second = world.secondOfDay + 1
        if setup.plan.has(.feedStall), second > stallUntilSecond, second % 60 == 0,
            chance(setup.plan.rates.feedStallPerMinute)
        {
            stallUntilSecond = second + 5 + Int(random.next() % 26)
            count(.feedStall)
        }
        if setup.plan.has(.rateLimitStorm), second > stormUntilSecond, second % 60 == 30,
            chance(setup.plan.rates.rateLimitStormPerMinute)
        {
            stormUntilSecond = second + 2 + Int(random.next() % 4)
            world.rateLimitStorm(.order, untilSeconds: Double(stormUntilSecond))
            count(.rateLimitStorm)
        }
        let output = world.advanceOneSecond(virtualSeconds: Double(second), stalled: second <= stallUntilSecond)
        if !output.alerts.isEmpty { brokerView = nil }
        try deliver(output)
        if !engineDown { try watchFeed(second: second) }
        schedule(.timer, at: now + 500_000_000)
        if world.secondOfDay < setup.endSecondOfDay { schedule(.second, at: now + 1_000_000_000) }
    }

    /// The runtime's stale-feed rule: no index tick for 10 s in market hours marks the feed stale.
    private func watchFeed(second: Int) throws {
        guard setup.config.calendar.isOpen(at: Timestamp(nanos: now)), let last = lastIndexTick else { return }
        if !feedStale && now - last > 10_000_000_000 {
            feedStale = true
            try record(
                .feedStatus(
                    FeedStatus(
                        channel: .marketFeed, state: .stale,
                        detail: "no index tick since \(Timestamp(nanos: last).istString)")))
        }
    }

    /// Feed frames are decoded now; alerts leave on the order stream, perhaps late, twice, or never.
    private func deliver(_ output: SimOutput) throws {
        // Nobody reads the sockets of a killed process: its feed frames and order alerts are lost.
        if engineDown { return }
        var offset: Int64 = 0
        for frame in output.feedFrames {
            guard
                let trade = frame.withUnsafeBytes({ FeedPacketDecoder.decodeTrade($0) }),
                let tick = try? trade.tick()
            else { continue }
            offset += 1_000
            if tick.instrument.segment == .indexValue {
                lastIndexTick = now
                if feedStale {
                    feedStale = false
                    try record(
                        .feedStatus(FeedStatus(channel: .marketFeed, state: .connected, detail: "ticks resumed")),
                        offset: offset)
                }
            }
            try record(.tick(tick), offset: offset)
        }
        for alert in output.alerts { routeAlert(alert) }
    }

    private func routeAlert(_ bytes: Data) {
        let plan = setup.plan
        if plan.has(.alertLoss), chance(plan.rates.alertLoss) {
            count(.alertLoss)
            return
        }
        var delay: Int64 = 2_000_000
        if plan.has(.alertDelay) {
            delay += Int64(random.next() % UInt64(plan.rates.alertMaxDelayMilliseconds)) * 1_000_000
            count(.alertDelay)
        }
        var at = now + delay
        if !plan.has(.alertReorder) { at = max(at, lastAlertAt + 1_000) } else { count(.alertReorder) }
        lastAlertAt = max(lastAlertAt, at)
        schedule(.alert(bytes), at: at)
        if plan.has(.alertDuplicate), chance(plan.rates.alertDuplicate) {
            count(.alertDuplicate)
            let again = at + Int64(1 + random.next() % 500) * 1_000_000
            lastAlertAt = max(lastAlertAt, again)
            schedule(.alert(bytes), at: again)
        }
    }

    private var broker: (positions: [SimBrokerPosition], parents: [String: Int]) {
        if let brokerView { return brokerView }
        let view = (world.positions, world.parentOrdersByCorrelationID)
        brokerView = view
        return view
    }

    // MARK: - Engine

    /// Journals an event, folds it, checks the invariants, journals the commands and carries them out.
    private func record(_ event: Event, offset: Int64 = 0) throws {
        let time = Timestamp(nanos: now + offset)
        // The engine's holdings before a SELL fill, for `sell_never_adds_to_long` (other events skip the work).
        var before: [InstrumentKey: Int64] = [:]
        if case .fill(let fill) = event, fill.side == .sell { before = InvariantChecker.engineQuantities(state) }
        let seq = try journal.append(JournalEntry.event(event).record(at: time))
        let commands = Engine.reduce(&state, event, seq: seq, at: time)
        outcome.events += 1
        if !commands.isEmpty {
            try journal.append(commands.map { JournalEntry.command($0, causeSeq: seq).record(at: time) })
            outcome.commands += commands.count
        }
        checker.afterStep(
            event: event, seq: seq, commands: commands, state: state, before: before, broker: broker.positions,
            parentOrders: broker.parents, at: time)
        for command in commands { carryOut(command) }
    }

    private func carryOut(_ command: Command) {
        switch command {
        case .subscribe(let subscription):
            // The request goes out on the open connection now; the snapshot frames it brings arrive a moment later.
            for request in FeedRequest.batches(
                code: Int(subscription.mode.rawValue), instruments: subscription.instruments.sorted())
            {
                schedule(.feed(world.feedRequest(request.json)), at: now + 1_000_000)
            }
        case .unsubscribe(let subscription):
            for request in FeedRequest.batches(
                code: subscription.mode.unsubscribeCode, instruments: subscription.instruments.sorted())
            {
                _ = world.feedRequest(request.json)
            }
        case .placeOrder(let intent):
            outcome.orders += 1
            scheduleCall(.place(intent))
        case .cancelOrder(let cancellation):
            scheduleCall(.cancel(cancellation))
        case .modifyOrder(let modification):
            scheduleCall(.modify(modification))
        case .fetchData(let request):
            scheduleCall(.data(request))
        }
    }

    private func scheduleCall(_ call: BrokerCall, attempt: Int = 1, after nanos: Int64? = nil) {
        schedule(.call(call, attempt: attempt), at: now + (nanos ?? latency()))
    }

    /// One-way REST latency: 10–60 ms.
    private func latency() -> Int64 { Int64(10 + random.next() % 51) * 1_000_000 }

    // MARK: - Broker calls

    private func send(_ call: BrokerCall, attempt: Int) throws {
        if case .place = call, setup.plan.has(.orderRejection), attempt == 1,
            chance(setup.plan.rates.orderRejection)
        {
            world.rejectNextOrders(1)
            count(.orderRejection)
        }
        let request = call.request
        let answer = world.rest(
            method: request.method, path: request.path, query: request.query, body: request.body,
            accessToken: world.accessToken, virtualSeconds: Double(now) / 1e9 - Double(dayStartSeconds))
        brokerView = nil
        try deliver(answer.output)
        if case .place(let intent) = call, setup.plan.has(.ambiguousSubmit), chance(setup.plan.rates.ambiguousSubmit) {
            // The broker has the order; its answer never arrives. The live gateway then asks by correlation id.
            count(.ambiguousSubmit)
            // The client's request times out after 10 s; the first lookup follows `AmbiguousSubmit`'s first delay.
            scheduleCall(
                .lookup(intent, attempt: 1), after: (10 + AmbiguousSubmit.lookupDelays[0]) * 1_000_000_000)
            return
        }
        schedule(
            .answer(call, status: answer.status, body: answer.body, attempt: attempt), at: now + latency())
    }

    private var dayStartSeconds: Int64 { Timestamp.ist(setup.date, 0, 0).epochSeconds }

    private func answer(_ call: BrokerCall, status: Int, body: Data, attempt: Int) throws {
        if status == 401 { try reportAuthExpired("\(call.request.method) \(call.request.path): 401 DH-901") }
        // 429: the client backs off and tries again, five attempts in all (DhanRESTClient's policy).
        if status == 429 && attempt < 5 {
            scheduleCall(call, attempt: attempt + 1, after: Int64(attempt) * 1_000_000_000)
            return
        }
        if case .place(let intent) = call, status >= 500 {
            // No definitive answer: in flight, looked up by correlation id like a timeout (`AmbiguousSubmit`).
            scheduleCall(.lookup(intent, attempt: 1), after: AmbiguousSubmit.lookupDelays[0] * 1_000_000_000)
            return
        }
        for event in call.events(status: status, body: body, at: Timestamp(nanos: now)) { try record(event) }
        // A book row fetched for a quiet intent carries what a lost alert would have (as the runtime does).
        if case .data(.orderByCorrelation(let id)) = call, (200..<300).contains(status) {
            let book = BrokerCall.orderRecords(body)
            for event in OrderBookLookup.events(for: id, book: book, translator: &translator) { try record(event) }
        }
        if case .lookup(let intent, let lookupAttempt) = call, status == 404 || !(200..<300).contains(status) {
            // Not found yet: the gateway asks again at growing intervals, then resolves it as never received.
            if lookupAttempt < AmbiguousSubmit.lookupDelays.count {
                scheduleCall(
                    .lookup(intent, attempt: lookupAttempt + 1),
                    after: AmbiguousSubmit.lookupDelays[lookupAttempt] * 1_000_000_000)
            } else {
                try record(
                    AmbiguousSubmit.notReceived(
                        intent.correlationID, request: "place \(intent.tag)", detail: "timed out"))
            }
        }
    }

    // MARK: - Crash and restart

    /// Schedules the day's kills of the engine process and its token expiry, each from its own seeded stream
    /// (so adding or removing them leaves the other faults' draws alone).
    private func scheduleCrashes() {
        if setup.plan.has(.engineRestart) { scheduleKills() }
        guard setup.plan.has(.tokenExpiry) else { return }
        var token = SeededRandom(seed: setup.seed, key: "token:\(setup.plan.profile)")
        let from = Timestamp.ist(setup.date, 10, 0).nanos
        let window = Timestamp.ist(setup.date, 14, 30).nanos - from
        let renewAfter = 60 + Int(token.next() % 241)
        schedule(.tokenExpires(renewAfter: renewAfter), at: from + Int64(token.unit() * Double(window)))
    }

    private func scheduleKills() {
        var draws = SeededRandom(seed: setup.seed, key: "restarts:\(setup.plan.profile)")
        let first = Timestamp.ist(setup.date, 9, 20).nanos
        let span = Timestamp.ist(setup.date, 15, 25).nanos - first
        for _ in 0..<setup.plan.rates.restartsPerDay {
            let at = first + Int64(draws.unit() * Double(span))
            let down = 2 + Int(draws.next() % UInt64(setup.plan.rates.restartMaxDownSeconds - 1))
            schedule(.crash(downSeconds: down), at: at)
        }
    }

    /// The token runs out: the feed drops with 807 and the running engine says so (`TradingRuntime`'s
    /// `authExpired`: entries are blocked, `/status` shows it); REST calls now answer 401 DH-901.
    private func expireToken(renewAfter: Int) throws {
        count(.tokenExpiry)
        _ = world.tokenExpired(true)
        schedule(.tokenRenewed, at: now + Int64(renewAfter) * 1_000_000_000)
        try reportAuthExpired("feed disconnect 807")
    }

    /// Journals the expired session once per run of the engine, as the runtime does.
    private func reportAuthExpired(_ detail: String) throws {
        guard !engineDown, !authExpiredReported else { return }
        authExpiredReported = true
        try record(.feedStatus(FeedStatus(channel: .marketFeed, state: .authExpired, reasonCode: 807, detail: detail)))
    }

    /// Whether this run of the engine has journaled that the token expired.
    private var authExpiredReported = false

    /// SIGKILL: the process's memory (state, translator, requests not yet sent, answers not yet read) is
    /// gone; the journal, the broker and the market carry on.
    private func crash(downSeconds: Int) {
        guard !engineDown else { return }
        count(.engineRestart)
        stop(downSeconds: downSeconds)
    }

    /// The engine process ends now (killed, or stopped by the operator) and starts again after `downSeconds`.
    private func stop(downSeconds: Int) {
        guard !engineDown else { return }
        engineDown = true
        incarnation += 1
        crashedState = state
        schedule(.boot, at: now + Int64(downSeconds) * 1_000_000_000)
    }

    /// The state the killed process held, to check that folding its journal gives it back.
    private var crashedState: EngineState?

    /// The crash-only start-up `scalper run` makes: fold the journal, resume the order-stream translator from
    /// the journaled fills, journal what a crash left uncommitted, connect, ask for the subscriptions again,
    /// then reconcile with the broker (`RestartReconciliation`).
    private func boot() throws {
        engineDown = false
        authExpiredReported = false
        let recovered = try JournalReplayer.replay(journal.reader)
        let lastSeq = recovered.lastSeq
        if let divergence = recovered.divergence {
            checker.replayFailed(
                "after a restart the journal diverges at seq \(divergence.seq): \(divergence.explanation)",
                seq: divergence.seq)
        } else if let crashedState, recovered.state != crashedState {
            // Compared as values (hashing the state is the slow part of a simulated day); hashed only to report.
            checker.replayFailed(
                "after a restart the journal folds to \(recovered.state.stateHash), the killed process held \(crashedState.stateHash)",
                seq: lastSeq)
        }
        crashedState = nil
        state = recovered.state
        translator = RestartReconciliation.translator(resumingAfter: try JournalReplayer.fills(in: journal.reader))
        for item in recovered.unjournaled {
            try journal.append(
                JournalEntry.command(item.command, causeSeq: item.cause).record(at: Timestamp(nanos: now)))
            carryOut(item.command)
        }
        lastIndexTick = now
        feedStale = false
        if world.isTokenExpired {
            // Started again before the new token is in place: the feed refuses it (807), as does REST.
            try reportAuthExpired("feed disconnect 807")
        } else {
            world.connectFeed()
            try record(.feedStatus(FeedStatus(channel: .marketFeed, state: .connected)))
        }
        for subscription in state.subscriptions {
            for request in FeedRequest.batches(
                code: Int(subscription.mode.rawValue), instruments: [subscription.instrument])
            {
                schedule(.feed(world.feedRequest(request.json)), at: now + 1_000_000)
            }
        }
        try reconcileAfterRestart()
    }

    /// `TradingRuntime.reconcile`'s steps against the simulated broker, each request answered at once.
    private func reconcileAfterRestart() throws {
        var notes: [String] = []
        var clean = true
        for id in state.unacknowledgedIntents {
            let answer = restCall(method: "GET", path: "/v2/orders/external/\(id.value)")
            if answer.status == 401 {
                // No answer about the intent: it stays in flight (the runtime's "lookup failed").
                clean = false
                notes.append("\(id): lookup failed: DH-901")
                try reportAuthExpired("GET /v2/orders/external: 401 DH-901")
                continue
            }
            let row =
                (200..<300).contains(answer.status) ? OrderRecord.parent(of: BrokerCall.orderRecords(answer.body)) : nil
            let (events, note) = RestartReconciliation.lookupEvents(id, record: row, translator: &translator)
            notes.append(note)
            for event in events { try record(event) }
        }
        let book = restCall(method: "GET", path: "/v2/orders")
        for event in RestartReconciliation.bookEvents(BrokerCall.orderRecords(book.body), translator: &translator) {
            try record(event)
        }
        var held: [InstrumentKey: Int64] = [:]
        for position in broker.positions { held[position.instrument, default: 0] += position.net }
        let mismatches = state.quantityMismatches(broker: held)
        notes += mismatches
        try record(
            .reconciliation(
                ReconciliationResult(
                    clean: clean && mismatches.isEmpty, notes: notes.isEmpty ? ["nothing in flight"] : notes)))
    }

    /// One REST request answered by the simulated broker now (what it sends on its sockets is delivered).
    private func restCall(method: String, path: String) -> (status: Int, body: Data) {
        let answer = world.rest(
            method: method, path: path, accessToken: world.accessToken,
            virtualSeconds: Double(now) / 1e9 - Double(dayStartSeconds))
        brokerView = nil
        try? deliver(answer.output)
        return (answer.status, answer.body)
    }

    // MARK: - End of day

    private func finish() throws {
        let lastSeq = try journal.reader.lastSeq()
        checker.atEnd(state: state, broker: broker.positions, seq: lastSeq)
        outcome.records = lastSeq
        outcome.finalState = state
        let filled = state.positions.filter { $0.entryFilled > 0 }
        outcome.positions = Set(filled.map(\.positionID)).count
        outcome.slicedPositions = Set(filled.compactMap(\.slicesOf)).count
        let replayed = try JournalReplayer.replay(journal.reader)
        if let divergence = replayed.divergence {
            checker.replayFailed("diverges at seq \(divergence.seq): \(divergence.explanation)", seq: divergence.seq)
        } else if replayed.state != state {
            checker.replayFailed(
                "replayed state hash \(replayed.state.stateHash) differs from the live \(state.stateHash)", seq: lastSeq
            )
        }
        outcome.violations = checker.violations
        outcome.journalDigest = try Self.digest(journal.reader)
    }

    /// FNV-1a over every record's kind, version, time and payload.
    static func digest(_ reader: JournalReader) throws -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        try reader.forEach { view in
            withUnsafeBytes(of: view.header.kind.littleEndian) { fnv(&hash, $0) }
            withUnsafeBytes(of: view.header.kindVersion.littleEndian) { fnv(&hash, $0) }
            withUnsafeBytes(of: view.header.timestampNanos.littleEndian) { fnv(&hash, $0) }
            fnv(&hash, view.payload)
            return true
        }
        return hash
    }

    /// FNV-1a over `bytes` (an inout parameter, so no dynamic exclusivity check per byte).
    private static func fnv<Bytes: Sequence<UInt8>>(_ hash: inout UInt64, _ bytes: Bytes) {
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }

    // MARK: - Randomness

    private func chance(_ probability: Double) -> Bool { random.unit() < probability }

    private func count(_ kind: FaultKind) { outcome.faults[kind, default: 0] += 1 }
}
