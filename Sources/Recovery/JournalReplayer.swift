import Domain
import Engine
import Foundation
import Journal

/// Where a replay first disagreed with the journal.
public struct Divergence: Sendable, Equatable {
    /// The seq of the journaled command that differs (or of the last record, for commands never journaled).
    public var seq: UInt64
    /// The event that caused the commands, with its seq.
    public var causeSeq: UInt64
    public var cause: JournalEntry?
    /// What the journal holds there, and what the engine computes now.
    public var journaled: JournalEntry?
    public var recomputed: Command?
    public var recomputedCause: UInt64?
    public var explanation: String
}

/// The outcome of a replay.
public struct ReplayOutcome: Sendable {
    public var state: EngineState
    public var records: UInt64
    public var events: UInt64
    public var commands: UInt64
    public var lastSeq: UInt64
    public var divergence: Divergence?
    /// The snapshot the fold started from (its seq), nil for a fold from the first record.
    public var resumedFromSeq: UInt64?
    /// Records folded in this run (the tail after the snapshot, or every record).
    public var foldedRecords: UInt64 = 0
    /// Commands the engine computed after the last journaled ones (a session that stopped, or crashed,
    /// between an event and its commands); a recovering runtime journals them before anything else.
    public var unjournaled: [(cause: UInt64, command: Command)] = []
}

/// Folds a journal with the engine's reducers (no network, no effects) and checks that every journaled
/// command is exactly the one the engine computes now, in the same order.
public enum JournalReplayer {
    /// Where to stop.
    public struct Stop: Sendable, Equatable {
        public var seq: UInt64?
        /// Seconds after IST midnight: stop before the first event at or after this time of day.
        public var secondOfDay: Int?

        public init(seq: UInt64? = nil, secondOfDay: Int? = nil) {
            self.seq = seq
            self.secondOfDay = secondOfDay
        }
    }

    /// Replays `reader`'s records; `progress` is called every `progressEvery` records with (seq, last seq).
    ///
    /// From `snapshot`, when given, the fold starts with its state and reads only the records after it.
    /// `everyMinute`, when given, sees the state as it stood at the end of each clock minute that had events
    /// (with the time of its last event): the report's intraday series, at a minute's cost, not an event's.
    public static func replay(
        _ reader: JournalReader, from snapshot: StateSnapshot? = nil, stop: Stop = Stop(),
        progressEvery: UInt64 = 65_536, progress: ((UInt64, UInt64) -> Void)? = nil,
        everyMinute: ((EngineState, Timestamp) -> Void)? = nil
    ) throws -> ReplayOutcome {
        let last = try reader.lastSeq()
        var state = snapshot?.state ?? EngineState()
        var outcome = ReplayOutcome(
            state: state, records: snapshot?.records ?? 0, events: snapshot?.events ?? 0,
            commands: snapshot?.commands ?? 0, lastSeq: snapshot?.seq ?? 0, divergence: nil,
            resumedFromSeq: snapshot?.seq)
        // Recomputed commands not yet matched, oldest first, with their cause seqs.
        var pending: [(cause: UInt64, command: Command)] = []
        var pendingHead = 0
        var causes: [UInt64: JournalEntry] = [:]
        // The minute of the last event folded, and its time (`everyMinute`).
        var lastMinute: Int64?
        var lastEventTime = Timestamp(nanos: 0)
        // Records are read, verified and decoded on a second thread while this one folds; the replay
        // succeeds only if that reading finishes clean, and a bad checksum is reported ahead of anything it caused.
        let first = (snapshot?.seq ?? 0) + 1
        let records = DecodedRecords(reader, from: first, through: min(stop.seq ?? last, last))
        // A closure, not a local function (as `fold` below): captured variables stay statically checked
        // (no runtime exclusivity tracking per access). Counts a record folded; true to go on.
        let counted = { (seq: UInt64) -> Bool in
            outcome.records += 1
            outcome.foldedRecords += 1
            outcome.lastSeq = seq
            if let progress, seq % progressEvery == 0 { progress(seq, last) }
            return true
        }
        // Folds one record; false to stop (a stop condition or a divergence).
        let fold = { (record: borrowing DecodedRecords.Record) -> Bool in
            let time = Timestamp(nanos: record.timestampNanos)
            switch record.payload {
            case .tick, .other(.event): break
            case .other(.command(let command, let cause)):
                outcome.commands += 1
                guard pendingHead < pending.count else {
                    outcome.divergence = Divergence(
                        seq: record.seq, causeSeq: cause, cause: causes[cause], journaled: record.entry,
                        recomputed: nil,
                        recomputedCause: nil,
                        explanation: "the journal has a command the engine does not compute")
                    return false
                }
                let expected = pending[pendingHead]
                if expected.cause != cause || expected.command != command {
                    outcome.divergence = Divergence(
                        seq: record.seq, causeSeq: cause, cause: causes[cause] ?? causes[expected.cause],
                        journaled: record.entry,
                        recomputed: expected.command, recomputedCause: expected.cause,
                        explanation: "the journaled command differs from the recomputed one")
                    return false
                }
                pendingHead += 1
                if pendingHead == pending.count {
                    pending.removeAll(keepingCapacity: true)
                    pendingHead = 0
                    causes.removeAll(keepingCapacity: true)
                }
                return counted(record.seq)
            }
            if let second = stop.secondOfDay, time.istSecondOfDay >= second { return false }
            if let everyMinute {
                let minute = time.epochSeconds.floorDiv(60)
                if let lastMinute, minute != lastMinute { everyMinute(state, lastEventTime) }
                lastMinute = minute
                lastEventTime = time
            }
            // A tick goes to the reducers without being wrapped into an `Event` (see `Engine.reduce(_:tick:)`).
            let commands: [Command]
            switch record.payload {
            case .tick(let tick): commands = Engine.reduce(&state, tick: tick, seq: record.seq, at: time)
            case .other(.event(let event)): commands = Engine.reduce(&state, event, seq: record.seq, at: time)
            case .other(.command): return false  // unreachable: commands were matched and returned above
            }
            if !commands.isEmpty {
                causes[record.seq] = record.entry
                pending += commands.map { (record.seq, $0) }
            }
            outcome.events += 1
            return counted(record.seq)
        }
        // Each record is folded where the batch holds it: copying one out (and destroying the copy) cost
        // more than a tenth of the fold.
        while let batch = records.next() {
            let stopped = batch.withUnsafeBufferPointer { batch in
                for position in batch.indices where !fold(batch[position]) { return true }
                return false
            }
            if stopped {
                records.stopTaking()
                break
            }
        }
        if let failure = records.wait() { throw failure }
        if let everyMinute, lastMinute != nil { everyMinute(state, lastEventTime) }
        if outcome.divergence == nil && pendingHead < pending.count {
            outcome.unjournaled = Array(pending[pendingHead...])
        }
        outcome.state = state
        return outcome
    }
}

extension JournalReplayer {
    /// Every fill the journal holds, in journal order (what a restarted order-stream translator has counted).
    public static func fills(in reader: JournalReader) throws -> [Fill] {
        var fills: [Fill] = []
        try reader.forEach(verifyChecksums: false) { view in
            if view.header.kind == EntryKind.fill.rawValue, case .event(.fill(let fill)) = try JournalEntry.decode(view)
            {
                fills.append(fill)
            }
            return true
        }
        return fills
    }
}
