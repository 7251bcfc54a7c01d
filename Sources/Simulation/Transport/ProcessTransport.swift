import DhanClient
import Synchronization

/// One process's connection to the in-memory world: it carries requests while the process lives and refuses
/// them once it is killed.
///
/// A killed process's tasks are woken (cancelled) so their memory is freed; a request one of them makes while
/// it unwinds, or one that was waiting out its network latency, must never reach the world, as no request of
/// a process the kernel killed leaves the machine.
public final class ProcessTransport: DhanTransport {
    private let transport: InMemoryDhanTransport
    private let alive = Atomic<Bool>(true)

    public init(_ transport: InMemoryDhanTransport) { self.transport = transport }

    /// The process died: no later request reaches the world.
    public func sever() { alive.store(false, ordering: .relaxed) }

    public func send(_ request: DhanHTTPRequest) async throws -> DhanHTTPResponse {
        try await transport.send(request) { self.alive.load(ordering: .relaxed) }
    }

    public func shutdown() async throws {}
}
