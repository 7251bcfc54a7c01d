/// How the engine is trading this session.
public enum TradingMode: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case paper = 1
    case live, backtest

    public var description: String {
        switch self {
        case .paper: "paper"
        case .live: "live"
        case .backtest: "backtest"
        }
    }
}

/// One configuration file as the session read it: its name (relative to the config directory) and text.
public struct ConfigFile: Equatable, Sendable, Codable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// The first record of every session: what ran, in which mode, with exactly which configuration.
///
/// Version history: v1 carried one config text; v2 carries every config file (`algo.yml` and the
/// calendar it names), so a replay uses the day's calendar too. A v1 record reads as one file named
/// `config`. The hash is FNV-1a 64 over the files' texts in order, separated by a zero byte, so a
/// one-file session has the same hash in both versions.
public struct SessionStarted: JournalPayload {
    public var engineVersion: String
    public var mode: TradingMode
    public var tradingDate: CivilDate
    /// The configuration files' exact texts, in the order the engine reads them.
    public var configFiles: [ConfigFile]

    public init(engineVersion: String, mode: TradingMode, tradingDate: CivilDate, configFiles: [ConfigFile]) {
        self.engineVersion = engineVersion
        self.mode = mode
        self.tradingDate = tradingDate
        self.configFiles = configFiles
    }

    /// A session with one configuration text (file name `config`).
    public init(engineVersion: String, mode: TradingMode, tradingDate: CivilDate, configText: String) {
        self.init(
            engineVersion: engineVersion, mode: mode, tradingDate: tradingDate,
            configFiles: [ConfigFile(name: "config", text: configText)])
    }

    /// The text of the file called `name`, if the session carried it.
    public func configText(named name: String) -> String? { configFiles.first { $0.name == name }?.text }

    /// Identifies the configuration (not a security measure).
    public var configHash: String {
        var bytes: [UInt8] = []
        for (index, file) in configFiles.enumerated() {
            if index > 0 { bytes.append(0) }
            bytes += Array(file.text.utf8)
        }
        return StableHash.hex(of: bytes)
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.string(engineVersion)
        writer.u8(mode.rawValue)
        writer.date(tradingDate)
        writer.array(configFiles) { writer, file in
            writer.string(file.name)
            writer.string(file.text)
        }
        writer.string(configHash)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        engineVersion = try reader.string("engine_version")
        mode = try reader.enumeration("mode", TradingMode.self)
        tradingDate = try reader.date("trading_date")
        if version == 1 {
            configFiles = [ConfigFile(name: "config", text: try reader.string("config_text"))]
        } else {
            configFiles = try reader.array("config_files") { reader throws(DecodeError) in
                ConfigFile(name: try reader.string("config_file.name"), text: try reader.string("config_file.text"))
            }
        }
        let start = reader.offset
        let storedHash = try reader.string("config_hash")
        guard storedHash == configHash else {
            throw DecodeError(
                field: "config_hash", offset: start, reason: "hash \(storedHash) does not match the config text")
        }
    }

    public var fields: [Field] {
        [
            .string("engine", engineVersion), .text("mode", mode), .text("date", tradingDate),
            .string("config_hash", configHash), Field("config_files", .list(configFiles.map { .string($0.name) })),
            .int("config_bytes", configFiles.reduce(0) { $0 + $1.text.utf8.count }),
        ]
    }
}

/// FNV-1a 64-bit: a stable, dependency-free hash for configs and state fingerprints.
public enum StableHash {
    public static func value(of bytes: some Sequence<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    public static func hex(of bytes: some Sequence<UInt8>) -> String { hex(value(of: bytes)) }

    /// `value` as 16 lowercase hex digits.
    public static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// Which timer fired; timers are events so that time-driven rules replay exactly.
public enum TimerKind: UInt8, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case second = 1
    case barClose, fundsRefresh, positionsRefresh, sessionOpen, sessionClose, timeExit, dayRoll

    public var description: String {
        switch self {
        case .second: "second"
        case .barClose: "bar_close"
        case .fundsRefresh: "funds_refresh"
        case .positionsRefresh: "positions_refresh"
        case .sessionOpen: "session_open"
        case .sessionClose: "session_close"
        case .timeExit: "time_exit"
        case .dayRoll: "day_roll"
        }
    }
}

/// A timer firing; the record's timestamp is the time it fired.
public struct TimerFired: JournalPayload {
    public var kind: TimerKind

    public init(kind: TimerKind) { self.kind = kind }

    public func encode(to writer: inout BinaryWriter) { writer.u8(kind.rawValue) }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        kind = try reader.enumeration("timer", TimerKind.self)
    }

    public var fields: [Field] { [.text("timer", kind)] }
}

