import Foundation

/// The client id and access token, from the environment or a 0600 file; the token never prints.
public struct DhanCredentials: Sendable, CustomStringConvertible {
    public var clientID: String
    public var accessToken: String
    /// The account PIN and the TOTP secret (base32), when a new token may be generated unattended
    /// (`POST /app/generateAccessToken`); both or neither.
    public var pin: String?
    public var totpSecret: String?

    public init(clientID: String, accessToken: String, pin: String? = nil, totpSecret: String? = nil) {
        self.clientID = clientID
        self.accessToken = accessToken
        self.pin = pin
        self.totpSecret = totpSecret
    }

    /// Whether a new token can be generated from the PIN and a TOTP.
    public var canGenerateToken: Bool { pin?.isEmpty == false && totpSecret?.isEmpty == false }

    /// The simulator's default credentials.
    public static let simulator = DhanCredentials(clientID: "SIMCLIENT", accessToken: "SIMTOKEN")

    public var description: String {
        "client \(clientID), token <redacted, \(accessToken.count) chars>"
            + (canGenerateToken ? ", PIN and TOTP secret <redacted>" : "")
    }

    /// Credentials that cannot be loaded, with the reason (never the secret).
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `DHAN_CLIENT_ID` and `DHAN_ACCESS_TOKEN` from `environment`, else `file` (`KEY=value` lines), which
    /// must be readable by its owner only; `DHAN_PIN` and `DHAN_TOTP_SECRET` likewise, when present.
    ///
    /// With a PIN and a TOTP secret the access token may be missing: the runtime generates one.
    public static func load(environment: [String: String], file: String?) throws(LoadError) -> DhanCredentials {
        if let id = environment["DHAN_CLIENT_ID"], !id.isEmpty {
            let found = DhanCredentials(
                clientID: id, accessToken: environment["DHAN_ACCESS_TOKEN"] ?? "", pin: environment["DHAN_PIN"],
                totpSecret: environment["DHAN_TOTP_SECRET"])
            if !found.accessToken.isEmpty || found.canGenerateToken { return found }
        }
        guard let file else {
            throw LoadError(
                description: "no credentials: set DHAN_CLIENT_ID and DHAN_ACCESS_TOKEN, or pass a credentials file")
        }
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: file) } catch {
            throw LoadError(description: "cannot read credentials file \(file): \(error.localizedDescription)")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw LoadError(
                description:
                    "credentials file \(file) has mode \(String(mode, radix: 8)); it must be 0600 (chmod 600 \(file))")
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw LoadError(description: "credentials file \(file) is not UTF-8 text")
        }
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            values[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let found = values["DHAN_CLIENT_ID"].map {
            DhanCredentials(
                clientID: $0, accessToken: values["DHAN_ACCESS_TOKEN"] ?? "", pin: values["DHAN_PIN"],
                totpSecret: values["DHAN_TOTP_SECRET"])
        }
        guard let found, !found.accessToken.isEmpty || found.canGenerateToken else {
            throw LoadError(
                description:
                    "credentials file \(file) needs DHAN_CLIENT_ID=… and DHAN_ACCESS_TOKEN=… lines (or DHAN_PIN=… and DHAN_TOTP_SECRET=… to generate tokens)"
            )
        }
        return found
    }
}

/// Where the broker lives: the real hosts by default, or a simulator.
public struct DhanEndpoints: Sendable, Equatable {
    public var restURL: String
    public var feedURL: String
    public var orderFeedURL: String
    public var scripMasterURL: String
    /// The host of `POST /app/generateAccessToken`: `https://auth.dhan.co` beside the real API, the REST
    /// host's root beside a simulator.
    public var authURL: String

    public init(
        restURL: String, feedURL: String, orderFeedURL: String, scripMasterURL: String? = nil, authURL: String? = nil
    ) {
        self.restURL = restURL.hasSuffix("/") ? String(restURL.dropLast()) : restURL
        let root = self.restURL.hasSuffix("/v2") ? String(self.restURL.dropLast(3)) : self.restURL
        self.authURL = authURL ?? (root == "https://api.dhan.co" ? "https://auth.dhan.co" : root)
        self.feedURL = feedURL
        self.orderFeedURL = orderFeedURL
        self.scripMasterURL =
            scripMasterURL
            ?? (self.restURL.hasSuffix("/v2")
                ? String(self.restURL.dropLast(3)) + "/api-data/api-scrip-master-detailed.csv"
                : self.restURL + "/api-data/api-scrip-master-detailed.csv")
    }

    public static let production = DhanEndpoints(
        restURL: "https://api.dhan.co/v2", feedURL: "wss://api-feed.dhan.co",
        orderFeedURL: "wss://api-order-update.dhan.co",
        scripMasterURL: "https://images.dhan.co/api-data/api-scrip-master-detailed.csv")

    /// A simulator on one local port.
    public static func simulator(port: Int) -> DhanEndpoints {
        DhanEndpoints(
            restURL: "http://127.0.0.1:\(port)/v2", feedURL: "ws://127.0.0.1:\(port)",
            orderFeedURL: "ws://127.0.0.1:\(port)")
    }
}
