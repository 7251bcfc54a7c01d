import Foundation

/// The client id and access token, from the environment or a 0600 file; the token never prints.
public struct DhanCredentials: Sendable, CustomStringConvertible {
    public var clientID: String
    public var accessToken: String

    public init(clientID: String, accessToken: String) {
        self.clientID = clientID
        self.accessToken = accessToken
    }

    /// The simulator's default credentials.
    public static let simulator = DhanCredentials(clientID: "SIMCLIENT", accessToken: "SIMTOKEN")

    public var description: String { "client \(clientID), token <redacted, \(accessToken.count) chars>" }

    /// Credentials that cannot be loaded, with the reason (never the secret).
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `DHAN_CLIENT_ID` and `DHAN_ACCESS_TOKEN` from `environment`, else `file` (`KEY=value` lines), which
    /// must be readable by its owner only.
    public static func load(environment: [String: String], file: String?) throws(LoadError) -> DhanCredentials {
        if let id = environment["DHAN_CLIENT_ID"], let token = environment["DHAN_ACCESS_TOKEN"], !id.isEmpty,
            !token.isEmpty
        {
            return DhanCredentials(clientID: id, accessToken: token)
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
        guard let id = values["DHAN_CLIENT_ID"], let token = values["DHAN_ACCESS_TOKEN"] else {
            throw LoadError(
                description: "credentials file \(file) needs DHAN_CLIENT_ID=… and DHAN_ACCESS_TOKEN=… lines")
        }
        return DhanCredentials(clientID: id, accessToken: token)
    }
}

/// Where the broker lives: the real hosts by default, or a simulator.
public struct DhanEndpoints: Sendable, Equatable {
    public var restURL: String
    public var feedURL: String
    public var orderFeedURL: String
    public var scripMasterURL: String

    public init(restURL: String, feedURL: String, orderFeedURL: String, scripMasterURL: String? = nil) {
        self.restURL = restURL.hasSuffix("/") ? String(restURL.dropLast()) : restURL
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
