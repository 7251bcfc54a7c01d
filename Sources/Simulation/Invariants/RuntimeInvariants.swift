import DhanSim
import Domain
import Engine
import Runtime
import Synchronization

/// The simulation's invariants checked on `TradingRuntime` itself: after every fold, against the broker
/// dhan-sim holds in memory (`VirtualRuntime`).
public final class RuntimeInvariants: FoldObserver {
    private struct Progress {
        var checker = InvariantChecker()
        /// The engine's open quantities before a SELL fill is folded.
        var before: [InstrumentKey: Int64] = [:]
        var lastSeq: UInt64 = 0
        /// The broker's positions and parent orders, with the transport generation and the book version they
        /// were read at.
        var broker: (generation: UInt64, version: Int, positions: [SimBrokerPosition], parents: [String: Int])?
    }

    private let progress = Mutex(Progress())
    private let transport: InMemoryDhanTransport

    /// Checks against the broker behind `transport`.
    public init(_ transport: InMemoryDhanTransport) { self.transport = transport }

    public func willFold(_ event: Event, state: EngineState) {
        guard case .fill(let fill) = event, fill.side == .sell else { return }
        let before = InvariantChecker.engineQuantities(state)
        progress.withLock { $0.before = before }
    }

    public func didFold(_ event: Event, seq: UInt64, commands: [Command], state: EngineState, at time: Timestamp) {
        let generation = transport.generation
        let cached = progress.withLock { $0.broker }
        var broker: (generation: UInt64, version: Int, positions: [SimBrokerPosition], parents: [String: Int])
        var changed = true
        if let cached, cached.generation == generation {
            broker = cached
            changed = false
        } else {
            // The world changed (a second passed, a request was answered); its book only when an order or a
            // trade was added, which is seldom: walking every order after every second is most of the cost.
            broker = transport.withWorld { world in
                let version = world.bookVersion
                if let cached, cached.version == version {
                    changed = false
                    return (0, version, cached.positions, cached.parents)
                }
                return (0, version, world.positions, world.parentOrdersByCorrelationID)
            }
            broker.generation = transport.generation
        }
        progress.withLock { progress in
            progress.broker = broker
            progress.checker.afterStep(
                event: event, seq: seq, commands: commands, state: state, before: progress.before,
                broker: broker.positions, parentOrders: broker.parents, brokerChanged: changed, at: time)
            progress.before = [:]
            progress.lastSeq = seq
        }
    }

    /// The end-of-day checks on the runtime's final state; every violation found, in the order found.
    public func finish(state: EngineState) -> [Violation] {
        let positions = transport.withWorld { $0.positions }
        return progress.withLock { progress in
            progress.checker.atEnd(state: state, broker: positions, seq: progress.lastSeq)
            return progress.checker.violations
        }
    }

    /// Records that the journal did not replay to the runtime's state.
    public func replayFailed(_ why: String, seq: UInt64) {
        progress.withLock { $0.checker.replayFailed(why, seq: seq) }
    }

    /// Violations so far.
    public var violations: [Violation] { progress.withLock { $0.checker.violations } }
}
