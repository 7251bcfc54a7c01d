extension BinaryWriter {
    mutating func correlation(_ value: CorrelationID) { string(value.value) }
}

extension BinaryReader {
    mutating func correlation(_ field: StaticString) throws(DecodeError) -> CorrelationID {
        let start = offset
        let text = try string(field)
        guard let id = CorrelationID(text) else {
            throw DecodeError(field: "\(field)", offset: start, reason: "'\(text)' is not a valid correlation id")
        }
        return id
    }
}

/// Stop-loss and target legs that make an entry a DhanHQ Super Order, protected at the broker.
public struct SuperOrderLegs: Equatable, Sendable, Codable {
    public var target: Paise
    public var stopLoss: Paise
    /// 0 = no broker-side trailing.
    public var trailingJump: Paise

    public init(target: Paise, stopLoss: Paise, trailingJump: Paise = .zero) {
        self.target = target
        self.stopLoss = stopLoss
        self.trailingJump = trailingJump
    }
}

/// A command to place an order; the command's seq gives its correlation id.
public struct OrderIntent: JournalPayload {
    public var correlationID: CorrelationID
    public var instrument: InstrumentKey
    public var side: TransactionSide
    /// Units (lots × lot size).
    public var quantity: Int64
    public var orderType: OrderType
    public var productType: ProductType
    public var validity: OrderValidity
    /// Limit price; zero for MARKET.
    public var price: Paise
    /// Why the order exists, such as `entry_NIFTY_CE_24500` or `stop_loss_30pct`.
    public var tag: String
    public var superOrder: SuperOrderLegs?

    public init(
        correlationID: CorrelationID, instrument: InstrumentKey, side: TransactionSide, quantity: Int64,
        orderType: OrderType = .market, productType: ProductType = .intraday, validity: OrderValidity = .day,
        price: Paise = .zero, tag: String, superOrder: SuperOrderLegs? = nil
    ) {
        self.correlationID = correlationID
        self.instrument = instrument
        self.side = side
        self.quantity = quantity
        self.orderType = orderType
        self.productType = productType
        self.validity = validity
        self.price = price
        self.tag = tag
        self.superOrder = superOrder
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.correlation(correlationID)
        writer.instrument(instrument)
        writer.u8(side.rawValue)
        writer.i64(quantity)
        writer.u8(orderType.rawValue)
        writer.u8(productType.rawValue)
        writer.u8(validity.rawValue)
        writer.paise(price)
        writer.string(tag)
        writer.optional(superOrder) { writer, legs in
            writer.paise(legs.target)
            writer.paise(legs.stopLoss)
            writer.paise(legs.trailingJump)
        }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        correlationID = try reader.correlation("correlation_id")
        instrument = try reader.instrument("instrument")
        side = try reader.enumeration("side", TransactionSide.self)
        quantity = try reader.i64("quantity")
        orderType = try reader.enumeration("order_type", OrderType.self)
        productType = try reader.enumeration("product_type", ProductType.self)
        validity = try reader.enumeration("validity", OrderValidity.self)
        price = try reader.paise("price")
        tag = try reader.string("tag")
        superOrder = try reader.optional("super_order") { reader throws(DecodeError) in
            SuperOrderLegs(
                target: try reader.paise("target"), stopLoss: try reader.paise("stop_loss"),
                trailingJump: try reader.paise("trailing_jump"))
        }
    }

    public var fields: [Field] {
        var fields: [Field] = [
            .text("correlation_id", correlationID), .text("instrument", instrument), .text("side", side),
            .int("qty", quantity), .text("type", orderType), .text("product", productType),
            .text("validity", validity), .paise("price", price), .string("tag", tag),
        ]
        if let legs = superOrder {
            fields.append(
                Field(
                    "super_order",
                    .object([
                        .paise("target", legs.target), .paise("stop_loss", legs.stopLoss),
                        .paise("trail", legs.trailingJump),
                    ])
                ))
        }
        return fields
    }

    public var securityIDs: [SecurityID] { [instrument.securityID] }
}

/// A command to change a working order or a super-order leg (for example to move the stop).
public struct OrderModification: JournalPayload {
    public var correlationID: CorrelationID
    public var orderID: String
    public var leg: OrderLeg?
    public var price: Paise
    public var triggerPrice: Paise
    public var quantity: Int64
    public var reason: String

