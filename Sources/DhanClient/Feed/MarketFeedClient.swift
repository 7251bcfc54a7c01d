import Dhan
import Domain
import Foundation
import Logging
import NIOCore
import Synchronization
import WSClient

/// How a WebSocket client waits between reconnects: exponential back-off with jitter, and a longer cool-off
/// after the server says there are too many connections or requests.
public struct ReconnectPolicy: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var coolOff: Duration
    /// Fraction of the delay added at random (0.2 = up to 20 % more), so many clients do not reconnect together.
    public var jitter: Double

    public init(
        initial: Duration = .seconds(2), maximum: Duration = .seconds(90), coolOff: Duration = .seconds(60),
        jitter: Double = 0.2
    ) {
        self.initial = initial
        self.maximum = maximum
        self.coolOff = coolOff
        self.jitter = jitter
    }

    /// The wait before reconnect number `attempt` (1-based); `coolOff` when the server throttled us.
    public func delay(attempt: Int, throttled: Bool, random: Double) -> Duration {
        if throttled { return coolOff }
        var delay = initial
        for _ in 1..<max(attempt, 1) {
            delay = delay * 2
            if delay >= maximum { break }
        }
        delay = min(delay, maximum)
        return delay + delay * (jitter * random)
    }
}

/// The state of a streaming connection, as its clients report it.
public enum ConnectionState: Sendable, Equatable {
    case connecting
    case connected
    /// Dropped; reconnecting after `delay`. `reason` is the feed's disconnect code when it sent one.
    case reconnecting(after: Duration, reason: UInt16?)
    case stopped
}

/// One typed item from the market feed.
public enum FeedUpdate: Sendable, Equatable {
    /// A ticker, quote or full packet's trade fields (the hot path; no allocation).
    case trade(FeedTrade)
    /// Trade packets that arrived together, in order (one update for a burst, so a consumer folds them in
    /// one pass instead of one stream hand-over per packet).
    case trades([FeedTrade])
    case previousClose(InstrumentKey, price: Float, openInterest: UInt32)
    case openInterest(InstrumentKey, UInt32)
    case marketStatus
    /// The server's disconnect packet (805 too many connections, 807 token expired, …). `staleToken` is true
    /// when the connection it ended had logged in with a token replaced since (renewed or generated again):
    /// an auth refusal there is the old token's, and the reconnect uses the new one.
    case disconnect(reason: UInt16, staleToken: Bool)
    case state(ConnectionState)
    /// A message that could not be decoded; `count` is the running total.
    case malformed(FeedDecodeError, count: Int)
}

/// DhanHQ's binary market feed over WebSocket: v2 query auth, subscribe batching, a zero-copy decoder,
/// automatic reconnect with back-off and jitter, and resubscription of everything after each reconnect.
public final class MarketFeedClient: Sendable {
    /// The typed updates, in arrival order.
    public let updates = AsyncInbox<FeedUpdate>()
    private let base: String
    private let tokens: DhanTokenStore

    /// The URL to connect to now and the token generation it carries: the token is read on every connect, so a
    /// renewed one is used at once.
    private var url: (String, generation: Int) {
        let (credentials, generation) = tokens.current
        let separator = base.contains("?") ? "&" : (base.hasSuffix("/") || base.contains("/", after: 8) ? "?" : "/?")
        return (
            "\(base)\(separator)version=2&token=\(credentials.accessToken)&clientId=\(credentials.clientID)&authType=2",
            generation
        )
    }
    private let policy: ReconnectPolicy
    private let logger: Logger
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    struct State: Sendable {
        var desired: [InstrumentKey: FeedMode] = [:]
        var writer: WebSocketOutboundWriter?
        var malformed = 0
        var packets = 0
        var connects = 0
        var stopped = false
        var lastThrottled = false
    }

    public init(
        endpoints: DhanEndpoints, credentials: DhanCredentials, policy: ReconnectPolicy = ReconnectPolicy(),
        logger: Logger = Logger(label: "dhan.feed"), tokens: DhanTokenStore? = nil
    ) {
        base = endpoints.feedURL
        self.tokens = tokens ?? DhanTokenStore(credentials)
        self.policy = policy
        self.logger = logger
    }

    /// Packets decoded, malformed messages and successful connects so far.
    public var counters: (packets: Int, malformed: Int, connects: Int) {
        state.withLock { ($0.packets, $0.malformed, $0.connects) }
    }

