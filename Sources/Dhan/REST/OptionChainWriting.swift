import Foundation

extension OptionChainResponse {
    /// The body as JSON bytes, keys sorted, absent optionals left out: what `JSONEncoder` with `.sortedKeys`
    /// writes, without its cost (dhan-sim answers hundreds of chains in a simulated day).
    ///
    /// A number that is not finite is written as `null`, so the body still parses and the reader names the
    /// field (`JSONEncoder` refuses the whole body instead).
    public func jsonBody() -> Data {
        Self.jsonBody(
            lastPrice: data.lastPrice, strikes: data.oc.keys.sorted().map { ($0, data.oc[$0]!) }, status: status)
    }

    /// The body of a chain whose strikes are already in key order (`"10000.000000"` before `"9950.000000"`, as
    /// `JSONEncoder` sorts them): byte for byte what `jsonBody()` writes for the same strikes, without building
    /// and sorting the dictionary (dhan-sim keeps each expiry's strikes in this order).
    public static func jsonBody(lastPrice: Double, strikes: [(key: String, strike: Strike)], status: String?) -> Data {
        // A strike's two sides take about 650 bytes: reserved once, not grown twice on the way.
        var out = JSONOutput(capacity: 700 * (strikes.count + 1))
        func raw(_ text: StaticString) { out.append(text) }
        func number(_ value: Double) { out.appendEncoderNumber(value) }
        func number(_ value: Int64) { out.appendInteger(value) }
        func string(_ value: String) { out.appendString(value) }
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
        number(lastPrice)
        raw(",\"oc\":{")
        for (index, (key, strike)) in strikes.enumerated() {
            if index > 0 { raw(",") }
            string(key)
            raw(":{")
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
        return out.takeData()
    }
}
