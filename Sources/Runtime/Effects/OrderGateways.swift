import Dhan
import DhanClient
import Domain
import Engine
import Foundation
import Logging
import MarketModel
import Synchronization

/// Carries out order commands; what happened comes back as events for the sequencer.
public protocol OrderGateway: Sendable {
    func place(_ intent: OrderIntent, at time: Timestamp) async -> [Event]
    func cancel(_ cancellation: OrderCancellation) async -> [Event]
    func modify(_ modification: OrderModification) async -> [Event]
    /// The latest market state seen by the runtime, for paper fills.
    func observe(_ tick: Tick)
}

/// Paper trading: orders never leave the process.
///
/// Fills at the live bid/ask from the feed plus slippage (`OrderMatching`, the rule dhan-sim's book and the
/// backtests use), with charges taken from a paper balance.
public final class PaperBroker: OrderGateway {
    private struct Book: Sendable {
        var quotes: [InstrumentKey: Tick] = [:]
        var balance: Paise
        var orderNumber = 0
        /// Entries placed as super orders, by order id: their legs exist only on paper (the engine's own exits
        /// act), and cancelling them is confirmed at once.
        var superEntries: [String: (CorrelationID, InstrumentKey, Int64)] = [:]
    }

    private let book: Mutex<Book>
    private let matching: OrderMatching
    private let charges: ChargesConfig
    private let exchangeOf: @Sendable (InstrumentKey) -> Exchange
    /// Asks the broker's quote API when the feed has not delivered the instrument yet, or only long ago.
    private let quoteSource: @Sendable (InstrumentKey) async -> Tick?
    /// A quote whose last trade is older than this at the order's time is not filled against (see `place`).
    private let freshQuoteSeconds: Int64

    public init(
        settings: PaperSettings, charges: ChargesConfig, exchangeOf: @escaping @Sendable (InstrumentKey) -> Exchange,
        freshQuoteSeconds: Int64 = 5, quoteSource: @escaping @Sendable (InstrumentKey) async -> Tick? = { _ in nil }
    ) {
        book = Mutex(Book(balance: settings.startingBalance))
        matching = OrderMatching(slippageTicks: settings.slippageTicks)
        self.charges = charges
        self.exchangeOf = exchangeOf
        self.freshQuoteSeconds = freshQuoteSeconds
        self.quoteSource = quoteSource
    }

    /// The paper account's cash.
    public var balance: Paise { book.withLock { $0.balance } }

    public func observe(_ tick: Tick) {
        book.withLock { $0.quotes[tick.instrument] = tick }
    }

    public func place(_ intent: OrderIntent, at time: Timestamp) async -> [Event] {
        // The book keeps an option's last tick after the feed stops sending it (unsubscribed once its position
        // closed): an order placed later must not fill at that old price, so a quote past its freshness is
        // asked for again, and one the broker cannot give is refused rather than filled.
        let known = book.withLock { $0.quotes[intent.instrument] }
        var fresh = known.map { time.epochSeconds - $0.lastTradeTime <= freshQuoteSeconds } ?? false
        if !fresh, let fetched = await quoteSource(intent.instrument) {
            var stamped = fetched
            stamped.lastTradeTime = max(fetched.lastTradeTime, time.epochSeconds)
            observe(stamped)
            fresh = true
        }
        return book.withLock { book in
            book.orderNumber += 1
            let orderID = "PAPER-\(book.orderNumber)"
            guard let quote = book.quotes[intent.instrument], quote.lastPrice > .zero else {
                return [
                    .orderRejected(
                        OrderRejected(
                            correlationID: intent.correlationID, code: "PAPER",
                            message: "no live quote for \(intent.instrument) yet"))
                ]
            }
            guard fresh else {
                return [
                    .orderRejected(
                        OrderRejected(
                            correlationID: intent.correlationID, code: "PAPER",
                            message:
                                "the last quote for \(intent.instrument) is \(time.epochSeconds - quote.lastTradeTime) s old and no fresh one came"
                        ))
                ]
            }
            // The fill rule dhan-sim's book and the backtests use; a paper order that would rest is refused (the
            // engine sends market orders, and this broker keeps no book of resting ones).
            guard
                let touch = matching.price(
                    OrderMatching.Terms(side: intent.side, type: intent.orderType, limit: intent.price),
                    OrderMatching.Quote(last: quote.lastPrice, bid: quote.bestBid, ask: quote.bestAsk))
            else {
                return [
                    .orderRejected(
                        OrderRejected(
                            correlationID: intent.correlationID, code: "PAPER",
                            message: "\(intent.orderType) order would rest; the paper broker fills only at the touch"))
                ]
            }
            let cost = charges.charges(
                side: intent.side, price: touch, quantity: intent.quantity, exchange: exchangeOf(intent.instrument),
                date: time.istDate
            ).total
            book.balance =
                intent.side == .buy
                ? book.balance - touch * intent.quantity - cost : book.balance + touch * intent.quantity - cost
            if intent.superOrder != nil {
                book.superEntries[orderID] = (intent.correlationID, intent.instrument, intent.quantity)
            }
            return [
                .orderAccepted(OrderAccepted(correlationID: intent.correlationID, orderID: orderID, status: .pending)),
                .fill(
                    Fill(
                        correlationID: intent.correlationID, orderID: orderID, tradeID: "\(orderID)-1",
                        instrument: intent.instrument, side: intent.side, quantity: intent.quantity, price: touch,
                        tradeTime: time.epochSeconds)),
            ]
        }
    }

