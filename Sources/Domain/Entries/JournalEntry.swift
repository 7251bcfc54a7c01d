import Journal

/// Something that happened to the engine: every input is one of these, journaled before reducers see it.
public enum Event: Equatable, Sendable {
    case sessionStarted(SessionStarted)
    case tick(Tick)
    case candleBatch(CandleBatch)
    case optionChain(OptionChainSnapshot)
    case expiryList(ExpiryList)
    case funds(FundsSnapshot)
    case positions(PositionsSnapshot)
    case orderAccepted(OrderAccepted)
    case orderRejected(OrderRejected)
    case orderUpdate(OrderUpdate)
    case fill(Fill)
    case timer(TimerFired)
    case operatorCommand(OperatorCommand)
    case feedStatus(FeedStatus)
    case reconciliation(ReconciliationResult)
    case contracts(ContractList)
    /// The broker refused a cancel (the order stays working).
    case cancelRejected(OrderOperationRefused)
    /// The broker refused a modification (the order keeps its terms).
    case modifyRejected(OrderOperationRefused)
}

/// Something the engine asks the outside world to do; journaled, with its cause, before any effect runs.
public enum Command: Equatable, Sendable {
    case placeOrder(OrderIntent)
    case modifyOrder(OrderModification)
    case cancelOrder(OrderCancellation)
    case subscribe(FeedSubscription)
    case unsubscribe(FeedSubscription)
    case fetchData(DataRequest)
}

/// One journal record's content: an event, or a command with the seq of the event that caused it.
public enum JournalEntry: Equatable, Sendable {
    case event(Event)
    case command(Command, causeSeq: UInt64)

    public var kind: EntryKind {
        switch self {
        case .event(let event):
            switch event {
            case .sessionStarted: .sessionStarted
            case .tick: .tick
            case .candleBatch: .candleBatch
            case .optionChain: .optionChain
            case .expiryList: .expiryList
            case .funds: .funds
            case .positions: .positions
            case .orderAccepted: .orderAccepted
            case .orderRejected: .orderRejected
            case .orderUpdate: .orderUpdate
            case .fill: .fill
            case .timer: .timer
            case .operatorCommand: .operatorCommand
            case .feedStatus: .feedStatus
            case .reconciliation: .reconciliation
            case .contracts: .contracts
            case .cancelRejected: .cancelRejected
            case .modifyRejected: .modifyRejected
            }
        case .command(let command, _):
            switch command {
            case .placeOrder: .placeOrder
            case .modifyOrder: .modifyOrder
            case .cancelOrder: .cancelOrder
            case .subscribe: .subscribe
            case .unsubscribe: .unsubscribe
            case .fetchData: .fetchData
            }
        }
    }

    /// The payload inside, whatever its type.
    public var payload: any JournalPayload {
        switch self {
        case .event(let event):
            switch event {
            case .sessionStarted(let value): value
            case .tick(let value): value
            case .candleBatch(let value): value
            case .optionChain(let value): value
            case .expiryList(let value): value
            case .funds(let value): value
            case .positions(let value): value
            case .orderAccepted(let value): value
            case .orderRejected(let value): value
            case .orderUpdate(let value): value
            case .fill(let value): value
            case .timer(let value): value
            case .operatorCommand(let value): value
            case .feedStatus(let value): value
            case .reconciliation(let value): value
            case .contracts(let value): value
            case .cancelRejected(let value): value
            case .modifyRejected(let value): value
            }
        case .command(let command, _):
            switch command {
            case .placeOrder(let value): value
            case .modifyOrder(let value): value
            case .cancelOrder(let value): value
            case .subscribe(let value): value
            case .unsubscribe(let value): value
            case .fetchData(let value): value
            }
        }
    }

    /// The binary payload of the current version (commands start with their cause seq).
    public func encodedPayload() -> [UInt8] {
        var writer = BinaryWriter(capacity: 96)
        encodePayload(to: &writer)
        return writer.finish()
    }

