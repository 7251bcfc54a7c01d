import Domain
import Foundation

/// A DhanHQ response body that cannot become domain values, naming the field and the reason.
public typealias DhanDecodingError = JSONDecodingError

/// DhanHQ's `POST /v2/optionchain` body: `{"data": {"last_price", "oc": {"25650.000000": {"ce", "pe"}}}}`.
public struct OptionChainResponse: Codable, Sendable {
    /// Greeks as DhanHQ sends them.
    public struct Greeks: Codable, Sendable {
        public var delta: Double
        public var theta: Double
        public var gamma: Double
        public var vega: Double

        public init(delta: Double, theta: Double, gamma: Double, vega: Double) {
            self.delta = delta
            self.theta = theta
            self.gamma = gamma
            self.vega = vega
        }
    }

    /// One side (`ce` or `pe`) of a strike.
    public struct Side: Codable, Sendable {
        public var averagePrice: Double?
        public var greeks: Greeks
        public var impliedVolatility: Double
        public var lastPrice: Double
        public var oi: Int64
        public var previousOI: Int64?
        public var previousClosePrice: Double?
        public var volume: Int64?
        public var previousVolume: Int64?
        public var securityId: UInt32?
        public var topBidPrice: Double
        public var topAskPrice: Double
        public var topBidQuantity: Int64?
        public var topAskQuantity: Int64?

        enum CodingKeys: String, CodingKey {
            case greeks, oi, volume
            case averagePrice = "average_price"
            case impliedVolatility = "implied_volatility"
            case lastPrice = "last_price"
            case previousOI = "previous_oi"
            case previousClosePrice = "previous_close_price"
            case previousVolume = "previous_volume"
            case securityId = "security_id"
            case topBidPrice = "top_bid_price"
            case topAskPrice = "top_ask_price"
            case topBidQuantity = "top_bid_quantity"
            case topAskQuantity = "top_ask_quantity"
        }

        public init(
            averagePrice: Double?, greeks: Greeks, impliedVolatility: Double, lastPrice: Double, oi: Int64,
            previousOI: Int64?, previousClosePrice: Double?, volume: Int64?, previousVolume: Int64?,
            securityId: UInt32?, topBidPrice: Double, topAskPrice: Double, topBidQuantity: Int64?,
            topAskQuantity: Int64?
        ) {
            self.averagePrice = averagePrice
            self.greeks = greeks
            self.impliedVolatility = impliedVolatility
            self.lastPrice = lastPrice
            self.oi = oi
            self.previousOI = previousOI
            self.previousClosePrice = previousClosePrice
            self.volume = volume
            self.previousVolume = previousVolume
            self.securityId = securityId
            self.topBidPrice = topBidPrice
            self.topAskPrice = topAskPrice
            self.topBidQuantity = topBidQuantity
            self.topAskQuantity = topAskQuantity
        }
    }

    /// One strike's two sides; either may be missing for thin strikes.
    public struct Strike: Codable, Sendable {
        public var ce: Side?
        public var pe: Side?

        public init(ce: Side?, pe: Side?) {
            self.ce = ce
            self.pe = pe
        }
    }

    /// The `data` object.
    public struct Chain: Codable, Sendable {
        public var lastPrice: Double
        public var oc: [String: Strike]

        public init(lastPrice: Double, oc: [String: Strike]) {
            self.lastPrice = lastPrice
            self.oc = oc
        }

        enum CodingKeys: String, CodingKey {
            case oc
            case lastPrice = "last_price"
        }
    }

    public var data: Chain
    public var status: String?

    public init(data: Chain, status: String? = "success") {
        self.data = data
        self.status = status
    }

    /// Decodes a response body, or a recorded exchange holding it under `response` (as in Tests/Fixtures/dhan).
    public static func decode(_ body: Data, source: String) throws(DhanDecodingError) -> OptionChainResponse {
        if let response = try? parse(body) { return response }
        struct Recorded: Decodable { var response: OptionChainResponse }
        let decoder = JSONDecoder()
        if let recorded = try? decoder.decode(Recorded.self, from: body) { return recorded.response }
        do {
            return try decoder.decode(OptionChainResponse.self, from: body)
        } catch {
            throw DhanDecodingError(context: source, reason: "not a DhanHQ option-chain body: \(describe(error))")
        }
    }

    /// The chain as a domain snapshot, strikes ascending; broker floats become paise here, once.
    public func snapshot(underlying: InstrumentKey, expiry: CivilDate, source: String) throws(DhanDecodingError)
        -> OptionChainSnapshot
    {
        // Field names are built only for an error: a chain has 160 sides, and building every name up front was
        // about half of this conversion.
        func paise(_ value: Double, _ field: @autoclosure () -> String) throws(DhanDecodingError) -> Paise {
            do { return try Paise(price: value, field: "") } catch {
                var named = error
                named.field = field()
                throw DhanDecodingError(context: source, reason: named.description)
            }
        }
        func quote(_ side: Side, _ field: @autoclosure () -> String) throws(DhanDecodingError) -> OptionQuote {
            if !side.impliedVolatility.isFinite || !side.greeks.delta.isFinite {
                for (name, value) in [("implied_volatility", side.impliedVolatility), ("delta", side.greeks.delta)]
                where !value.isFinite {
                    throw DhanDecodingError(context: source, reason: "\(field()).\(name) is \(value)")
                }
            }
            return OptionQuote(
                securityID: side.securityId.map { SecurityID($0) },
                lastPrice: try paise(side.lastPrice, "\(field()).last_price"),
                impliedVolatility: side.impliedVolatility, delta: side.greeks.delta, gamma: side.greeks.gamma,
                theta: side.greeks.theta, vega: side.greeks.vega, openInterest: side.oi, volume: side.volume ?? 0,
                bestBid: try paise(side.topBidPrice, "\(field()).top_bid_price"),
                bestAsk: try paise(side.topAskPrice, "\(field()).top_ask_price"),
                previousClose: try paise(side.previousClosePrice ?? 0, "\(field()).previous_close_price"))
        }
        var strikes: [OptionStrike] = []
        for (key, strike) in data.oc {
            guard let value = Double(key) else {
                throw DhanDecodingError(context: source, reason: "strike key '\(key)' is not a number")
            }
            strikes.append(
                OptionStrike(
                    strike: try paise(value, "oc[\(key)]"),
                    call: try strike.ce.map { side throws(DhanDecodingError) in try quote(side, "oc[\(key)].ce") },
                    put: try strike.pe.map { side throws(DhanDecodingError) in try quote(side, "oc[\(key)].pe") }))
        }
        strikes.sort { $0.strike < $1.strike }
        return OptionChainSnapshot(
            underlying: underlying, expiry: expiry, underlyingPrice: try paise(data.lastPrice, "last_price"),
            strikes: strikes)
    }
}

/// A short description of a JSON decoding failure: the key path and what was wrong.
func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
        return "missing '\(key.stringValue)' at \(path(context.codingPath))"
    case DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context):
        return "expected \(type) at \(path(context.codingPath))"
    case DecodingError.dataCorrupted(let context):
        return "\(context.debugDescription) at \(path(context.codingPath))"
    default:
        return "\(error)"
    }
}

private func path(_ keys: [any CodingKey]) -> String {
    keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
}
