import Dhan
import Domain
import Foundation

/// What one step of the simulated broker sends: binary feed frames and order-alert JSON texts, as the sockets
/// would carry them.
public struct SimOutput: Sendable {
    public var feedFrames: [[UInt8]] = []
    /// The connection was closed after its frames (a disconnect packet is among them).
    public var feedClosed = false
    /// `{"Type":"order_alert","Data":{…}}` texts, in the order the broker produced them.
    public var alerts: [Data] = []

    public init() {}
}

/// One REST answer: status and JSON body, with what the request made the broker send.
public struct SimAnswer: Sendable {
    public var status: Int
    public var body: Data
    public var output: SimOutput
}

/// The broker's own view of one contract, for checking the engine against it.
public struct SimBrokerPosition: Sendable, Equatable {
    public var instrument: InstrumentKey
    public var bought: Int64
    public var sold: Int64
    /// What was paid and received, in paise.
    public var boughtValue: Paise
    public var soldValue: Paise
    public var net: Int64 { bought - sold }

    public init(instrument: InstrumentKey, bought: Int64, sold: Int64, boughtValue: Paise, soldValue: Paise) {
        self.instrument = instrument
        self.bought = bought
        self.sold = sold
        self.boughtValue = boughtValue
        self.soldValue = soldValue
    }
}

/// dhan-sim's state machine driven in-process, one simulated second at a time, with time passed in.
///
/// No sockets, no wall clock: the caller owns the clock, so the same calls give the same bytes. Requests and
/// answers are the bytes the HTTP server would carry, so a client's real decoders read them.
public struct SimWorld: Sendable {
    private var core: SimCore
    private var connection: Int?

    public init(_ configuration: SimConfiguration, behaviour: SimBehaviour = SimBehaviour()) {
        core = SimCore(configuration: configuration)
        core.broker.slippageTicks = configuration.slippageTicks
        var behaviour = behaviour
        behaviour.partialFills = behaviour.partialFills || configuration.partialFills
        core.broker.apply(behaviour)
    }

    /// A seeded world on `date` that opened at 09:14 IST and has run, on virtual time, to `secondOfDay`.
    public static func running(
        on date: CivilDate, calendar: TradingCalendar, seed: UInt64 = 7, until secondOfDay: Int
    ) -> SimWorld {
        var configuration = SimConfiguration(date: date, calendar: calendar)
        configuration.seed = seed
        configuration.speed = 0
        configuration.startSecondOfDay = 9 * 3600 + 14 * 60
        var world = SimWorld(configuration)
        while world.secondOfDay < secondOfDay {
            _ = world.advanceOneSecond(virtualSeconds: Double(world.now.epochSeconds))
        }
        return world
    }

    /// The simulated IST second of the day.
    public var secondOfDay: Int { core.second }

    /// The simulated time now.
    public var now: Timestamp { core.now }

    /// The access token the broker accepts.
    public var accessToken: String { core.token.value }

    /// Mints a new access token (as `GET /v2/RenewToken` does) and returns it; the old one stops working.
    public mutating func renewToken() -> String {
        _ = core.mintToken()
        return core.token.value
    }

    /// Opens the (single) market-feed connection, closing an earlier one.
    public mutating func connectFeed() {
        if let connection { core.closeFeed(connection) }
        connection = core.openFeed().id
    }

    /// Whether a feed connection is open.
    public var feedConnected: Bool { connection != nil }

    /// A JSON subscribe or unsubscribe text on the feed connection.
    public mutating func feedRequest(_ text: String) -> SimOutput {
        guard let connection else { return SimOutput() }
        let out = core.feedRequest(connection, text: text)
        return output(out)
    }

    /// Moves the market one second: orders match and subscribed instruments tick (none while `stalled`).
    public mutating func advanceOneSecond(virtualSeconds: Double, stalled: Bool = false) -> SimOutput {
        if stalled { core.faults.stallUntil = virtualSeconds + 1 } else { core.faults.stallUntil = nil }
        // Stepped into a local first: `output(core.advance(…))` reads `self` for the call before the argument
        // mutates `core`, so the whole world was copied every second.
        let out = core.advance(toSecondOfDay: core.second + 1, wallNow: virtualSeconds)
        return output(out)
    }