    /// Writes the binary payload of the current version (commands start with their cause seq).
    ///
    /// Each payload's own `encode` is called directly: through `payload`, every record was first boxed into
    /// an existential (an allocation for any payload larger than three words, a tick among them).
    public func encodePayload(to writer: inout BinaryWriter) {
        switch self {
        case .event(let event):
            switch event {
            case .sessionStarted(let value): value.encode(to: &writer)
            case .tick(let value): value.encode(to: &writer)
            case .candleBatch(let value): value.encode(to: &writer)
            case .optionChain(let value): value.encode(to: &writer)
            case .expiryList(let value): value.encode(to: &writer)
            case .funds(let value): value.encode(to: &writer)
            case .positions(let value): value.encode(to: &writer)
            case .orderAccepted(let value): value.encode(to: &writer)
            case .orderRejected(let value): value.encode(to: &writer)
            case .orderUpdate(let value): value.encode(to: &writer)
            case .fill(let value): value.encode(to: &writer)
            case .timer(let value): value.encode(to: &writer)
            case .operatorCommand(let value): value.encode(to: &writer)
            case .feedStatus(let value): value.encode(to: &writer)
            case .reconciliation(let value): value.encode(to: &writer)
            case .contracts(let value): value.encode(to: &writer)
            case .cancelRejected(let value): value.encode(to: &writer)
            case .modifyRejected(let value): value.encode(to: &writer)
            }
        case .command(let command, let causeSeq):
            writer.u64(causeSeq)
            switch command {
            case .placeOrder(let value): value.encode(to: &writer)
            case .modifyOrder(let value): value.encode(to: &writer)
            case .cancelOrder(let value): value.encode(to: &writer)
            case .subscribe(let value): value.encode(to: &writer)
            case .unsubscribe(let value): value.encode(to: &writer)
            case .fetchData(let value): value.encode(to: &writer)
            }
        }
    }

    /// A journal record of this entry at `time`.
    public func record(at time: Timestamp) -> PendingRecord {
        PendingRecord(
            kind: kind.rawValue, kindVersion: kind.currentVersion, timestampNanos: time.nanos,
            payload: encodedPayload())
    }

    /// This entry at `time`, to be encoded where it is appended (a `BatchedAppender`'s commit thread).
    public func unencodedRecord(at time: Timestamp) -> UnencodedRecord { UnencodedRecord(entry: self, time: time) }

    /// The audit listing: for commands, `cause` first.
    public var fields: [Field] {
        if case .command(_, let causeSeq) = self { return [.int("cause", causeSeq)] + payload.fields }
        return payload.fields
    }

    /// Decodes a payload of any supported version of `kind`.
    public static func decode(kind rawKind: UInt16, version: UInt16, payload: UnsafeRawBufferPointer)
        throws(DecodeError)
        -> JournalEntry
    {
        // Ticks are nearly every record: decode the current layout without the general switch.
        if isCurrentTick(kind: rawKind, version: version, payloadCount: payload.count) {
            return .event(.tick(try Tick(currentPayload: payload)))
        }
        guard let kind = EntryKind(rawValue: rawKind) else {
            throw DecodeError(field: "kind", offset: 0, reason: "unknown entry kind \(rawKind)")
        }
        guard version >= 1 && version <= kind.currentVersion else {
            throw DecodeError(
                field: "version", offset: 0,
                reason:
                    "\(kind.name) version \(version) is not readable by this build (reads 1...\(kind.currentVersion))")
        }
        var reader = BinaryReader(payload)
        let entry: JournalEntry
        switch kind {
        case .sessionStarted: entry = .event(.sessionStarted(try SessionStarted(from: &reader, version: version)))
        case .tick: entry = .event(.tick(try Tick(from: &reader, version: version)))
        case .candleBatch: entry = .event(.candleBatch(try CandleBatch(from: &reader, version: version)))
        case .optionChain: entry = .event(.optionChain(try OptionChainSnapshot(from: &reader, version: version)))
        case .expiryList: entry = .event(.expiryList(try ExpiryList(from: &reader, version: version)))
        case .funds: entry = .event(.funds(try FundsSnapshot(from: &reader, version: version)))
        case .positions: entry = .event(.positions(try PositionsSnapshot(from: &reader, version: version)))
        case .orderAccepted: entry = .event(.orderAccepted(try OrderAccepted(from: &reader, version: version)))
        case .orderRejected: entry = .event(.orderRejected(try OrderRejected(from: &reader, version: version)))
        case .orderUpdate: entry = .event(.orderUpdate(try OrderUpdate(from: &reader, version: version)))
        case .fill: entry = .event(.fill(try Fill(from: &reader, version: version)))
        case .timer: entry = .event(.timer(try TimerFired(from: &reader, version: version)))
        case .operatorCommand: entry = .event(.operatorCommand(try OperatorCommand(from: &reader, version: version)))
        case .feedStatus: entry = .event(.feedStatus(try FeedStatus(from: &reader, version: version)))
        case .reconciliation: entry = .event(.reconciliation(try ReconciliationResult(from: &reader, version: version)))
        case .contracts: entry = .event(.contracts(try ContractList(from: &reader, version: version)))
        case .cancelRejected:
            entry = .event(.cancelRejected(try OrderOperationRefused(from: &reader, version: version)))
        case .modifyRejected:
            entry = .event(.modifyRejected(try OrderOperationRefused(from: &reader, version: version)))
        case .placeOrder, .modifyOrder, .cancelOrder, .subscribe, .unsubscribe, .fetchData:
            let cause = try reader.u64("cause_seq")
            let command: Command
            switch kind {
            case .placeOrder: command = .placeOrder(try OrderIntent(from: &reader, version: version))
            case .modifyOrder: command = .modifyOrder(try OrderModification(from: &reader, version: version))
            case .cancelOrder: command = .cancelOrder(try OrderCancellation(from: &reader, version: version))
            case .subscribe: command = .subscribe(try FeedSubscription(from: &reader, version: version))
            case .unsubscribe: command = .unsubscribe(try FeedSubscription(from: &reader, version: version))
            default: command = .fetchData(try DataRequest(from: &reader, version: version))
            }
            entry = .command(command, causeSeq: cause)
        }
        guard reader.isAtEnd else {
            throw DecodeError(
                field: kind.name, offset: reader.offset,
                reason: "\(reader.bytes.count - reader.offset) bytes left over after the payload")
        }
        return entry
    }

