import DhanClient
import Domain
import Logging

/// When the access token is renewed: an hour before it expires, and again every five clock minutes while
/// renewing fails (DhanHQ's tokens last 24 hours; an expired one pauses trading with DH-901 / 807).
struct TokenRenewal: Sendable {
    /// Renew this long before the token expires.
    static let renewBeforeSeconds: Int64 = 3600
    /// After a failure, try again this long later.
    static let retrySeconds: Int64 = 300

    /// The last attempt that failed, on the clock's time of day.
    var lastFailure: Timestamp?
    /// Whether the log has said the expiry is unknown (said once).
    var reportedUnknownExpiry = false
    /// A renewal is under way (it runs beside the timers, never holding them up).
    var inFlight = false

    /// Whether to renew at `now` a token expiring at `expiry`.
    func isDue(expiry: Timestamp, at now: Timestamp) -> Bool {
        guard now.epochSeconds >= expiry.epochSeconds - Self.renewBeforeSeconds else { return false }
        if let lastFailure, now.epochSeconds - lastFailure.epochSeconds < Self.retrySeconds { return false }
        return true
    }
}

extension TradingRuntime {
    /// Whether the token is due for renewal at `now`; if so, marks a renewal under way (the caller runs
    /// `renewToken(at:)` in its own task).
    func startTokenRenewal(at now: Timestamp) -> Bool {
        guard let expiry = tokens.expiry else {
            let first = tokenRenewal.withLock { renewal in
                defer { renewal.reportedUnknownExpiry = true }
                return !renewal.reportedUnknownExpiry
            }
            if first, options.mode == .live {
                logger.notice("the access token's expiry is unknown (not a JWT): it is not renewed by the engine")
            }
            return false
        }
        guard !health.withLock({ $0.authExpired }) else { return false }
        return tokenRenewal.withLock { renewal in
            guard !renewal.inFlight, renewal.isDue(expiry: expiry, at: now) else { return false }
            renewal.inFlight = true
            return true
        }
    }

    /// Renews the token: `GET /v2/RenewToken`, else a new token from the PIN and a TOTP when the credentials
    /// hold them; when neither works, an alert says so and the next try is five minutes later (trading pauses
    /// at the expiry, as DH-901 / 807 pause it).
    func renewToken(at now: Timestamp) async {
        defer { tokenRenewal.withLock { $0.inFlight = false } }
        let expiry = tokens.expiry ?? now
        var reasons: [String] = []
        do {
            let grant = try await rest.renewToken()
            renewed(grant, how: "renewed", at: now)
            return
        } catch {
            reasons.append("RenewToken: \(error)")
        }
        if tokens.credentials.canGenerateToken {
            do {
                let grant = try await rest.generateToken(at: now)
                renewed(grant, how: "generated from the PIN and TOTP", at: now)
                return
            } catch {
                reasons.append("generateAccessToken: \(error)")
            }
        }
        tokenRenewal.withLock { $0.lastFailure = now }
        let reason = reasons.joined(separator: "; ")
        let seq = await sequencer.lastSeq
        logger.critical(
            "ACCESS TOKEN NOT RENEWED: trading pauses when it expires",
            metadata: ["expires": "\(expiry.istString)", "reason": "\(reason)", "seq": "\(seq)"])
        alertObserver.raise(Alert(.tokenRenewalFailed(expires: expiry, reason: reason), time: now, seq: seq))
    }

    /// Generates a token at start-up when the credentials hold a PIN and a TOTP secret but no token.
    func generateTokenIfMissing() async {
        guard tokens.credentials.accessToken.isEmpty, tokens.credentials.canGenerateToken else { return }
        let now = await clock.now()
        do {
            let grant = try await rest.generateToken(at: now)
            renewed(grant, how: "generated from the PIN and TOTP", at: now)
        } catch {
            logger.critical(
                "no access token: generating one from the PIN and TOTP failed", metadata: ["error": "\(error)"])
        }
    }

    private func renewed(_ grant: TokenGrant, how: String, at now: Timestamp) {
        tokenRenewal.withLock { $0.lastFailure = nil }
        let until = grant.expiry ?? tokens.expiry
        logger.notice("access token \(how)", metadata: ["expires": "\(until?.istString ?? "unknown")"])
        if let until { alertObserver.raise(Alert(.tokenRenewed(until: until), time: now, seq: 0)) }
    }
}