    /// Disconnects the feed with a reason code (805 too many connections, 807 token expired, …).
    public mutating func disconnectFeed(reason: UInt16) -> SimOutput {
        let out = core.disconnectAllFeeds(reason: reason)
        return output(out)
    }

    /// The detailed scrip master the server publishes (`/api-data/api-scrip-master-detailed.csv`).
    public var detailedScripMasterCSV: String { core.market.universe.detailedScripMasterCSV() }

    /// Answers one REST request (`/v2/…` path, JSON body) as the HTTP server would.
    public mutating func rest(
        method: String, path: String, query: [String: String] = [:], body: Data = Data(), accessToken: String,
        clientID: String? = nil, virtualSeconds: Double
    ) -> SimAnswer {
        let request = RESTRequest(
            method: method, path: path, query: query, accessToken: accessToken, body: body, clientIDHeader: clientID)
        let (reply, out) = core.handle(request, wallNow: virtualSeconds)
        return SimAnswer(status: reply.status, body: reply.body, output: output(out))
    }

    /// The next `count` orders are rejected by the exchange.
    public mutating func rejectNextOrders(_ count: Int) { core.faults.rejectNextOrders = count }

    /// Whether the access token is refused now (`tokenExpired(_:)`).
    public var isTokenExpired: Bool { core.faults.tokenExpired == true }

    /// The access token stops working (`expired`: every REST call answers 401 DH-901 and the feeds drop with
    /// 807, as when a token generated the day before runs out mid-session), or works again.
    public mutating func tokenExpired(_ expired: Bool) -> SimOutput {
        core.faults.tokenExpired = expired
        guard expired else { return SimOutput() }
        let out = core.disconnectAllFeeds(reason: 807)
        return output(out)
    }

    /// Order-class requests answer 429 until `untilSeconds` (virtual).
    public mutating func rateLimitStorm(_ apiClass: APIClass, untilSeconds: Double) {
        core.faults.rateLimitStormClass = apiClass.rawValue
        core.faults.stormUntil = untilSeconds
    }

    /// Requests refused for exceeding DhanHQ's limits, by API class (a storm's 429s are not counted).
    public var rateLimitRejections: [String: Int] { core.limiter.rejected }

    /// Every contract the broker has traded, with its bought and sold quantities.
    public var positions: [SimBrokerPosition] {
        core.broker.positions.keys.sorted().map { key in
            let position = core.broker.positions[key]!
            return SimBrokerPosition(
                instrument: key, bought: Int64(position.buyQty), sold: Int64(position.sellQty),
                boughtValue: Paise(Int64((position.buyValue * 100).rounded())),
                soldValue: Paise(Int64((position.sellValue * 100).rounded())))
        }
    }

    /// Grows whenever an order is placed or a trade made: `positions` and `parentOrdersByCorrelationID` are
    /// the same while it is (a checker may keep what it read).
    public var bookVersion: Int { core.broker.orders.count + core.broker.trades.count }

    /// Parent orders (not super-order legs) per correlation id.
    public var parentOrdersByCorrelationID: [String: Int] {
        var counts: [String: Int] = [:]
        for order in core.broker.orders where order.legName.isEmpty || order.legName == "ENTRY_LEG" {
            counts[order.correlationID, default: 0] += 1
        }
        return counts
    }

    /// Orders still working at the broker (parents and legs).
    public var openOrderCount: Int { core.broker.orders.filter(\.isOpen).count }

    private func output(_ out: Outbox) -> SimOutput {
        var result = SimOutput()
        for (id, frame) in out.feedFrames where id == connection { result.feedFrames.append(frame) }
        result.feedClosed = connection.map { out.closeFeeds.contains($0) } ?? false
        result.alerts = out.alerts.map { OrderAlertMessage(data: $0).jsonBody() }
        return result
    }

    /// Forgets a feed connection the broker closed.
    public mutating func feedDropped() { connection = nil }
}
