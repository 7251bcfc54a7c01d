import Dhan
import Domain
import Foundation

extension DhanRESTClient {
    /// `GET /v2/RenewToken` (headers `access-token` and `dhanClientId`; a POST is refused with DH-905): a new
    /// 24-hour token for a still-valid one, installed in `tokens` on success.
    public func renewToken() async throws(DhanError) -> TokenGrant {
        let credentials = tokens.credentials
        let grant = try await authRequest(
            DhanHTTPRequest(
                method: "GET", url: endpoints.restURL + "/RenewToken",
                headers: [
                    ("access-token", credentials.accessToken), ("dhanClientId", credentials.clientID),
                    ("Accept", "application/json"),
                ], body: nil, timeout: .seconds(15)),
            name: "GET /v2/RenewToken")
        tokens.replace(grant)
        return grant
    }

    /// `POST /app/generateAccessToken` on the auth host with the client id, the PIN and the current TOTP: a
    /// new token whether or not the old one still works, installed in `tokens` on success.
    public func generateToken(at time: Timestamp) async throws(DhanError) -> TokenGrant {
        let credentials = tokens.credentials
        guard let pin = credentials.pin, let secret = credentials.totpSecret, credentials.canGenerateToken else {
            throw .badInput(
                request: "POST /app/generateAccessToken", code: "credentials",
                message: "no DHAN_PIN and DHAN_TOTP_SECRET to generate a token with")
        }
        let totp: String
        do { totp = try TOTP.code(secret: secret, at: time) } catch {
            throw .badInput(request: "POST /app/generateAccessToken", code: "totp", message: error.description)
        }
        var components = URLComponents(string: endpoints.authURL + "/app/generateAccessToken")
        components?.queryItems = [
            URLQueryItem(name: "dhanClientId", value: credentials.clientID), URLQueryItem(name: "pin", value: pin),
            URLQueryItem(name: "totp", value: totp),
        ]
        let grant = try await authRequest(
            DhanHTTPRequest(
                method: "POST", url: components?.string ?? "", headers: [("Accept", "application/json")], body: nil,
                timeout: .seconds(15)),
            name: "POST /app/generateAccessToken")
        tokens.replace(grant)
        return grant
    }

    /// Sends an authentication request (not rate-limited like the trading APIs) and reads the grant; the name
    /// given to errors never carries the query (it holds the PIN).
    private func authRequest(_ request: DhanHTTPRequest, name: String) async throws(DhanError) -> TokenGrant {
        let response: DhanHTTPResponse
        do { response = try await transport.send(request) } catch {
            throw .network(request: name, message: "\(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw DhanError.from(status: response.status, body: response.body, request: name)
        }
        do throws(DhanDecodingError) {
            return try TokenGrant.decode(response.body)
        } catch {
            throw .decoding(request: name, message: error.description)
        }
    }
}
