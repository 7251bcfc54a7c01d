import Dhan
import Domain
import Foundation
import MarketModel

/// One order at the simulated broker (normal, or a leg of a super order).
struct SimOrder: Sendable, Equatable {
    var id: String
    var correlationID: String
    var side: TransactionSide
    var instrument: InstrumentKey
    var product: String
    var orderType: String
    var validity: String
    var quantity: Int
    var price: Double
    var triggerPrice: Double
    var status: String
    var filled = 0
    var filledValue = 0.0
    var lastFillPrice = 0.0
    var legName = ""
    var superOrderID: String?
    var created: String
    var updated: String
    var rejectReason = ""
    /// Quantity still to fill in the next second (partial-fill mode).
    var pendingRemainder = 0
    /// A market order the broker turned into a protected limit: it fills at the touch inside its limit.
    var protectedMarket = false

    var averagePrice: Double { filled > 0 ? filledValue / Double(filled) : 0 }
    var isOpen: Bool { status == "PENDING" || status == "PART_TRADED" || status == "TRANSIT" }
}

/// A super order: the entry and its target and stop-loss legs.
struct SimSuperOrder: Sendable, Equatable {
    var entryID: String
    var targetID: String
    var stopID: String
    var targetPrice: Double
    var stopPrice: Double
    var trailingJump: Double
    /// The highest LTP since the legs went live, for trailing.
    var highWater = 0.0
    var initialStop: Double
    var firedLeg: String?
}

/// One instrument's day position at the broker.
struct SimPosition: Sendable, Equatable {
    var buyQty = 0
    var buyValue = 0.0
    var sellQty = 0
    var sellValue = 0.0

    var net: Int { buyQty - sellQty }

    /// Realised PnL of the quantity bought and sold, at the two averages.
    var realised: Double {
        let closed = min(buyQty, sellQty)
        guard closed > 0 else { return 0 }
        return Double(closed) * (sellValue / Double(sellQty) - buyValue / Double(buyQty))
    }
}

/// The simulated account: orders, trades, positions, funds, super orders and the kill switch.
struct SimBroker: Sendable {
    var clientID = "SIMCLIENT"
    var balance: Paise = .rupees(500_000)
    var slippageTicks = 0
    var partialFills = false
    /// Live behaviour (LIVE-BEHAVIOUR.md #4): once the entry has traded, cancelling `ENTRY_LEG` is refused
    /// with DH-906; only `TARGET_LEG` and `STOP_LOSS_LEG` can be cancelled, one by one.
    var refuseEntryLegCancelAfterTrade = false
    /// Live behaviour (#5): alerts of the target and stop-loss legs carry the parent's order number.
    var legAlertsCarryParentOrderNo = false
    /// Live behaviour (#1): market orders become protected limit orders this fraction beyond the touch.
    var marketPriceProtection: Double?
    private(set) var orders: [SimOrder] = [] {
        // Without `oldValue`, so an order changed in place is still changed in place.
        didSet { ordersRevision &+= 1 }
    }
    /// Moves on whenever any order is added or changed: the order book's body is reused while it stands still.
    private(set) var ordersRevision: UInt64 = 0
    private var orderIndex: [String: Int] = [:]
    private(set) var trades: [TradeRecord] = []
    private(set) var positions: [InstrumentKey: SimPosition] = [:]
    private(set) var superOrders: [String: SimSuperOrder] = [:]
    /// Indices (ascending) of the orders matching may still fill.
    ///
    /// Every open order that is not a super order's exit leg (those fire in `matchLegs`); matching each
    /// second walks these, not the day's book.
    private var matchable: [Int] = []
    /// Entry ids of the super orders whose legs may still fire, ascending: matching each second walks these,
    /// not every super order of the day.
    private var liveSuperOrders: [String] = []
    var killSwitchActive = false
    private var nextOrderNumber = 52_251_000_000
    private var nextTradeNumber = 1

    /// The fill rule, shared with every paper broker.
    private var matching: OrderMatching { OrderMatching(slippageTicks: slippageTicks) }

