import Dhan
import Domain
import Foundation
import Synchronization

/// The access token every connection uses, replaced in place when it is renewed or generated again.
///
/// REST reads it on every request and the WebSockets on every connect, so a renewed token takes effect at
/// once without restarting anything. DhanHQ allows one active token per client: minting a new one ends the
/// old, and connections still logged in with it are dropped and reconnect with the new one.
public final class DhanTokenStore: Sendable {
    private let state: Mutex<(credentials: DhanCredentials, expiry: Timestamp?, generation: Int)>

    public init(_ credentials: DhanCredentials) {
        state = Mutex((credentials, Self.jwtExpiry(credentials.accessToken), 0))
    }

    /// The credentials now (the client id never changes; the token may).
    public var credentials: DhanCredentials { state.withLock { $0.credentials } }

    /// The credentials now and their generation.
    ///
    /// The generation is 0 for the token the store began with, one more for each replacement. A connection
    /// remembers the generation it logged in with, so a refusal that reaches it after a replacement is known
    /// to be the old token's, not an expiry of the current one.
    public var current: (credentials: DhanCredentials, generation: Int) {
        state.withLock { ($0.credentials, $0.generation) }
    }

    /// The current token's generation (see `current`).
    public var generation: Int { state.withLock { $0.generation } }

    /// When the token expires, when known (the grant's `expiryTime`, else the JWT's `exp` claim).
    public var expiry: Timestamp? { state.withLock { $0.expiry } }

    /// Installs a new token.
    public func replace(_ grant: TokenGrant) {
        state.withLock {
            $0.credentials.accessToken = grant.accessToken
            $0.expiry = grant.expiry ?? Self.jwtExpiry(grant.accessToken)
            $0.generation += 1
        }
    }

    /// The `exp` claim of a JWT (DhanHQ's tokens are JWTs), nil when the token is not one.
    public static func jwtExpiry(_ token: String) -> Timestamp? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let exp = (object["exp"] as? NSNumber)?.int64Value
        else { return nil }
        return Timestamp(epochSeconds: exp)
    }
}

/// A token DhanHQ issued (`GET /v2/RenewToken`, `POST /app/generateAccessToken`).
public struct TokenGrant: Sendable, Equatable {
    public var accessToken: String
    public var expiry: Timestamp?

    public init(accessToken: String, expiry: Timestamp?) {
        self.accessToken = accessToken
        self.expiry = expiry
    }

    /// Reads `{accessToken, expiryTime}` (other fields ignored); `expiryTime` as IST `YYYY-MM-DD HH:MM:SS`, with a
    /// `T` and fractional seconds, or with an explicit offset.
    static func decode(_ data: Data) throws(DhanDecodingError) -> TokenGrant {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw DhanDecodingError(context: "body", reason: "not a JSON object")
        }
        let token = (object["accessToken"] ?? object["token"]) as? String
        guard let token, !token.isEmpty else {
            throw DhanDecodingError(context: "accessToken", reason: "missing")
        }
        return TokenGrant(accessToken: token, expiry: (object["expiryTime"] as? String).flatMap(Self.time))
    }

    /// An IST wall time, or an ISO 8601 time with an offset.
    static func time(_ text: String) -> Timestamp? {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return Timestamp(epochSeconds: Int64(date.timeIntervalSince1970)) }
        iso.formatOptions = [.withInternetDateTime]
        if let date = iso.date(from: text) { return Timestamp(epochSeconds: Int64(date.timeIntervalSince1970)) }
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 6 else { return nil }
        return Timestamp.ist(CivilDate(digits[0], digits[1], digits[2]), digits[3], digits[4], digits[5])
    }
}
