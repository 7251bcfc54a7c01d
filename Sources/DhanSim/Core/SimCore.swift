import Dhan
import Domain
import Foundation
import MarketModel

/// What the simulator's state machine wants sent after a step: feed frames, feed closes and order alerts.
struct Outbox: Sendable {
    var feedFrames: [(connection: Int, frame: [UInt8])] = []
    /// Connections to close after their frames are written.
    var closeFeeds: [Int] = []
    var alerts: [OrderAlert] = []

    mutating func append(_ other: Outbox) {
        feedFrames += other.feedFrames
        closeFeeds += other.closeFeeds
        alerts += other.alerts
    }
}

/// One market-feed connection's subscriptions.
struct FeedConnection: Sendable {
    let id: Int
    var subscriptions: [InstrumentKey: FeedMode] = [:]
}

/// The simulator's whole state: the market clock, the broker account and the connections.
///
/// A value type mutated under one lock by the server; every step returns the frames and alerts to send, so
/// the networking never holds the lock while writing.
struct SimCore: Sendable {
    let configuration: SimConfiguration
    var market: SimMarket
    /// The current simulated second of the day (IST).
    private(set) var second: Int
    var feeds: [Int: FeedConnection] = [:]
    private var nextConnectionID = 1
    var broker = SimBroker()
    /// Each order of the book as last answered, in the book's order, and its row (index for index).
    private var bookOrders: [SimOrder] = []
    private var bookRows: [[UInt8]] = []
    /// The last order-book body and the broker's `ordersRevision` it was written at.
    private var bookBody: (revision: UInt64, body: Data)?
    var faults = SimFaults()
    var limiter = RateLimitWindows()
    /// Feed packets emitted since start, for the control endpoint.
    private(set) var packetsSent = 0
    /// The one access token accepted now (minting a new one ends the old, as at DhanHQ), and when it expires.
    var token: (value: String, expiresAt: Timestamp?, issued: Int)
    /// Whether today's market ticks: the configured day always does; a day rolled into only if it trades.
    private(set) var marketTrades = true

    init(configuration: SimConfiguration) {
        self.configuration = configuration
        self.market = SimMarket(
            seed: configuration.seed, date: configuration.date, calendar: configuration.calendar,
            scenario: configuration.scenario, indices: IndexSpec.standard)
        self.second = configuration.startSecondOfDay
        broker.clientID = configuration.clientID
        broker.balance = configuration.openingBalance
        token = (
            configuration.accessToken,
            configuration.accessTokenExpirySecondOfDay.map {
                Timestamp(epochSeconds: Timestamp.ist(configuration.date, 0, 0).epochSeconds + Int64($0))
            },
            0
        )
    }

    /// Whether `accessToken` is the current token and has passed its expiry (or the expiry fault is on).
    func isExpired(_ accessToken: String?) -> Bool {
        faults.tokenExpired == true || (accessToken == token.value && token.expiresAt.map { now >= $0 } ?? false)
    }

    /// Whether `accessToken` is the current token and has not expired.
    func accepts(_ accessToken: String?) -> Bool {
        guard faults.tokenExpired != true, accessToken == token.value else { return false }
        return token.expiresAt.map { now < $0 } ?? true
    }

    /// The simulated wall time now.
    var now: Timestamp { Timestamp(epochSeconds: Timestamp.ist(market.date, 0, 0).epochSeconds + Int64(second)) }

    /// The IST `YYYY-MM-DD HH:MM:SS` form REST bodies use.
    var istString: String { Self.istString(second: second, date: market.date) }

    static func istString(second: Int, date: CivilDate) -> String {
        "\(date) \(pad2(second / 3600)):\(pad2(second / 60 % 60)):\(pad2(second % 60))"
    }

    // MARK: - Clock

    /// Moves the clock forward to `target`, stepping every second: orders match and subscribed
    /// instruments tick once per simulated second.
    ///
    /// At midnight the world rolls into the next calendar day (`rollToNextDay`): a target past 86,399 is
    /// that many seconds into it.
    mutating func advance(toSecondOfDay target: Int, wallNow: Double) -> Outbox {
        var out = Outbox()
        var target = target
        while second < target {
            second += 1
            if second >= 86_400 {
                rollToNextDay()
                target -= 86_400
            }
            // A token that expires now ends every feed connection with 807, as DhanHQ does.
            if let expiry = token.expiresAt, now.epochSeconds == expiry.epochSeconds {
                out.append(disconnectAllFeeds(reason: 807))
            }
            var quotes = SecondQuotes()
            out.append(broker.match(market: market, second: second, quotes: &quotes))
            if !faults.isStalled(wallNow: wallNow) {
                out.append(emitTicks(quotes: quotes))
            }
        }
        return out
    }

