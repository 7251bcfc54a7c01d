import Foundation
import Hummingbird
import Logging

/// The control API's defences: bearer tokens compared in constant time, request sizes bounded, and every
/// refused request logged by method, path and status only (never a header, so never a token).
public enum ControlGuard {
    /// Request limits: what a status page, a metrics scraper or a kill-switch call ever needs, with room.
    public static let maximumPathBytes = 2_048
    public static let maximumHeaderBytes = 8_192
    public static let maximumBodyBytes = 4_096

    /// Why a server will not start.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// Binding beyond loopback with no control token would let anyone on the network reach the API.
        case publicWithoutToken(host: String)

        public var description: String {
            switch self {
            case .publicWithoutToken(let host):
                "the status API would listen on \(host), beyond this machine, with no control token: "
                    + "give one (--control-token-file) or listen on 127.0.0.1"
            }
        }
    }

    /// Whether `host` is this machine only.
    public static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }

    /// Refuses a non-loopback host without a token.
    public static func checkBinding(host: String, token: String?) throws(Refusal) {
        if !isLoopback(host) && (token ?? "").isEmpty { throw .publicWithoutToken(host: host) }
    }

    /// `Authorization: Bearer <token>` checked in time that depends on the lengths only, not on where the
    /// first differing byte is.
    public static func authorised(_ header: String?, token: String?) -> Bool {
        guard let token, !token.isEmpty, let header else { return false }
        return constantTimeEqual(Array(header.utf8), Array("Bearer \(token)".utf8))
    }

    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        let count = max(lhs.count, rhs.count)
        for index in 0..<count {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0 && lhs.count == rhs.count
    }

    /// The middleware: 414 for a long path, 431 for large headers, 413 for a large body (read up to the limit,
    /// so a body with no length is bounded too), and a warning line for every 4xx.
    public struct Limits<Context: RequestContext>: RouterMiddleware {
        let logger: Logger

        public init(logger: Logger) { self.logger = logger }

        public func handle(_ input: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            var request = input
            let path = request.uri.path
            var refusal: HTTPResponse.Status?
            if request.uri.description.utf8.count > maximumPathBytes {
                refusal = .uriTooLong
            } else if request.headers.reduce(0, { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count })
                > maximumHeaderBytes
            {
                refusal = .requestHeaderFieldsTooLarge
            } else if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBodyBytes {
                refusal = .contentTooLarge
            } else if request.method == .post || request.method == .put {
                do { _ = try await request.collectBody(upTo: maximumBodyBytes) } catch { refusal = .contentTooLarge }
            }
            let response: Response
            if let refusal {
                response = Response(
                    status: refusal,
                    body: .init(byteBuffer: ByteBuffer(string: "\(refusal.code) \(refusal.reasonPhrase)\n")))
            } else {
                response = try await next(request, context)
            }
            if (400..<500).contains(response.status.code) {
                logger.warning(
                    "control API refused a request",
                    metadata: [
                        "method": "\(request.method)", "path": "\(path.prefix(200))",
                        "status": "\(response.status.code)",
                    ])
            }
            return response
        }
    }
}
