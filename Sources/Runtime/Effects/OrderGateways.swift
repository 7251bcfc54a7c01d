import Dhan
import DhanClient
import Domain
import Engine
import Foundation
import Logging
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
/// Fills at the live bid/ask from the feed plus slippage, with charges taken from a paper balance.
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
    private let slippage: Paise
    private let charges: ChargesConfig
    private let exchangeOf: @Sendable (InstrumentKey) -> Exchange
    /// Asks the broker's quote API when the feed has not delivered the instrument yet.
    private let quoteSource: @Sendable (InstrumentKey) async -> Tick?

    public init(
        settings: PaperSettings, charges: ChargesConfig, exchangeOf: @escaping @Sendable (InstrumentKey) -> Exchange,
        quoteSource: @escaping @Sendable (InstrumentKey) async -> Tick? = { _ in nil }
    ) {
        book = Mutex(Book(balance: settings.startingBalance))
        slippage = Paise(Int64(settings.slippageTicks) * 5)
        self.charges = charges
        self.exchangeOf = exchangeOf
        self.quoteSource = quoteSource
    }

    /// The paper account's cash.
    public var balance: Paise { book.withLock { $0.balance } }

    public func observe(_ tick: Tick) {
        book.withLock { $0.quotes[tick.instrument] = tick }
    }

    public func place(_ intent: OrderIntent, at time: Timestamp) async -> [Event] {
        if book.withLock({ $0.quotes[intent.instrument] == nil }), let fetched = await quoteSource(intent.instrument) {
            observe(fetched)
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
            let touch: Paise
            if intent.side == .buy {
                touch = (quote.bestAsk > .zero ? quote.bestAsk : quote.lastPrice) + slippage
            } else {
                let bid = quote.bestBid > .zero ? quote.bestBid : quote.lastPrice
                touch = max(Paise(5), bid - slippage)
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

    public init(client: DhanRESTClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func observe(_ tick: Tick) {}

    public func place(_ intent: OrderIntent, at time: Timestamp) async -> [Event] {
        let id = intent.correlationID
        do {
            let ack: OrderAck
            if let legs = intent.superOrder {
                ack = try await client.placeSuperOrder(
                    SuperOrderRequest(
                        correlationId: id.value, transactionType: intent.side.apiName,
                        exchangeSegment: intent.instrument.segment.apiName, productType: intent.productType.apiName,
                        orderType: intent.orderType.apiName, securityId: intent.instrument.securityID.description,
                        quantity: Int(intent.quantity), price: intent.price.rupees, targetPrice: legs.target.rupees,
                        stopLossPrice: legs.stopLoss.rupees, trailingJump: legs.trailingJump.rupees))
            } else {
                ack = try await client.placeOrder(
                    PlaceOrderRequest(
                        dhanClientId: nil, correlationId: id.value, transactionType: intent.side.apiName,
                        exchangeSegment: intent.instrument.segment.apiName, productType: intent.productType.apiName,
                        orderType: intent.orderType.apiName, validity: intent.validity.apiName,
                        securityId: intent.instrument.securityID.description, quantity: Int(intent.quantity),
                        price: intent.orderType == .market ? 0 : intent.price.rupees))
            }
            return [
                .orderAccepted(
                    OrderAccepted(
                        correlationID: id, orderID: ack.orderId, status: OrderStatus(apiName: ack.orderStatus)))
            ]
        } catch .network(let request, let message) {
            // The outcome is unknown: the broker may have the order. Ask by correlation id before deciding.
            logger.warning(
                "order outcome unknown; looking it up", metadata: ["correlation_id": "\(id)", "error": "\(message)"])
            for _ in 0..<5 {
                try? await Task.sleep(for: .milliseconds(300))
                if let record = try? await client.order(correlationID: id.value) {
                    return [
                        .orderAccepted(
                            OrderAccepted(
                                correlationID: id, orderID: record.orderId,
                                status: OrderStatus(apiName: record.orderStatus)))
                    ]
                }
            }
            return [
                .orderRejected(OrderRejected(correlationID: id, code: "NETWORK", message: "\(request): \(message)"))
            ]
        } catch {
            let code: String
            switch error {
            case .badInput(_, let errorCode, _): code = errorCode
            case .orderRejected: code = "DH-906"
            case .authExpired: code = "DH-901"
            case .rateLimited: code = "DH-904"
            default: code = "DHAN"
            }
            return [.orderRejected(OrderRejected(correlationID: id, code: code, message: error.description))]
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
        }
        return []
    }

    public func modify(_ modification: OrderModification) async -> [Event] {
        do {
            if let leg = modification.leg {
                _ = try await client.modifySuperOrder(
                    id: modification.orderID,
                    SuperOrderModifyRequest(
                        orderId: modification.orderID, legName: leg.apiName,
                        targetPrice: leg == .target ? modification.price.rupees : nil,
                        stopLossPrice: leg == .stopLoss ? modification.triggerPrice.rupees : nil))
            } else {
                _ = try await client.modifyOrder(
                    id: modification.orderID,
                    ModifyOrderRequest(
                        orderId: modification.orderID, orderType: modification.price == .zero ? "MARKET" : "LIMIT",
                        quantity: Int(modification.quantity), price: modification.price.rupees,
                        triggerPrice: modification.triggerPrice.rupees))
            }
        } catch {
            logger.warning("modify failed", metadata: ["order_id": "\(modification.orderID)", "error": "\(error)"])
        }
        return []
    }
}

/// Turns the order stream's cumulative alerts into events: a fill for each increase of traded quantity,
/// an order update for a rejection, cancellation or expiry.
struct OrderAlertTranslator: Sendable {
    /// Traded quantity already turned into fills, per broker order id.
    var traded: [String: Int64] = [:]

    mutating func events(for alert: OrderAlert) -> [Event] {
        guard let segment = Self.segment(alert), let id = SecurityID(alert.securityId) else { return [] }
        let instrument = InstrumentKey(segment, id)
        let side: TransactionSide = alert.txnType == "S" ? .sell : .buy
        let correlation = CorrelationID(alert.correlationId)
        let leg: OrderLeg? =
            alert.remarks == "Super Order" ? (alert.legNo == 3 ? .target : alert.legNo == 2 ? .stopLoss : .entry) : nil
        var out: [Event] = []
        let already = traded[alert.orderNo] ?? 0
        let now = Int64(alert.tradedQty)
        if now > already, let price = try? Paise(price: alert.tradedPrice, field: "TradedPrice") {
            traded[alert.orderNo] = now
            out.append(
                .fill(
                    Fill(
                        correlationID: correlation, orderID: alert.orderNo, tradeID: "\(alert.orderNo)-\(now)",
                        instrument: instrument, side: side, leg: leg, quantity: now - already, price: price,
                        tradeTime: Self.epochSeconds(alert.lastUpdatedTime) ?? 0)))
        }
        let status = alert.orderStatus
        if status == .rejected || status == .cancelled || status == .expired {
            out.append(
                .orderUpdate(
                    OrderUpdate(
                        correlationID: correlation, orderID: alert.orderNo, instrument: instrument, side: side,
                        status: status, leg: leg, quantity: Int64(alert.quantity), tradedQuantity: now,
                        averagePrice: (try? Paise(price: alert.avgTradedPrice, field: "AvgTradedPrice")) ?? .zero,
                        reason: alert.reasonDescription)))
        }
        return out
    }

    static func segment(_ alert: OrderAlert) -> ExchangeSegment? {
        switch (alert.exchange, alert.segment) {
        case ("NSE", "D"): .nseFNO
        case ("BSE", "D"): .bseFNO
        case ("NSE", "E"): .nseEquity
        case ("BSE", "E"): .bseEquity
        case (_, "I"): .indexValue
        default: nil
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` IST to epoch seconds UTC.
    static func epochSeconds(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let date = CivilDate(iso: String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        return Timestamp.ist(date, clock[0], clock[1], clock[2]).epochSeconds
    }
}
