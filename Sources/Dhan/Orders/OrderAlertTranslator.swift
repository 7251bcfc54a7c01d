import Domain

/// Turns the order stream's cumulative alerts into events: a fill for each increase of traded quantity,
/// an order update for a rejection, cancellation or expiry.
public struct OrderAlertTranslator: Sendable {
    /// What is already turned into fills of one order (or leg): quantity and value in paise.
    public struct Traded: Sendable, Equatable {
        public var quantity: Int64 = 0
        public var value: Int64 = 0

        public init(quantity: Int64 = 0, value: Int64 = 0) {
            self.quantity = quantity
            self.value = value
        }

        /// Adds a fill.
        public mutating func add(_ fill: Fill) {
            quantity += fill.quantity
            value += fill.quantity * fill.price.value
        }
    }

    /// Fills already made, per broker order and super-order leg (`key(orderID:leg:)`).
    public var traded: [String: Traded] = [:]
    /// The terminal status already reported per order (or leg): a repeated alert, or the same book row read
    /// again by a lookup, is not news (it would look like the broker answering and hide a stuck intent).
    public var finished: [String: OrderStatus] = [:]

    public init() {}

    /// What traded quantities are counted under: the order id, and for a target or stop-loss leg its leg too,
    /// since a leg's alert may carry its parent's order number (LIVE-BEHAVIOUR.md #5) and its cumulative
    /// quantity must not be measured against the entry's.
    public static func key(orderID: String, leg: OrderLeg?) -> String {
        switch leg {
        case .target?, .stopLoss?: "\(orderID)#\(leg!.apiName)"
        default: orderID
        }
    }

    public mutating func events(for alert: OrderAlert) -> [Event] {
        guard let segment = Self.segment(alert), let id = SecurityID(alert.securityId) else { return [] }
        let instrument = InstrumentKey(segment, id)
        let side: TransactionSide = alert.txnType == "S" ? .sell : .buy
        let correlation = CorrelationID(alert.correlationId)
        let leg: OrderLeg? =
            alert.remarks == "Super Order" ? (alert.legNo == 3 ? .target : alert.legNo == 2 ? .stopLoss : .entry) : nil
        var out: [Event] = []
        let key = Self.key(orderID: alert.orderNo, leg: leg)
        let already = traded[key] ?? Traded()
        let now = Int64(alert.tradedQty)
        // Alerts are cumulative and may arrive late, twice or out of order: a fill is the increase over what is
        // already counted, priced from the cumulative average (the last trade's price belongs to whichever
        // alert was newest at the broker, not to this increase).
        // A cumulative value Int64 cannot hold is not a trade (it would trap the conversion below).
        let cumulative = alert.avgTradedPrice * 100 * Double(now)
        if now > already.quantity, cumulative.isFinite, cumulative < 9e18,
            (try? Paise(price: alert.avgTradedPrice, field: "AvgTradedPrice")) ?? .zero > .zero
        {
            // The cumulative value from the average as sent, not the average rounded to the paisa first: a
            // late remainder priced from a rounded average was off by up to 2 paise a unit.
            let value = Int64(cumulative.rounded())
            let quantity = now - already.quantity
            traded[key] = Traded(quantity: now, value: value)
            // The increase's value is exact to the paisa; its average per unit usually is not (an alert that
            // covers two trades, or one that overtook the alert of the first). Booking it all at the rounded
            // average drifts from the broker's cash flow by up to half a paisa a unit, so the remainder of the
            // division goes out as a second fill a paisa dearer: together the two carry the exact value.
            let increase = value - already.value
            let low = increase / quantity
            let dearer = increase - low * quantity
            func fill(_ units: Int64, at price: Int64, tradeID: String) -> Event {
                .fill(
                    Fill(
                        correlationID: correlation, orderID: alert.orderNo, tradeID: tradeID,
                        instrument: instrument, side: side, leg: leg, quantity: units, price: Paise(price),
                        tradeTime: Self.epochSeconds(alert.lastUpdatedTime) ?? 0))
            }
            if low < 5 {
                out.append(fill(quantity, at: 5, tradeID: "\(key)-\(now)"))
            } else if dearer == 0 {
                out.append(fill(quantity, at: low, tradeID: "\(key)-\(now)"))
            } else {
                out.append(fill(quantity - dearer, at: low, tradeID: "\(key)-\(now)a"))
                out.append(fill(dearer, at: low + 1, tradeID: "\(key)-\(now)"))
            }
        }
        let status = alert.orderStatus
        if status == .rejected || status == .cancelled || status == .expired, finished[key] != status {
            finished[key] = status
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

    public static func segment(_ alert: OrderAlert) -> ExchangeSegment? {
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
    public static func epochSeconds(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let date = CivilDate(iso: String(parts[0])), (1970...2199).contains(date.year) else {
            return nil
        }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        // Out-of-range fields are refused, not computed with: a fuzzer found years and hours that overflowed.
        guard clock.count == 3, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        return Timestamp.ist(date, clock[0], clock[1], clock[2]).epochSeconds
    }
}
