import Dhan
import DhanClient
import Domain

/// The market feed the runtime reads: DhanHQ's WebSocket (`MarketFeedClient`), or a simulation's frames.
public protocol MarketDataPort: Sendable {
    var updates: AsyncInbox<FeedUpdate> { get }
    func start()
    func stop() async
    func subscribe(_ instruments: [InstrumentKey], mode: FeedMode) async
    func unsubscribe(_ instruments: [InstrumentKey]) async
}

/// The order-update stream the runtime reads: DhanHQ's WebSocket (`OrderUpdateClient`), or a simulation's
/// alerts.
public protocol OrderStreamPort: Sendable {
    var updates: AsyncStream<DhanClient.OrderUpdate> { get }
    func start()
    func stop() async
}

extension MarketFeedClient: MarketDataPort {}
extension OrderUpdateClient: OrderStreamPort {}

/// What `TradingRuntime` talks to instead of the network and the global executor (nil: the real thing).
///
/// `scalper run` sets none of these; the virtual-time harness sets them all, so the same runtime runs against
/// dhan-sim's core in memory, on `VirtualClock`, with every task on a `ManualExecutor`.
public struct RuntimePorts: Sendable {
    /// The REST client's transport (nil: async-http-client).
    public var transport: (any DhanTransport)?
    /// The market feed (nil: `MarketFeedClient` on the endpoints' WebSocket).
    public var feed: (any MarketDataPort)?
    /// The order stream in live mode (nil: `OrderUpdateClient`).
    public var orderStream: (any OrderStreamPort)?
    /// The executor the runtime's tasks prefer (nil: the global one).
    public var taskExecutor: (any TaskExecutor)?
    /// Commit each input on the caller's thread (a process on virtual time has no writer thread).
    public var inlineCommits = false
    /// Sees every fold (the simulation's invariant checks).
    public var foldObserver: (any FoldObserver)?
    /// What durations are measured on (commit latency, the rebuild, snapshot writes): the monotonic wall
    /// clock, or the simulation's virtual clock, so a process on virtual time reads no wall clock.
    public var stopwatch: any ElapsedClock = MonotonicClock()

    public init() {}
}
