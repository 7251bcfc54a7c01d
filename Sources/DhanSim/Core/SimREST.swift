import Dhan
import Domain
import Foundation
import MarketModel

/// A REST answer: HTTP status and JSON body.
struct Reply: Sendable {
    var status: Int
    var body: Data
    var contentType = "application/json"

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Reply(status: status, body: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    static func error(_ status: Int, _ type: String, _ code: String, _ message: String) -> Reply {
        json(DhanErrorBody(errorType: type, errorCode: code, errorMessage: message), status: status)
    }

    static func badInput(_ message: String) -> Reply { error(400, "Input_Exception", "DH-905", message) }
    static func orderError(_ message: String) -> Reply { error(400, "Order_Error", "DH-906", message) }
}

/// One REST request as the core sees it.
struct RESTRequest: Sendable {
    var method: String
    /// Path without the query, such as `/v2/orders/123`.
    var path: String
    var query: [String: String]
    var accessToken: String?
    var body: Data
    /// The `dhanClientId` header (RenewToken's).
    var clientIDHeader: String?
}

extension SimCore {
    /// A new 24-hour token; the old one stops working at once (one active token per client).
    mutating func mintToken() -> Reply {
        token.issued += 1
        let expires = Timestamp(epochSeconds: now.epochSeconds + 86_400)
        token.value = "\(configuration.accessToken)-\(token.issued)"
        token.expiresAt = expires
        let body: [String: Any] = [
            "accessToken": token.value, "dhanClientId": configuration.clientID,
            "expiryTime": Self.istString(second: Int(expires.istSecondOfDay), date: expires.istDate),
        ]
        return Reply(
            status: 200, body: (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data())
    }

    /// `POST /app/generateAccessToken?dhanClientId=…&pin=…&totp=…`: a new token for the right PIN and a TOTP
    /// of this 30-second step or the one either side.
    mutating func generateToken(_ request: RESTRequest) -> Reply {
        let steps = [-30, 0, 30].map { Timestamp(epochSeconds: now.epochSeconds + Int64($0)) }
        let valid = Set(steps.compactMap { try? TOTP.code(secret: configuration.totpSecret, at: $0) })
        guard request.query["dhanClientId"] == configuration.clientID, request.query["pin"] == configuration.pin,
            let totp = request.query["totp"], valid.contains(totp)
        else {
            return .error(401, "Invalid_Authentication", "DH-901", "Invalid client id, PIN or TOTP")
        }
        return mintToken()
    }

    /// Routes and answers one REST request (PROTOCOL.md §2), applying auth, rate limits and faults.
    mutating func handle(_ request: RESTRequest, wallNow: Double) -> (Reply, Outbox) {
        var segments = request.path.split(separator: "/").map(String.init)
        if request.method == "POST", segments == ["app", "generateAccessToken"] {
            return (generateToken(request), Outbox())
        }
        guard segments.first == "v2" else {
            return (.error(404, "Others", "DH-910", "No such path: \(request.path)"), Outbox())
        }
        segments.removeFirst()
        if !accepts(request.accessToken) {
            return (
                .error(
                    401, "Invalid_Authentication", "DH-901",
                    "Client ID or user generated access token is invalid or expired."),
                Outbox()
            )
        }
        let apiClass = Self.apiClass(method: request.method, segments: segments)
        let chainKey = apiClass == .optionchain ? String(decoding: request.body, as: UTF8.self) : ""
        if faults.isStorming(apiClass, wallNow: wallNow) || !limiter.admit(apiClass, key: chainKey, wallNow: wallNow) {
            return (
                .error(
                    429, "Rate_Limit", "DH-904",
                    "Too many requests on server from single user breaching rate limits. Try throttling API calls."),
                Outbox()
            )
        }
        return route(request, segments: segments)
    }

    static func apiClass(method: String, segments: [String]) -> APIClass {
        switch (method, segments.first ?? "") {
        case ("POST", "orders"), ("PUT", "orders"), ("DELETE", "orders"), ("POST", "super"), ("PUT", "super"),
            ("DELETE", "super"):
            return .order
        case (_, "charts"): return .data
        case (_, "marketfeed"): return .quote
        case (_, "optionchain") where segments.count == 1: return .optionchain
        default: return .other
        }
    }

    private mutating func route(_ request: RESTRequest, segments: [String]) -> (Reply, Outbox) {
        let method = request.method
        switch (method, segments) {
        case ("GET", ["RenewToken"]):
            guard configuration.renewsTokens, request.clientIDHeader == configuration.clientID else {
                return (.error(400, "Input_Exception", "DH-905", "Token cannot be renewed"), Outbox())
            }
            return (mintToken(), Outbox())
        case ("POST", ["RenewToken"]):
            // Reported from the live API: RenewToken is a GET; a POST is refused.
            return (
                .error(400, "Input_Exception", "DH-905", "Missing required fields, bad values for parameters etc."),
                Outbox()
            )
        case ("POST", ["orders"]):
            return placeOrder(request.body)
        case ("GET", ["orders"]):
            return (Reply(status: 200, body: orderBookBody()), Outbox())
        case ("GET", let s) where s.count == 2 && s[0] == "orders":
            guard let order = broker.order(id: s[1]) else { return (.json([OrderRecord]()), Outbox()) }
            return (.json(broker.record(order, market: market)), Outbox())
        case ("GET", let s) where s.count == 3 && s[0] == "orders" && s[1] == "external":
            guard let order = broker.order(correlationID: s[2]) else {
                return (
                    .error(404, "Order_Error", "DH-906", "Incorrect request for order and cannot be processed"),
                    Outbox()
                )
            }
            return (.json(broker.record(order, market: market)), Outbox())
        case ("PUT", let s) where s.count == 2 && s[0] == "orders":
            guard let body = decode(ModifyOrderRequest.self, request.body) else {
                return (.badInput("Missing required fields, bad values for parameters etc."), Outbox())
            }
            do {
                let (order, out) = try broker.modify(id: s[1], body, market: market, second: second)
                return (.json(OrderAck(orderId: order.id, orderStatus: order.status)), out)
            } catch {
                return (brokerError(error), Outbox())
            }
        case ("DELETE", let s) where s.count == 2 && s[0] == "orders":
            do {
                let (order, out) = try broker.cancel(id: s[1], market: market, second: second)
                return (.json(OrderAck(orderId: order.id, orderStatus: order.status)), out)
            } catch {
                return (brokerError(error), Outbox())
            }
        case ("GET", ["trades"]):
            return (.json(broker.trades), Outbox())
        case ("GET", let s) where s.count == 2 && s[0] == "trades":
            return (.json(broker.trades.filter { $0.orderId == s[1] }), Outbox())
        case ("GET", ["positions"]):
            return (.json(broker.positionRecords(market: market, second: second)), Outbox())
        case ("GET", ["fundlimit"]):
            // Summed in key order: a dictionary's order differs from process to process, and so would the last
            // bits of a sum of two or more positions.
            let utilised = broker.positions.sorted { $0.key < $1.key }.reduce(0.0) { total, entry in
                let position = entry.value
                return total
                    + (position.net > 0
                        ? Double(position.net) * position.buyValue / Double(max(position.buyQty, 1)) : 0)
            }
            let funds = FundLimit(
                dhanClientId: configuration.clientID, availableBalance: broker.balance.rupees,
                sodLimit: configuration.openingBalance.rupees, utilizedAmount: utilised)
            return (Reply(status: 200, body: funds.jsonBody()), Outbox())
        case ("POST", ["charts", "rollingoption"]):
            return (rollingOption(request.body), Outbox())
        case ("POST", ["charts", "intraday"]), ("POST", ["charts", "historical"]):
            return (chart(request.body, intraday: segments[1] == "intraday"), Outbox())
        case ("POST", let s) where s.count == 2 && s[0] == "marketfeed":
            return (marketQuote(s[1], body: request.body), Outbox())
        case ("POST", ["optionchain", "expirylist"]):
            guard let body = OptionChainRequest.parse(request.body),
                let spec = market.universe.indices.first(where: { Int($0.securityID.value) == body.underlyingScrip })
            else { return (.badInput("Invalid UnderlyingScrip or UnderlyingSeg"), Outbox()) }
            return (
                .json(ExpiryListResponse(data: market.universe.expiries(of: spec.symbol).map(\.description))), Outbox()
            )
        case ("POST", ["optionchain"]):
            return (optionChain(request.body), Outbox())
        case ("POST", ["super", "orders"]):
            return placeSuperOrder(request.body)
        case ("GET", ["super", "orders"]):
            return (.json(broker.superRecords(market: market, second: second)), Outbox())
        case ("PUT", let s) where s.count == 3 && s[0] == "super" && s[1] == "orders":
            guard let body = decode(SuperOrderModifyRequest.self, request.body) else {
                return (.badInput("Missing required fields, bad values for parameters etc."), Outbox())
            }
            do {
                let out = try broker.modifySuper(id: s[2], body, market: market, second: second)
                return (.json(OrderAck(orderId: s[2], orderStatus: broker.order(id: s[2])?.status ?? "PENDING")), out)
            } catch {
                return (brokerError(error), Outbox())
            }
        case ("DELETE", let s) where s.count == 4 && s[0] == "super" && s[1] == "orders":
            do {
                let out = try broker.cancelSuper(id: s[2], leg: s[3], market: market, second: second)
                return (.json(OrderAck(orderId: s[2], orderStatus: "CANCELLED")), out)
            } catch {
                return (brokerError(error), Outbox())
            }
        case ("POST", ["killswitch"]):
            switch request.query["killSwitchStatus"]?.uppercased() {
            case "ACTIVATE":
                if broker.hasOpenExposure {
                    return (.orderError("Kill switch needs no open positions and no pending orders"), Outbox())
                }
                broker.killSwitchActive = true
                return (
                    .json(
                        KillSwitchResponse(
                            dhanClientId: configuration.clientID,
                            killSwitchStatus: "Kill Switch has been successfully activated")), Outbox()
                )
            case "DEACTIVATE":
                broker.killSwitchActive = false
                return (
                    .json(
                        KillSwitchResponse(
                            dhanClientId: configuration.clientID,
                            killSwitchStatus: "Kill Switch has been successfully deactivated")), Outbox()
                )
            default:
                return (.badInput("killSwitchStatus must be ACTIVATE or DEACTIVATE"), Outbox())
            }
        case ("GET", ["killswitch"]):
            return (
                .json(
                    KillSwitchResponse(
                        dhanClientId: configuration.clientID,
                        killSwitchStatus: broker.killSwitchActive ? "ACTIVATE" : "DEACTIVATE")), Outbox()
            )
        case ("GET", ["profile"]):
            return (
                .json([
                    "dhanClientId": configuration.clientID, "tokenValidity": "\(market.date.adding(days: 1)) 08:00",
                    "activeSegment": "Equity, Derivative", "dataPlan": "Active",
                ]), Outbox()
            )
        case ("GET", let s) where s.count == 2 && s[0] == "instrument":
            return (
                Reply(status: 200, body: Data(market.universe.detailedScripMasterCSV().utf8), contentType: "text/csv"),
                Outbox()
            )
        default:
            return (
                .error(404, "Others", "DH-910", "No such endpoint: \(method) /v2/\(segments.joined(separator: "/"))"),
                Outbox()
            )
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: Data) -> T? {
        try? JSONDecoder().decode(T.self, from: body)
    }

    private func brokerError(_ error: SimBroker.BrokerError) -> Reply {
        switch error {
        case .notFound: .orderError("Incorrect request for order and cannot be processed")
        case .notOpen(let status): .orderError("Order cannot be modified or cancelled: \(status)")
        case .invalid(let message): .badInput(message)
        }
    }

    /// Validates an order's fields as the broker does; the message names the bad field.
    private func validate(
        side: String, segment: String, product: String, type: String, securityID: String, quantity: Int,
        price: Double?, correlationID: String?
    ) -> (InstrumentKey?, Reply?) {
        guard side == "BUY" || side == "SELL" else { return (nil, .badInput("transactionType must be BUY or SELL")) }
        guard let segment = ExchangeSegment(apiName: segment) else {
            return (nil, .badInput("exchangeSegment '\(segment)' is invalid"))
        }
        guard ["CNC", "INTRADAY", "MARGIN", "MTF", "CO", "BO"].contains(product) else {
            return (nil, .badInput("productType '\(product)' is invalid"))
        }
        guard ["LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_MARKET"].contains(type) else {
            return (nil, .badInput("orderType '\(type)' is invalid"))
        }
        guard let id = SecurityID(securityID) else { return (nil, .badInput("securityId '\(securityID)' is invalid")) }
        let key = InstrumentKey(segment, id)
        guard let contract = market.universe.contract(key) else {
            return (nil, .badInput("securityId \(securityID) is not tradable in \(segment.apiName)"))
        }
        guard quantity > 0, quantity % Int(contract.lotSize) == 0 else {
            return (nil, .badInput("quantity \(quantity) is not a multiple of the lot size \(contract.lotSize)"))
        }
        if type == "LIMIT" || type == "STOP_LOSS" {
            guard let price, price > 0, (price * 20).rounded() == price * 20 else {
                return (nil, .badInput("price must be a positive multiple of the tick 0.05"))
            }
        }
        if let correlationID, correlationID.count > 30 {
            return (nil, .badInput("correlationId longer than 30 characters"))
        }
        return (key, nil)
    }

    private mutating func placeOrder(_ body: Data) -> (Reply, Outbox) {
        guard let request = decode(PlaceOrderRequest.self, body) else {
            return (.badInput("Missing required fields, bad values for parameters etc."), Outbox())
        }
        let (key, failure) = validate(
            side: request.transactionType, segment: request.exchangeSegment, product: request.productType,
            type: request.orderType, securityID: request.securityId, quantity: request.quantity,
            price: request.price, correlationID: request.correlationId)
        guard let key else { return (failure!, Outbox()) }
        if broker.killSwitchActive {
            return (.orderError("Kill switch is active; trading is disabled for the day"), Outbox())
        }
        let (order, out) = broker.place(
            request, instrument: key, market: market, second: second, rejectReason: takeRejection())
        return (.json(OrderAck(orderId: order.id, orderStatus: "TRANSIT")), out)
    }

    private mutating func placeSuperOrder(_ body: Data) -> (Reply, Outbox) {
        guard let request = decode(SuperOrderRequest.self, body) else {
            return (.badInput("Missing required fields, bad values for parameters etc."), Outbox())
        }
        let (key, failure) = validate(
            side: request.transactionType, segment: request.exchangeSegment, product: request.productType,
            type: request.orderType, securityID: request.securityId, quantity: request.quantity,
            price: request.orderType == "LIMIT" ? request.price : nil, correlationID: request.correlationId)
        guard let key else { return (failure!, Outbox()) }
        if request.transactionType == "BUY" && !(request.stopLossPrice < request.targetPrice) {
            return (.badInput("stopLossPrice must be below targetPrice for a BUY super order"), Outbox())
        }
        if broker.killSwitchActive {
            return (.orderError("Kill switch is active; trading is disabled for the day"), Outbox())
        }
        let (order, out) = broker.placeSuper(
            request, instrument: key, market: market, second: second, rejectReason: takeRejection())
        return (.json(OrderAck(orderId: order.id, orderStatus: "TRANSIT")), out)
    }

    private mutating func takeRejection() -> String? {
        guard let count = faults.rejectNextOrders, count > 0 else { return nil }
        faults.rejectNextOrders = count - 1
        return "RMS:Margin Exceeds (injected rejection)"
    }

    private mutating func chart(_ body: Data, intraday: Bool) -> Reply {
        guard let request = decode(ChartRequest.self, body) else {
            return .badInput("Missing required fields, bad values for parameters etc.")
        }
        guard let segment = ExchangeSegment(apiName: request.exchangeSegment), let id = SecurityID(request.securityId)
        else {
            return .badInput("Invalid securityId or exchangeSegment")
        }
        guard let from = CivilDate(iso: String(request.fromDate.prefix(10))),
            let to = CivilDate(iso: String(request.toDate.prefix(10)))
        else { return .error(400, "Data_Error", "DH-907", "fromDate/toDate must be YYYY-MM-DD[ HH:MM:SS]") }
        let key = InstrumentKey(segment, id)
        let exchange: Exchange = market.universe.index(key)?.exchange ?? (segment == .bseFNO ? .bse : .nse)
        let fromSeconds = Self.seconds(request.fromDate, default: 0)
        let toSeconds = Self.seconds(request.toDate, default: 86_400)
        if intraday {
            let interval = request.interval ?? 1
            guard [1, 5, 15, 25, 60].contains(interval) else {
                return .badInput("interval must be 1, 5, 15, 25 or 60")
            }
            guard to.daysSinceEpoch - from.daysSinceEpoch <= 90 else {
                return .badInput("Data for Intraday Charts can be fetched for 90 days at a time")
            }
            var candles: [Candle] = []
            for day in market.tradingDays(from: from, through: to, exchange: exchange) {
                let until = day == market.date ? second : SessionSeconds.close
                let minutes = market.minuteCandles(key, on: day, untilSecondOfDay: until)
                candles += Self.aggregate(minutes, minutes: interval, date: day)
            }
            let start = Timestamp.ist(from, 0, 0).epochSeconds + Int64(fromSeconds)
            let end = Timestamp.ist(to, 0, 0).epochSeconds + Int64(toSeconds)
            candles = candles.filter {
                $0.start >= start && $0.start < end || request.toDate.count <= 10 && $0.start >= start
            }
            return Reply(status: 200, body: ChartResponse(candles: candles).jsonBody())
        }
        // Daily: toDate is exclusive; bars stamped at IST midnight.
        var candles: [Candle] = []
        for day in market.tradingDays(from: from, through: to.adding(days: -1), exchange: exchange) {
            let until = day == market.date ? second : SessionSeconds.close
            let minutes = market.minuteCandles(key, on: day, untilSecondOfDay: until)
            guard let first = minutes.first, let last = minutes.last else { continue }
            candles.append(
                Candle(
                    start: Timestamp.ist(day, 0, 0).epochSeconds, open: first.open,
                    high: minutes.map(\.high).max()!, low: minutes.map(\.low).min()!, close: last.close,
                    volume: minutes.reduce(0) { $0 + $1.volume }))
        }
        return Reply(status: 200, body: ChartResponse(candles: candles).jsonBody())
    }

    /// Seconds of the day in a `YYYY-MM-DD HH:MM:SS` string, or `fallback` for a bare date.
    static func seconds(_ text: String, default fallback: Int) -> Int {
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return fallback }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard clock.count >= 2 else { return fallback }
        return clock[0] * 3600 + clock[1] * 60 + (clock.count > 2 ? clock[2] : 0)
    }

    /// N-minute bars from 1-minute bars, buckets from 09:15 IST.
    static func aggregate(_ minutes: [Candle], minutes size: Int, date: CivilDate) -> [Candle] {
        guard size > 1 else { return minutes }
        let open = Timestamp.ist(date, 9, 15).epochSeconds
        var out: [Candle] = []
        for candle in minutes {
            let bucket = open + (candle.start - open) / Int64(size * 60) * Int64(size * 60)
            if var last = out.last, last.start == bucket {
                last.high = max(last.high, candle.high)
                last.low = min(last.low, candle.low)
                last.close = candle.close
                last.volume += candle.volume
                out[out.count - 1] = last
            } else {
                out.append(
                    Candle(
                        start: bucket, open: candle.open, high: candle.high, low: candle.low, close: candle.close,
                        volume: candle.volume))
            }
        }
        return out
    }

    private func marketQuote(_ kind: String, body: Data) -> Reply {
        // The SDK adds `dhanClientId` to every body; only array values are segments.
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return .badInput("Body must be {\"SEGMENT\": [securityId, …]}")
        }
        var request: [String: [FlexibleID]] = [:]
        for (segment, value) in object {
            guard let ids = value as? [Any] else { continue }
            request[segment] = ids.compactMap { id in
                if let number = id as? NSNumber { return FlexibleID(value: number.uint32Value) }
                if let text = id as? String, let number = UInt32(text) { return FlexibleID(value: number) }
                return nil
            }
        }
        let total = request.values.reduce(0) { $0 + $1.count }
        guard total <= 1000 else { return .badInput("At most 1000 instruments per request") }
        func each<T: Codable & Sendable>(_ make: (InstrumentQuote) -> T) -> Reply {
            var data: [String: [String: T]] = [:]
            for (segmentName, ids) in request {
                var items: [String: T] = [:]
                if let segment = ExchangeSegment(apiName: segmentName) {
                    for id in ids {
                        if let quote = market.quote(InstrumentKey(segment, SecurityID(id.value)), atSecondOfDay: second)
                        {
                            items[String(id.value)] = make(quote)
                        }
                    }
                }
                data[segmentName] = items
            }
            return .json(MarketQuoteResponse(data: data))
        }
        let lastTradeTime = Self.quoteTime(second: second, date: market.date)
        switch kind {
        case "ltp": return each { LTPQuote(lastPrice: $0.last) }
        case "ohlc":
            return each {
                OHLCQuote(
                    lastPrice: $0.last,
                    ohlc: QuoteOHLC(open: $0.open, close: $0.previousClose, high: $0.high, low: $0.low))
            }
        case "quote":
            return each { (quote: InstrumentQuote) -> FullQuote in
                var buy: [FullQuote.Level] = []
                var sell: [FullQuote.Level] = []
                for level in 0..<5 {
                    let offset = 0.05 * Double(level)
                    buy.append(
                        .init(quantity: 75 * (8 + 5 * level), orders: 3 + level, price: max(0.05, quote.bid - offset)))
                    sell.append(.init(quantity: 75 * (9 + 5 * level), orders: 4 + level, price: quote.ask + offset))
                }
                return FullQuote(
                    averagePrice: (quote.open + quote.last) / 2, buyQuantity: Int(quote.volume / 3),
                    sellQuantity: Int(quote.volume / 3), depth: .init(buy: buy, sell: sell),
                    lastPrice: quote.last, lastQuantity: quote.volume > 0 ? 75 : 0, lastTradeTime: lastTradeTime,
                    netChange: quote.last - quote.previousClose,
                    ohlc: QuoteOHLC(open: quote.open, close: quote.previousClose, high: quote.high, low: quote.low),
                    oi: Int(quote.openInterest), volume: Int(quote.volume))
            }
        default: return .error(404, "Others", "DH-910", "No such endpoint: /v2/marketfeed/\(kind)")
        }
    }

