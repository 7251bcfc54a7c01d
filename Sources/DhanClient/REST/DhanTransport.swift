import AsyncHTTPClient
import Foundation
import NIOCore

/// One HTTP exchange with DhanHQ, as bytes: the seam under `DhanRESTClient`.
///
/// The live client sends over async-http-client; the simulation hands the same request bytes to dhan-sim's
/// core in memory, so the client's limiter, retries, error mapping and decoders run without a socket.
public protocol DhanTransport: Sendable {
    /// Sends one request and returns the status and body; throws only when no answer came (the network).
    func send(_ request: DhanHTTPRequest) async throws -> DhanHTTPResponse
    /// Releases what the transport holds.
    func shutdown() async throws
}

/// A request as the client builds it.
public struct DhanHTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var timeout: Duration

    public init(method: String, url: String, headers: [(name: String, value: String)], body: Data?, timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A response's status and body.
public struct DhanHTTPResponse: Sendable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// The socket transport: async-http-client.
public struct HTTPClientTransport: DhanTransport {
    let http: HTTPClient
    let owned: Bool

    /// Over `http`, or over a client of its own (shut down with the transport).
    public init(http: HTTPClient? = nil) {
        self.http = http ?? HTTPClient(eventLoopGroupProvider: .singleton)
        owned = http == nil
    }

    public func send(_ request: DhanHTTPRequest) async throws -> DhanHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .init(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let nanos =
            request.timeout.components.seconds * 1_000_000_000 + request.timeout.components.attoseconds / 1_000_000_000
        let response = try await http.execute(outgoing, timeout: .nanoseconds(nanos))
        let body = try await response.body.collect(upTo: 512 << 20)
        return DhanHTTPResponse(status: Int(response.status.code), body: Data(body.readableBytesView))
    }

    public func shutdown() async throws {
        if owned { try await http.shutdown() }
    }
}