    /// Rupees on the wire to paise on the tick (the wire's prices are ₹0.05 multiples, or averages of them).
    static func paise(_ rupees: Double) -> Paise { Paise(Int64((rupees * 100).rounded())) }

    static func matchingQuote(_ quote: InstrumentQuote) -> OrderMatching.Quote {
        OrderMatching.Quote(last: paise(quote.last), bid: paise(quote.bid), ask: paise(quote.ask))
    }

    /// Switches the broker-side behaviours on.
    mutating func apply(_ behaviour: SimBehaviour) {
        partialFills = behaviour.partialFills
        refuseEntryLegCancelAfterTrade = behaviour.refuseEntryLegCancelAfterTrade
        legAlertsCarryParentOrderNo = behaviour.legAlertsCarryParentOrderNo
        marketPriceProtection = behaviour.marketPriceProtection
    }

    func order(id: String) -> SimOrder? { orderIndex[id].map { orders[$0] } }
    /// The order placed under a correlation id (a super order's legs share it; the entry is the one placed).
    func order(correlationID: String) -> SimOrder? { orders.first { $0.correlationID == correlationID } }

    private mutating func newOrderID() -> String {
        nextOrderNumber += 1
        return String(nextOrderNumber)
    }

    private mutating func insert(_ order: SimOrder) {
        orderIndex[order.id] = orders.count
        if order.isOpen && (order.superOrderID == nil || order.legName == "ENTRY_LEG") {
            matchable.append(orders.count)
        }
        orders.append(order)
    }

    // MARK: - Placing

    /// Places a normal order; MARKET orders fill at once at the touch (if the market is open).
    mutating func place(
        _ request: PlaceOrderRequest, instrument: InstrumentKey, market: SimMarket, second: Int,
        rejectReason: String?
    ) -> (SimOrder, Outbox) {
        let time = SimCore.istString(second: second, date: market.date)
        var order = SimOrder(
            id: newOrderID(), correlationID: request.correlationId ?? "",
            side: request.transactionType == "BUY" ? .buy : .sell,
            instrument: instrument, product: request.productType, orderType: request.orderType,
            validity: request.validity, quantity: request.quantity, price: request.price ?? 0,
            triggerPrice: request.triggerPrice ?? 0, status: "TRANSIT", created: time, updated: time)
        var out = Outbox()
        out.alerts.append(alert(order, market: market, time: time))
        if let reason = rejectReason ?? (market.isOpen(instrument, atSecondOfDay: second) ? nil : "Market is Closed") {
            order.status = "REJECTED"
            order.rejectReason = reason
            insert(order)
            out.alerts.append(alert(order, market: market, time: time))
            return (order, out)
        }
        // Market price protection: the broker turns the market order into a limit a band beyond the touch.
        if let band = marketPriceProtection, order.orderType == "MARKET",
            let quote = market.quote(instrument, atSecondOfDay: second)
        {
            order.orderType = "LIMIT"
            order.price = OrderMatching.protectionLimit(order.side, Self.matchingQuote(quote), band: band).rupees
            order.protectedMarket = true
        }
        order.status = "PENDING"
        insert(order)
        out.alerts.append(alert(order, market: market, time: time))
        out.append(tryFill(orderAt: orders.count - 1, market: market, second: second))
        return (orders[orderIndex[order.id]!], out)
    }

