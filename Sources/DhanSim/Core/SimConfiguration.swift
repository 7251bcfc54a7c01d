import Domain
import Foundation
import MarketModel

/// How a simulator instance runs: its market, its clock, its account and its credentials.
public struct SimConfiguration: Sendable {
    public var seed: UInt64 = 1
    /// The simulated trading day.
    public var date: CivilDate
    /// IST second of the day the clock starts at (09:15 by default).
    public var startSecondOfDay = SessionSeconds.open
    /// Simulated seconds per wall second; 0 means the clock moves only when told (`POST /sim/advance`).
    public var speed: Double = 1
    public var clientID = "SIMCLIENT"
    public var accessToken = "SIMTOKEN"
    /// When `accessToken` stops being accepted, in IST seconds of the simulated day (nil: it never expires).
    public var accessTokenExpirySecondOfDay: Int?
    /// The PIN and TOTP secret (base32) `POST /app/generateAccessToken` accepts.
    public var pin = "1234"
    public var totpSecret = "JBSWY3DPEHPK3PXP"
    /// Whether `GET /v2/RenewToken` renews (false: it answers DH-905, as for a token DhanHQ will not renew).
    public var renewsTokens = true
    public var calendar: TradingCalendar
    public var scenario = Scenario()
    /// Extra ticks (₹0.05 each) a market order pays beyond the touch.
    public var slippageTicks = 0
    /// Fill market orders in two parts, one second apart.
    public var partialFills = false
    /// Broker behaviours beyond the docs (`dhan-sim --profile`); `partialFills` above adds to them.
    public var behaviour = SimBehaviour()
    /// Opening cash balance of the simulated account.
    public var openingBalance: Paise = .rupees(500_000)
    /// Answer order writes only from this address list (empty: no IP check).
    public var loopbackOnly = true

    public init(date: CivilDate, calendar: TradingCalendar) {
        self.date = date
        self.calendar = calendar
    }
}

/// Faults a test switches on through `POST /sim/faults` or the command line.
public struct SimFaults: Codable, Sendable, Equatable {
    /// Seconds of wall time during which feeds send nothing (a silent stall); counted from when it was set.
    public var stallFeedSeconds: Double?
    /// API class (`order`, `data`, `quote`, `optionchain`, `other`) answering 429 DH-904, and for how long.
    public var rateLimitStormClass: String?
    public var rateLimitStormSeconds: Double?
    /// The next N orders are rejected by the exchange (REJECTED with a reason).
    public var rejectNextOrders: Int?
    /// Order alerts wait this long before they are sent.
    public var orderUpdateDelayMilliseconds: Int?
    /// Every REST call answers 401 DH-901 and feeds drop with 807.
    public var tokenExpired: Bool?
    /// Added latency on every REST answer.
    public var latencyMilliseconds: Int?
    /// Disconnect every market-feed connection now with this reason code (not kept).
    public var disconnectFeedsReason: UInt16?

    var stallUntil: Double?
    var stormUntil: Double?

    enum CodingKeys: String, CodingKey {
        case stallFeedSeconds, rateLimitStormClass, rateLimitStormSeconds, rejectNextOrders,
            orderUpdateDelayMilliseconds, tokenExpired, latencyMilliseconds, disconnectFeedsReason
    }

    public init() {}

    func isStalled(wallNow: Double) -> Bool { (stallUntil ?? 0) > wallNow }

    func isStorming(_ apiClass: APIClass, wallNow: Double) -> Bool {
        rateLimitStormClass == apiClass.rawValue && (stormUntil ?? 0) > wallNow
    }

    /// Merges newly posted faults, starting their timers at `wallNow`.
    mutating func apply(_ update: SimFaults, wallNow: Double) {
        if let seconds = update.stallFeedSeconds {
            stallFeedSeconds = seconds
            stallUntil = wallNow + seconds
        }
        if let apiClass = update.rateLimitStormClass {
            rateLimitStormClass = apiClass
            rateLimitStormSeconds = update.rateLimitStormSeconds ?? 5
            stormUntil = wallNow + (update.rateLimitStormSeconds ?? 5)
        }
        if let count = update.rejectNextOrders { rejectNextOrders = count }
        if let delay = update.orderUpdateDelayMilliseconds { orderUpdateDelayMilliseconds = delay }
        if let expired = update.tokenExpired { tokenExpired = expired }
        if let latency = update.latencyMilliseconds { latencyMilliseconds = latency }
    }
}

/// DhanHQ's rate-limit classes (PROTOCOL.md §6).
public enum APIClass: String, Sendable, CaseIterable {
    case order, data, quote, optionchain, other

    /// The (window seconds, requests allowed) pairs the real API enforces.
    var limits: [(window: Double, count: Int)] {
        switch self {
        case .order: [(1, 10), (60, 250), (3600, 1000), (86_400, 7000)]
        case .data: [(1, 5), (86_400, 100_000)]
        case .quote: [(1, 1)]
        case .optionchain: [(3, 1)]
        case .other: [(1, 20)]
        }
    }
}

/// Sliding windows of request times per API class (and per unique option-chain request).
struct RateLimitWindows: Sendable {
    private var history: [String: [Double]] = [:]
    private(set) var rejected: [String: Int] = [:]

    /// Records a request at `wallNow`; false when it exceeds a limit (and it is not counted).
    mutating func admit(_ apiClass: APIClass, key: String = "", wallNow: Double) -> Bool {
        let bucket = apiClass.rawValue + key
        var times = history[bucket] ?? []
        let longest = apiClass.limits.map(\.window).max() ?? 1
        if let first = times.firstIndex(where: { $0 > wallNow - longest }) {
            times.removeFirst(first)
        } else {
            times.removeAll()
        }
        for (window, count) in apiClass.limits
        where times.reversed().prefix(while: { $0 > wallNow - window }).count >= count {
            history[bucket] = times
            rejected[apiClass.rawValue, default: 0] += 1
            return false
        }
        times.append(wallNow)
        history[bucket] = times
        return true
    }
}