    /// Starts connecting (and reconnecting) in the background.
    public func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { await self.run() }
        }
    }

    /// Stops for good: closes the socket and finishes `updates`.
    public func stop() async {
        let (writer, running) = state.withLock { state in
            state.stopped = true
            return (state.writer, task.withLock { $0 })
        }
        try? await writer?.write(.text(FeedRequest.disconnect.json))
        try? await writer?.close(.normalClosure, reason: nil)
        running?.cancel()
        await running?.value
        updates.send(.state(.stopped))
        updates.finish()
    }

    /// Subscribes instruments in `mode` now (if connected) and after every reconnect.
    public func subscribe(_ instruments: [InstrumentKey], mode: FeedMode) async {
        let writer = state.withLock { state in
            for key in instruments { state.desired[key] = mode }
            return state.writer
        }
        guard let writer else { return }
        for request in FeedRequest.batches(code: Int(mode.rawValue), instruments: instruments.sorted()) {
            try? await writer.write(.text(request.json))
        }
    }

    /// Unsubscribes instruments now and forgets them for reconnects.
    public func unsubscribe(_ instruments: [InstrumentKey]) async {
        let (writer, byMode) = state.withLock { state in
            var byMode: [FeedMode: [InstrumentKey]] = [:]
            for key in instruments {
                if let mode = state.desired.removeValue(forKey: key) { byMode[mode, default: []].append(key) }
            }
            return (state.writer, byMode)
        }
        guard let writer else { return }
        for mode in byMode.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            for request in FeedRequest.batches(code: mode.unsubscribeCode, instruments: byMode[mode]!.sorted()) {
                try? await writer.write(.text(request.json))
            }
        }
    }

    /// Every instrument the client keeps subscribed.
    public var subscriptions: [InstrumentKey: FeedMode] { state.withLock { $0.desired } }

    private func run() async {
        let attempts = Mutex(0)
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled && !state.withLock({ $0.stopped }) {
            updates.send(.state(.connecting))
            var reason: UInt16?
            var refused = false
            do {
                let lastReason = Mutex<UInt16?>(nil)
                let (url, generation) = url
                try await WebSocketClient.connect(
                    url: url,
                    configuration: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(20))),
                    logger: logger
                ) { inbound, outbound, _ in
                    attempts.withLock { $0 = 0 }
                    try await self.connected(outbound)
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        if let code = self.receive(message, generation: generation) {
                            lastReason.withLock { $0 = code }
                        }
                    }
                }
                reason = lastReason.withLock { $0 }
            } catch {
                // A refused upgrade is how the feed answers too many connections or requests (HTTP 429).
                refused = (error as? WebSocketClientError) == .webSocketUpgradeFailed
                logger.warning("market feed connection failed", metadata: ["error": "\(error)"])
            }
            state.withLock { $0.writer = nil }
            if Task.isCancelled || state.withLock({ $0.stopped }) { break }
            let attempt = attempts.withLock { value in
                value += 1
                return value
            }
            let throttled = reason == 805 || reason == 804 || refused
            let delay = policy.delay(
                attempt: attempt, throttled: throttled, random: Double.random(in: 0..<1, using: &generator))
            updates.send(.state(.reconnecting(after: delay, reason: reason)))
            try? await Task.sleep(for: delay)
        }
    }

    private func connected(_ outbound: WebSocketOutboundWriter) async throws {
        let desired = state.withLock { state in
            state.writer = outbound
            state.connects += 1
            return state.desired
        }
        var byMode: [FeedMode: [InstrumentKey]] = [:]
        for (key, mode) in desired { byMode[mode, default: []].append(key) }
        for mode in byMode.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            for request in FeedRequest.batches(code: Int(mode.rawValue), instruments: byMode[mode]!.sorted()) {
                try await outbound.write(.text(request.json))
            }
        }
        // Connected means subscribed: everything wanted has been asked for again.
        updates.send(.state(.connected))
    }

    /// Decodes one message in place and yields it; returns the disconnect reason when it is one.
    ///
    /// `generation` is the token generation the connection logged in with.
    private func receive(_ message: WebSocketMessage, generation: Int) -> UInt16? {
        guard case .binary(let buffer) = message else {
            let count = state.withLock { state in
                state.malformed += 1
                return state.malformed
            }
            updates.send(.malformed(.unknownCode(0), count: count))
            return nil
        }
        return buffer.withUnsafeReadableBytes { bytes -> UInt16? in
            switch Self.decodeFrame(bytes) {
            case .update(var update):
                state.withLock { $0.packets += 1 }
                if case .disconnect(let reason, _) = update {
                    update = .disconnect(reason: reason, staleToken: generation != tokens.generation)
                    updates.send(update)
                    return reason
                }
                updates.send(update)
                return nil
            case .ignored:
                state.withLock { $0.packets += 1 }
                return nil
            case .malformed(let error):
                let count = state.withLock { state in
                    state.malformed += 1
                    return state.malformed
                }
                logger.warning("malformed feed packet", metadata: ["error": "\(error)", "count": "\(count)"])
                updates.send(.malformed(error, count: count))
                return nil
            }
        }
    }

    /// What one binary feed message decodes to.
    public enum Frame: Sendable, Equatable {
        case update(FeedUpdate)
        /// A packet the runtime does not use (index, ticker, quote and full packets beyond the trade).
        case ignored
        case malformed(FeedDecodeError)
    }

    /// Decodes one binary message in place, as the client does for every message it receives (the
    /// simulation's in-memory feed calls it on the same bytes).
    public static func decodeFrame(_ bytes: UnsafeRawBufferPointer) -> Frame {
        if let trade = FeedPacketDecoder.decodeTrade(bytes) { return .update(.trade(trade)) }
        switch FeedPacketDecoder.decode(bytes) {
        case .success(let packet):
            switch packet {
            case .previousClose(let key, let price, let oi):
                return .update(.previousClose(key, price: price, openInterest: oi))
            case .openInterest(let key, let oi): return .update(.openInterest(key, oi))
            case .marketStatus: return .update(.marketStatus)
            case .disconnect(let reason): return .update(.disconnect(reason: reason, staleToken: false))
            case .index, .ticker, .quote, .full: return .ignored
            }
        case .failure(let error):
            return .malformed(error)
        }
    }
}

extension String {
    /// True when `character` occurs at or after UTF-8 offset `offset` (used to see whether a URL has a path).
    fileprivate func contains(_ character: Character, after offset: Int) -> Bool {
        dropFirst(offset).contains(character)
    }
}