    static func quoteTime(second: Int, date: CivilDate) -> String {
        "\(pad2(date.day))/\(pad2(date.month))/\(date.year) \(pad2(second / 3600)):\(pad2(second / 60 % 60)):\(pad2(second % 60))"
    }

    private func optionChain(_ body: Data) -> Reply {
        guard let request = OptionChainRequest.parse(body), let expiryText = request.expiry,
            let spec = market.universe.indices.first(where: { Int($0.securityID.value) == request.underlyingScrip })
        else { return .badInput("Invalid UnderlyingScrip, UnderlyingSeg or Expiry") }
        guard let expiry = CivilDate(iso: expiryText), market.universe.expiries(of: spec.symbol).contains(expiry) else {
            return .error(400, "Data_Error", "DH-907", "811: invalid expiry date \(expiryText)")
        }
        let spot = market.indexLevel(spec.securityID, atSecondOfDay: second) ?? 0
        guard let path = market.path(spec.securityID) else { return .badInput("Invalid UnderlyingScrip") }
        let strikes = market.chainStrikes[SimMarket.ChainKey(symbol: spec.symbol, expiry: expiry)] ?? []
        var oc: [(key: String, strike: OptionChainResponse.Strike)] = []
        oc.reserveCapacity(strikes.count)
        for strike in strikes {
            let (call, put) = market.chainSides(strike, spec: spec, path: path, second: second)
            // DhanHQ sends greeks to five decimals (the recorded chain: delta 0.7671, theta -31.21874).
            func five(_ value: Double) -> Double { (value * 100_000).rounded() / 100_000 }
            func side(_ side: SimMarket.ChainSide?, _ contract: ContractSpec?) -> OptionChainResponse.Side? {
                guard let side, let contract else { return nil }
                let quote = side.quote
                return OptionChainResponse.Side(
                    averagePrice: (quote.open + quote.last) / 2,
                    greeks: .init(
                        delta: five(side.delta), theta: five(side.theta), gamma: five(side.gamma),
                        vega: five(side.vega)),
                    impliedVolatility: (side.iv * 100).rounded() / 100, lastPrice: quote.last,
                    oi: quote.openInterest, previousOI: quote.openInterest * 9 / 10,
                    previousClosePrice: quote.previousClose, volume: quote.volume, previousVolume: quote.volume * 2,
                    securityId: contract.instrument.securityID.value, topBidPrice: quote.bid, topAskPrice: quote.ask,
                    topBidQuantity: contract.lotSize * 20, topAskQuantity: contract.lotSize * 22)
            }
            oc.append((strike.key, .init(ce: side(call, strike.call), pe: side(put, strike.put))))
        }
        return Reply(status: 200, body: OptionChainResponse.jsonBody(lastPrice: spot, strikes: oc, status: "success"))
    }
}

/// A security id sent as a JSON number or string.
struct FlexibleID: Decodable, Sendable {
    var value: UInt32

    init(value: UInt32) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt32.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = UInt32(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a security id")
        }
    }
}
