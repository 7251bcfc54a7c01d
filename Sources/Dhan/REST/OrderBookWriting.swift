import Foundation

extension OrderRecord {
    /// An order-book body with its keys sorted, as `JSONEncoder` with `.sortedKeys` writes it (the same JSON
    /// values; whole doubles keep a `.0`), without `JSONEncoder`: dhan-sim answers the book on every lookup.
    public static func bookBody(_ records: [OrderRecord]) -> Data { bookBody(rows: records.map(rowBytes)) }

    /// A book body from rows `rowBytes` wrote (dhan-sim keeps each order's row until the order changes).
    public static func bookBody(rows: [[UInt8]]) -> Data {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(rows.reduce(2 + rows.count) { $0 + $1.count })
        for index in rows.indices {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: rows[index])
        }
        out.append(UInt8(ascii: "]"))
        return Data(out)
    }

    /// One row of `bookBody`, its keys sorted.
    public static func rowBytes(_ record: OrderRecord) -> [UInt8] {
        var out = JSONOutput(capacity: 700)
        func key(_ name: StaticString) {
            out.append(UInt8(ascii: "\""))
            out.append(name)
            out.append("\":")
        }
        func string(_ value: String) { out.appendString(value) }
        func number(_ value: Double) { out.append(contentsOf: (value.isFinite ? value.description : "0").utf8) }
        func number(_ value: Int) { out.append(contentsOf: value.description.utf8) }
        out.append(UInt8(ascii: "{"))
        key("afterMarketOrder")
        out.append(record.afterMarketOrder ? "true" : "false")
        out.append(UInt8(ascii: ","))
        key("algoId")
        string(record.algoId)
        out.append(UInt8(ascii: ","))
        key("averageTradedPrice")
        number(record.averageTradedPrice)
        out.append(UInt8(ascii: ","))
        key("boProfitValue")
        number(record.boProfitValue)
        out.append(UInt8(ascii: ","))
        key("boStopLossValue")
        number(record.boStopLossValue)
        out.append(UInt8(ascii: ","))
        key("correlationId")
        string(record.correlationId)
        out.append(UInt8(ascii: ","))
        key("createTime")
        string(record.createTime)
        out.append(UInt8(ascii: ","))
        key("dhanClientId")
        string(record.dhanClientId)
        out.append(UInt8(ascii: ","))
        key("disclosedQuantity")
        number(record.disclosedQuantity)
        out.append(UInt8(ascii: ","))
        key("drvExpiryDate")
        string(record.drvExpiryDate)
        out.append(UInt8(ascii: ","))
        if let type = record.drvOptionType {
            key("drvOptionType")
            string(type)
            out.append(UInt8(ascii: ","))
        }
        key("drvStrikePrice")
        number(record.drvStrikePrice)
        out.append(UInt8(ascii: ","))
        key("exchangeOrderId")
        string(record.exchangeOrderId)
        out.append(UInt8(ascii: ","))
        key("exchangeSegment")
        string(record.exchangeSegment)
        out.append(UInt8(ascii: ","))
        key("exchangeTime")
        string(record.exchangeTime)
        out.append(UInt8(ascii: ","))
        key("filledQty")
        number(record.filledQty)
        out.append(UInt8(ascii: ","))
        key("legName")
        string(record.legName)
        out.append(UInt8(ascii: ","))
        key("omsErrorCode")
        string(record.omsErrorCode)
        out.append(UInt8(ascii: ","))
        key("omsErrorDescription")
        string(record.omsErrorDescription)
        out.append(UInt8(ascii: ","))
        key("orderId")
        string(record.orderId)
        out.append(UInt8(ascii: ","))
        key("orderStatus")
        string(record.orderStatus)
        out.append(UInt8(ascii: ","))
        key("orderType")
        string(record.orderType)
        out.append(UInt8(ascii: ","))
        key("price")
        number(record.price)
        out.append(UInt8(ascii: ","))
        key("productType")
        string(record.productType)
        out.append(UInt8(ascii: ","))
        key("quantity")
        number(record.quantity)
        out.append(UInt8(ascii: ","))
        key("remainingQuantity")
        number(record.remainingQuantity)
        out.append(UInt8(ascii: ","))
        key("securityId")
        string(record.securityId)
        out.append(UInt8(ascii: ","))
        key("tradingSymbol")
        string(record.tradingSymbol)
        out.append(UInt8(ascii: ","))
        key("transactionType")
        string(record.transactionType)
        out.append(UInt8(ascii: ","))
        key("triggerPrice")
        number(record.triggerPrice)
        out.append(UInt8(ascii: ","))
        key("updateTime")
        string(record.updateTime)
        out.append(UInt8(ascii: ","))
        key("validity")
        string(record.validity)
        out.append(UInt8(ascii: "}"))
        return out.bytes()
    }
}
