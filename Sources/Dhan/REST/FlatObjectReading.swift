import Domain

extension JSONScanner {
    /// The members of a JSON object, for the byte readers that decline anything unusual (the order book's rows,
    /// order alerts and the message around one): each value is read by `value`, told the slot `slot` names for
    /// its key, into that slot; a key no slot names (`value` is told nil) is read and dropped, once.
    ///
    /// Nil, for the caller to leave the bytes to `JSONDecoder`, when the object is not strict JSON, a key comes
    /// twice, or `value` declines a value.
    mutating func flatMembers<Value>(
        slots count: Int, slot: (Range<Int>, JSONScanner) -> Int?, value: (inout JSONScanner, Int?) -> Value?
    ) -> [Value?]? {
        // Strict JSON members (the shared scanner lets a missing comma pass; JSONDecoder does not).
        guard peek() == UInt8(ascii: "{") else { return nil }
        skip()
        var values = [Value?](repeating: nil, count: count)
        var ignored: [Range<Int>] = []
        if peek() == UInt8(ascii: "}") {
            skip()
            return values
        }
        while true {
            guard let key = plainStringRange(), peek() == UInt8(ascii: ":") else { return nil }
            skip()
            let slot = slot(key, self)
            guard let read = value(&self, slot) else { return nil }
            // A key twice is left to JSONDecoder.
            if let slot {
                guard values[slot] == nil else { return nil }
                values[slot] = read
            } else {
                guard !ignored.contains(where: { bytes[$0].elementsEqual(bytes[key]) }) else { return nil }
                ignored.append(key)
            }
            guard let next = peek() else { return nil }
            skip()
            if next == UInt8(ascii: "}") { return values }
            guard next == UInt8(ascii: ",") else { return nil }
        }
    }
}
