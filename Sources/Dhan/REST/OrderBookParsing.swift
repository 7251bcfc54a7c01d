import Domain
import Foundation

extension OrderRecord {
    /// An order-book body (`GET /v2/orders`): read from its bytes when it is plain JSON of the usual shape,
    /// else by `JSONDecoder`, which stays the reference for anything unusual.
    ///
    /// The engine reads the whole book for every quiet intent (every 10 s while one rests), and the book grows
    /// all day; `JSONDecoder` made that most of a simulated day's cost.
    public static func book(from data: Data) throws -> [OrderRecord] {
        var cache = OrderBookReadCache()
        return try book(from: data, reusing: &cache)
    }

    /// `book(from:)`, reusing the rows of the last book read through `cache` where their bytes are unchanged.
    public static func book(from data: Data, reusing cache: inout OrderBookReadCache) throws -> [OrderRecord] {
        if let records = plainBook(data, reusing: &cache) { return records }
        return try JSONDecoder().decode([OrderRecord].self, from: data)
    }

    /// The byte reader; nil sends the caller to `JSONDecoder`.
    ///
    /// It takes only an array of flat objects whose values are strings without escapes, JSON numbers,
    /// booleans and nulls, with every key once and every required field present. What it reads,
    /// `init(from:)` would read the same.
    public static func plainBook(_ data: Data) -> [OrderRecord]? {
        var cache = OrderBookReadCache()
        return plainBook(data, reusing: &cache)
    }

    /// `plainBook(_:)`, where a row whose bytes are those of the row at the same place in the book `cache`
    /// last read is that row's record, not read again; `cache` then holds this book's rows.
    ///
    /// A row is a flat object read from its first byte to the `}` that ends it, so bytes equal to a row
    /// read before, up to that row's `}`, are the same row: the reader would go through them the same way.
    public static func plainBook(_ data: Data, reusing cache: inout OrderBookReadCache) -> [OrderRecord]? {
        // Taken out of the cache, so that (once the caller has let the last book go) they are the only
        // references to their buffers: a row that changed is written over in place and the unchanged ones are
        // not copied. Copying every record (a score of strings each) into a new array was most of a read.
        // Should this read fail, the cache is left empty, and the next read reads every row.
        var records = cache.records
        var rows = cache.rows
        cache.records = []
        cache.rows = []
        let read = data.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            var scanner = JSONScanner(raw)
            guard var more = try? scanner.beginArray() else { return nil }
            var index = 0
            while more {
                guard scanner.peek() == UInt8(ascii: "{") else { return nil }
                let start = scanner.offset
                if index < rows.count, rows[index].count <= raw.count - start,
                    rows[index].withUnsafeBytes({ memcmp($0.baseAddress!, base + start, $0.count) == 0 })
                {
                    scanner.offset = start + rows[index].count
                    cache.reused += 1
                } else {
                    guard let record = PlainRow.read(&scanner) else { return nil }
                    let bytes = Array(UnsafeRawBufferPointer(rebasing: raw[start..<scanner.offset]))
                    if index < rows.count {
                        rows[index] = bytes
                        records[index] = record
                    } else {
                        rows.append(bytes)
                        records.append(record)
                    }
                }
                index += 1
                guard let next = try? scanner.nextElement() else { return nil }
                more = next
            }
            guard scanner.peek() == nil else { return nil }
            return index
        }
        guard let read else { return nil }
        rows.removeSubrange(read...)
        records.removeSubrange(read...)
        cache.rows = rows
        cache.records = records
        return records
    }
}

/// The rows of the last order book read, for `OrderRecord.plainBook(_:reusing:)`.
///
/// The engine reads the whole book for each quiet intent every 10 s, and the book only grows through the day,
/// while between two reads most rows are byte for byte the same: reading every row again was an eighth of a
/// simulated `observed` day. Rows are matched by place, which suits a book in the order the orders were
/// placed (dhan-sim's); a book in another order only misses, and is read as it was before.
public struct OrderBookReadCache: Sendable {
    /// Each row's bytes, from its `{` to its `}`.
    var rows: [[UInt8]] = []
    /// Each row's record, at the same place.
    var records: [OrderRecord] = []
    /// Rows taken from the last book instead of read, over the cache's life (for tests).
    var reused = 0

    public init() {}
}

/// One order-book row read by `OrderRecord.plainBook`.
private enum PlainRow {
    enum Value {
        case text(String)
        case number(Range<Int>)
        case bool(Bool)
        case null
    }

