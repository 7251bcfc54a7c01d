import Domain
import Foundation

extension AlertSettings {
    /// The Telegram bot token: `SCALPER_TELEGRAM_BOT_TOKEN`, else the configured file, which only its owner
    /// may read (mode 0600 or stricter: a token others can read is a token others can use).
    public func botToken(environment: [String: String]) throws(AlertSetupError) -> String? {
        guard let telegram else { return nil }
        if let token = environment[Self.botTokenVariable], !token.isEmpty { return token }
        guard let path = telegram.botTokenFile else { throw .noBotToken }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .tokenFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & 0o077 == 0 else {
            throw .tokenFileTooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8))
        }
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        else { throw .tokenFileUnreadable(path: path, reason: "empty or not text") }
        return text
    }
}

/// Why alerts cannot start; `scalper run` refuses to start rather than trade without the alerts it was told to
/// send.
public enum AlertSetupError: Error, Equatable, CustomStringConvertible {
    case noBotToken
    case tokenFileUnreadable(path: String, reason: String)
    case tokenFileTooOpen(path: String, mode: String)

    public var description: String {
        switch self {
        case .noBotToken:
            "alerts.telegram: no bot token: set \(AlertSettings.botTokenVariable) or alerts.telegram.bot_token_file"
        case .tokenFileUnreadable(let path, let reason):
            "alerts.telegram.bot_token_file: cannot read \(path): \(reason)"
        case .tokenFileTooOpen(let path, let mode):
            "alerts.telegram.bot_token_file: \(path) has mode \(mode); others may read it (chmod 600 \(path))"
        }
    }
}