    /// Midnight: the next calendar day's market and the clock at its 00:00:00, so one process runs across days.
    ///
    /// The new day has its own seeded model, without the first day's scenario. A day the calendar does not
    /// trade on has no ticks; the broker's book and positions carry over.
    private mutating func rollToNextDay() {
        let next = market.date.adding(days: 1)
        // Midnights crossed since the configured day: each day's market is seeded apart.
        let daysRolled = next.daysSinceEpoch - configuration.date.daysSinceEpoch
        market = SimMarket(
            seed: configuration.seed &+ UInt64(daysRolled) &* 1_000_003, date: next, calendar: configuration.calendar,
            scenario: Scenario(), indices: IndexSpec.standard)
        second -= 86_400
        marketTrades = configuration.calendar.isTradingDay(next)
    }

    private mutating func emitTicks(quotes: SecondQuotes) -> Outbox {
        var out = Outbox()
        guard marketTrades, second >= SessionSeconds.open && second <= SessionSeconds.close else { return out }
        // Pairs sorted by key, not keys sorted and each looked up again.
        for (id, connection) in feeds.sorted(by: { $0.key < $1.key }) {
            for (key, mode) in connection.subscriptions.sorted(by: { $0.key < $1.key }) {
                guard let quote = quotes.quoteOnce(key, in: market, atSecondOfDay: second) else { continue }
                // The second's quote priced once, for its packets and for the liquidity test below.
                for frame in packets(for: key, mode: mode, quote: quote) {
                    out.feedFrames.append((id, frame))
                }
                // Liquid options (within two strikes of the money) trade more often than once a second.
                if key.segment != .indexValue, abs(quote.stepsFromATM) <= 2,
                    let half = market.quote(key, atSecondOfDay: second, halfSecond: true)
                {
                    for frame in packets(for: key, mode: mode, quote: half) {
                        out.feedFrames.append((id, frame))
                    }
                }
            }
        }
        packetsSent += out.feedFrames.count
        return out
    }

    // MARK: - Market feed

    /// Registers a feed connection; a sixth connection for the user makes the oldest drop with 805.
    mutating func openFeed() -> (id: Int, outbox: Outbox) {
        var out = Outbox()
        let id = nextConnectionID
        nextConnectionID += 1
        feeds[id] = FeedConnection(id: id)
        if feeds.count > 5, let oldest = feeds.keys.min() {
            out.feedFrames.append((oldest, FeedPacketEncoder.encode(.disconnect(reason: 805))))
            out.closeFeeds.append(oldest)
            feeds[oldest] = nil
        }
        return (id, out)
    }

    mutating func closeFeed(_ id: Int) { feeds[id] = nil }

    /// Applies one JSON text request from a feed client; returns the frames to send (the latest state of
    /// newly subscribed instruments, or a disconnect packet for a bad request).
    mutating func feedRequest(_ connection: Int, text: String) -> Outbox {
        var out = Outbox()
        guard feeds[connection] != nil else { return out }
        guard let request = try? JSONDecoder().decode(FeedRequest.self, from: Data(text.utf8)) else {
            out.feedFrames.append((connection, FeedPacketEncoder.encode(.disconnect(reason: 814))))
            out.closeFeeds.append(connection)
            feeds[connection] = nil
            return out
        }
        if request.requestCode == 12 {
            out.closeFeeds.append(connection)
            feeds[connection] = nil
            return out
        }
        let list = request.instrumentList ?? []
        if list.count > 100 || (feeds[connection]!.subscriptions.count + list.count) > 5_000 {
            out.feedFrames.append((connection, FeedPacketEncoder.encode(.disconnect(reason: 804))))
            out.closeFeeds.append(connection)
            feeds[connection] = nil
            return out
        }
        let keys = list.compactMap(\.key)
        if let mode = FeedMode(subscribeCode: request.requestCode) {
            for key in keys where market.quote(key, atSecondOfDay: second) != nil {
                feeds[connection]!.subscriptions[key] = mode
                if let previous = previousClosePacket(key) { out.feedFrames.append((connection, previous)) }
                for frame in packets(for: key, mode: mode) { out.feedFrames.append((connection, frame)) }
            }
        } else if let mode = FeedMode.allCases.first(where: { $0.unsubscribeCode == request.requestCode }) {
            for key in keys where feeds[connection]!.subscriptions[key] == mode {
                feeds[connection]!.subscriptions[key] = nil
            }
        }
        return out
    }

