import DhanClient
import Domain
import Engine
import Journal
import Logging
import Recovery
import Synchronization

/// The one writer: every input gets its seq and time, is folded, and is committed with the commands it caused
/// (each naming its cause seq) before anyone may act on them.
///
/// Appends go through group commit: while one batch is being written (and synced, in durable mode) the inputs
/// that arrive meanwhile are folded and queue up as the next batch, so a burst of ticks costs one commit per
/// batch, not one per tick. `submit` returns an input's commands only once its batch is durable. The writer
/// does not wait for a batch to fill: an input arriving at an idle writer is committed at once. The state may
/// run ahead of the journal by the batch being written; if that commit fails, the state goes back to what the
/// journal holds and nothing is folded until `retryJournal` commits again (docs/journal-format.md).
public actor Sequencer {
    private let journal: Journal
    private var committer: GroupCommitter
    /// The seq the next record gets: the writer assigns seqs in the order inputs were folded.
    private var nextSeq: UInt64
    private let commitCounter: CommitCounter
    /// Transactions written so far (fewer than inputs when they shared commits).
    public nonisolated var commits: Int { commitCounter.count.load(ordering: .relaxed) }
    /// Why the journal cannot be written now (nil: it can).
    ///
    /// While set, nothing is folded: inputs that carry news (fills, order updates, answers, operator commands)
    /// are held in order for when appends succeed again; ticks and timers are dropped, so no entry is decided
    /// on prices from the outage.
    private var degraded: (any Error)?
    /// Inputs whose commit failed (by the seq they were folded with) and inputs held since.
    private var heldFailed: [(seq: UInt64, event: Event, time: Timestamp)] = []
    private var heldLater: [(event: Event, time: Timestamp)] = []
    /// Ticks and timers dropped while the journal could not be written.
    public private(set) var droppedWhileDegraded = 0
    public private(set) var state: EngineState
    private let logger: Logger
    public private(set) var eventCount = 0
    public private(set) var commandCount = 0
    public private(set) var tickCount = 0
    public private(set) var orderCount = 0
    /// The last commit's duration (nanoseconds), for metrics.
    public private(set) var lastCommitNanos: Int64 = 0
    /// The state for the status API, kept current once it is enabled.
    public nonisolated let published: PublishedView

    let metrics: RuntimeMetrics?
    private let snapshots: SnapshotWriter?
    private let snapshotEvery: Int
    private var eventsSinceSnapshot = 0
    /// Events and commands in the journal before this process started.
    private let recovered: (events: UInt64, commands: UInt64)

    public init(
        journal: Journal, state: EngineState, logger: Logger, metrics: RuntimeMetrics? = nil,
        snapshots: SnapshotWriter? = nil, snapshotEvery: Int = 0,
        recovered: (events: UInt64, commands: UInt64) = (0, 0),
        inlineCommits: Bool = false, observer: (any FoldObserver)? = nil, stopwatch: any ElapsedClock = MonotonicClock()
    ) {
        self.stopwatch = stopwatch
        self.journal = journal
        self.inlineCommits = inlineCommits
        self.observer = observer
        let counter = CommitCounter()
        commitCounter = counter
        committer = Self.makeCommitter(journal, counter, inline: inlineCommits)
        nextSeq = journal.lastSeq + 1
        self.state = state
        published = PublishedView(.init(state: state, lastCommitNanos: 0))
        self.logger = logger
        self.metrics = metrics
        self.snapshots = snapshots
        self.snapshotEvery = snapshotEvery
        self.recovered = recovered
    }

    deinit { committer.close() }

    /// Commits on the caller's thread, one input at a time (a process on virtual time: no writer thread).
    private let inlineCommits: Bool
    /// Sees every fold (the simulation's invariant checks).
    private let observer: (any FoldObserver)?
    /// What commit latency is measured on: the monotonic wall clock, or a simulation's virtual clock.
    private let stopwatch: any ElapsedClock

    /// No added delay: an idle writer commits at once, and what arrives during a commit is the next batch.
    ///
    /// In fast mode an input that finds the writer idle commits itself (a commit there never waits for the disk),
    /// which takes the tick-to-exit median from about 86 µs to 18 µs (`scalper bench exit`).
    private static func makeCommitter(_ journal: Journal, _ counter: CommitCounter, inline: Bool) -> GroupCommitter {
        let policy = GroupCommitter.Policy(
            maxBatch: 1024, maxDelay: .zero, inline: inline, commitsWhenIdle: journal.options.durability == .fast)
        return GroupCommitter(journal: journal, policy: policy) { _, _ in
            counter.count.add(1, ordering: .relaxed)
        }
    }

    /// What one input produced.
    public struct Submission: Sendable {
        public var seq: UInt64
        public var commands: [Command]
    }

    /// An input folded and queued for the next group commit; `durable(_:)` waits for it.
    public struct Folded: Sendable {
        public var seq: UInt64
        /// Not to be acted on before `durable(_:)` returns them.
        var commands: [Command]
        var event: Event
        /// The time it was folded at.
        var time: Timestamp
        var started: Duration
        var receipt: GroupCommitter.Receipt
    }

    /// Folds `event`, journals it with its commands in the next group commit, and returns the commands once
    /// they are durable.
    ///
    /// Time never runs backwards in the journal: an event stamped before the last one takes the last time.
    public func submit(_ event: Event, at proposed: Timestamp) async throws -> Submission {
        let folded = try fold(event, at: proposed)
        // Released here, not through `durable(_:)`: another isolated call would be another executor switch.
        return try release(folded, written: await folded.receipt.outcome())
    }

    /// Folds `event` and queues it with its commands for the next commit, without waiting for it.
    ///
    /// A producer that must not stall on the disk (the market feed) folds tick after tick and leaves
    /// `durable(_:)` to a task of its own, in the same order; that is what lets one feed's ticks share commits.
    public func fold(_ event: Event, at proposed: Timestamp) throws -> Folded {
        let reduced = try reduce(event, at: proposed)
        // Queued before any suspension, so batches keep the order the inputs were folded in.
        return reduced.folded(committer.enqueue(contentsOf: reduced.records))
    }

    /// An input folded into the state, with the records to journal, before it is queued.
    private struct Reduced {
        var seq: UInt64
        var commands: [Command]
        var event: Event
        var time: Timestamp
        var started: Duration
        var records: [PendingRecord]

        func folded(_ receipt: GroupCommitter.Receipt) -> Folded {
            Folded(seq: seq, commands: commands, event: event, time: time, started: started, receipt: receipt)
        }
    }

    /// Gives `event` its seq and time and folds it; the caller queues its records at once.
    private func reduce(_ event: Event, at proposed: Timestamp) throws -> Reduced {
        guard !closed, !abandoned.load(ordering: .relaxed) else { throw SequencerClosed() }
        if let degraded {
            if Self.carriesNews(event) { heldLater.append((event, proposed)) } else { droppedWhileDegraded += 1 }
            throw SequencerDegraded(cause: "\(degraded)")
        }
        let started = stopwatch.elapsed()
        let time = max(proposed, state.now)
        let seq = nextSeq
        let commands = Self.fold(&state, event, seq: seq, at: time, observer: observer)
        var records = [JournalEntry.event(event).record(at: time)]
        records += commands.map { JournalEntry.command($0, causeSeq: seq).record(at: time) }
        nextSeq += UInt64(records.count)
        return Reduced(seq: seq, commands: commands, event: event, time: time, started: started, records: records)
    }

    /// Folds `event` into `state` between the observer's calls.
    ///
    /// The state goes in `inout` so it is lent to the observer, not copied: reading the actor's property for a
    /// call copies the whole state (a retain for each of its arrays and a release after), which on every tick
    /// cost a tenth of a simulated day.
    private static func fold(
        _ state: inout EngineState, _ event: Event, seq: UInt64, at time: Timestamp, observer: (any FoldObserver)?
    ) -> [Command] {
        observer?.willFold(event, state: state)
        let commands = Engine.reduce(&state, event, seq: seq, at: time)
        observer?.didFold(event, seq: seq, commands: commands, state: state, at: time)
        return commands
    }

    /// The gauges' readings of the state (day PnL, breaker, feed block), read in place (see `fold`).
    private static func gauges(_ state: inout EngineState) -> (dayNet: Double, breaker: Bool, feedStale: Bool) {
        (state.dayNetPnLReusingSettled().rupees, state.dayRisk?.circuitTripped == true, state.feedBlock != nil)
    }

    /// Folds inputs that arrived together, in order, each as `fold(_:at:)` folds it, in one call to the
    /// sequencer; an input refused (closed, or while the journal cannot be written) is left out, and the first
    /// refusal is handed back beside the ones folded.
    public func fold(_ events: [Event], at proposed: Timestamp) -> (folded: [Folded], error: (any Error)?) {
        var reduced: [Reduced] = []
        reduced.reserveCapacity(events.count)
        var refusal: (any Error)?
        for event in events {
            do {
                reduced.append(try reduce(event, at: proposed))
            } catch {
                if refusal == nil { refusal = error }
            }
        }
        // One append for the burst: inline, one transaction; on the writer thread, queued together.
        let receipts = committer.enqueue(groups: reduced.map(\.records))
        // By index, not `zip(...).map`: zipping copied each `Reduced` (its event and arrays) before reading it.
        var folded: [Folded] = []
        folded.reserveCapacity(reduced.count)
        for index in reduced.indices { folded.append(reduced[index].folded(receipts[index])) }
        return (folded, refusal)
    }

    /// `durable(_:)` for each input of a burst, in order, in one call: its commands, or why it failed.
    public func durable(_ burst: [Folded]) async -> [Result<Submission, any Error>] {
        var results: [Result<Submission, any Error>] = []
        results.reserveCapacity(burst.count)
        for input in burst {
            // Released here, not through `durable(_:)`: each call of an isolated async method is an executor
            // switch, which the simulation paid four times a virtual second for nothing.
            let written = await input.receipt.outcome()
            results.append(Result { try release(input, written: written) })
        }
        return results
    }

    /// Waits until a folded input's batch is durable and returns its commands for the effect handlers.
    ///
    /// A failed commit (or seqs other than the ones folded with) puts the sequencer in the degraded state and
    /// throws `SequencerDegraded`; the input is held if it carries news.
    public func durable(_ folded: Folded) async throws -> Submission {
        try release(folded, written: await folded.receipt.outcome())
    }

    /// A folded input once its batch's commit has ended: its commands, or `SequencerDegraded`.
    private func release(_ folded: Folded, written: Result<ClosedRange<UInt64>, any Error>) throws -> Submission {
        do {
            let range = try written.get()
            guard range.lowerBound == folded.seq else {
                throw SequencerDiverged(expected: folded.seq, written: range.lowerBound)
            }
        } catch {
            enterDegraded(error)
            if Self.carriesNews(folded.event) {
                heldFailed.append((folded.seq, folded.event, folded.time))
            } else {
                droppedWhileDegraded += 1
            }
            throw SequencerDegraded(cause: "\(error)")
        }
        let (event, commands, seq) = (folded.event, folded.commands, folded.seq)
        let elapsed = stopwatch.elapsed() - folded.started
        lastCommitNanos = elapsed.nanoseconds
        eventCount += 1
        commandCount += commands.count
        if case .tick = event { tickCount += 1 }
        let placed = commands.filter { if case .placeOrder = $0 { true } else { false } }.count
        orderCount += placed
        if let metrics {
            metrics.events.increment()
            if !commands.isEmpty { metrics.commands.increment(by: commands.count) }
            if case .tick = event { metrics.ticks.increment() }
            if placed > 0 { metrics.orders.increment(by: placed) }
            if case .orderRejected = event { metrics.rejects.increment() }
            metrics.commit.recordNanoseconds(elapsed.nanoseconds)
            let gauges = Self.gauges(&state)
            metrics.dayPnL.record(gauges.dayNet)
            metrics.breaker.record(gauges.breaker ? 1 : 0)
            metrics.feedStale.record(gauges.feedStale ? 1 : 0)
        }
        // The seq goes with the line, not into the logger's metadata: setting that on every input made a string
        // and copied the metadata each time, logged or not (every other line here names its seq itself).
        if !commands.isEmpty {
            logger.debug("commands", metadata: ["seq": "\(seq)", "count": "\(commands.count)"])
        }
        eventsSinceSnapshot += 1
        if snapshotEvery > 0 && eventsSinceSnapshot >= snapshotEvery { snapshot() }
        publish()
        return Submission(seq: seq, commands: commands)
    }

    /// Whether losing `event` would lose what only it says (a fill, an order's fate, an answer, an operator's
    /// command); ticks and timers are superseded by the next ones.
    static func carriesNews(_ event: Event) -> Bool {
        switch event {
        case .tick, .timer: false
        default: true
        }
    }

    /// The journal refused a commit: from now on nothing is folded until `retryJournal` succeeds.
    ///
    /// The state goes back to what the journal holds (it had folded inputs that are not durable), and the
    /// writer is replaced (a failed one fails every later append).
    private func enterDegraded(_ error: any Error) {
        guard degraded == nil else { return }
        degraded = error
        committer.close()
        committer = Self.makeCommitter(journal, commitCounter, inline: inlineCommits)
        if let base = retryBase, base.nextSeq == journal.lastSeq + 1 {
            // A retry that committed nothing: the state before it is the journal's, with no fold of the
            // whole journal every second of an outage.
            state = base.state
            nextSeq = base.nextSeq
            publish()
            failedRetries += 1
            logger.debug(
                "journal still cannot be written",
                metadata: ["error": "\(error)", "seq": "\(journal.lastSeq)", "retries": "\(failedRetries)"])
            return
        }
        if let outcome = try? JournalReplayer.replay(journal.reader), outcome.divergence == nil {
            state = outcome.state
        }
        nextSeq = journal.lastSeq + 1
        publish()
        guard retryBase == nil else { return }
        logger.critical(
            "journal append failed: entries stop, nothing is folded until appends succeed again",
            metadata: ["error": "\(error)", "seq": "\(journal.lastSeq)"])
    }

    /// Hands the state to the status API, if it reads it.
    private func publish() {
        guard published.enabled else { return }
        published.update(.init(state: state, lastCommitNanos: lastCommitNanos))
    }

    /// The state and next seq when a retry began (nil outside `retryJournal`).
    private var retryBase: (state: EngineState, nextSeq: UInt64)?
    /// Retries that failed in the current outage.
    private var failedRetries = 0

    /// Why the journal cannot be written, while it cannot.
    public var journalProblem: String? { degraded.map { "\($0)" } }

    /// While the journal cannot be written: tries again with the held inputs, in order, then `probe`.
    ///
    /// `probe` is the second's timer. Returns the inputs that are now durable, whose commands the caller carries out; nil
    /// when nothing was wrong. If the journal still refuses, what did not commit is held again.
    public func retryJournal(probe: Event, at time: Timestamp) async -> [Submission]? {
        guard degraded != nil, !closed else { return nil }
        degraded = nil
        retryBase = (state, nextSeq)
        defer { retryBase = nil }
        let inputs =
            heldFailed.sorted { $0.seq < $1.seq }.map { ($0.event, $0.time) } + heldLater.map { ($0.event, $0.time) }
            + [(probe, time)]
        heldFailed = []
        heldLater = []
        var folded: [Folded] = []
        for (event, time) in inputs {
            guard let next = try? fold(event, at: time) else { continue }
            folded.append(next)
        }
        var submissions: [Submission] = []
        for next in folded {
            if let submission = try? await durable(next) { submissions.append(submission) }
        }
        if degraded == nil {
            logger.notice(
                "journal writable again",
                metadata: [
                    "seq": "\(journal.lastSeq)", "replayed": "\(inputs.count - 1)",
                    "failed_retries": "\(failedRetries)",
                ])
            failedRetries = 0
        }
        return submissions
    }

    /// Journals commands the replay recomputed but the journal never got (a crash between the two writes).
    public func journalRecovered(_ items: [(cause: UInt64, command: Command)]) async throws {
        guard !items.isEmpty else { return }
        guard !closed else { throw SequencerClosed() }
        if let degraded { throw degraded }
        let records = items.map { JournalEntry.command($0.command, causeSeq: $0.cause).record(at: state.now) }
        let seq = nextSeq
        nextSeq += UInt64(records.count)
        do {
            let range = try await committer.enqueue(contentsOf: records).seqs()
            guard range.lowerBound == seq else { throw SequencerDiverged(expected: seq, written: range.lowerBound) }
        } catch {
            // At start-up, before anything else was folded: the caller stops and a restart tries again.
            throw error
        }
        commandCount += items.count
    }

    /// The last durable seq.
    public var lastSeq: UInt64 { journal.lastSeq }

    /// Refuses later input, commits everything folded and stops the writer thread; the journal stays readable.
    public func finish() {
        closed = true
        committer.close()
    }

    /// Hands the state to the snapshot writer (encoded and written off this actor).
    ///
    /// Nothing happens when nothing was folded since the last one. Between two calls into this actor every event's commands are journaled,
    /// so the state covers exactly the journal through `lastSeq`.
    public func snapshot(waiting: Bool = false) {
        // The state must cover exactly the journal: not while a batch it already folded is being written.
        guard let snapshots, !abandoned.load(ordering: .relaxed), state.lastSeq > 0, journal.lastSeq == nextSeq - 1
        else { return }
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
        // On virtual time nothing runs beside the step: the snapshot is written in it.
        if waiting || inlineCommits {
            snapshots.saveNow(seq: seq, make)
        } else {
            snapshots.saveInBackground(seq: seq, make)
        }
    }

    private var closed = false
    /// Set by `abandon()`, from outside the actor: a killed process folds and snapshots nothing more.
    private nonisolated let abandoned = Atomic<Bool>(false)

    /// The process is gone (the simulation's SIGKILL): every later input is refused and no snapshot is
    /// written, whatever its tasks do while they unwind.
    public nonisolated func abandon() { abandoned.store(true, ordering: .relaxed) }

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

/// The writer thread's commit count, read from any thread.
private final class CommitCounter: Sendable {
    let count = Atomic<Int>(0)
}

/// An input offered while the journal cannot be written: not folded now (held for later if it carries news).
public struct SequencerDegraded: Error, CustomStringConvertible {
    public var cause: String
    public var description: String { "the journal cannot be written (\(cause)); the input is not acted on now" }
}

/// An input offered after shutdown began; it is not journaled and not folded.
public struct SequencerClosed: Error, CustomStringConvertible {
    public var description: String { "the sequencer is closed (shutting down)" }
}

/// The writer gave a batch other seqs than the ones its inputs were folded with (something else wrote the
/// journal): the state no longer matches it, so the process must stop and fold the journal again.
public struct SequencerDiverged: Error, CustomStringConvertible {
    public var expected: UInt64
    public var written: UInt64

    public var description: String { "the journal wrote seq \(written) where the sequencer folded \(expected)" }
}

/// Sees every input the sequencer folds, before and after (a simulation checks its invariants here).
///
/// Called inside the fold, so it must be quick and must not call back into the sequencer. A class, so passing
/// one around is a retain and not a copy of an existential's value (twice a fold).
public protocol FoldObserver: AnyObject, Sendable {
    func willFold(_ event: Event, state: EngineState)
    func didFold(_ event: Event, seq: UInt64, commands: [Command], state: EngineState, at time: Timestamp)
}