/// An instruction from a human operator, journaled like every other input.
public enum OperatorCommand: JournalPayload {
    case killSwitch(engaged: Bool)
    case circuitReset
    case watchlistSet(instrument: InstrumentKey, label: String, active: Bool)
    case watchlistRemove(instrument: InstrumentKey)
    case manualExit(instrument: InstrumentKey?)
    /// The process is stopping (`--until`, SIGTERM): entry orders still working at the broker are cancelled,
    /// so nothing fills after the last process that would watch it has gone.
    case stopping

    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .killSwitch(let engaged):
            writer.u8(1)
            writer.bool(engaged)
        case .circuitReset:
            writer.u8(2)
        case .watchlistSet(let instrument, let label, let active):
            writer.u8(3)
            writer.instrument(instrument)
            writer.string(label)
            writer.bool(active)
        case .watchlistRemove(let instrument):
            writer.u8(4)
            writer.instrument(instrument)
        case .manualExit(let instrument):
            writer.u8(5)
            writer.optional(instrument) { writer, key in writer.instrument(key) }
        case .stopping:
            writer.u8(6)
        }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        let start = reader.offset
        switch try reader.u8("operator_command") {
        case 1: self = .killSwitch(engaged: try reader.bool("engaged"))
        case 2: self = .circuitReset
        case 3:
            self = .watchlistSet(
                instrument: try reader.instrument("instrument"), label: try reader.string("label"),
                active: try reader.bool("active"))
        case 4: self = .watchlistRemove(instrument: try reader.instrument("instrument"))
        case 5:
            self = .manualExit(
                instrument: try reader.optional("instrument") { reader throws(DecodeError) in
                    try reader.instrument("instrument")
                })
        case 6: self = .stopping
        case let other:
            throw DecodeError(field: "operator_command", offset: start, reason: "unknown operator command \(other)")
        }
    }

    public var fields: [Field] {
        switch self {
        case .killSwitch(let engaged): [.string("command", "kill_switch"), Field("engaged", .bool(engaged))]
        case .circuitReset: [.string("command", "circuit_reset")]
        case .watchlistSet(let instrument, let label, let active):
            [
                .string("command", "watchlist_set"), .text("instrument", instrument), .string("label", label),
                Field("active", .bool(active)),
            ]
        case .watchlistRemove(let instrument):
            [.string("command", "watchlist_remove"), .text("instrument", instrument)]
        case .manualExit(let instrument):
            [.string("command", "manual_exit"), .string("instrument", instrument?.description ?? "all")]
        case .stopping: [.string("command", "stopping")]
        }
    }
}

/// Which connection a feed-status event is about.
public enum FeedChannel: UInt8, Sendable, CustomStringConvertible, Codable {
    case marketFeed = 1
    case orderUpdates

    public var description: String { self == .marketFeed ? "market_feed" : "order_updates" }
}

/// A change in a feed connection's health.
public struct FeedStatus: JournalPayload {
    /// What happened to the connection.
    public enum State: UInt8, Sendable, CustomStringConvertible, Codable {
        case connected = 1
        case disconnected, stale, authExpired

        public var description: String {
            switch self {
            case .connected: "connected"
            case .disconnected: "disconnected"
            case .stale: "stale"
            case .authExpired: "auth_expired"
            }
        }
    }

    public var channel: FeedChannel
    public var state: State
    /// The broker's reason code, such as 805 or 807; 0 when none.
    public var reasonCode: UInt16
    public var detail: String

    public init(channel: FeedChannel, state: State, reasonCode: UInt16 = 0, detail: String = "") {
        self.channel = channel
        self.state = state
        self.reasonCode = reasonCode
        self.detail = detail
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.u8(channel.rawValue)
        writer.u8(state.rawValue)
        writer.u16(reasonCode)
        writer.string(detail)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        channel = try reader.enumeration("channel", FeedChannel.self)
        state = try reader.enumeration("state", State.self)
        reasonCode = try reader.u16("reason_code")
        detail = try reader.string("detail")
    }

    public var fields: [Field] {
        [.text("channel", channel), .text("state", state), .int("reason", reasonCode), .string("detail", detail)]
    }
}

/// What start-up reconciliation with the broker found.
public struct ReconciliationResult: JournalPayload {
    public var clean: Bool
    /// One line per difference or resolved unknown intent, in a stable order.
    public var notes: [String]

    public init(clean: Bool, notes: [String]) {
        self.clean = clean
        self.notes = notes
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.bool(clean)
        writer.array(notes) { writer, note in writer.string(note) }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        clean = try reader.bool("clean")
        notes = try reader.array("notes") { reader throws(DecodeError) in try reader.string("note") }
    }

    public var fields: [Field] { [Field("clean", .bool(clean)), Field("notes", .list(notes.map { .string($0) }))] }
}