    /// Disconnects every feed with `reason` (fault injection, token expiry).
    mutating func disconnectAllFeeds(reason: UInt16) -> Outbox {
        var out = Outbox()
        for id in feeds.keys.sorted() {
            out.feedFrames.append((id, FeedPacketEncoder.encode(.disconnect(reason: reason))))
            out.closeFeeds.append(id)
        }
        feeds.removeAll()
        return out
    }

    private func previousClosePacket(_ key: InstrumentKey) -> [UInt8]? {
        guard let quote = market.quote(key, atSecondOfDay: second) else { return nil }
        return FeedPacketEncoder.encode(
            .previousClose(key, price: Float(quote.previousClose), openInterest: UInt32(clamping: quote.openInterest)))
    }

    /// The packets one instrument produces in one mode at the current second (PROTOCOL.md §4.12).
    func packets(for key: InstrumentKey, mode: FeedMode) -> [[UInt8]] {
        guard let quote = market.quote(key, atSecondOfDay: second) else { return [] }
        return packets(for: key, mode: mode, quote: quote)
    }

    /// The packets carrying `quote`, one of `key`'s prices this second.
    func packets(for key: InstrumentKey, mode: FeedMode, quote: InstrumentQuote) -> [[UInt8]] {
        let ltt = FeedPacket.feedLTT(fromUTCEpochSeconds: now.epochSeconds)
        switch mode {
        case .ticker:
            return [FeedPacketEncoder.encode(.ticker(key, lastPrice: Float(quote.last), lastTradeTimeIST: ltt))]
        case .quote:
            var frames = [FeedPacketEncoder.encode(.quote(key, trade(quote, ltt: ltt)))]
            if key.segment != .indexValue {
                frames.append(FeedPacketEncoder.encode(.openInterest(key, UInt32(clamping: quote.openInterest))))
            }
            return frames
        case .full:
            let oi = UInt32(clamping: quote.openInterest)
            return [
                FeedPacketEncoder.encode(
                    .full(
                        key, trade(quote, ltt: ltt), openInterest: oi, oiDayHigh: oi, oiDayLow: oi,
                        depth: depth(quote, lot: market.universe.contract(key)?.lotSize ?? 1)))
            ]
        }
    }

    private func trade(_ quote: InstrumentQuote, ltt: UInt32) -> TradeSnapshot {
        let volume = UInt32(clamping: quote.volume)
        return TradeSnapshot(
            lastPrice: Float(quote.last), lastQuantity: quote.volume > 0 ? 75 : 0, lastTradeTimeIST: ltt,
            averagePrice: Float((quote.open + quote.last) / 2), volume: volume,
            totalSellQuantity: volume / 3, totalBuyQuantity: volume / 3 + volume / 7, open: Float(quote.open),
            close: Float(quote.previousClose), high: Float(quote.high), low: Float(quote.low))
    }

    private func depth(_ quote: InstrumentQuote, lot: Int64) -> [DepthLevel] {
        guard quote.bid != quote.ask else { return [] }
        return (0..<5).map { level in
            let quantity = UInt32(clamping: lot * Int64(8 + 5 * level))
            return DepthLevel(
                bidQuantity: quantity, askQuantity: quantity + UInt32(lot), bidOrders: UInt16(3 + level),
                askOrders: UInt16(4 + level), bidPrice: Float(max(0.05, quote.bid - 0.05 * Double(level))),
                askPrice: Float(quote.ask + 0.05 * Double(level)))
        }
    }
}

func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

extension SimCore {
    /// The order book's body: an order unchanged since the last answer keeps its row (building one is a
    /// contract lookup, a dozen strings and 35 fields written, for every row of a book the engine reads every
    /// 10 s while an order rests).
    ///
    /// While no order has changed since (the engine asks for the book every 10 s per quiet intent, and most
    /// asks find it as it was), the last body is answered again without comparing a row.
    mutating func orderBookBody() -> Data {
        if let bookBody, bookBody.revision == broker.ordersRevision { return bookBody.body }
        for index in broker.orders.indices {
            if index < bookOrders.count, bookOrders[index] == broker.orders[index] { continue }
            let order = broker.orders[index]
            let row = OrderRecord.rowBytes(broker.record(order, market: market))
            if index < bookOrders.count {
                bookOrders[index] = order
                bookRows[index] = row
            } else {
                bookOrders.append(order)
                bookRows.append(row)
            }
        }
        if bookOrders.count > broker.orders.count {
            bookOrders.removeLast(bookOrders.count - broker.orders.count)
            bookRows.removeLast(bookRows.count - broker.orders.count)
        }
        let body = OrderRecord.bookBody(rows: bookRows)
        bookBody = (broker.ordersRevision, body)
        return body
    }
}
