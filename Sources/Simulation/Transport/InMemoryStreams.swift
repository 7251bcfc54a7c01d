import Dhan
import DhanClient
import DhanSim
import Domain
import Foundation
import MarketModel
import Runtime
import Synchronization

/// dhan-sim's market-feed frames, decoded as `MarketFeedClient` decodes every message, without a socket.
///
/// Subscriptions go to the world as the JSON requests the client writes; the frames the world answers with
/// and the ones `VirtualRuntime` hands over each second become `updates`. When the world closes the feed it
/// reconnects as the client does: after the policy's back-off (seeded jitter, on virtual time), then
/// subscribes everything again.
public final class InMemoryMarketFeed: MarketDataPort {
    public let updates = AsyncInbox<FeedUpdate>()
    private let transport: InMemoryDhanTransport
    private let policy: ReconnectPolicy
    private let malformed = Mutex(0)
    /// Each subscribed instrument's mode (an unsubscribe request names the mode it leaves).
    private let modes = Mutex<[InstrumentKey: FeedMode]>([:])

    private struct Link {
        /// The process that read this feed was killed: nothing more reaches the world or the stream.
        var severed = false
        var connected = false
        var attempt = 0
        /// When a closed feed connects again (virtual elapsed time).
        var reconnectAt: Duration?
        var random: SeededRandom
        var connects = 0
    }

    private let link: Mutex<Link>

    public init(_ transport: InMemoryDhanTransport, policy: ReconnectPolicy = ReconnectPolicy(), seed: UInt64 = 1) {
        self.transport = transport
        self.policy = policy
        link = Mutex(Link(random: SeededRandom(seed: seed, key: "feed-reconnect")))
    }

    /// Successful connects so far (the first one included).
    public var connects: Int { link.withLock { $0.connects } }

    public func start() {
        connect()
    }

    /// The process reading this feed was killed (`VirtualRuntime.kill`): its connection is gone, later calls
    /// do nothing, and the stream ends so a task reading it finishes.
    public func sever() {
        link.withLock { $0.severed = true }
        updates.finish()
    }

    private var severed: Bool { link.withLock { $0.severed } }

    private func connect() {
        guard !severed else { return }
        updates.send(.state(.connecting))
        transport.withWorld { $0.connectFeed() }
        link.withLock {
            $0.connected = true
            $0.attempt = 0
            $0.reconnectAt = nil
            $0.connects += 1
        }
        // Connected means subscribed: everything wanted is asked for again, as `MarketFeedClient` does.
        let desired = modes.withLock { $0 }
        var byMode: [FeedMode: [InstrumentKey]] = [:]
        for (key, mode) in desired { byMode[mode, default: []].append(key) }
        for mode in byMode.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            for request in FeedRequest.batches(code: Int(mode.rawValue), instruments: byMode[mode]!.sorted()) {
                deliver(transport.withWorld { $0.feedRequest(request.json) }.feedFrames)
            }
        }
        updates.send(.state(.connected))
    }

    /// The world closed the feed (after the frames it sent last, a disconnect packet among them): back off.
    public func closed(reason: UInt16?, at now: Duration) {
        let delay = link.withLock { link -> Duration in
            link.connected = false
            link.attempt += 1
            let throttled = reason == 804 || reason == 805
            let delay = policy.delay(attempt: link.attempt, throttled: throttled, random: link.random.unit())
            link.reconnectAt = now + delay
            return delay
        }
        updates.send(.state(.reconnecting(after: delay, reason: reason)))
    }

    /// Connects again if a back-off has run out by `now` (the world refusing, with an expired token, is one
    /// more failed attempt).
    public func reconnectIfDue(at now: Duration) {
        guard !severed, let due = link.withLock({ $0.reconnectAt }), due <= now else { return }
        if transport.withWorld({ $0.isTokenExpired }) {
            closed(reason: 807, at: now)
            return
        }
        connect()
    }

    public func stop() async {
        updates.send(.state(.stopped))
        updates.finish()
    }

    public func subscribe(_ instruments: [InstrumentKey], mode: FeedMode) async {
        guard !severed else { return }
        modes.withLock { modes in for key in instruments { modes[key] = mode } }
        for request in FeedRequest.batches(code: Int(mode.rawValue), instruments: instruments.sorted()) {
            deliver(transport.withWorld { $0.feedRequest(request.json) }.feedFrames)
        }
    }

    public func unsubscribe(_ instruments: [InstrumentKey]) async {
        guard !severed else { return }
        let byMode = modes.withLock { modes in
            var byMode: [FeedMode: [InstrumentKey]] = [:]
            for key in instruments {
                if let mode = modes.removeValue(forKey: key) { byMode[mode, default: []].append(key) }
            }
            return byMode
        }
        for mode in byMode.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let keys = byMode[mode]!
            for request in FeedRequest.batches(code: mode.unsubscribeCode, instruments: keys.sorted()) {
                deliver(transport.withWorld { $0.feedRequest(request.json) }.feedFrames)
            }
        }
    }

    /// Decodes frames the world sent and yields what they carry, in order; consecutive trades go as one
    /// `.trades` burst (the world sends a second's packets at one instant).
    public func deliver(_ frames: [[UInt8]]) {
        var burst: [FeedTrade] = []
        func flush() {
            if burst.count == 1 { updates.send(.trade(burst[0])) }
            if burst.count > 1 { updates.send(.trades(burst)) }
            burst.removeAll()
        }
        defer { flush() }
        for frame in frames {
            let decoded = frame.withUnsafeBytes { MarketFeedClient.decodeFrame($0) }
            switch decoded {
            case .update(.trade(let trade)): burst.append(trade)
            case .update(let update):
                flush()
                updates.send(update)
            case .ignored: break
            case .malformed(let error):
                flush()
                let count = malformed.withLock { count in
                    count += 1
                    return count
                }
                updates.send(.malformed(error, count: count))
            }
        }
    }
}

/// dhan-sim's order alerts, read as `OrderUpdateClient` reads every text message, without a socket.
public final class InMemoryOrderStream: OrderStreamPort {
    public let updates: AsyncStream<DhanClient.OrderUpdate>
    private let continuation: AsyncStream<DhanClient.OrderUpdate>.Continuation
    private let malformed = Mutex(0)

    public init() {
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    public func start() { continuation.yield(.state(.connected)) }

    /// The process reading these alerts was killed: the stream ends so a task reading it finishes.
    public func sever() { continuation.finish() }

    public func stop() async {
        continuation.yield(.state(.stopped))
        continuation.finish()
    }

    /// Yields the alerts the world sent, in order.
    public func deliver(_ alerts: [Data]) {
        for text in alerts {
            if let alert = OrderUpdateClient.decodeAlert(text) {
                continuation.yield(.alert(alert))
            } else {
                let count = malformed.withLock { count in
                    count += 1
                    return count
                }
                continuation.yield(.malformed(String(decoding: text.prefix(200), as: UTF8.self), count: count))
            }
        }
    }
}
