import Domain
import Foundation

extension OptionChainResponse {
    /// Reads a `POST /v2/optionchain` body straight from its bytes (the same result as the `Decodable`
    /// conformance, several times faster: the simulation reads hundreds of chains a day).
    ///
    /// Unknown keys are skipped; a missing required field or a value of the wrong kind names its key path.
    public static func parse(_ body: Data) throws(DhanDecodingError) -> OptionChainResponse {
        try JSONScanner.read(body, what: "option chain") { (scanner) throws(DhanDecodingError) in try parse(&scanner) }
    }

    private static func parse(_ scanner: inout JSONScanner) throws(DhanDecodingError) -> OptionChainResponse {
        var chain: Chain?
        var status: String?
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "data") {
                scanner.path = ["data"]
                chain = try parseChain(&scanner)
                scanner.path = []
            } else if scanner.key(key, is: "status") {
                status = scanner.null() ? nil : try scanner.string()
            } else {
                try scanner.skipValue()
            }
        }
        try scanner.end()
        guard let chain else { throw scanner.error("missing 'data'") }
        return OptionChainResponse(data: chain, status: status)
    }

    private static func parseChain(_ scanner: inout JSONScanner) throws(DhanDecodingError) -> Chain {
        var lastPrice: Double?
        // Room for a strike per ~600 bytes of body (a strike's two sides take about that): grown from empty, a
        // chain of 81 strikes rehashed its dictionary seven times.
        var strikes = [String: Strike](minimumCapacity: min(scanner.bytes.count / 600, 1024))
        var sawChain = false
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "last_price") {
                lastPrice = try scanner.double()
            } else if scanner.key(key, is: "oc") {
                sawChain = true
                try scanner.beginObject()
                while let strikeKey = try scanner.nextKey() {
                    let name = scanner.text(strikeKey)
                    var strike = Strike(ce: nil, pe: nil)
                    // The strike and side are named only in an error: a path built for each of a chain's strikes
                    // was a fifth of reading it.
                    var side: StaticString?
                    do throws(JSONDecodingError) {
                        try scanner.beginObject()
                        while let sideKey = try scanner.nextKey() {
                            if scanner.key(sideKey, is: "ce") {
                                side = "ce"
                                strike.ce = scanner.null() ? nil : try parseSide(&scanner)
                            } else if scanner.key(sideKey, is: "pe") {
                                side = "pe"
                                strike.pe = scanner.null() ? nil : try parseSide(&scanner)
                            } else {
                                side = nil
                                try scanner.skipValue()
                            }
                            side = nil
                        }
                    } catch {
                        var named = error
                        named.context = "data.oc[\(name)]" + (side.map { ".\($0)" } ?? "")
                        throw named
                    }
                    strikes[name] = strike
                }
            } else {
                try scanner.skipValue()
            }
        }
        guard let lastPrice else { throw scanner.error("missing 'last_price'") }
        guard sawChain else { throw scanner.error("missing 'oc'") }
        return Chain(lastPrice: lastPrice, oc: strikes)
    }

    private static func parseSide(_ scanner: inout JSONScanner) throws(DhanDecodingError) -> Side {
        var greeks: Greeks?
        var iv: Double?
        var last: Double?
        var oi: Int64?
        var bid: Double?
        var ask: Double?
        var side = Side(
            averagePrice: nil, greeks: Greeks(delta: 0, theta: 0, gamma: 0, vega: 0), impliedVolatility: 0,
            lastPrice: 0, oi: 0, previousOI: nil, previousClosePrice: nil, volume: nil, previousVolume: nil,
            securityId: nil, topBidPrice: 0, topAskPrice: 0, topBidQuantity: nil, topAskQuantity: nil)
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.null() { continue }
            if scanner.key(key, is: "greeks") {
                greeks = try parseGreeks(&scanner)
            } else if scanner.key(key, is: "implied_volatility") {
                iv = try scanner.double()
            } else if scanner.key(key, is: "last_price") {
                last = try scanner.double()
            } else if scanner.key(key, is: "oi") {
                oi = try scanner.int64()
            } else if scanner.key(key, is: "top_bid_price") {
                bid = try scanner.double()
            } else if scanner.key(key, is: "top_ask_price") {
                ask = try scanner.double()
            } else if scanner.key(key, is: "average_price") {
                side.averagePrice = try scanner.double()
            } else if scanner.key(key, is: "previous_oi") {
                side.previousOI = try scanner.int64()
            } else if scanner.key(key, is: "previous_close_price") {
                side.previousClosePrice = try scanner.double()
            } else if scanner.key(key, is: "volume") {
                side.volume = try scanner.int64()
            } else if scanner.key(key, is: "previous_volume") {
                side.previousVolume = try scanner.int64()
            } else if scanner.key(key, is: "security_id") {
                let id = try scanner.int64()
                guard let value = UInt32(exactly: id) else { throw scanner.error("security_id \(id) is out of range") }
                side.securityId = value
            } else if scanner.key(key, is: "top_bid_quantity") {
                side.topBidQuantity = try scanner.int64()
            } else if scanner.key(key, is: "top_ask_quantity") {
                side.topAskQuantity = try scanner.int64()
            } else {
                try scanner.skipValue()
            }
        }
        guard let greeks else { throw scanner.error("missing 'greeks'") }
        guard let iv else { throw scanner.error("missing 'implied_volatility'") }
        guard let last else { throw scanner.error("missing 'last_price'") }
        guard let oi else { throw scanner.error("missing 'oi'") }
        guard let bid else { throw scanner.error("missing 'top_bid_price'") }
        guard let ask else { throw scanner.error("missing 'top_ask_price'") }
        side.greeks = greeks
        side.impliedVolatility = iv
        side.lastPrice = last
        side.oi = oi
        side.topBidPrice = bid
        side.topAskPrice = ask
        return side
    }

    private static func parseGreeks(_ scanner: inout JSONScanner) throws(DhanDecodingError) -> Greeks {
        var delta: Double?
        var theta: Double?
        var gamma: Double?
        var vega: Double?
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            if scanner.key(key, is: "delta") {
                delta = try scanner.double()
            } else if scanner.key(key, is: "theta") {
                theta = try scanner.double()
            } else if scanner.key(key, is: "gamma") {
                gamma = try scanner.double()
            } else if scanner.key(key, is: "vega") {
                vega = try scanner.double()
            } else {
                try scanner.skipValue()
            }
        }
        guard let delta, let theta, let gamma, let vega else {
            throw scanner.error("greeks need delta, theta, gamma and vega")
        }
        return Greeks(delta: delta, theta: theta, gamma: gamma, vega: vega)
    }
}
