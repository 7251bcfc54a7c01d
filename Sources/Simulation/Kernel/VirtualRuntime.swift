import DhanClient
import DhanSim
import Domain
import Foundation
import Runtime
import Synchronization

/// `TradingRuntime` itself (the process `scalper run` is) against dhan-sim's core in memory, on virtual time.
///
/// The REST client, the feed and the order stream carry the bytes the sockets would (`InMemoryDhanTransport`,
/// `InMemoryMarketFeed`, `InMemoryOrderStream`); every task runs on a `ManualExecutor`, and every wait is on a
/// `VirtualClock`. Each step moves the world one second, hands its frames and alerts to the runtime, moves the
/// clock, and runs until nothing is runnable: the same world and runtime take the same steps on every run,
/// with no sockets and no sleeps.
public final class VirtualRuntime {
    public let transport: InMemoryDhanTransport
    public let feed: InMemoryMarketFeed
    public let orders: InMemoryOrderStream
    public let clock: VirtualClock
    public let executor = ManualExecutor()
    private let origin: Timestamp

    /// Why `run` returned.
    public enum Ending: Equatable, Sendable {
        /// The runtime stopped itself (its stop time) and shut down.
        case stopped
        /// The world reached the last second asked for; the runtime was asked to stop and shut down.
        case timeLimit
        /// The runtime is still running after the last step (it did not finish its shutdown).
        case stuck
    }

    /// A harness around `world`, whose clock starts at the world's time.
    public init(world: SimWorld) {
        transport = InMemoryDhanTransport(world)
        feed = InMemoryMarketFeed(transport)
        orders = InMemoryOrderStream()
        origin = world.now
        clock = VirtualClock(origin: world.now)
    }

    /// The ports a runtime must be given to run here (`TradingRuntime.Options.ports`).
    public var ports: RuntimePorts {
        var ports = RuntimePorts()
        ports.transport = transport
        ports.feed = feed
        ports.orderStream = orders
        ports.taskExecutor = executor
        ports.inlineCommits = true
        return ports
    }

    /// Runs `runtime.run()` one world second at a time until it stops or the world passes `lastSecondOfDay`.
    ///
    /// Past `lastSecondOfDay` the runtime is asked to stop. `afterSecond` sees every step (inject a fault,
    /// check an invariant). Rethrows what `run()` threw.
    @discardableResult
    public func run(
        _ runtime: TradingRuntime, until lastSecondOfDay: Int, afterSecond: (Int) throws -> Void = { _ in }
    ) throws -> Ending {
        let result = Mutex<Result<Void, any Error>?>(nil)
        Task(executorPreference: executor) {
            do {
                try await runtime.run()
                result.withLock { $0 = .success(()) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
        }
        settle()
        var ending = Ending.stopped
        while result.withLock({ $0 == nil }) {
            let second = transport.withWorld { $0.secondOfDay }
            guard second < lastSecondOfDay else {
                runtime.stop()
                settle()
                ending = .timeLimit
                break
            }
            step()
            try afterSecond(second + 1)
        }
        switch result.withLock({ $0 }) {
        case .failure(let error): throw error
        case .success: return ending
        case nil: return .stuck
        }
    }

    /// Moves the world one second, hands its output over, moves the clock to it, and settles.
    public func step() {
        let output = transport.withWorld { world in
            world.advanceOneSecond(virtualSeconds: Double(world.now.epochSeconds + 1))
        }
        deliver(output)
        let now = transport.withWorld { $0.now }
        clock.advance(to: .nanoseconds(now.nanos - origin.nanos))
        settle()
    }

    /// Runs every runnable job, hands over what REST calls made the world send, and wakes sleepers already
    /// due, until none of these has anything left.
    public func settle() {
        while true {
            executor.runUntilIdle()
            deliver(transport.takeOutput())
            if executor.queued > 0 { continue }
            if clock.advance(to: clock.elapsed()) > 0 { continue }
            return
        }
    }

    private func deliver(_ output: SimOutput) {
        if !output.feedFrames.isEmpty { feed.deliver(output.feedFrames) }
        if !output.alerts.isEmpty { orders.deliver(output.alerts) }
    }
}
