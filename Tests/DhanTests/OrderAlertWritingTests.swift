import Foundation
import Testing

@testable import Dhan

/// dhan-sim writes order alerts from their fields: the bytes `JSONEncoder` with sorted keys wrote, which the
/// client's decoder reads back to the same alert.
@Suite struct OrderAlertWritingTests {
    private func alert(price: Double, traded: Double, remarks: String, status: String) -> OrderAlert {
        OrderAlert(
            exchange: "NSE", segment: "D", securityId: "35082", clientId: "1000000132", orderNo: "112111182045",
            product: "I", txnType: "B", orderType: "LMT", quantity: 75, remainingQuantity: 25, tradedQty: 50,
            price: price, triggerPrice: 0, tradedPrice: traded, avgTradedPrice: traded,
            time: "2025-11-04 09:16:03", remarks: remarks, reasonDescription: "", legNo: 1, instrument: "OPTIDX",
            symbol: "NIFTY", status: status, lotSize: 75, strikePrice: 25_650, expiryDate: "2025-11-04",
            optType: "CE", displayName: "NIFTY 04 NOV 25650 CALL", correlationId: "as-7-entry")
    }

    @Test func bytesAreWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let cases = [
            alert(price: 120.05, traded: 120.1, remarks: "Super Order", status: "TRADED"),
            alert(price: 0, traded: 0, remarks: "quote \" and \\ and \u{1}", status: "PENDING"),
            alert(price: 19.95, traded: 1e-5, remarks: "", status: "Cancelled"),
        ]
        for alert in cases {
            let message = OrderAlertMessage(data: alert)
            #expect(
                String(decoding: message.jsonBody(), as: UTF8.self)
                    == String(decoding: try encoder.encode(message), as: UTF8.self))
            #expect(try JSONDecoder().decode(OrderAlertMessage.self, from: message.jsonBody()) == message)
        }
    }
}