    /// Decodes a journal record; errors name the record's seq.
    public static func decode(_ view: RecordView) throws(EntryDecodeError) -> JournalEntry {
        do {
            return try decode(kind: view.header.kind, version: view.header.kindVersion, payload: view.payload)
        } catch {
            throw EntryDecodeError(
                seq: view.seq, kind: view.header.kind, version: view.header.kindVersion, underlying: error)
        }
    }

    /// The tick a current-layout tick record holds, nil for any other record (`decode(_:)` reads those).
    ///
    /// For readers that keep ticks apart from other entries (the replay's reading thread): the tick is
    /// decoded straight from the map, never wrapped in a `JournalEntry` first.
    public static func currentTick(_ view: RecordView) throws(EntryDecodeError) -> Tick? {
        guard isCurrentTick(kind: view.header.kind, version: view.header.kindVersion, payloadCount: view.payload.count)
        else { return nil }
        do {
            return try Tick(currentPayload: view.payload)
        } catch {
            throw EntryDecodeError(
                seq: view.seq, kind: view.header.kind, version: view.header.kindVersion, underlying: error)
        }
    }

    /// A tick record in the current layout, which `Tick(currentPayload:)` reads without the general switch.
    @inline(__always)
    static func isCurrentTick(kind: UInt16, version: UInt16, payloadCount: Int) -> Bool {
        kind == EntryKind.tick.rawValue && version == EntryKind.tick.currentVersion
            && payloadCount == Tick.currentPayloadSize
    }

    /// Decodes a copied journal record.
    public static func decode(_ record: JournalRecord) throws(EntryDecodeError) -> JournalEntry {
        let result = record.payload.withUnsafeBytes { bytes in
            Result { () throws(DecodeError) in
                try decode(kind: record.kind, version: record.kindVersion, payload: bytes)
            }
        }
        switch result {
        case .success(let entry): return entry
        case .failure(let error):
            throw EntryDecodeError(seq: record.seq, kind: record.kind, version: record.kindVersion, underlying: error)
        }
    }
}

/// A journal record whose payload does not decode, naming its seq, kind and version.
public struct EntryDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var seq: UInt64
    public var kind: UInt16
    public var version: UInt16
    public var underlying: DecodeError

    public var description: String {
        let name = EntryKind(rawValue: kind)?.name ?? "kind \(kind)"
        return "seq \(seq) (\(name) v\(version)): \(underlying)"
    }
}
