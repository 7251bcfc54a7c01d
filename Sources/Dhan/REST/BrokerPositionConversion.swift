import Domain

extension PositionRecord {
    /// The domain view of one `/v2/positions` row, or nil for a row naming no known segment or security.
    public func brokerPosition() throws(InvalidPriceError) -> BrokerPosition? {
        guard let segment = ExchangeSegment(apiName: exchangeSegment), let id = SecurityID(securityId) else {
            return nil
        }
        return BrokerPosition(
            instrument: InstrumentKey(segment, id), productType: ProductType(apiName: productType) ?? .intraday,
            netQuantity: Int64(netQty), buyQuantity: Int64(buyQty), sellQuantity: Int64(sellQty),
            buyAverage: try Paise(price: buyAvg, field: "buyAvg"),
            sellAverage: try Paise(price: sellAvg, field: "sellAvg"),
            realizedProfit: try Paise(amount: realizedProfit, field: "realizedProfit"),
            unrealizedProfit: try Paise(amount: unrealizedProfit, field: "unrealizedProfit"))
    }
}
