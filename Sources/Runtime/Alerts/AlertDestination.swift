import AsyncHTTPClient
import Foundation
import NIOCore

/// Posts a JSON body and returns the status and body: async-http-client, or a test's stand-in.
public protocol AlertHTTP: Sendable {
    func post(_ url: String, json: [UInt8]) async throws -> (status: Int, body: [UInt8])
}

/// `AlertHTTP` on async-http-client's shared client, ten seconds a request.
public struct HTTPClientAlertHTTP: AlertHTTP {
    public init() {}

    public func post(_ url: String, json: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Array(buffer: body))
    }
}

/// Where alerts go and how that service answers: Telegram's Bot API or a generic JSON webhook.
public struct AlertDestination: Sendable {
    /// What one attempt came to.
    public enum Delivery: Equatable, Sendable {
        case delivered
        /// Worth another try: a network error, a 5xx, a 429 (with the wait the service asked for).
        case retry(after: Duration?, reason: String)
        /// A definitive refusal (a 4xx other than 429): trying again would not help.
        case refused(reason: String)
    }

    public enum Service: Sendable, Equatable {
        case telegram(chatID: String, token: String, apiBase: String)
        case webhook(url: String)
    }

    public var service: Service

    public init(_ service: Service) { self.service = service }

    /// `telegram` or `webhook`, for logs and metrics.
    public var name: String {
        switch service {
        case .telegram: "telegram"
        case .webhook: "webhook"
        }
    }

    /// The least time between two messages: Telegram allows about one a second to a chat and twenty a minute
    /// to a group (ids below zero); a webhook is not paced.
    public var spacing: Duration {
        switch service {
        case .telegram(let chatID, _, _): chatID.hasPrefix("-") ? .seconds(3) : .seconds(1)
        case .webhook: .zero
        }
    }

    /// The request for `alert`; `dropped` alerts were lost before it because the queue was full.
    public func request(for alert: Alert, dropped: Int) -> (url: String, body: [UInt8]) {
        switch service {
        case .telegram(let chatID, let token, let apiBase):
            var text = alert.text
            if dropped > 0 { text = "(\(dropped) earlier alert(s) dropped: the queue was full)\n" + text }
            let body: [String: Any] = ["chat_id": chatID, "text": text, "disable_web_page_preview": true]
            let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
            return ("\(apiBase)/bot\(token)/sendMessage", Array(data))
        case .webhook(let url):
            guard dropped > 0,
                var object = (try? JSONSerialization.jsonObject(with: Data(alert.json))) as? [String: Any]
            else { return (url, alert.json) }
            object["dropped_before"] = dropped
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return (url, Array(data))
        }
    }

    /// What the service's answer means.
    public func delivery(status: Int, body: [UInt8]) -> Delivery {
        if (200..<300).contains(status) {
            // Telegram answers 200 with ok: true; anything else in a 200 is not a delivery.
            if case .telegram = service,
                let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
                object["ok"] as? Bool == false
            {
                return .refused(reason: "Bot API: \(object["description"] ?? "ok: false")")
            }
            return .delivered
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let description = (object?["description"] as? String).map { ": " + $0 } ?? ""
        if status == 429 {
            let seconds = (object?["parameters"] as? [String: Any])?["retry_after"] as? Int
            return .retry(after: seconds.map { .seconds($0) }, reason: "429\(description)")
        }
        if status >= 500 || status == 408 { return .retry(after: nil, reason: "\(status)\(description)") }
        return .refused(reason: "\(status)\(description)")
    }

    /// `text` with the bot token masked: nothing logged may carry it.
    public func redact(_ text: String) -> String {
        guard case .telegram(_, let token, _) = service, !token.isEmpty else { return text }
        return text.replacingOccurrences(of: token, with: "<bot-token>")
    }
}
