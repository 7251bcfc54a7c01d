import Domain

/// The engine's order commands as DhanHQ v2 request bodies, and the broker's acknowledgement as an event.
///
/// Shared by the live gateway and the in-process simulation, so both send the same bytes.
public enum OrderWire {
    /// `POST /v2/orders` for an intent without super-order legs.
    public static func placeRequest(_ intent: OrderIntent) -> PlaceOrderRequest {
        PlaceOrderRequest(
            dhanClientId: nil, correlationId: intent.correlationID.value, transactionType: intent.side.apiName,
            exchangeSegment: intent.instrument.segment.apiName, productType: intent.productType.apiName,
            orderType: intent.orderType.apiName, validity: intent.validity.apiName,
            securityId: intent.instrument.securityID.description, quantity: Int(intent.quantity),
            price: intent.orderType == .market ? 0 : intent.price.rupees)
    }

    /// `POST /v2/super/orders` for an intent with legs, nil otherwise.
    public static func superOrderRequest(_ intent: OrderIntent) -> SuperOrderRequest? {
        guard let legs = intent.superOrder else { return nil }
        return SuperOrderRequest(
            correlationId: intent.correlationID.value, transactionType: intent.side.apiName,
            exchangeSegment: intent.instrument.segment.apiName, productType: intent.productType.apiName,
            orderType: intent.orderType.apiName, securityId: intent.instrument.securityID.description,
            quantity: Int(intent.quantity), price: intent.price.rupees, targetPrice: legs.target.rupees,
            stopLossPrice: legs.stopLoss.rupees, trailingJump: legs.trailingJump.rupees)
    }

    /// The broker took the order: its id and first status.
    public static func accepted(_ ack: OrderAck, correlationID: CorrelationID) -> Event {
        .orderAccepted(
            OrderAccepted(
                correlationID: correlationID, orderID: ack.orderId, status: OrderStatus(apiName: ack.orderStatus)))
    }

    /// `PUT /v2/super/orders/{id}` moving one leg.
    public static func superOrderModification(_ modification: OrderModification, leg: OrderLeg)
        -> SuperOrderModifyRequest
    {
        SuperOrderModifyRequest(
            orderId: modification.orderID, legName: leg.apiName,
            targetPrice: leg == .target ? modification.price.rupees : nil,
            stopLossPrice: leg == .stopLoss ? modification.triggerPrice.rupees : nil)
    }

    /// `PUT /v2/orders/{id}`.
    public static func modification(_ modification: OrderModification) -> ModifyOrderRequest {
        ModifyOrderRequest(
            orderId: modification.orderID, orderType: modification.price == .zero ? "MARKET" : "LIMIT",
            quantity: Int(modification.quantity), price: modification.price.rupees,
            triggerPrice: modification.triggerPrice.rupees)
    }
}