    /// The fields `OrderRecord.init(from:)` reads: its coding keys, so the two readers cannot name different
    /// fields.
    typealias Field = OrderRecord.CodingKeys

    /// The fields' JSON names' bytes with their slots (a field's raw value is the slot of its value in a row),
    /// grouped by the name's length: a key is compared only with the two or three names as long as it.
    static let namesByLength: [[(slot: Int, name: [UInt8])]] = {
        let names = Field.allCases.map { (slot: $0.rawValue, name: Array($0.stringValue.utf8)) }
        var table = [[(slot: Int, name: [UInt8])]](repeating: [], count: (names.map(\.name.count).max() ?? 0) + 1)
        for entry in names { table[entry.name.count].append(entry) }
        return table
    }()

    /// The slot of the field a key's bytes name (nil: a key the record ignores).
    ///
    /// Every row of the book goes through here once per key, and the book is read for every quiet intent
    /// every 10 s: comparing each key with all 35 names was a sixth of reading a book.
    static func slot(named key: Range<Int>, in scanner: JSONScanner) -> Int? {
        guard key.count < namesByLength.count, let base = scanner.bytes.baseAddress else { return nil }
        let start = base + key.lowerBound
        for candidate in namesByLength[key.count]
        where candidate.name.withUnsafeBytes({ memcmp($0.baseAddress!, start, key.count) == 0 }) {
            return candidate.slot
        }
        return nil
    }

    static func read(_ scanner: inout JSONScanner) -> OrderRecord? {
        guard
            let values: [Value?] = scanner.flatMembers(
                slots: Field.allCases.count, slot: { slot(named: $0, in: $1) },
                value: { scanner, _ in Self.value(&scanner) })
        else { return nil }
        func text(_ field: Field, required: Bool = false) -> String?? {
            switch values[field.rawValue] {
            case .text(let value): return .some(value)
            case .null, nil: return required ? nil : .some(nil)
            default: return nil
            }
        }
        func number(_ field: Field) -> Double? {
            switch values[field.rawValue] {
            case .number(let range): return scanner.doubleValue(range)
            case .null, nil: return 0
            default: return nil
            }
        }
        func whole(_ field: Field, required: Bool = false) -> Int?? {
            switch values[field.rawValue] {
            case .number(let range): return scanner.plainInteger(range).map { .some($0) }
            case .null, nil: return required ? nil : .some(nil)
            default: return nil
            }
        }
        guard let orderId = text(.orderId, required: true) ?? nil,
            let orderStatus = text(.orderStatus, required: true) ?? nil,
            let transactionType = text(.transactionType, required: true) ?? nil,
            let exchangeSegment = text(.exchangeSegment, required: true) ?? nil,
            let securityId = text(.securityId, required: true) ?? nil,
            let quantity = whole(.quantity, required: true) ?? nil,
            let dhanClientId = text(.dhanClientId), let exchangeOrderId = text(.exchangeOrderId),
            let correlationId = text(.correlationId), let productType = text(.productType),
            let orderType = text(.orderType), let validity = text(.validity),
            let tradingSymbol = text(.tradingSymbol), let disclosedQuantity = whole(.disclosedQuantity),
            let price = number(.price), let triggerPrice = number(.triggerPrice),
            let boProfitValue = number(.boProfitValue), let boStopLossValue = number(.boStopLossValue),
            let legName = text(.legName), let createTime = text(.createTime), let updateTime = text(.updateTime),
            let exchangeTime = text(.exchangeTime), let drvExpiryDate = text(.drvExpiryDate),
            let drvOptionType = text(.drvOptionType), let drvStrikePrice = number(.drvStrikePrice),
            let omsErrorCode = text(.omsErrorCode), let omsErrorDescription = text(.omsErrorDescription),
            let algoId = text(.algoId), let filledQty = whole(.filledQty),
            let remainingQuantity = whole(.remainingQuantity), let averageTradedPrice = number(.averageTradedPrice)
        else { return nil }
        let afterMarketOrder: Bool
        switch values[Field.afterMarketOrder.rawValue] {
        case .bool(let value): afterMarketOrder = value
        case .null, nil: afterMarketOrder = false
        default: return nil
        }
        var record = OrderRecord(
            dhanClientId: dhanClientId ?? "", orderId: orderId, correlationId: correlationId ?? "",
            orderStatus: orderStatus, transactionType: transactionType, exchangeSegment: exchangeSegment,
            productType: productType ?? "", orderType: orderType ?? "", validity: validity ?? "",
            tradingSymbol: tradingSymbol ?? "", securityId: securityId, quantity: quantity, price: price,
            triggerPrice: triggerPrice, legName: legName ?? "", createTime: createTime ?? "",
            updateTime: updateTime ?? "", drvExpiryDate: drvExpiryDate ?? "", drvOptionType: drvOptionType,
            drvStrikePrice: drvStrikePrice, omsErrorCode: omsErrorCode ?? "",
            omsErrorDescription: omsErrorDescription ?? "",
            remainingQuantity: remainingQuantity ?? max(0, quantity - (filledQty ?? 0)),
            averageTradedPrice: averageTradedPrice, filledQty: filledQty ?? 0)
        record.exchangeOrderId = exchangeOrderId ?? ""
        record.exchangeTime = exchangeTime ?? ""
        record.disclosedQuantity = disclosedQuantity ?? 0
        record.afterMarketOrder = afterMarketOrder
        record.boProfitValue = boProfitValue
        record.boStopLossValue = boStopLossValue
        record.algoId = algoId ?? ""
        return record
    }

