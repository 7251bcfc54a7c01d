import Foundation
import TestSupport
import Testing

@testable import Dhan

/// The order book's byte reader reads what `JSONDecoder` reads, or declines; dhan-sim's writer round-trips.
@Suite struct OrderBookParsingTests {
    /// The rest-bodies fuzz seed of a real order book (its first byte picks the fuzz target's decoder).
    private static func fixtureBook() throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("Fuzz/corpus/rest-bodies/order-book.json")))
            .dropFirst()
    }

    @Test func theRecordedBookReadsAsJSONDecoderReadsIt() throws {
        let body = try Self.fixtureBook()
        let reference = try JSONDecoder().decode([OrderRecord].self, from: body)
        #expect(!reference.isEmpty)
        let fast = try #require(
            OrderRecord.plainBook(body), "the recorded book is plain JSON: the byte reader must take it")
        #expect(fast == reference)
        #expect(try OrderRecord.book(from: body) == reference)
    }

    @Test func theWriterRoundTripsThroughBothReaders() throws {
        var records = try JSONDecoder().decode([OrderRecord].self, from: try Self.fixtureBook())
        records[0].tradingSymbol = "A \"quoted\" \\ name"
        records[0].drvOptionType = nil
        records[0].averageTradedPrice = 282.025
        let body = OrderRecord.bookBody(records)
        #expect(try JSONDecoder().decode([OrderRecord].self, from: body) == records)
        // An escaped string sends the byte reader's caller to JSONDecoder, which reads it the same.
        #expect(OrderRecord.plainBook(body) == nil)
        #expect(try OrderRecord.book(from: body) == records)
        records[0].tradingSymbol = "NIFTY-Nov2025-25900-CE"
        #expect(OrderRecord.plainBook(OrderRecord.bookBody(records)) == records)
        #expect(OrderRecord.plainBook(OrderRecord.bookBody([])) == [])
    }

    /// Reading book after book through one cache gives what reading each alone gives, and reuses the rows
    /// that did not change.
    @Test func theReadCacheReadsEachBookAsAFreshReadDoes() throws {
        let recorded = try JSONDecoder().decode([OrderRecord].self, from: try Self.fixtureBook())
        #expect(recorded.count >= 2)
        var records = recorded
        var books: [[OrderRecord]] = [records]
        records[1].filledQty += 75
        records[1].orderStatus = "TRADED"
        books.append(records)
        records.append(records[0])
        records[records.count - 1].orderId = "NEW-1"
        books.append(records)
        books.append(records)
        books.append(Array(records.reversed()))
        books.append([records[0]] + records)
        books.append(Array(records.dropFirst()))
        books.append([])
        books.append(records)
        var cache = OrderBookReadCache()
        for (step, book) in books.enumerated() {
            let body = OrderRecord.bookBody(book)
            let fresh = OrderRecord.plainBook(body)
            #expect(fresh == book, "step \(step)")
            #expect(OrderRecord.plainBook(body, reusing: &cache) == fresh, "step \(step)")
        }
        // The same bytes with whitespace between rows, and a row whose bytes continue past the cached row's
        // length with a key the cached row did not have.
        var spaced = Array(OrderRecord.bookBody(records))
        spaced.insert(contentsOf: Array(" \n ".utf8), at: 1)
        #expect(OrderRecord.plainBook(Data(spaced), reusing: &cache) == records)
        var longer = Array(OrderRecord.bookBody(records))
        let firstEnd = try #require(longer.firstIndex(of: UInt8(ascii: "}")))
        longer.insert(contentsOf: Array(#","extraKey":1"#.utf8), at: firstEnd)
        #expect(OrderRecord.plainBook(Data(longer), reusing: &cache) == records)
        // A book the byte reader declines leaves it to JSONDecoder, through the cache as without.
        var escaped = records
        escaped[0].tradingSymbol = "A \"quoted\" name"
        #expect(OrderRecord.plainBook(OrderRecord.bookBody(escaped), reusing: &cache) == nil)
        #expect(try OrderRecord.book(from: OrderRecord.bookBody(escaped), reusing: &cache) == escaped)
        #expect(try OrderRecord.book(from: OrderRecord.bookBody(records), reusing: &cache) == records)
        // Unchanged rows were taken from the cache: the second read of the same book reused every row.
        var counting = OrderBookReadCache()
        _ = OrderRecord.plainBook(OrderRecord.bookBody(records), reusing: &counting)
        #expect(counting.reused == 0)
        _ = OrderRecord.plainBook(OrderRecord.bookBody(records), reusing: &counting)
        #expect(counting.reused == records.count)
        records[1].remainingQuantity += 1
        _ = OrderRecord.plainBook(OrderRecord.bookBody(records), reusing: &counting)
        #expect(counting.reused == 2 * records.count - 1)
    }

    /// Every mutation of the recorded book the byte reader takes, JSONDecoder takes with the same records.
    @Test func theByteReaderNeverAcceptsWhatJSONDecoderRefusesOrReadsDifferently() throws {
        let original = Array(try Self.fixtureBook())
        var taken = 0
        var disagreements: [String] = []
        for bytes in ByteMutations(of: original, count: 20_000, seed: 0x2545_F491_4F6C_DD1D) {
            let data = Data(bytes)
            guard let fast = OrderRecord.plainBook(data) else { continue }
            taken += 1
            let reference = try? JSONDecoder().decode([OrderRecord].self, from: data)
            if reference != fast { disagreements.append(String(decoding: bytes, as: UTF8.self)) }
        }
        #expect(
            disagreements.isEmpty,
            "\(disagreements.count) disagreements, first: \(disagreements.first.map { String($0.prefix(400)) } ?? "")")
        #expect(taken > 1_000, "only \(taken) mutations were read by the byte reader: the test would prove little")
    }
}
