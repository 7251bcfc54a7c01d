import Dhan
import Foundation

/// A failed DhanHQ call, typed by what the caller should do about it, naming the request.
public enum DhanError: Error, Equatable, Sendable, CustomStringConvertible {
    /// DH-901: the token is invalid or expired; trading must pause until a new token is supplied.
    case authExpired(request: String, message: String)
    /// DH-904 / HTTP 429 after the limiter's retries.
    case rateLimited(request: String)
    /// DH-905 / DH-907: a bad field or parameter.
    case badInput(request: String, code: String, message: String)
    /// DH-906: the broker refused the order operation.
    case orderRejected(request: String, message: String)
    /// DH-908 / DH-909 / 5xx: the broker is down or failing.
    case brokerDown(request: String, status: Int, message: String)
    /// No answer: connection refused, reset or timed out.
    case network(request: String, message: String)
    /// An answer that is not the documented shape.
    case decoding(request: String, message: String)
    /// Never sent: the request waited for the rate limit past the time its caller allowed (an entry decided
    /// on a price that old is not worth sending).
    case notSentInTime(request: String, allowed: Duration)

    public var description: String {
        switch self {
        case .authExpired(let request, let message): "\(request): access token rejected (DH-901): \(message)"
        case .rateLimited(let request): "\(request): rate limited by DhanHQ (DH-904) after retries"
        case .badInput(let request, let code, let message): "\(request): bad input (\(code)): \(message)"
        case .orderRejected(let request, let message): "\(request): order rejected (DH-906): \(message)"
        case .brokerDown(let request, let status, let message): "\(request): broker error HTTP \(status): \(message)"
        case .network(let request, let message): "\(request): network error: \(message)"
        case .decoding(let request, let message): "\(request): unexpected answer: \(message)"
        case .notSentInTime(let request, let allowed):
            "\(request): not sent: it waited for the rate limit longer than the \(allowed) allowed"
        }
    }

    /// Whether the broker answered (a refusal it means), rather than the call failing on the way: a timeout,
    /// a reset or a 5xx leaves the outcome unknown.
    public var isDefinitive: Bool {
        switch self {
        case .network, .brokerDown, .decoding: false
        default: true
        }
    }

    /// The code an order rejection carries in the journal (`DH-906`, `DH-905`, …).
    public var rejectionCode: String {
        switch self {
        case .badInput(_, let code, _): code
        case .orderRejected: "DH-906"
        case .authExpired: "DH-901"
        case .rateLimited: "DH-904"
        case .notSentInTime: Self.notSentInTimeCode
        default: "DHAN"
        }
    }

    /// The rejection code of an order the client never sent because it waited too long (`notSentInTime`).
    public static let notSentInTimeCode = "NOT_SENT_IN_TIME"

    /// Maps an HTTP status and error body to a typed error.
    public static func from(status: Int, body: Data, request: String) -> DhanError {
        let envelope = try? JSONDecoder().decode(DhanErrorBody.self, from: body)
        let message = envelope?.errorMessage ?? String(decoding: body.prefix(200), as: UTF8.self)
        switch envelope?.errorCode ?? "" {
        case "DH-901": return .authExpired(request: request, message: message)
        case "DH-904": return .rateLimited(request: request)
        case "DH-905", "DH-907": return .badInput(request: request, code: envelope!.errorCode, message: message)
        case "DH-906": return .orderRejected(request: request, message: message)
        default: break
        }
        switch status {
        case 401, 403: return .authExpired(request: request, message: message)
        case 429: return .rateLimited(request: request)
        case 400..<500:
            return .badInput(request: request, code: envelope?.errorCode ?? "HTTP \(status)", message: message)
        default: return .brokerDown(request: request, status: status, message: message)
        }
    }
}
