import DhanClient
import Synchronization

/// One process's connection to the in-memory world: it carries requests while the process lives and refuses
/// them once it is killed.
///
/// A killed process's tasks are woken (cancelled) so their memory is freed; a request one of them makes while
/// it unwinds must never reach the world, as no request of a process the kernel killed leaves the machine.
/// A request sent before the kill is another matter: it is on the wire and reaches the broker anyway, maybe
/// after the restart has looked for it (`wire`, delivered by `VirtualRuntime`).
public final class ProcessTransport: DhanTransport {
    private let transport: InMemoryDhanTransport
    private let alive = Atomic<Bool>(true)

    public init(_ transport: InMemoryDhanTransport) { self.transport = transport }

    /// The process died: no later request reaches the world.
    public func sever() { alive.store(false, ordering: .relaxed) }

    /// Requests sent and still on their way to the world.
    public let wire = RequestsOnTheWire()

    public func send(_ request: DhanHTTPRequest) async throws -> DhanHTTPResponse {
        try await transport.send(request, admitted: { self.alive.load(ordering: .relaxed) }, wire: wire)
    }

    public func shutdown() async throws {}
}

/// Requests a process has sent that have not reached the world yet, with when each arrives.
public final class RequestsOnTheWire: Sendable {
    private struct Pending {
        var next = 0
        var requests: [Int: (request: DhanHTTPRequest, arrives: Duration)] = [:]
    }
    private let pending = Mutex(Pending())

    public init() {}

    /// A request just sent; the ticket takes it back off the wire.
    func add(_ request: DhanHTTPRequest, arrives: Duration) -> Int {
        pending.withLock { pending in
            pending.next += 1
            pending.requests[pending.next] = (request, arrives)
            return pending.next
        }
    }

    /// Takes the request back for its sender to deliver; false when a kill took it first.
    func take(_ ticket: Int) -> Bool { pending.withLock { $0.requests.removeValue(forKey: ticket) != nil } }

    /// Everything still on the wire (the sender was killed), in the order sent.
    public func takeAll() -> [(request: DhanHTTPRequest, arrives: Duration)] {
        pending.withLock { pending in
            defer { pending.requests = [:] }
            return pending.requests.keys.sorted().map { pending.requests[$0]! }
        }
    }

    /// Requests on the wire now.
    public var count: Int { pending.withLock { $0.requests.count } }
}