    /// Places a super order: the entry now, its legs once the entry has traded.
    mutating func placeSuper(
        _ request: SuperOrderRequest, instrument: InstrumentKey, market: SimMarket, second: Int, rejectReason: String?
    ) -> (SimOrder, Outbox) {
        let entryRequest = PlaceOrderRequest(
            dhanClientId: request.dhanClientId, correlationId: request.correlationId,
            transactionType: request.transactionType, exchangeSegment: request.exchangeSegment,
            productType: request.productType, orderType: request.orderType, validity: "DAY",
            securityId: request.securityId, quantity: request.quantity, price: request.price)
        let targetID = newOrderID()
        let stopID = newOrderID()
        let entryID = String(nextOrderNumber + 1)
        liveSuperOrders.insert(entryID, at: liveSuperOrders.firstIndex { $0 > entryID } ?? liveSuperOrders.endIndex)
        superOrders[entryID] = SimSuperOrder(
            entryID: entryID, targetID: targetID, stopID: stopID, targetPrice: request.targetPrice,
            stopPrice: request.stopLossPrice, trailingJump: request.trailingJump ?? 0,
            initialStop: request.stopLossPrice)
        var (entry, out) = place(
            entryRequest, instrument: instrument, market: market, second: second, rejectReason: rejectReason)
        if let index = orderIndex[entry.id] {
            orders[index].legName = "ENTRY_LEG"
            orders[index].superOrderID = entry.id
            entry = orders[index]
        }
        out.alerts = out.alerts.map {
            var alert = $0
            alert.remarks = "Super Order"
            alert.legNo = 1
            return alert
        }
        if entry.status == "TRADED" { out.append(activateLegs(of: entry.id, market: market, second: second)) }
        if entry.status == "REJECTED" { superOrders[entry.id] = nil }
        return (entry, out)
    }

    /// Creates the target and stop-loss legs of a super order whose entry has traded.
    private mutating func activateLegs(of entryID: String, market: SimMarket, second: Int) -> Outbox {
        guard var superOrder = superOrders[entryID], let entry = order(id: entryID),
            order(id: superOrder.targetID) == nil || order(id: superOrder.stopID) == nil
        else { return Outbox() }
        let time = SimCore.istString(second: second, date: market.date)
        var out = Outbox()
        let exitSide: TransactionSide = entry.side == .buy ? .sell : .buy
        for (id, leg, type, price, trigger) in [
            (superOrder.targetID, "TARGET_LEG", "LIMIT", superOrder.targetPrice, 0.0),
            (superOrder.stopID, "STOP_LOSS_LEG", "STOP_LOSS_MARKET", 0.0, superOrder.stopPrice),
        ] where order(id: id) == nil {
            // A leg cancelled while the entry was still filling stays cancelled.
            let legOrder = SimOrder(
                id: id, correlationID: entry.correlationID, side: exitSide, instrument: entry.instrument,
                product: entry.product, orderType: type, validity: "DAY", quantity: entry.filled, price: price,
                triggerPrice: trigger, status: "PENDING", legName: leg, superOrderID: entryID, created: time,
                updated: time)
            insert(legOrder)
            var legAlert = alert(legOrder, market: market, time: time)
            legAlert.remarks = "Super Order"
            legAlert.legNo = leg == "TARGET_LEG" ? 3 : 2
            out.alerts.append(legAlert)
        }
        superOrder.highWater = entry.averagePrice
        superOrders[entryID] = superOrder
        return out
    }

    // MARK: - Matching

    /// One second of matching: partial remainders, resting limits, stop triggers and super-order legs.
    mutating func match(market: SimMarket, second: Int, quotes: inout SecondQuotes) -> Outbox {
        var out = Outbox()
        // Ascending, as the whole book would be walked; an order that closed never opens again.
        var stillOpen: [Int] = []
        stillOpen.reserveCapacity(matchable.count)
        for index in matchable where orders[index].isOpen {
            guard orders[index].superOrderID == nil || orders[index].legName == "ENTRY_LEG" else { continue }
            out.append(tryFill(orderAt: index, market: market, second: second, quotes: &quotes))
            if orders[index].isOpen { stillOpen.append(index) }
        }
        matchable = stillOpen
        var live: [String] = []
        live.reserveCapacity(liveSuperOrders.count)
        for entryID in liveSuperOrders {
            out.append(matchLegs(of: entryID, market: market, second: second, quotes: &quotes))
            if mayFire(entryID) { live.append(entryID) }
        }
        liveSuperOrders = live
        return out
    }