    public init(
        correlationID: CorrelationID, orderID: String, leg: OrderLeg?, price: Paise, triggerPrice: Paise = .zero,
        quantity: Int64, reason: String
    ) {
        self.correlationID = correlationID
        self.orderID = orderID
        self.leg = leg
        self.price = price
        self.triggerPrice = triggerPrice
        self.quantity = quantity
        self.reason = reason
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.correlation(correlationID)
        writer.string(orderID)
        writer.optional(leg) { writer, leg in writer.u8(leg.rawValue) }
        writer.paise(price)
        writer.paise(triggerPrice)
        writer.i64(quantity)
        writer.string(reason)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        correlationID = try reader.correlation("correlation_id")
        orderID = try reader.string("order_id")
        leg = try reader.optional("leg") { reader throws(DecodeError) in try reader.enumeration("leg", OrderLeg.self) }
        price = try reader.paise("price")
        triggerPrice = try reader.paise("trigger_price")
        quantity = try reader.i64("quantity")
        reason = try reader.string("reason")
    }

    public var fields: [Field] {
        [
            .text("correlation_id", correlationID), .string("order_id", orderID),
            .string("leg", leg?.apiName ?? "-"), .paise("price", price), .paise("trigger", triggerPrice),
            .int("qty", quantity), .string("reason", reason),
        ]
    }
}

/// A command to cancel an order, or one leg of a super order.
public struct OrderCancellation: JournalPayload {
    public var correlationID: CorrelationID
    public var orderID: String
    public var leg: OrderLeg?
    public var reason: String

    public init(correlationID: CorrelationID, orderID: String, leg: OrderLeg?, reason: String) {
        self.correlationID = correlationID
        self.orderID = orderID
        self.leg = leg
        self.reason = reason
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.correlation(correlationID)
        writer.string(orderID)
        writer.optional(leg) { writer, leg in writer.u8(leg.rawValue) }
        writer.string(reason)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        correlationID = try reader.correlation("correlation_id")
        orderID = try reader.string("order_id")
        leg = try reader.optional("leg") { reader throws(DecodeError) in try reader.enumeration("leg", OrderLeg.self) }
        reason = try reader.string("reason")
    }

    public var fields: [Field] {
        [
            .text("correlation_id", correlationID), .string("order_id", orderID),
            .string("leg", leg?.apiName ?? "-"), .string("reason", reason),
        ]
    }
}

/// The broker accepted an order request (it may still reject it later at the exchange).
public struct OrderAccepted: JournalPayload {
    public var correlationID: CorrelationID
    public var orderID: String
    public var status: OrderStatus

    public init(correlationID: CorrelationID, orderID: String, status: OrderStatus) {
        self.correlationID = correlationID
        self.orderID = orderID
        self.status = status
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.correlation(correlationID)
        writer.string(orderID)
        writer.status(status)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        correlationID = try reader.correlation("correlation_id")
        orderID = try reader.string("order_id")
        status = try reader.status("status")
    }

    public var fields: [Field] {
        [.text("correlation_id", correlationID), .string("order_id", orderID), .text("status", status)]
    }
}

/// The broker refused an order request, with its error code and message.
public struct OrderRejected: JournalPayload {
    public var correlationID: CorrelationID
    public var code: String
    public var message: String

    public init(correlationID: CorrelationID, code: String, message: String) {
        self.correlationID = correlationID
        self.code = code
        self.message = message
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.correlation(correlationID)
        writer.string(code)
        writer.string(message)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        correlationID = try reader.correlation("correlation_id")
        code = try reader.string("code")
        message = try reader.string("message")
    }

    public var fields: [Field] {
        [.text("correlation_id", correlationID), .string("code", code), .string("message", message)]
    }
}

/// A status change of an order as the broker reports it (order-update stream or order book).
public struct OrderUpdate: JournalPayload {
    public var correlationID: CorrelationID?
    public var orderID: String
    public var instrument: InstrumentKey
    public var side: TransactionSide
    public var status: OrderStatus
    public var leg: OrderLeg?
    public var quantity: Int64
    /// Cumulative filled quantity.
    public var tradedQuantity: Int64
    public var averagePrice: Paise
    public var reason: String

