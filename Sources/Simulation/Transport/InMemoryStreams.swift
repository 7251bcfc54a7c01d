import Dhan
import DhanClient
import DhanSim
import Domain
import Foundation
import Runtime
import Synchronization

/// dhan-sim's market-feed frames, decoded as `MarketFeedClient` decodes every message, without a socket.
///
/// Subscriptions go to the world as the JSON requests the client writes; the frames the world answers with
/// and the ones `VirtualRuntime` hands over each second become `updates`.
public final class InMemoryMarketFeed: MarketDataPort {
    public let updates: AsyncStream<FeedUpdate>
    private let continuation: AsyncStream<FeedUpdate>.Continuation
    private let transport: InMemoryDhanTransport
    private let malformed = Mutex(0)
    /// Each subscribed instrument's mode (an unsubscribe request names the mode it leaves).
    private let modes = Mutex<[InstrumentKey: FeedMode]>([:])

    public init(_ transport: InMemoryDhanTransport) {
        self.transport = transport
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    public func start() {
        continuation.yield(.state(.connecting))
        transport.withWorld { $0.connectFeed() }
        continuation.yield(.state(.connected))
    }

    public func stop() async {
        continuation.yield(.state(.stopped))
        continuation.finish()
    }

    public func subscribe(_ instruments: [InstrumentKey], mode: FeedMode) async {
        modes.withLock { modes in for key in instruments { modes[key] = mode } }
        for request in FeedRequest.batches(code: Int(mode.rawValue), instruments: instruments.sorted()) {
            deliver(transport.withWorld { $0.feedRequest(request.json) }.feedFrames)
        }
    }

    public func unsubscribe(_ instruments: [InstrumentKey]) async {
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

    /// Decodes frames the world sent and yields what they carry, in order.
    public func deliver(_ frames: [[UInt8]]) {
        for frame in frames {
            let decoded = frame.withUnsafeBytes { MarketFeedClient.decodeFrame($0) }
            switch decoded {
            case .update(let update): continuation.yield(update)
            case .ignored: break
            case .malformed(let error):
                let count = malformed.withLock { count in
                    count += 1
                    return count
                }
                continuation.yield(.malformed(error, count: count))
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
