import Foundation

extension OptionChainResponse {
    /// The body as JSON bytes, keys sorted, absent optionals left out: what `JSONEncoder` with `.sortedKeys`
    /// writes, without its cost (dhan-sim answers hundreds of chains in a simulated day).
    ///
    /// A number that is not finite is written as `null`, so the body still parses and the reader names the
    /// field (`JSONEncoder` refuses the whole body instead).
    public func jsonBody() -> Data {
        var out: [UInt8] = []
        // A strike's two sides take about 650 bytes: reserved once, not grown twice on the way.
        out.reserveCapacity(700 * (data.oc.count + 1))
        func raw(_ text: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        func number(_ value: Double) { JSONBytesWriter.appendNumber(value, to: &out) }
        func number(_ value: Int64) {
            // Digits straight into the buffer: `description` made a String per number.
            if value < 0 { out.append(UInt8(ascii: "-")) }
            JSONBytesWriter.appendDigits(value.magnitude, to: &out)
        }
        func string(_ value: String) { JSONBytesWriter.appendString(value, to: &out) }
        func side(_ side: Side) {
            if let value = side.averagePrice {
                raw("{\"average_price\":")
                number(value)
                raw(",\"greeks\":{\"delta\":")
            } else {
                raw("{\"greeks\":{\"delta\":")
            }
            number(side.greeks.delta)
            raw(",\"gamma\":")
            number(side.greeks.gamma)
            raw(",\"theta\":")
            number(side.greeks.theta)
            raw(",\"vega\":")
            number(side.greeks.vega)
            raw("},\"implied_volatility\":")
            number(side.impliedVolatility)
            raw(",\"last_price\":")
            number(side.lastPrice)
            raw(",\"oi\":")
            number(side.oi)
            if let value = side.previousClosePrice {
                raw(",\"previous_close_price\":")
                number(value)
            }
            if let value = side.previousOI {
                raw(",\"previous_oi\":")
                number(value)
            }
            if let value = side.previousVolume {
                raw(",\"previous_volume\":")
                number(value)
            }
            if let value = side.securityId {
                raw(",\"security_id\":")
                number(Int64(value))
            }
            raw(",\"top_ask_price\":")
            number(side.topAskPrice)
            if let value = side.topAskQuantity {
                raw(",\"top_ask_quantity\":")
                number(value)
            }
            raw(",\"top_bid_price\":")
            number(side.topBidPrice)
            if let value = side.topBidQuantity {
                raw(",\"top_bid_quantity\":")
                number(value)
            }
            if let value = side.volume {
                raw(",\"volume\":")
                number(value)
            }
            raw("}")
        }
        raw("{\"data\":{\"last_price\":")
        number(data.lastPrice)
        raw(",\"oc\":{")
        for (index, key) in data.oc.keys.sorted().enumerated() {
            if index > 0 { raw(",") }
            string(key)
            raw(":{")
            let strike = data.oc[key]!
            if let ce = strike.ce {
                raw("\"ce\":")
                side(ce)
            }
            if let pe = strike.pe {
                raw(strike.ce == nil ? "\"pe\":" : ",\"pe\":")
                side(pe)
            }
            raw("}")
        }
        raw("}}")
        if let status {
            raw(",\"status\":")
            string(status)
        }
        raw("}")
        return Data(out)
    }
}
