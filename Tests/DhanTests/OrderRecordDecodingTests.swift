import Dhan
import Foundation
import Testing

/// Order-book and lookup rows as the broker sends them, nulls and all (the lifecycle issue's item 10).
@Suite("Order records as the broker sends them")
struct OrderRecordDecodingTests {
    /// The v2 docs' order-book example, with the optional fields null or missing as live captures show them.
    static let row = """
        {"dhanClientId":"1000000003","orderId":"112111182198","correlationId":"AS20251104-91-1",
         "orderStatus":"TRADED","transactionType":"BUY","exchangeSegment":"NSE_FNO","productType":"INTRADAY",
         "orderType":"MARKET","validity":"DAY","tradingSymbol":"NIFTY-Nov2025-25900-CE","securityId":"35079",
         "quantity":75,"disclosedQuantity":0,"price":0.0,"triggerPrice":0.0,"afterMarketOrder":false,
         "boProfitValue":0.0,"boStopLossValue":0.0,"legName":null,"createTime":"2025-11-04 09:53:00",
         "updateTime":"2025-11-04 09:53:00","exchangeTime":null,"drvExpiryDate":null,"drvOptionType":null,
         "drvStrikePrice":0.0,"omsErrorCode":null,"omsErrorDescription":null,
         "filledQty":75,"averageTradedPrice":18.5}
        """

    @Test("null and missing optional fields decode to empty values; what identifies the order is kept")
    func nulls() throws {
        let record = try JSONDecoder().decode(OrderRecord.self, from: Data(Self.row.utf8))
        #expect(record.orderId == "112111182198" && record.correlationId == "AS20251104-91-1")
        #expect(record.orderStatus == "TRADED" && record.filledQty == 75 && record.averageTradedPrice == 18.5)
        #expect(record.exchangeOrderId == "" && record.drvExpiryDate == "" && record.omsErrorCode == "")
        #expect(record.omsErrorDescription == "" && record.legName == "" && record.drvOptionType == nil)
        #expect(record.remainingQuantity == 0)
        // A row without its order id cannot be attributed: that stays an error, naming the key.
        let anonymous = Self.row.replacingOccurrences(of: "\"orderId\":\"112111182198\",", with: "")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(OrderRecord.self, from: Data(anonymous.utf8)) }
    }

    @Test("a lookup by correlation id that returns the super order's legs too picks the parent")
    func parentOfLookup() throws {
        let entry = try JSONDecoder().decode(OrderRecord.self, from: Data(Self.row.utf8))
        var target = entry
        target.orderId = "112111182199"
        target.legName = "TARGET_LEG"
        var stop = entry
        stop.orderId = "112111182200"
        stop.legName = "STOP_LOSS_LEG"
        var superEntry = entry
        superEntry.legName = "ENTRY_LEG"
        #expect(OrderRecord.parent(of: [target, stop, superEntry])?.orderId == "112111182198")
        #expect(OrderRecord.parent(of: [target, entry])?.orderId == "112111182198")
        #expect(OrderRecord.parent(of: [stop])?.orderId == "112111182200")
        #expect(OrderRecord.parent(of: []) == nil)
    }
}
