import Domain
import Foundation

extension OrderAlertMessage {
    /// An order-update message read from its bytes when it is plain JSON of the usual shape; nil sends the
    /// caller to `JSONDecoder`, which stays the reference for anything unusual.
    ///
    /// It takes only an object whose `Data` is a flat object, whose values are strings without escapes, JSON
    /// numbers and nulls, with every key once. What it reads, `JSONDecoder` reads the same (a test and the
    /// order-alert fuzz target hold it to that). Through `JSONDecoder` alone, decoding was about 1 % of a
    /// simulated day, and each number sent as text (as the live broker may) threw and caught two errors.
    public static func plain(_ data: Data) -> OrderAlertMessage? {
        data.withUnsafeBytes { raw -> OrderAlertMessage? in
            var scanner = JSONScanner(raw)
            // Slot 0 is `Type`, slot 1 `Data`; any other member is a flat value, as the order-book reader takes it.
            let members: [Member?]? = scanner.flatMembers(
                slots: 2,
                slot: { key, scanner in scanner.key(key, is: "Type") ? 0 : scanner.key(key, is: "Data") ? 1 : nil },
                value: { scanner, slot in
                    switch slot {
                    case 0: scanner.plainString().map { .type($0) }
                    case 1: PlainAlert.read(&scanner).map { .data($0) }
                    default: PlainAlert.value(&scanner).map { _ in .other }
                    }
                })
            guard let members, scanner.peek() == nil, case .type(let type)? = members[0],
                case .data(let alert)? = members[1]
            else { return nil }
            var message = OrderAlertMessage(data: alert)
            message.type = type
            return message
        }
    }

    /// A member of the message as `plain` reads it.
    private enum Member {
        case type(String)
        case data(OrderAlert)
        case other
    }
}

/// The `Data` of one order alert read by `OrderAlertMessage.plain`.
private enum PlainAlert {
    enum Value {
        case text(String)
        case integer(Int)
        /// A number with a fraction or an exponent (its bytes).
        case decimal(Range<Int>)
        case null
    }

    typealias Field = OrderAlert.CodingKeys

    /// Each field's JSON name's bytes with its slot (its place in `Field.allCases`).
    static let names: [(slot: Int, name: [UInt8])] = Field.allCases.enumerated().map {
        ($0.offset, Array($0.element.stringValue.utf8))
    }

    /// Each field's slot.
    static let slots: [Field: Int] = Dictionary(uniqueKeysWithValues: Field.allCases.enumerated().map { ($1, $0) })

    static func slot(named key: Range<Int>, in scanner: JSONScanner) -> Int? {
        guard let base = scanner.bytes.baseAddress else { return nil }
        let start = base + key.lowerBound
        for candidate in names
        where candidate.name.count == key.count
            && candidate.name.withUnsafeBytes({ memcmp($0.baseAddress!, start, key.count) == 0 })
        {
            return candidate.slot
        }
        return nil
    }

    /// A flat value; nil for objects, arrays, booleans, escaped strings, integers beyond `Int` and anything
    /// that is not strict JSON.
    static func value(_ scanner: inout JSONScanner) -> Value? {
        guard let byte = scanner.peek() else { return nil }
        switch byte {
        case UInt8(ascii: "\""):
            return scanner.plainString().map { .text($0) }
        case UInt8(ascii: "n"):
            return scanner.literal("null") ? .null : nil
        default:
            guard let range = try? scanner.numberBytes(), scanner.isJSONNumber(range) else { return nil }
            let bytes = scanner.bytes
            if bytes[range].allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }) {
                return scanner.plainInteger(range).map { .integer($0) }
            }
            return .decimal(range)
        }
    }

    /// The alert as `OrderAlert.init(from:)` decodes it, or nil where that is not certain without it.
    static func read(_ scanner: inout JSONScanner) -> OrderAlert? {
        guard
            let values: [Value?] = scanner.flatMembers(
                slots: Field.allCases.count, slot: { slot(named: $0, in: $1) },
                value: { scanner, _ in Self.value(&scanner) })
        else { return nil }
        func value(_ field: Field) -> Value? {
            values[slots[field]!]
        }
        // `decodeFlexibleString`: a string, or a whole number as its digits; nil for what it refuses (its
        // caller decides) and a double-nil where only JSONDecoder knows.
        func flexible(_ field: Field) -> String?? {
            switch value(field) {
            case .text(let text): return .some(text)
            case .integer(let number): return .some(String(number))
            case .decimal: return nil
            case .null, nil: return .some(nil)
            }
        }
        func text(_ field: Field) -> String? {
            flexible(field).map { $0 ?? "" }
        }
        func int(_ field: Field) -> Int? {
            switch value(field) {
            case .integer(let number): return number
            case .decimal(let range):
                // A whole decimal decodes as that Int, a fraction through Double and truncates: the same.
                guard let double = scanner.doubleValue(range), double.isFinite, abs(double) < 1e15 else { return nil }
                return Int(double)
            case .text(let text): return Int(text) ?? 0
            case .null, nil: return 0
            }
        }
        func double(_ field: Field) -> Double? {
            switch value(field) {
            case .integer(let number): return Double(number)
            case .decimal(let range): return scanner.doubleValue(range)
            case .text(let text): return Double(text) ?? 0
            case .null, nil: return 0
            }
        }
        guard let orderNo = flexible(.orderNo) ?? nil, let status = flexible(.status) ?? nil,
            let exchange = text(.exchange), let segment = text(.segment), let source = text(.source),
            let securityId = text(.securityId), let clientId = text(.clientId), let exchOrderNo = text(.exchOrderNo),
            let product = text(.product), let txnType = text(.txnType), let orderType = text(.orderType),
            let validity = text(.validity), let quantity = int(.quantity),
            let remainingQuantity = int(.remainingQuantity), let tradedQty = int(.tradedQty),
            let price = double(.price), let triggerPrice = double(.triggerPrice),
            let tradedPrice = double(.tradedPrice), let avgTradedPrice = double(.avgTradedPrice),
            let orderDateTime = text(.orderDateTime), let exchOrderTime = text(.exchOrderTime),
            let lastUpdatedTime = text(.lastUpdatedTime), let remarks = text(.remarks),
            let reasonDescription = text(.reasonDescription), let legNo = int(.legNo),
            let instrument = text(.instrument), let symbol = text(.symbol), let lotSize = int(.lotSize),
            let strikePrice = double(.strikePrice), let expiryDate = text(.expiryDate), let optType = text(.optType),
            let displayName = text(.displayName), let correlationId = text(.correlationId)
        else { return nil }
        var alert = OrderAlert(
            exchange: exchange, segment: segment, securityId: securityId, clientId: clientId, orderNo: orderNo,
            product: product, txnType: txnType, orderType: orderType, quantity: quantity,
            remainingQuantity: remainingQuantity, tradedQty: tradedQty, price: price, triggerPrice: triggerPrice,
            tradedPrice: tradedPrice, avgTradedPrice: avgTradedPrice, time: orderDateTime, remarks: remarks,
            reasonDescription: reasonDescription, legNo: legNo, instrument: instrument, symbol: symbol,
            status: status, lotSize: lotSize, strikePrice: strikePrice, expiryDate: expiryDate, optType: optType,
            displayName: displayName, correlationId: correlationId)
        alert.source = source
        alert.exchOrderNo = exchOrderNo
        alert.validity = validity
        alert.exchOrderTime = exchOrderTime
        alert.lastUpdatedTime = lastUpdatedTime
        return alert
    }
}
