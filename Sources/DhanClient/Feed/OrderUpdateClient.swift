import Dhan
import Domain
import Foundation
import Logging
import Synchronization
import WSClient

/// One item from the order-update stream.
public enum OrderUpdate: Sendable, Equatable {
    case alert(OrderAlert)
    case state(ConnectionState)
    /// A message that was not an order alert; `count` is the running total.
    case malformed(String, count: Int)
}

/// DhanHQ's order-update WebSocket: login, typed order alerts, reconnect with back-off.
public final class OrderUpdateClient: Sendable {
    public let updates: AsyncStream<OrderUpdate>
    private let continuation: AsyncStream<OrderUpdate>.Continuation
    private let url: String
    private let tokens: DhanTokenStore

    /// The login message for a connect now (the token is read on every connect).
    private var login: String {
        let credentials = tokens.credentials
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(
            decoding: (try? encoder.encode(
                OrderUpdateLogin(clientID: credentials.clientID, token: credentials.accessToken)))
                ?? Data(), as: UTF8.self)
    }
    private let policy: ReconnectPolicy
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let stopped = Mutex(false)
    private let malformed = Mutex(0)
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)

    public init(
        endpoints: DhanEndpoints, credentials: DhanCredentials, policy: ReconnectPolicy = ReconnectPolicy(),
        logger: Logger = Logger(label: "dhan.orders"), tokens: DhanTokenStore? = nil
    ) {
        url = endpoints.orderFeedURL
        self.tokens = tokens ?? DhanTokenStore(credentials)
        self.policy = policy
        self.logger = logger
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    public func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { await self.run() }
        }
    }

    public func stop() async {
        stopped.withLock { $0 = true }
        let socket = writer.withLock { $0 }
        try? await socket?.close(.normalClosure, reason: nil)
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        continuation.yield(.state(.stopped))
        continuation.finish()
    }

    private func run() async {
        let attempt = Mutex(0)
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled && !stopped.withLock({ $0 }) {
            continuation.yield(.state(.connecting))
            do {
                try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 20, autoPing: .enabled(timePeriod: .seconds(20))),
                    logger: logger
                ) { inbound, outbound, _ in
                    try await outbound.write(.text(self.login))
                    self.writer.withLock { $0 = outbound }
                    attempt.withLock { $0 = 0 }
                    self.continuation.yield(.state(.connected))
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        self.receive(message)
                    }
                }
            } catch {
                logger.warning("order-update connection failed", metadata: ["error": "\(error)"])
            }
            writer.withLock { $0 = nil }
            if Task.isCancelled || stopped.withLock({ $0 }) { break }
            let next = attempt.withLock { value in
                value += 1
                return value
            }
            let delay = policy.delay(
                attempt: next, throttled: false, random: Double.random(in: 0..<1, using: &generator))
            continuation.yield(.state(.reconnecting(after: delay, reason: nil)))
            try? await Task.sleep(for: delay)
        }
    }

    private func receive(_ message: WebSocketMessage) {
        guard case .text(let text) = message, let alert = Self.decodeAlert(Data(text.utf8)) else {
            let count = malformed.withLock { value in
                value += 1
                return value
            }
            logger.warning("unexpected order-update message", metadata: ["count": "\(count)"])
            continuation.yield(.malformed("\(message)".prefix(200).description, count: count))
            return
        }
        continuation.yield(.alert(alert))
    }

    /// An order-alert message's alert, as the client reads every text message (nil: not an order alert).
    public static func decodeAlert(_ text: Data) -> OrderAlert? {
        guard
            let message = OrderAlertMessage.plain(text)
                ?? (try? JSONDecoder().decode(OrderAlertMessage.self, from: text)),
            message.type == "order_alert"
        else { return nil }
        return message.data
    }
}