    public init(
        correlationID: CorrelationID?, orderID: String, instrument: InstrumentKey, side: TransactionSide,
        status: OrderStatus, leg: OrderLeg? = nil, quantity: Int64, tradedQuantity: Int64, averagePrice: Paise,
        reason: String = ""
    ) {
        self.correlationID = correlationID
        self.orderID = orderID
        self.instrument = instrument
        self.side = side
        self.status = status
        self.leg = leg
        self.quantity = quantity
        self.tradedQuantity = tradedQuantity
        self.averagePrice = averagePrice
        self.reason = reason
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.optional(correlationID) { writer, id in writer.correlation(id) }
        writer.string(orderID)
        writer.instrument(instrument)
        writer.u8(side.rawValue)
        writer.status(status)
        writer.optional(leg) { writer, leg in writer.u8(leg.rawValue) }
        writer.i64(quantity)
        writer.i64(tradedQuantity)
        writer.paise(averagePrice)
        writer.string(reason)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        correlationID = try reader.optional("correlation_id") { reader throws(DecodeError) in
            try reader.correlation("correlation_id")
        }
        orderID = try reader.string("order_id")
        instrument = try reader.instrument("instrument")
        side = try reader.enumeration("side", TransactionSide.self)
        status = try reader.status("status")
        leg = try reader.optional("leg") { reader throws(DecodeError) in try reader.enumeration("leg", OrderLeg.self) }
        quantity = try reader.i64("quantity")
        tradedQuantity = try reader.i64("traded_quantity")
        averagePrice = try reader.paise("average_price")
        reason = try reader.string("reason")
    }

    public var fields: [Field] {
        [
            .string("correlation_id", correlationID?.value ?? "-"), .string("order_id", orderID),
            .text("instrument", instrument), .text("side", side), .text("status", status),
            .string("leg", leg?.apiName ?? "-"), .int("qty", quantity), .int("traded", tradedQuantity),
            .paise("avg", averagePrice), .string("reason", reason),
        ]
    }

    public var securityIDs: [SecurityID] { [instrument.securityID] }
}

/// One execution: part or all of an order traded at one price.
public struct Fill: JournalPayload, Codable {
    public var correlationID: CorrelationID?
    public var orderID: String
    public var tradeID: String
    public var instrument: InstrumentKey
    public var side: TransactionSide
    public var leg: OrderLeg?
    public var quantity: Int64
    public var price: Paise
    /// Exchange time of the trade, epoch seconds UTC.
    public var tradeTime: Int64

    public init(
        correlationID: CorrelationID?, orderID: String, tradeID: String, instrument: InstrumentKey,
        side: TransactionSide, leg: OrderLeg? = nil, quantity: Int64, price: Paise, tradeTime: Int64
    ) {
        self.correlationID = correlationID
        self.orderID = orderID
        self.tradeID = tradeID
        self.instrument = instrument
        self.side = side
        self.leg = leg
        self.quantity = quantity
        self.price = price
        self.tradeTime = tradeTime
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.optional(correlationID) { writer, id in writer.correlation(id) }
        writer.string(orderID)
        writer.string(tradeID)
        writer.instrument(instrument)
        writer.u8(side.rawValue)
        writer.optional(leg) { writer, leg in writer.u8(leg.rawValue) }
        writer.i64(quantity)
        writer.paise(price)
        writer.i64(tradeTime)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        correlationID = try reader.optional("correlation_id") { reader throws(DecodeError) in
            try reader.correlation("correlation_id")
        }
        orderID = try reader.string("order_id")
        tradeID = try reader.string("trade_id")
        instrument = try reader.instrument("instrument")
        side = try reader.enumeration("side", TransactionSide.self)
        leg = try reader.optional("leg") { reader throws(DecodeError) in try reader.enumeration("leg", OrderLeg.self) }
        quantity = try reader.i64("quantity")
        price = try reader.paise("price")
        tradeTime = try reader.i64("trade_time")
    }

    public var fields: [Field] {
        [
            .string("correlation_id", correlationID?.value ?? "-"), .string("order_id", orderID),
            .string("trade_id", tradeID), .text("instrument", instrument), .text("side", side),
            .string("leg", leg?.apiName ?? "-"), .int("qty", quantity), .paise("price", price),
            .string("time", Timestamp(epochSeconds: tradeTime).istString),
        ]
    }

    public var securityIDs: [SecurityID] { [instrument.securityID] }
}
