/// Where `scalper run` sends alerts (`alerts:` in `algo.yml`): Telegram, a JSON webhook, or both.
///
/// Secrets stay out of `algo.yml`, whose text is journaled in `session_started`: the bot token comes from
/// `SCALPER_TELEGRAM_BOT_TOKEN` or a file only its owner can read, and a webhook URL that carries a secret can
/// come from `SCALPER_ALERT_WEBHOOK_URL` instead of the file.
public struct AlertSettings: Sendable, Equatable {
    /// Telegram's Bot API (`sendMessage`) to one chat.
    public struct Telegram: Sendable, Equatable {
        public var chatID: String
        /// The file holding the bot token (nil: the environment must hold it).
        public var botTokenFile: String?
        /// The Bot API host; a test points it at a local server.
        public var apiBase = "https://api.telegram.org"

        public init(chatID: String, botTokenFile: String? = nil, apiBase: String = "https://api.telegram.org") {
            self.chatID = chatID
            self.botTokenFile = botTokenFile
            self.apiBase = apiBase
        }
    }

    public var telegram: Telegram?
    /// A URL every alert is POSTed to as JSON.
    public var webhookURL: String?
    /// The feed must stay stale this long before an alert says it is down (a short gap is not news).
    public var feedDownAfterSeconds: Int64 = 60

    public init(telegram: Telegram? = nil, webhookURL: String? = nil, feedDownAfterSeconds: Int64 = 60) {
        self.telegram = telegram
        self.webhookURL = webhookURL
        self.feedDownAfterSeconds = feedDownAfterSeconds
    }

    /// Whether any destination is configured.
    public var isEmpty: Bool { telegram == nil && webhookURL == nil }

    /// The environment variables that hold secrets instead of `algo.yml`.
    public static let botTokenVariable = "SCALPER_TELEGRAM_BOT_TOKEN"
    public static let webhookURLVariable = "SCALPER_ALERT_WEBHOOK_URL"

    /// Reads `alerts:` from `algo.yml`'s text (nil when it has none); errors name the file and key.
    ///
    /// `environment` may supply the webhook URL (`SCALPER_ALERT_WEBHOOK_URL`) when the file has none.
    public static func parse(yaml text: String, file: String, environment: [String: String] = [:])
        throws(ConfigError) -> AlertSettings?
    {
        try parse(try ConfigNode.parse(text, file: file).optional("alerts"), environment: environment)
    }

    /// Reads an `alerts:` node (nil or null: no alerts); `AlgoConfig.parse` calls it to validate the section.
    public static func parse(_ node: ConfigNode?, environment: [String: String] = [:]) throws(ConfigError)
        -> AlertSettings?
    {
        var settings = AlertSettings()
        if let node, !node.isNull {
            _ = try node.entries(allowed: ["telegram", "webhook", "feed_down_after_sec"])
            if let telegram = try node.optional("telegram"), !telegram.isNull {
                _ = try telegram.entries(allowed: ["chat_id", "bot_token_file", "api_base"])
                let chat = try telegram.required("chat_id")
                let chatID = try chat.string()
                guard !chatID.isEmpty, chatID.allSatisfy({ $0.isNumber || $0 == "-" }) || chatID.hasPrefix("@") else {
                    throw chat.error("'\(chatID)' is not a chat id (a number such as -1001234567890, or @channel)")
                }
                var value = Telegram(chatID: chatID)
                if let file = try telegram.optional("bot_token_file"), !file.isNull {
                    value.botTokenFile = try file.string()
                }
                if let base = try telegram.optional("api_base") {
                    value.apiBase = try url(base)
                }
                settings.telegram = value
            }
            if let webhook = try node.optional("webhook"), !webhook.isNull {
                _ = try webhook.entries(allowed: ["url"])
                settings.webhookURL = try url(try webhook.required("url"))
            }
            if let seconds = try node.optional("feed_down_after_sec") {
                settings.feedDownAfterSeconds = Int64(try seconds.int(in: 10...3600))
            }
        }
        if settings.webhookURL == nil, let url = environment[webhookURLVariable], !url.isEmpty {
            settings.webhookURL = url
        }
        return settings.isEmpty ? nil : settings
    }

    private static func url(_ node: ConfigNode) throws(ConfigError) -> String {
        let text = try node.string()
        guard text.hasPrefix("http://") || text.hasPrefix("https://"), text.count > 8 else {
            throw node.error("'\(text)' is not an http:// or https:// URL")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}
