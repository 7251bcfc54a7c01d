import Dhan
import Foundation
import TestSupport
import Testing

/// The order alert's byte reader reads what `JSONDecoder` reads, or declines.
@Suite struct OrderAlertReadingTests {
    private static let corpus = ["traded", "part-traded", "rejected", "stop-leg-sell", "numbers-as-strings"]

    private static func recorded(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("Fuzz/corpus/order-alert/\(name).json")))
    }

    @Test(arguments: corpus)
    func theCorpusReadsAsJSONDecoderReadsIt(_ name: String) throws {
        let body = try Self.recorded(name)
        let reference = try JSONDecoder().decode(OrderAlertMessage.self, from: body)
        let plain = try #require(OrderAlertMessage.plain(body), "\(name) is plain JSON: the byte reader must take it")
        #expect(plain == reference)
    }

    @Test func theWritersBytesReadBack() throws {
        var message = try JSONDecoder().decode(OrderAlertMessage.self, from: try Self.recorded("part-traded"))
        #expect(OrderAlertMessage.plain(message.jsonBody()) == message)
        message.data.avgTradedPrice = 282.025
        message.data.price = 0
        message.data.legNo = 2
        #expect(OrderAlertMessage.plain(message.jsonBody()) == message)
        message.type = "something_else"
        #expect(OrderAlertMessage.plain(message.jsonBody()) == message)
    }

    /// What only `JSONDecoder` may decide is declined: it then reads the alert as before.
    @Test func unusualValuesAreLeftToJSONDecoder() throws {
        let body = String(decoding: try Self.recorded("traded"), as: UTF8.self)
        let cases = [
            body.replacingOccurrences(of: #""Remarks": """#, with: #""Remarks": "a \"quoted\" remark""#),
            body.replacingOccurrences(of: #""Remarks": """#, with: #""Remarks": "é""#),
            body.replacingOccurrences(of: #""Remarks": """#, with: #""Remarks": true"#),
            body.replacingOccurrences(of: #""Remarks": """#, with: #""Remarks": {"a": 1}"#),
            body.replacingOccurrences(of: #""LegNo": 0"#, with: #""LegNo": 99999999999999999999"#),
            body.replacingOccurrences(of: #""OrderNo": "112111182198""#, with: #""OrderNo": 1.5"#),
            body.replacingOccurrences(of: #""LegNo": 0"#, with: #""LegNo": 0, "LegNo": 1"#),
            body.replacingOccurrences(of: #""Type""#, with: #""Kind""#),
        ]
        for text in cases {
            #expect(text != body)
            let data = Data(text.utf8)
            #expect(OrderAlertMessage.plain(data) == nil, "\(text.prefix(120))")
        }
        // Numbers where text is expected, text where numbers are, nulls and missing fields: read, as
        // JSONDecoder reads them.
        let read = [
            body.replacingOccurrences(of: #""SecurityId": "35079""#, with: #""SecurityId": 35079"#),
            body.replacingOccurrences(of: #""Quantity": 75"#, with: #""Quantity": "75""#),
            body.replacingOccurrences(of: #""Quantity": 75"#, with: #""Quantity": 75.9"#),
            body.replacingOccurrences(of: #""Quantity": 75"#, with: #""Quantity": "x""#),
            body.replacingOccurrences(of: #""TradedPrice": 18.5"#, with: #""TradedPrice": "18.25""#),
            body.replacingOccurrences(of: #""TradedPrice": 18.5"#, with: #""TradedPrice": null"#),
            body.replacingOccurrences(of: #""Remarks": "", "#, with: ""),
            body.replacingOccurrences(of: #""Remarks": """#, with: #""Remarks": null"#),
        ]
        for text in read {
            #expect(text != body)
            let data = Data(text.utf8)
            let reference = try JSONDecoder().decode(OrderAlertMessage.self, from: data)
            #expect(OrderAlertMessage.plain(data) == reference, "\(text.prefix(120))")
        }
    }

    /// Every mutation of a recorded alert the byte reader takes, JSONDecoder takes with the same alert.
    @Test(arguments: corpus)
    func theByteReaderNeverAcceptsWhatJSONDecoderRefusesOrReadsDifferently(_ name: String) throws {
        let original = Array(try Self.recorded(name))
        var taken = 0
        var disagreements: [String] = []
        for bytes in ByteMutations(of: original, count: 5_000, seed: 0x9E37_79B9_7F4A_7C15) {
            let data = Data(bytes)
            guard let fast = OrderAlertMessage.plain(data) else { continue }
            taken += 1
            let reference = try? JSONDecoder().decode(OrderAlertMessage.self, from: data)
            if reference != fast { disagreements.append(String(decoding: bytes, as: UTF8.self)) }
        }
        #expect(
            disagreements.isEmpty,
            "\(disagreements.count) disagreements, first: \(disagreements.first.map { String($0.prefix(400)) } ?? "")")
        #expect(taken > 500, "only \(taken) mutations were read by the byte reader: the test would prove little")
    }
}
