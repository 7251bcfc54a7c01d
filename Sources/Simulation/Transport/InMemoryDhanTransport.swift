import DhanClient
import DhanSim
import Foundation
import Synchronization

/// `DhanRESTClient`'s bytes handed to dhan-sim's core in memory: no socket, and the world's clock is whatever
/// the caller has advanced it to.
///
/// The request is the one the client would send (method, path, query, headers, JSON body); the answer is the
/// status and body dhan-sim's server would write. Order alerts and feed frames the call causes are kept for
/// the caller (`takeOutput`), as the sockets would carry them.
public final class InMemoryDhanTransport: DhanTransport {
    private let world: Mutex<SimWorld>
    private let pending = Mutex(SimOutput())

    private let changes = Atomic<UInt64>(0)
    /// Decides, for a request the world has answered, whether the answer is lost on the way back.
    private let losesAnswer = Mutex<Hook<@Sendable (DhanHTTPRequest) -> Bool>?>(nil)
    private let lost = Atomic<Int>(0)

    /// A request's answer that never arrived (the world acted on the request).
    public struct AnswerLost: Error, CustomStringConvertible {
        public var description: String { "the connection closed before the answer arrived" }
    }

    /// From now on, `rule` picks the requests whose answers are lost after the world has acted on them (an
    /// ambiguous submit: the broker took the order, the client never hears); nil ends it.
    public func loseAnswers(_ rule: (@Sendable (DhanHTTPRequest) -> Bool)?) {
        losesAnswer.withLock { $0 = rule.map(Hook.init) }
    }

    /// A request's way to the world: how long it takes (a seeded draw), the sender's clock to wait it on, and
    /// when it would arrive, on the harness's virtual time (`VirtualRuntime.delayRequests`).
    public struct Latency: Sendable {
        /// How long `request` takes; nil: it reaches the world at once.
        public var draw: @Sendable (DhanHTTPRequest) -> Duration?
        public var now: @Sendable () -> Duration
        public var sleep: @Sendable (Duration) async throws -> Void

        public init(
            draw: @escaping @Sendable (DhanHTTPRequest) -> Duration?, now: @escaping @Sendable () -> Duration,
            sleep: @escaping @Sendable (Duration) async throws -> Void
        ) {
            self.draw = draw
            self.now = now
            self.sleep = sleep
        }
    }

    /// Waits before a request reaches the world (a seeded network latency on virtual time); nil: none.
    private let delay = Mutex<Latency?>(nil)

    /// From now on every request first takes `latency` to reach the world; nil ends it.
    public func delayRequests(_ latency: Latency?) { delay.withLock { $0 = latency } }

    /// Changes the world just before it answers a request (an exchange rejection of the order it carries).
    private let before = Mutex<Hook<@Sendable (DhanHTTPRequest, inout SimWorld) -> Void>?>(nil)

    /// From now on `change` runs on the world before each request reaches it; nil ends it.
    public func beforeEachRequest(_ change: (@Sendable (DhanHTTPRequest, inout SimWorld) -> Void)?) {
        before.withLock { $0 = change.map(Hook.init) }
    }

    /// Answers lost so far.
    public var lostAnswers: Int { lost.load(ordering: .relaxed) }

    public init(_ world: SimWorld) { self.world = Mutex(world) }

    /// Runs `body` on the world (advance its clock, inject a fault, read the broker's book).
    public func withWorld<T>(_ body: (inout SimWorld) -> T) -> T {
        changes.add(1, ordering: .relaxed)
        return world.withLock { body(&$0) }
    }

    /// Grows whenever the world may have changed (a request, or `withWorld`): a reader that saw the same value
    /// may keep what it read.
    public var generation: UInt64 { changes.load(ordering: .relaxed) }

    /// Alerts and feed frames the calls so far caused, and no more.
    public func takeOutput() -> SimOutput {
        pending.withLock { output in
            defer { output = SimOutput() }
            return output
        }
    }

    /// The process that sent a request is gone (`ProcessTransport`): the world never saw it.
    public struct ProcessGone: Error, CustomStringConvertible {
        public var description: String { "the process that sent the request was killed" }
    }

    public func send(_ request: DhanHTTPRequest) async throws -> DhanHTTPResponse {
        try await send(request) { true }
    }

    /// Sends `request` if `admitted` holds when it is sent; once sent it is on `wire` while its latency passes.
    ///
    /// A request on the wire reaches the world even if its sender dies meanwhile: the bytes have left the
    /// machine. A kill takes what is on the wire (`RequestsOnTheWire.takeAll`) and the harness delivers each
    /// at its arrival, answering no one; otherwise the sender delivers it itself when its wait ends.
    func send(_ request: DhanHTTPRequest, admitted: () -> Bool, wire: RequestsOnTheWire? = nil) async throws
        -> DhanHTTPResponse
    {
        guard admitted() else { throw ProcessGone() }
        if let latency = delay.withLock({ $0 }), let wait = latency.draw(request) {
            let ticket = wire?.add(request, arrives: latency.now() + wait)
            // A cancelled wait is not yet an answer: the request may be on the wire.
            var interrupted: (any Error)?
            do { try await latency.sleep(wait) } catch { interrupted = error }
            // Taken by a kill: the harness delivers it when it arrives, and this sender hears nothing.
            if let wire, let ticket, !wire.take(ticket) { throw ProcessGone() }
            if let interrupted, wire == nil { throw interrupted }
        }
        return try answer(request)
    }

    /// Hands a request that arrived to the world and returns its answer (`AnswerLost` when the rule loses it).
    public func answer(_ request: DhanHTTPRequest) throws -> DhanHTTPResponse {
        guard let components = URLComponents(string: request.url) else {
            return DhanHTTPResponse(status: 400, body: Data("{}".utf8))
        }
        if components.path.hasSuffix("api-scrip-master-detailed.csv") {
            // The file dhan-sim's server publishes beside the API.
            return DhanHTTPResponse(status: 200, body: Data(world.withLock { $0.detailedScripMasterCSV }.utf8))
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let token = request.headers.first { $0.name.lowercased() == "access-token" }?.value ?? ""
        let clientID = request.headers.first { $0.name.lowercased() == "dhanclientid" }?.value
        changes.add(1, ordering: .relaxed)
        let change = before.withLock { $0?.body }
        let answer = world.withLock { world in
            change?(request, &world)
            return world.rest(
                method: request.method, path: components.path, query: query, body: request.body ?? Data(),
                accessToken: token, clientID: clientID, virtualSeconds: Double(world.now.epochSeconds))
        }
        pending.withLock { output in
            output.alerts += answer.output.alerts
            output.feedFrames += answer.output.feedFrames
        }
        if let rule = losesAnswer.withLock({ $0?.body }), rule(request) {
            lost.add(1, ordering: .relaxed)
            throw AnswerLost()
        }
        return DhanHTTPResponse(status: answer.status, body: answer.body)
    }

    public func shutdown() async throws {}
}

/// A closure kept in a `Mutex`, wrapped: a bare function value there is handed to `withLock`'s body `inout`, and
/// each read wrapped it in two more reabstraction thunks and stored that back, so every request ran through a
/// longer chain of thunks than the one before (5 % of a simulated `observed` day, and growing through the day).
private struct Hook<Body: Sendable>: Sendable {
    let body: Body

    init(_ body: Body) { self.body = body }
}