    public func cancel(_ cancellation: OrderCancellation) async -> [Event] {
        guard cancellation.leg == .entry,
            let (id, instrument, quantity) = book.withLock({ $0.superEntries.removeValue(forKey: cancellation.orderID) }
            )
        else { return [] }
        return [OrderLeg.target, .stopLoss].map { leg in
            .orderUpdate(
                OrderUpdate(
                    correlationID: id, orderID: "\(cancellation.orderID)-\(leg.apiName)", instrument: instrument,
                    side: .sell, status: .cancelled, leg: leg, quantity: quantity, tradedQuantity: 0,
                    averagePrice: .zero, reason: "cancelled on paper"))
        }
    }
    public func modify(_ modification: OrderModification) async -> [Event] { [] }
}

/// Live orders through DhanHQ (or dhan-sim): REST with our correlation id; fills arrive on the order stream.
public final class DhanOrderGateway: OrderGateway {
    private let client: DhanRESTClient
    private let logger: Logger
    /// The look-ups after an ambiguous submit wait on it, in its seconds.
    private let clock: any RuntimeClock
    /// How long an entry may wait in the client for the order rate limit before it is dropped unsent.
    ///
    /// The engine decides an entry on an index price at most 5 s old and an option quote at most 2 s old
    /// (`EntryGuard`); one that waited longer behind the order limit (trail modifications queue there) would
    /// buy on a price the engine would have refused. Exits are never dropped.
    public static let entrySendWithin: Duration = .seconds(5)

    public init(client: DhanRESTClient, logger: Logger, clock: any RuntimeClock = WallClock()) {
        self.client = client
        self.logger = logger
        self.clock = clock
    }

    public func observe(_ tick: Tick) {}

    public func place(_ intent: OrderIntent, at time: Timestamp) async -> [Event] {
        let id = intent.correlationID
        do {
            let ack: OrderAck
            let within = intent.side == .buy ? Self.entrySendWithin : nil
            if let request = OrderWire.superOrderRequest(intent) {
                ack = try await client.placeSuperOrder(request, sendWithin: within)
            } else {
                ack = try await client.placeOrder(OrderWire.placeRequest(intent), sendWithin: within)
            }
            return [OrderWire.accepted(ack, correlationID: id)]
        } catch  where !error.isDefinitive {
            // The outcome is unknown: the broker may have the order. It stays in flight while the book is asked
            // by correlation id (`AmbiguousSubmit`); it is never sent twice.
            logger.warning(
                "order outcome unknown; looking it up", metadata: ["correlation_id": "\(id)", "error": "\(error)"])
            switch await OrderLookup.find(id, client: client, clock: clock) {
            case .found(let record):
                return [
                    .orderAccepted(
                        OrderAccepted(
                            correlationID: id, orderID: record.orderId, status: OrderStatus(apiName: record.orderStatus)
                        ))
                ]
            case .absent:
                return [AmbiguousSubmit.notReceived(id, request: "place \(intent.tag)", detail: error.description)]
            case .unknown:
                // The broker answered none of the lookups: the intent stays in flight for the order watch,
                // which asks the book every 10 s and escalates it; it is never resolved on silence.
                logger.warning(
                    "order outcome still unknown after its lookups; left in flight",
                    metadata: ["correlation_id": "\(id)"])
                return []
            }
        } catch {
            if case .notSentInTime = error {
                logger.warning(
                    "entry not sent: it waited too long for the order rate limit",
                    metadata: ["correlation_id": "\(id)", "allowed": "\(Self.entrySendWithin)"])
            }
            return [
                .orderRejected(OrderRejected(correlationID: id, code: error.rejectionCode, message: error.description))
            ]
        }
    }

    public func cancel(_ cancellation: OrderCancellation) async -> [Event] {
        do {
            if let leg = cancellation.leg {
                _ = try await client.cancelSuperOrder(id: cancellation.orderID, leg: leg)
            } else {
                _ = try await client.cancelOrder(id: cancellation.orderID)
            }
        } catch {
            logger.warning("cancel failed", metadata: ["order_id": "\(cancellation.orderID)", "error": "\(error)"])
            // Only a definitive answer is a refusal; after a timeout the order's state is unknown.
            guard error.isDefinitive else { return [] }
            return [
                .cancelRejected(
                    OrderOperationRefused(
                        correlationID: cancellation.correlationID, orderID: cancellation.orderID,
                        leg: cancellation.leg, code: error.rejectionCode, message: error.description))
            ]
        }
        return []
    }

    public func modify(_ modification: OrderModification) async -> [Event] {
        do {
            if let leg = modification.leg {
                _ = try await client.modifySuperOrder(
                    id: modification.orderID, OrderWire.superOrderModification(modification, leg: leg))
            } else {
                _ = try await client.modifyOrder(id: modification.orderID, OrderWire.modification(modification))
            }
        } catch {
            logger.warning("modify failed", metadata: ["order_id": "\(modification.orderID)", "error": "\(error)"])
            guard error.isDefinitive else { return [] }
            return [
                .modifyRejected(
                    OrderOperationRefused(
                        correlationID: modification.correlationID, orderID: modification.orderID,
                        leg: modification.leg, code: error.rejectionCode, message: error.description))
            ]
        }
        return []
    }
}