    /// A flat value; nil for objects, arrays, escaped strings and anything that is not strict JSON.
    static func value(_ scanner: inout JSONScanner) -> Value? {
        guard let byte = scanner.peek() else { return nil }
        switch byte {
        case UInt8(ascii: "\""):
            return scanner.plainString().map { .text($0) }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for (literal, value) in [("true", Value.bool(true)), ("false", .bool(false)), ("null", .null)]
            where scanner.literal(literal) {
                return value
            }
            return nil
        default:
            guard let range = try? scanner.numberBytes(), scanner.isJSONNumber(range) else { return nil }
            return .number(range)
        }
    }
}

extension JSONScanner {
    /// Moves past the byte `peek()` returned.
    mutating func skip() { offset += 1 }

    /// A string value with no escapes, as the range of its bytes (nil when it has one).
    mutating func plainStringRange() -> Range<Int>? {
        guard peek() == UInt8(ascii: "\""), let base = bytes.baseAddress else { return nil }
        let start = offset + 1
        // The closing quote by memchr, then one pass for what would need unescaping or validating: the first
        // quote ends the string, so a backslash before it (an escaped quote included) is found in that pass.
        guard start < bytes.count, let quote = memchr(base + start, Int32(UInt8(ascii: "\"")), bytes.count - start)
        else { return nil }
        let end = base.distance(to: UnsafeRawPointer(quote))
        let text = base.assumingMemoryBound(to: UInt8.self)
        for index in start..<end {
            let byte = text[index]
            // Below 0x20 wraps past 0xDF: one comparison finds control bytes and non-ASCII.
            if byte &- 0x20 >= 0x60 || byte == UInt8(ascii: "\\") { return nil }
        }
        offset = end + 1
        return start..<end
    }

    /// A string value with no escapes (nil, and nothing consumed past it, when it has one: escapes, control
    /// bytes and non-ASCII go to `JSONDecoder`, which validates what this would not).
    mutating func plainString() -> String? { plainStringRange().map { text($0) } }

    /// Consumes `word` if it is next and not followed by another letter.
    mutating func literal(_ word: String) -> Bool {
        guard peek() != nil else { return false }
        let utf8 = Array(word.utf8)
        guard offset + utf8.count <= bytes.count else { return false }
        for (index, byte) in utf8.enumerated() where bytes[offset + index] != byte { return false }
        let after = offset + utf8.count
        if after < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[after]) { return false }
        offset = after
        return true
    }

    /// Whether the bytes are a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    func isJSONNumber(_ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        func digits() -> Int {
            let start = index
            while index < range.upperBound, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            return index - start
        }
        if index < range.upperBound, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < range.upperBound else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < range.upperBound, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < range.upperBound, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < range.upperBound, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == range.upperBound
    }

    /// The number's value, as `strtod` reads it.
    func doubleValue(_ range: Range<Int>) -> Double? {
        var copy = self
        copy.offset = range.lowerBound
        return try? copy.double()
    }

    /// A plain integer literal that fits an `Int` (nil for fractions and exponents: `JSONDecoder` decides those).
    func plainInteger(_ range: Range<Int>) -> Int? {
        var value = 0
        var negative = false
        for index in range {
            let byte = bytes[index]
            if byte == UInt8(ascii: "-") && index == range.lowerBound {
                negative = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