    /// Whether a super order's legs can still fire or go live (false once one fired, or its entry is closed
    /// and no leg is open; neither comes back).
    private func mayFire(_ entryID: String) -> Bool {
        // Orders read in place by index: `order(id:)` copied three whole orders a second per working super order.
        guard let superOrder = superOrders[entryID], superOrder.firedLeg == nil, let entry = orderIndex[entryID]
        else { return false }
        if orders[entry].isOpen { return true }
        guard let target = orderIndex[superOrder.targetID], let stop = orderIndex[superOrder.stopID] else {
            return orders[entry].filled > 0
        }
        return orders[target].isOpen || orders[stop].isOpen
    }

    private mutating func matchLegs(of entryID: String, market: SimMarket, second: Int, quotes: inout SecondQuotes)
        -> Outbox
    {
        guard var superOrder = superOrders[entryID], superOrder.firedLeg == nil,
            let target = orderIndex[superOrder.targetID], let stop = orderIndex[superOrder.stopID],
            orders[target].isOpen || orders[stop].isOpen,
            let quote = quotes.quote(orders[target].instrument, in: market, atSecondOfDay: second),
            market.isOpen(orders[target].instrument, atSecondOfDay: second)
        else { return Outbox() }
        var out = Outbox()
        if superOrder.trailingJump > 0 && quote.last > superOrder.highWater {
            superOrder.highWater = quote.last
            let trailed = OrderMatching.trailedStop(
                initial: Self.paise(superOrder.initialStop), current: Self.paise(superOrder.stopPrice),
                entry: Self.paise(order(id: entryID)?.averagePrice ?? 0), highWater: Self.paise(superOrder.highWater),
                jump: Self.paise(superOrder.trailingJump)
            ).rupees
            if trailed > superOrder.stopPrice {
                superOrder.stopPrice = trailed
                orders[stop].triggerPrice = trailed
            }
        }
        var fired: (index: Int, price: Double, other: Int)?
        if let (leg, price) = matching.firedLeg(
            target: orders[target].isOpen ? Self.paise(superOrder.targetPrice) : nil,
            stop: orders[stop].isOpen ? Self.paise(superOrder.stopPrice) : nil, Self.matchingQuote(quote))
        {
            fired = leg == .target ? (target, price.rupees, stop) : (stop, price.rupees, target)
        }
        if let fired {
            let time = SimCore.istString(second: second, date: market.date)
            superOrder.firedLeg = orders[fired.index].legName
            out.append(
                fill(
                    orderAt: fired.index, quantity: orders[fired.index].quantity, price: fired.price, market: market,
                    second: second))
            if orders[fired.other].isOpen {
                orders[fired.other].status = "CANCELLED"
                orders[fired.other].updated = time
                var cancelled = alert(orders[fired.other], market: market, time: time)
                cancelled.remarks = "Super Order"
                out.alerts.append(cancelled)
            }
        }
        superOrders[entryID] = superOrder
        return out
    }

    /// Fills an open order if the market allows it now.
    private mutating func tryFill(orderAt index: Int, market: SimMarket, second: Int) -> Outbox {
        var quotes = SecondQuotes()
        return tryFill(orderAt: index, market: market, second: second, quotes: &quotes)
    }

    /// Fills an open order if the market allows it now, its quote from the second's.
    private mutating func tryFill(orderAt index: Int, market: SimMarket, second: Int, quotes: inout SecondQuotes)
        -> Outbox
    {
        let order = orders[index]
        guard order.isOpen, market.isOpen(order.instrument, atSecondOfDay: second),
            let quote = quotes.quote(order.instrument, in: market, atSecondOfDay: second)
        else { return Outbox() }
        guard let type = OrderType.allCases.first(where: { $0.apiName == order.orderType }),
            let price = matching.price(
                OrderMatching.Terms(
                    side: order.side, type: type, limit: Self.paise(order.price),
                    trigger: Self.paise(order.triggerPrice),
                    protectedMarket: order.protectedMarket), Self.matchingQuote(quote))?.rupees
        else { return Outbox() }
        let remaining = order.quantity - order.filled
        var quantity = remaining
        if partialFills && order.filled == 0 && (order.orderType == "MARKET" || order.protectedMarket) && remaining > 1
        {
            quantity = OrderMatching.firstSlice(
                remaining: remaining, lotSize: Int(market.universe.contract(order.instrument)?.lotSize ?? 1))
        }
        var out = fill(orderAt: index, quantity: quantity, price: price, market: market, second: second)
        if orders[index].status == "TRADED", orders[index].legName == "ENTRY_LEG" {
            out.append(activateLegs(of: orders[index].id, market: market, second: second))
        }
        return out
    }

