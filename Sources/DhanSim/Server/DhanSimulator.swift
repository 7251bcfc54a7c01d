import Dhan
import Domain
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MarketModel
import NIOCore
import Synchronization

/// A running DhanHQ v2 simulator: REST under `/v2`, the market feed and the order-update stream on one port.
///
/// WebSockets both upgrade at `/`: a handshake whose query carries `token` is the market feed (as the
/// official SDK connects), one without is the order-update stream. `/sim/*` is the unauthenticated control
/// API for tests (clock, faults, stats).
public final class DhanSimulator: Sendable {
    public let configuration: SimConfiguration
    let core: Mutex<SimCore>
    private let links = Mutex(Links())
    private let started = ContinuousClock.now
    private let serverTask = Mutex<Task<Void, any Error>?>(nil)
    private let driverTask = Mutex<Task<Void, Never>?>(nil)
    private let boundPort = Mutex<Int>(0)
    /// Held while a step's output is delivered, so deliveries never overtake one another.
    private let ordering = Mutex(())
    private let logger: Logger

    /// Outgoing items for one WebSocket.
    enum Outgoing: Sendable {
        case binary([UInt8])
        case text(String, notBefore: Double)
        case close
    }

    struct Links: Sendable {
        var feeds: [Int: AsyncStream<Outgoing>.Continuation] = [:]
        var orderListeners: [Int: AsyncStream<Outgoing>.Continuation] = [:]
        /// Who follows the simulator's moments (`moments()`).
        var watchers: [Int: AsyncStream<Moment>.Continuation] = [:]
        var nextListener = 1
    }

    /// A REST request the simulator has answered: its method and path, and the status it answered with.
    public struct AnsweredRequest: Sendable, Equatable {
        public var method: String
        public var path: String
        public var status: Int
    }

    /// A moment in a client's life that a test can wait for instead of sleeping on the wall clock.
    public enum Moment: Sendable, Equatable {
        /// A REST answer was made (before it is sent).
        case answered(AnsweredRequest)
        /// An order-update socket logged in; alerts from now on reach it.
        case orderStreamLoggedIn
    }

    /// The moments from now on, in the order they happened; the stream ends when the simulator stops.
    public func moments() -> AsyncStream<Moment> {
        let (stream, continuation) = AsyncStream.makeStream(of: Moment.self)
        let id = links.withLock { links in
            links.nextListener += 1
            links.watchers[links.nextListener] = continuation
            return links.nextListener
        }
        // A watcher that stops reading is forgotten, so nothing buffers for it.
        continuation.onTermination = { [weak self] _ in self?.links.withLock { $0.watchers[id] = nil } }
        return stream
    }

    private func tell(_ moment: Moment) {
        for watcher in links.withLock({ $0.watchers.values }) { watcher.yield(moment) }
    }

    private init(configuration: SimConfiguration, logger: Logger) {
        self.configuration = configuration
        self.core = Mutex(SimCore(configuration: configuration))
        self.logger = logger
        core.withLock {
            $0.broker.slippageTicks = configuration.slippageTicks
            var behaviour = configuration.behaviour
            behaviour.partialFills = behaviour.partialFills || configuration.partialFills
            $0.broker.apply(behaviour)
        }
    }

