import Domain
import Engine
import Journal
import Logging
import Recovery

/// The one writer: every input gets its seq and time and is committed before the reducer sees it, and the
/// reducer's commands are committed, with their cause seq, before anyone may act on them.
public actor Sequencer {
    private let journal: Journal
    public private(set) var state: EngineState
    private var logger: Logger
    public private(set) var eventCount = 0
    public private(set) var commandCount = 0
    public private(set) var tickCount = 0
    public private(set) var orderCount = 0
    /// The last commit's duration (nanoseconds), for metrics.
    public private(set) var lastCommitNanos: Int64 = 0

    let metrics: RuntimeMetrics?
    private let snapshots: SnapshotWriter?
    private let snapshotEvery: Int
    private var eventsSinceSnapshot = 0
    /// Events and commands in the journal before this process started.
    private let recovered: (events: UInt64, commands: UInt64)

    public init(
        journal: Journal, state: EngineState, logger: Logger, metrics: RuntimeMetrics? = nil,
        snapshots: SnapshotWriter? = nil, snapshotEvery: Int = 0, recovered: (events: UInt64, commands: UInt64) = (0, 0)
    ) {
        self.journal = journal
        self.state = state
        self.logger = logger
        self.metrics = metrics
        self.snapshots = snapshots
        self.snapshotEvery = snapshotEvery
        self.recovered = recovered
    }

    /// What one input produced.
    public struct Submission: Sendable {
        public var seq: UInt64
        public var commands: [Command]
    }

    /// Journals `event`, folds it, journals its commands and returns them for the effect handlers.
    ///
    /// Time never runs backwards in the journal: an event stamped before the last one takes the last time.
    public func submit(_ event: Event, at proposed: Timestamp) throws -> Submission {
        guard !closed else { throw SequencerClosed() }
        let started = ContinuousClock.now
        let time = max(proposed, state.now)
        let seq = try journal.append(JournalEntry.event(event).record(at: time))
        let commands = Engine.reduce(&state, event, seq: seq, at: time)
        if !commands.isEmpty {
            _ = try journal.append(commands.map { JournalEntry.command($0, causeSeq: seq).record(at: time) })
        }
        let elapsed = ContinuousClock.now - started
        lastCommitNanos = elapsed.nanoseconds
        eventCount += 1
        commandCount += commands.count
        if case .tick = event { tickCount += 1 }
        orderCount += commands.filter { if case .placeOrder = $0 { true } else { false } }.count
        if let metrics {
            metrics.events.increment()
            if !commands.isEmpty { metrics.commands.increment(by: commands.count) }
            if case .tick = event { metrics.ticks.increment() }
            let placed = commands.filter { if case .placeOrder = $0 { true } else { false } }.count
            if placed > 0 { metrics.orders.increment(by: placed) }
            if case .orderRejected = event { metrics.rejects.increment() }
            metrics.commit.recordNanoseconds(elapsed.nanoseconds)
            metrics.dayPnL.record(state.dayNetPnL.rupees)
            metrics.breaker.record(state.dayRisk?.circuitTripped == true ? 1 : 0)
            metrics.feedStale.record(state.feedBlock == nil ? 0 : 1)
        }
        logger[metadataKey: "seq"] = "\(seq)"
        if !commands.isEmpty {
            logger.debug("commands", metadata: ["count": "\(commands.count)"])
        }
        eventsSinceSnapshot += 1
        if snapshotEvery > 0 && eventsSinceSnapshot >= snapshotEvery { snapshot() }
        return Submission(seq: seq, commands: commands)
    }

    /// Journals commands the replay recomputed but the journal never got (a crash between the two writes).
    public func journalRecovered(_ items: [(cause: UInt64, command: Command)]) throws {
        guard !items.isEmpty else { return }
        _ = try journal.append(items.map { JournalEntry.command($0.command, causeSeq: $0.cause).record(at: state.now) })
        commandCount += items.count
    }

    public var lastSeq: UInt64 { journal.lastSeq }

    /// Hands the state to the snapshot writer (encoded and written off this actor).
    ///
    /// Nothing happens when nothing was folded since the last one. Between two calls into this actor every event's commands are journaled,
    /// so the state covers exactly the journal through `lastSeq`.
    public func snapshot(waiting: Bool = false) {
        guard let snapshots, state.lastSeq > 0 else { return }
        let seq = journal.lastSeq
        guard seq > snapshots.lastSavedSeq,
            let fingerprint = try? StateSnapshot.fingerprint(of: journal.reader, at: seq)
        else { return }
        eventsSinceSnapshot = 0
        let (state, events, commands) = (
            state, recovered.events + UInt64(eventCount), recovered.commands + UInt64(commandCount)
        )
        // Hashing and encoding the state take milliseconds: not on the sequencer.
        let make: @Sendable () -> StateSnapshot = {
            StateSnapshot(
                seq: seq, recordFingerprint: fingerprint, state: state, records: seq, events: events,
                commands: commands)
        }
        if waiting { snapshots.saveNow(seq: seq, make) } else { snapshots.saveInBackground(seq: seq, make) }
    }

    private var closed = false

    /// Stops intake: every later input is refused, so the journal and the state end together.
    public func close() { closed = true }

    /// The day's net PnL (marked to market), for the status page's chart.
    public var dayNetPnL: Paise { state.dayNetPnL }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    var milliseconds: Double { Double(nanoseconds) / 1e6 }
}

/// An input offered after shutdown began; it is not journaled and not folded.
public struct SequencerClosed: Error, CustomStringConvertible {
    public var description: String { "the sequencer is closed (shutting down)" }
}