    private mutating func fill(orderAt index: Int, quantity: Int, price: Double, market: SimMarket, second: Int)
        -> Outbox
    {
        let time = SimCore.istString(second: second, date: market.date)
        orders[index].filled += quantity
        orders[index].filledValue += Double(quantity) * price
        orders[index].lastFillPrice = price
        orders[index].status = orders[index].filled >= orders[index].quantity ? "TRADED" : "PART_TRADED"
        orders[index].updated = time
        let order = orders[index]
        var position = positions[order.instrument] ?? SimPosition()
        if order.side == .buy {
            position.buyQty += quantity
            position.buyValue += Double(quantity) * price
            balance = balance - Paise(Int64((Double(quantity) * price * 100).rounded()))
        } else {
            position.sellQty += quantity
            position.sellValue += Double(quantity) * price
            balance = balance + Paise(Int64((Double(quantity) * price * 100).rounded()))
        }
        positions[order.instrument] = position
        let contract = market.universe.contract(order.instrument)
        trades.append(
            TradeRecord(
                dhanClientId: clientID, orderId: order.id, exchangeTradeId: String(nextTradeNumber),
                transactionType: order.side.apiName, exchangeSegment: order.instrument.segment.apiName,
                productType: order.product, orderType: order.orderType, tradingSymbol: symbol(contract),
                securityId: order.instrument.securityID.description, tradedQuantity: quantity, tradedPrice: price,
                time: time, drvExpiryDate: contract.map { "\($0.expiry)" } ?? "0001-01-01",
                drvOptionType: contract.map { $0.type == .call ? "CALL" : "PUT" },
                drvStrikePrice: contract?.strike.rupees ?? 0))
        nextTradeNumber += 1
        var fillAlert = alert(order, market: market, time: time)
        if order.superOrderID != nil {
            fillAlert.remarks = "Super Order"
            fillAlert.legNo = order.legName == "TARGET_LEG" ? 3 : order.legName == "STOP_LOSS_LEG" ? 2 : 1
        }
        return Outbox(alerts: [fillAlert])
    }

    // MARK: - Modify and cancel

    enum BrokerError: Error, Equatable {
        case notFound
        case notOpen(String)
        case invalid(String)
    }

    mutating func modify(id: String, _ request: ModifyOrderRequest, market: SimMarket, second: Int) throws(BrokerError)
        -> (SimOrder, Outbox)
    {
        guard let index = orderIndex[id] else { throw .notFound }
        guard orders[index].isOpen else { throw .notOpen(orders[index].status) }
        if let quantity = request.quantity { orders[index].quantity = quantity }
        if let price = request.price { orders[index].price = price }
        if let trigger = request.triggerPrice { orders[index].triggerPrice = trigger }
        orders[index].orderType = request.orderType
        orders[index].updated = SimCore.istString(second: second, date: market.date)
        var out = Outbox(alerts: [alert(orders[index], market: market, time: orders[index].updated)])
        out.append(tryFill(orderAt: index, market: market, second: second))
        return (orders[index], out)
    }

    mutating func cancel(id: String, market: SimMarket, second: Int) throws(BrokerError) -> (SimOrder, Outbox) {
        guard let index = orderIndex[id] else { throw .notFound }
        guard orders[index].isOpen else { throw .notOpen(orders[index].status) }
        orders[index].status = "CANCELLED"
        orders[index].updated = SimCore.istString(second: second, date: market.date)
        return (orders[index], Outbox(alerts: [alert(orders[index], market: market, time: orders[index].updated)]))
    }