    /// Starts a simulator on 127.0.0.1 (`port` 0 picks a free one) and returns once it accepts connections.
    public static func start(
        _ configuration: SimConfiguration, host: String = "127.0.0.1", port: Int = 0,
        logger: Logger = Logger(label: "dhan-sim")
    ) async throws -> DhanSimulator {
        let simulator = DhanSimulator(configuration: configuration, logger: logger)
        let (ready, readyContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: CallbackResponder { (request: Request, _: BasicWebSocketRequestContext) in
                try await simulator.respond(request)
            },
            server: .http1WebSocketUpgrade(
                configuration: .init(
                    http1: .init(),
                    ws: WebSocketServerConfiguration(
                        maxFrameSize: 1 << 20, autoPing: .enabled(timePeriod: .seconds(10)))
                )
            ) { request, _, _ in
                simulator.upgrade(request)
            },
            configuration: .init(address: .hostname(host, port: port), serverName: "dhan-sim"),
            onServerRunning: { channel in
                readyContinuation.yield(channel.localAddress?.port ?? 0)
                readyContinuation.finish()
            },
            logger: logger
        )
        simulator.serverTask.withLock { $0 = Task { try await app.run() } }
        var iterator = ready.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            throw SimulatorError(message: "dhan-sim could not bind \(host):\(port)")
        }
        simulator.boundPort.withLock { $0 = bound }
        simulator.startDriver()
        return simulator
    }

    /// The port the simulator listens on.
    public var port: Int { boundPort.withLock { $0 } }
    public var restBaseURL: String { "http://127.0.0.1:\(port)/v2" }
    public var feedURL: String { "ws://127.0.0.1:\(port)" }
    public var orderUpdateURL: String { "ws://127.0.0.1:\(port)" }

    /// Stops serving and closes every connection.
    public func stop() async {
        driverTask.withLock { $0?.cancel() }
        let links = links.withLock { links in
            defer { links = Links() }
            return links
        }
        for continuation in links.feeds.values { continuation.finish() }
        for continuation in links.orderListeners.values { continuation.finish() }
        for continuation in links.watchers.values { continuation.finish() }
        let task = serverTask.withLock { $0 }
        task?.cancel()
        _ = await task?.result
    }

    /// Simulated time now.
    public var now: Timestamp { core.withLock { $0.now } }

    /// Seconds of wall time since start.
    func wallNow() -> Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Moves a manual clock (speed 0) forward; any clock may be pushed forward this way.
    public func advance(seconds: Int) {
        let wall = wallNow()
        step { core in core.advance(toSecondOfDay: min(core.second + seconds, 86_399), wallNow: wall) }
    }

    /// Steps the state and delivers what it produced as one move: alerts and frames leave in the order the
    /// state machine made them, whichever task (clock, REST, socket) made them.
    func step(_ body: (inout SimCore) -> Outbox) {
        ordering.withLock { _ in deliver(core.withLock { body(&$0) }) }
    }

    /// Switches faults on (as `POST /sim/faults` does).
    public func inject(_ faults: SimFaults) {
        let wall = wallNow()
        step { core in
            core.faults.apply(faults, wallNow: wall)
            if let reason = faults.disconnectFeedsReason { return core.disconnectAllFeeds(reason: reason) }
            if faults.tokenExpired == true { return core.disconnectAllFeeds(reason: 807) }
            return Outbox()
        }
    }

    // MARK: - Clock driver

    private func startDriver() {
        guard configuration.speed > 0 else { return }
        let task = Task { [self] in
            let startSecond = configuration.startSecondOfDay
            while !Task.isCancelled {
                let wall = wallNow()
                let target = min(startSecond + Int(wall * configuration.speed), 86_399)
                step { core in
                    core.second < target ? core.advance(toSecondOfDay: target, wallNow: wall) : Outbox()
                }
                let step = max(0.005, min(0.25, 1 / configuration.speed))
                try? await Task.sleep(for: .milliseconds(Int(step * 1000)))
            }
        }
        driverTask.withLock { $0 = task }
    }

    // MARK: - Delivery

    func deliver(_ out: Outbox) {
        guard !out.feedFrames.isEmpty || !out.closeFeeds.isEmpty || !out.alerts.isEmpty else { return }
        let delay = core.withLock { Double($0.faults.orderUpdateDelayMilliseconds ?? 0) / 1000 }
        let notBefore = wallNow() + delay
        let alerts = out.alerts.map { String(decoding: OrderAlertMessage(data: $0).jsonBody(), as: UTF8.self) }
        links.withLock { links in
            for (connection, frame) in out.feedFrames {
                links.feeds[connection]?.yield(.binary(frame))
            }
            for connection in out.closeFeeds {
                links.feeds[connection]?.yield(.close)
                links.feeds[connection] = nil
            }
            for listener in links.orderListeners.keys.sorted() {
                for alert in alerts { links.orderListeners[listener]?.yield(.text(alert, notBefore: notBefore)) }
            }
        }
    }

    // MARK: - REST

    private func respond(_ request: Request) async throws -> Response {
        let path = request.uri.path
        let body = Data(buffer: try await request.body.collect(upTo: 8 << 20))
        if path.hasPrefix("/sim/") { return control(request, path: path, body: body) }
        if path == "/api-data/api-scrip-master-detailed.csv" {
            let csv = core.withLock { $0.market.universe.detailedScripMasterCSV() }
            return Self.response(Reply(status: 200, body: Data(csv.utf8), contentType: "text/csv"))
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let rest = RESTRequest(
            method: request.method.rawValue, path: path.hasSuffix("/") ? String(path.dropLast()) : path, query: query,
            accessToken: request.headers.first { $0.name.canonicalName == "access-token" }?.value, body: body,
            clientIDHeader: request.headers.first { $0.name.canonicalName == "dhanclientid" }?.value)
        let latency = core.withLock { $0.faults.latencyMilliseconds ?? 0 }
        if latency > 0 { try await Task.sleep(for: .milliseconds(latency)) }
        let wall = wallNow()
        var reply = Reply(status: 500, body: Data())
        step { core in
            let (answer, out) = core.handle(rest, wallNow: wall)
            reply = answer
            return out
        }
        tell(.answered(AnsweredRequest(method: rest.method, path: rest.path, status: reply.status)))
        return Self.response(reply)
    }

    static func response(_ reply: Reply) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = reply.contentType
        return Response(
            status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// The simulated clock as the control API reports it.
    public struct ClockReport: Codable, Sendable {
        public var epochSeconds: Int64
        public var ist: String
        public var secondOfDay: Int
        public var speed: Double
        public var date: String
    }

    private func control(_ request: Request, path: String, body: Data) -> Response {
        switch (request.method, path) {
        case (.get, "/sim/clock"):
            let report = core.withLock { core in
                ClockReport(
                    epochSeconds: core.now.epochSeconds, ist: core.istString, secondOfDay: core.second,
                    speed: configuration.speed, date: core.market.date.description)
            }
            return Self.response(.json(report))
        case (.post, "/sim/advance"):
            let seconds = request.uri.queryParameters["seconds"].flatMap { Int($0) } ?? 1
            advance(seconds: seconds)
            return Self.response(.json(["secondOfDay": core.withLock { $0.second }]))
        case (.post, "/sim/faults"):
            guard let faults = try? JSONDecoder().decode(SimFaults.self, from: body) else {
                return Self.response(.badInput("body must be a SimFaults JSON object"))
            }
            inject(faults)
            return Self.response(.json(["status": "ok"]))
        case (.get, "/sim/stats"):
            let stats = core.withLock { core in
                [
                    "packetsSent": core.packetsSent, "orders": core.broker.orders.count,
                    "feedConnections": core.feeds.count,
                    "rateLimited": core.limiter.rejected.values.reduce(0, +),
                ]
            }
            return Self.response(.json(stats))
        default:
            return Self.response(.error(404, "Others", "DH-910", "No such control endpoint \(path)"))
        }
    }

    // MARK: - WebSockets

    private func upgrade(_ request: HTTPRequest) -> ShouldUpgradeResult<
        WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>
    > {
        let target = request.path ?? "/"
        let query = Self.query(target)
        if query["token"] != nil {
            return .upgrade([:]) { inbound, outbound, _ in
                try await self.runFeed(query: query, inbound: inbound, outbound: outbound)
            }
        }
        return .upgrade([:]) { inbound, outbound, _ in
            try await self.runOrderUpdates(inbound: inbound, outbound: outbound)
        }
    }

    static func query(_ target: String) -> [String: String] {
        guard let mark = target.firstIndex(of: "?") else { return [:] }
        var out: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            out[String(parts[0])] = parts.count > 1 ? String(parts[1]).removingPercentEncoding ?? String(parts[1]) : ""
        }
        return out
    }

    private func runFeed(query: [String: String], inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter)
        async throws
    {
        let expired = core.withLock { $0.isExpired(query["token"]) }
        let authFailure: UInt16? =
            expired
            ? 807
            : !core.withLock({ $0.accepts(query["token"]) })
                ? 809
                : query["clientId"] != configuration.clientID
                    ? 810
                    : (query["version"] != "2" || query["authType"] != "2") ? 808 : nil
        if let authFailure {
            try await outbound.write(
                .binary(ByteBuffer(bytes: FeedPacketEncoder.encode(.disconnect(reason: authFailure)))))
            try await outbound.close(.normalClosure, reason: nil)
            return
        }
        let (stream, continuation) = AsyncStream<Outgoing>.makeStream()
        var id = 0
        ordering.withLock { _ in
            let (opened, out) = core.withLock { $0.openFeed() }
            id = opened
            links.withLock { $0.feeds[opened] = continuation }
            deliver(out)
        }
        let connection = id
        defer {
            _ = links.withLock { $0.feeds.removeValue(forKey: connection) }
            core.withLock { $0.closeFeed(connection) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    // Binary client frames (the SDK's legacy disconnect) are tolerated and ignored.
                    guard case .text(let text) = message else { continue }
                    self.step { $0.feedRequest(connection, text: text) }
                }
                continuation.finish()
            }
            group.addTask {
                for await item in stream {
                    switch item {
                    case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                    case .text(let text, _): try await outbound.write(.text(text))
                    case .close:
                        try await outbound.close(.normalClosure, reason: nil)
                        return
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func runOrderUpdates(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
        guard case .text(let text)? = try await messages.next(),
            let login = try? JSONDecoder().decode(OrderUpdateLogin.self, from: Data(text.utf8)),
            login.loginReq.msgCode == 42, login.loginReq.clientId == configuration.clientID,
            core.withLock({ $0.accepts(login.loginReq.token) })
        else {
            // The real service drops a bad login without a message.
            try await outbound.close(.policyViolation, reason: nil)
            return
        }
        let (stream, continuation) = AsyncStream<Outgoing>.makeStream()
        let id = links.withLock { links in
            defer { links.nextListener += 1 }
            links.orderListeners[links.nextListener] = continuation
            return links.nextListener
        }
        tell(.orderStreamLoggedIn)
        defer { _ = links.withLock { $0.orderListeners.removeValue(forKey: id) } }
        let writer = Task {
            for await item in stream {
                switch item {
                case .text(let text, let notBefore):
                    let wait = notBefore - self.wallNow()
                    if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
                    try await outbound.write(.text(text))
                case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                case .close:
                    try await outbound.close(.normalClosure, reason: nil)
                    return
                }
            }
        }
        // The stream is silent from the client's side after login; read until it goes away.
        while (try? await messages.next()) != nil {}
        continuation.finish()
        writer.cancel()
        _ = await writer.result
    }
}

/// A simulator that cannot start, with the reason.
public struct SimulatorError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
