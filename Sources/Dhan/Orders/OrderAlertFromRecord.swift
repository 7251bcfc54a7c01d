import Domain

extension OrderAlert {
    /// The alert the order stream would have sent for a book row (reconciliation, lookups after a lost alert).
    public init(record: OrderRecord) {
        let segment = ExchangeSegment(apiName: record.exchangeSegment) ?? .nseFNO
        let legNo = record.legName == "TARGET_LEG" ? 3 : record.legName == "STOP_LOSS_LEG" ? 2 : 1
        let superOrder = ["ENTRY_LEG", "TARGET_LEG", "STOP_LOSS_LEG"].contains(record.legName)
        self.init(
            exchange: segment == .bseFNO ? "BSE" : "NSE", segment: segment == .indexValue ? "I" : "D",
            securityId: record.securityId, clientId: record.dhanClientId, orderNo: record.orderId, product: "I",
            txnType: record.transactionType == "SELL" ? "S" : "B", orderType: "MKT", quantity: record.quantity,
            remainingQuantity: record.remainingQuantity, tradedQty: record.filledQty, price: record.price,
            triggerPrice: record.triggerPrice, tradedPrice: record.averageTradedPrice,
            avgTradedPrice: record.averageTradedPrice, time: record.updateTime,
            remarks: superOrder ? "Super Order" : "", reasonDescription: record.omsErrorDescription, legNo: legNo,
            instrument: "OPTIDX", symbol: "",
            status: record.orderStatus, lotSize: 0, strikePrice: record.drvStrikePrice,
            expiryDate: record.drvExpiryDate,
            optType: record.drvOptionType == "PUT" ? "PE" : "CE", displayName: record.tradingSymbol,
            correlationId: record.correlationId)
    }
}