    mutating func modifySuper(id: String, _ request: SuperOrderModifyRequest, market: SimMarket, second: Int)
        throws(BrokerError) -> Outbox
    {
        guard var superOrder = superOrders[id], let entry = order(id: id) else { throw .notFound }
        switch request.legName {
        case "TARGET_LEG":
            guard let price = request.targetPrice else { throw .invalid("targetPrice is required for TARGET_LEG") }
            guard superOrder.firedLeg == nil, order(id: superOrder.targetID)?.isOpen ?? entry.isOpen else {
                throw .notOpen("TARGET_LEG")
            }
            superOrder.targetPrice = price
            if let index = orderIndex[superOrder.targetID] { orders[index].price = price }
        case "STOP_LOSS_LEG":
            guard let price = request.stopLossPrice else {
                throw .invalid("stopLossPrice is required for STOP_LOSS_LEG")
            }
            guard superOrder.firedLeg == nil, order(id: superOrder.stopID)?.isOpen ?? entry.isOpen else {
                throw .notOpen("STOP_LOSS_LEG")
            }
            superOrder.stopPrice = price
            superOrder.initialStop = price
            if let jump = request.trailingJump { superOrder.trailingJump = jump }
            if let index = orderIndex[superOrder.stopID] { orders[index].triggerPrice = price }
        case "ENTRY_LEG":
            guard entry.isOpen else { throw .notOpen(entry.status) }
            if let index = orderIndex[id] {
                if let price = request.price { orders[index].price = price }
                if let quantity = request.quantity { orders[index].quantity = quantity }
            }
            if let target = request.targetPrice { superOrder.targetPrice = target }
            if let stop = request.stopLossPrice {
                superOrder.stopPrice = stop
                superOrder.initialStop = stop
            }
        default:
            throw .invalid("legName '\(request.legName)' is not ENTRY_LEG, TARGET_LEG or STOP_LOSS_LEG")
        }
        superOrders[id] = superOrder
        let time = SimCore.istString(second: second, date: market.date)
        var out = Outbox()
        for legID in [id, superOrder.targetID, superOrder.stopID] {
            if let legOrder = order(id: legID), legOrder.isOpen {
                var legAlert = alert(legOrder, market: market, time: time)
                legAlert.remarks = "Super Order"
                out.alerts.append(legAlert)
            }
        }
        return out
    }

    /// Cancels one leg, or every open leg when `leg` is ENTRY_LEG.
    ///
    /// A leg that has already traded cannot be
    /// cancelled: that is what keeps a position from being sold twice.
    mutating func cancelSuper(id: String, leg: String, market: SimMarket, second: Int) throws(BrokerError) -> Outbox {
        guard let superOrder = superOrders[id], order(id: id) != nil else { throw .notFound }
        let ids: [String]
        switch leg {
        case "ENTRY_LEG": ids = [id, superOrder.targetID, superOrder.stopID]
        case "TARGET_LEG": ids = [superOrder.targetID]
        case "STOP_LOSS_LEG": ids = [superOrder.stopID]
        default: throw .invalid("leg '\(leg)' is not ENTRY_LEG, TARGET_LEG or STOP_LOSS_LEG")
        }
        if let fired = superOrder.firedLeg { throw .notOpen("super order already closed by its \(fired)") }
        if refuseEntryLegCancelAfterTrade, leg == "ENTRY_LEG", let entry = order(id: id), entry.filled > 0 {
            throw .notOpen("ENTRY_LEG has traded; cancel TARGET_LEG and STOP_LOSS_LEG")
        }
        // A target or stop-loss leg still waiting for its entry to fill can be cancelled: it will not go live.
        if leg != "ENTRY_LEG", let legID = ids.first, order(id: legID) == nil, let entry = order(id: id) {
            let time = SimCore.istString(second: second, date: market.date)
            let pending = SimOrder(
                id: legID, correlationID: entry.correlationID, side: entry.side == .buy ? .sell : .buy,
                instrument: entry.instrument, product: entry.product,
                orderType: leg == "TARGET_LEG" ? "LIMIT" : "STOP_LOSS_MARKET", validity: "DAY",
                quantity: entry.quantity, price: leg == "TARGET_LEG" ? superOrder.targetPrice : 0,
                triggerPrice: leg == "TARGET_LEG" ? 0 : superOrder.stopPrice, status: "CANCELLED", legName: leg,
                superOrderID: id, created: time, updated: time)
            insert(pending)
            var cancelled = alert(pending, market: market, time: time)
            cancelled.remarks = "Super Order"
            cancelled.legNo = leg == "TARGET_LEG" ? 3 : 2
            return Outbox(alerts: [cancelled])
        }
        let open = ids.filter { order(id: $0)?.isOpen ?? false }
        if open.isEmpty && leg != "ENTRY_LEG" { throw .notOpen(leg) }
        if open.isEmpty, order(id: id)?.status == "TRADED", order(id: superOrder.targetID) == nil {
            throw .notOpen("legs not live yet")
        }
        var out = Outbox()
        for legID in open {
            let (cancelled, outbox) = try cancel(id: legID, market: market, second: second)
            _ = cancelled
            out.append(outbox)
        }
        out.alerts = out.alerts.map {
            var alert = $0
            alert.remarks = "Super Order"
            return alert
        }
        return out
    }

