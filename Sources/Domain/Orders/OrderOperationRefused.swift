/// The broker refused to cancel or modify an order (DH-906 and the like): the order stays as it was, and the
/// reducer decides what next.
public struct OrderOperationRefused: JournalPayload {
    public var correlationID: CorrelationID
    public var orderID: String
    /// The super-order leg the operation named, if any.
    public var leg: OrderLeg?
    public var code: String
    public var message: String

    public init(correlationID: CorrelationID, orderID: String, leg: OrderLeg?, code: String, message: String) {
        self.correlationID = correlationID
        self.orderID = orderID
        self.leg = leg
        self.code = code
        self.message = message
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.correlation(correlationID)
        writer.string(orderID)
        writer.optional(leg) { writer, leg in writer.u8(leg.rawValue) }
        writer.string(code)
        writer.string(message)
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        correlationID = try reader.correlation("correlation_id")
        orderID = try reader.string("order_id")
        leg = try reader.optional("leg") { reader throws(DecodeError) in try reader.enumeration("leg", OrderLeg.self) }
        code = try reader.string("code")
        message = try reader.string("message")
    }

    public var fields: [Field] {
        [
            .text("correlation_id", correlationID), .string("order_id", orderID), .string("leg", leg?.apiName ?? "-"),
            .string("code", code), .string("message", message),
        ]
    }
}