    // MARK: - Views

    func record(_ order: SimOrder, market: SimMarket) -> OrderRecord {
        let contract = market.universe.contract(order.instrument)
        return OrderRecord(
            dhanClientId: clientID, orderId: order.id, correlationId: order.correlationID, orderStatus: order.status,
            transactionType: order.side.apiName, exchangeSegment: order.instrument.segment.apiName,
            productType: order.product, orderType: order.orderType, validity: order.validity,
            tradingSymbol: symbol(contract), securityId: order.instrument.securityID.description,
            quantity: order.quantity, price: order.price, triggerPrice: order.triggerPrice,
            legName: order.legName.isEmpty ? "NA" : order.legName, createTime: order.created,
            updateTime: order.updated, drvExpiryDate: contract.map { "\($0.expiry)" } ?? "0001-01-01",
            drvOptionType: contract.map { $0.type == .call ? "CALL" : "PUT" },
            drvStrikePrice: contract?.strike.rupees ?? 0,
            omsErrorCode: order.rejectReason.isEmpty ? "" : "RMS-0001",
            omsErrorDescription: order.rejectReason.isEmpty ? "CONFIRMED" : order.rejectReason,
            remainingQuantity: order.quantity - order.filled, averageTradedPrice: order.averagePrice,
            filledQty: order.filled)
    }

    func superRecords(market: SimMarket, second: Int) -> [SuperOrderRecord] {
        superOrders.keys.sorted().compactMap { id in
            guard let superOrder = superOrders[id], let entry = order(id: id) else { return nil }
            var legs: [SuperOrderRecord.Leg] = []
            for (legID, name, price) in [
                (superOrder.targetID, "TARGET_LEG", superOrder.targetPrice),
                (superOrder.stopID, "STOP_LOSS_LEG", superOrder.stopPrice),
            ] {
                let legOrder = order(id: legID)
                let status =
                    superOrder.firedLeg == name
                    ? "TRIGGERED" : legOrder?.status ?? (entry.isOpen ? "PENDING" : entry.status)
                legs.append(
                    .init(
                        orderId: legID, legName: name, transactionType: entry.side == .buy ? "SELL" : "BUY",
                        totalQuatity: entry.quantity,
                        remainingQuantity: legOrder.map { $0.quantity - $0.filled } ?? entry.quantity,
                        triggeredQuantity: legOrder?.filled ?? 0, price: price, orderStatus: status,
                        trailingJump: name == "STOP_LOSS_LEG" ? superOrder.trailingJump : 0))
            }
            var record = SuperOrderRecord(
                entry: self.record(entry, market: market),
                ltp: market.quote(entry.instrument, atSecondOfDay: second)?.last ?? 0, legs: legs)
            if superOrder.firedLeg != nil { record.orderStatus = "CLOSED" }
            return record
        }
    }

    func positionRecords(market: SimMarket, second: Int) -> [PositionRecord] {
        positions.keys.sorted().compactMap { key in
            guard let position = positions[key] else { return nil }
            let contract = market.universe.contract(key)
            let last = market.quote(key, atSecondOfDay: second)?.last ?? 0
            let openCost =
                position.net > 0 ? Double(position.net) * position.buyValue / Double(max(position.buyQty, 1)) : 0
            return PositionRecord(
                dhanClientId: clientID, tradingSymbol: symbol(contract), securityId: key.securityID.description,
                exchangeSegment: key.segment.apiName, productType: "INTRADAY", buyQty: position.buyQty,
                buyValue: position.buyValue, sellQty: position.sellQty, sellValue: position.sellValue,
                realizedProfit: position.realised,
                unrealizedProfit: position.net > 0 ? Double(position.net) * last - openCost : 0,
                drvExpiryDate: contract.map { "\($0.expiry)" } ?? "0001-01-01",
                drvOptionType: contract.map { $0.type == .call ? "CALL" : "PUT" },
                drvStrikePrice: contract?.strike.rupees ?? 0)
        }
    }

    var hasOpenExposure: Bool {
        orders.contains(where: \.isOpen) || positions.values.contains { $0.net != 0 }
    }

    func alert(_ order: SimOrder, market: SimMarket, time: String) -> OrderAlert {
        let contract = market.universe.contract(order.instrument)
        let exchange = order.instrument.segment == .bseFNO || order.instrument.segment == .bseEquity ? "BSE" : "NSE"
        let segment = order.instrument.segment == .indexValue ? "I" : order.instrument.segment == .nseEquity ? "E" : "D"
        let product =
            ["CNC": "C", "INTRADAY": "I", "MARGIN": "M", "MTF": "F", "CO": "V", "BO": "B"][order.product] ?? "I"
        let type =
            ["LIMIT": "LMT", "MARKET": "MKT", "STOP_LOSS": "SL", "STOP_LOSS_MARKET": "SLM"][order.orderType] ?? "MKT"
        var alert = OrderAlert(
            exchange: exchange, segment: segment, securityId: order.instrument.securityID.description,
            clientId: clientID, orderNo: order.id, product: product, txnType: order.side == .buy ? "B" : "S",
            orderType: type, quantity: order.quantity, remainingQuantity: order.quantity - order.filled,
            tradedQty: order.filled, price: order.price, triggerPrice: order.triggerPrice,
            tradedPrice: order.lastFillPrice, avgTradedPrice: order.averagePrice, time: time, remarks: "",
            reasonDescription: order.rejectReason.isEmpty ? "CONFIRMED" : order.rejectReason, legNo: 1,
            instrument: contract == nil ? "INDEX" : "OPTIDX", symbol: contract?.underlying ?? "",
            status: order.status == "PART_TRADED" ? "PART_TRADED" : order.status,
            lotSize: Int(contract?.lotSize ?? 1), strikePrice: contract?.strike.rupees ?? 0,
            expiryDate: contract.map { "\($0.expiry) 14:30:00" } ?? "0001-01-01 00:00:00",
            optType: contract?.type.code ?? "XX", displayName: symbol(contract), correlationId: order.correlationID)
        // Super-order legs say so, with the leg number (1 entry, 2 stop loss, 3 target), on every alert.
        if let parent = order.superOrderID {
            alert.remarks = "Super Order"
            alert.legNo = order.legName == "TARGET_LEG" ? 3 : order.legName == "STOP_LOSS_LEG" ? 2 : 1
            if legAlertsCarryParentOrderNo && alert.legNo != 1 { alert.orderNo = parent }
        }
        return alert
    }

    private func symbol(_ contract: ContractSpec?) -> String {
        guard let contract else { return "" }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return
            "\(contract.underlying)-\(months[contract.expiry.month - 1])\(contract.expiry.year)-\(contract.strike.value / 100)-\(contract.type.code)"
    }
}
