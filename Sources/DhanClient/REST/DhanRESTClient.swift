import AsyncHTTPClient
import Dhan
import Domain
import Foundation
import Logging
import NIOCore
import Synchronization

/// DhanHQ v2 REST on async-http-client: typed requests and answers, rate limits per API class, retries
/// after 429 with back-off, and typed errors naming the request.
public final class DhanRESTClient: Sendable {
    public let endpoints: DhanEndpoints
    /// The token every request carries (renewed in place).
    public let tokens: DhanTokenStore
    private var credentials: DhanCredentials { tokens.credentials }
    let transport: any DhanTransport
    public let limiter: RateLimiter
    private let logger: Logger
    /// The rows of the last order book read: most rows of the next are the same bytes, and are not read again.
    private let lastBook = Mutex(OrderBookReadCache())
    private let timeout: TimeAmount
    /// Attempts for a request answered 429 before giving up with `.rateLimited`.
    private let maxAttempts: Int

    /// A client over `transport`, or over async-http-client (`httpClient`, or one of its own) when nil.
    public init(
        endpoints: DhanEndpoints, credentials: DhanCredentials, limiter: RateLimiter = RateLimiter(),
        httpClient: HTTPClient? = nil, transport: (any DhanTransport)? = nil, timeout: TimeAmount = .seconds(10),
        maxAttempts: Int = 5, logger: Logger = Logger(label: "dhan.rest"), tokens: DhanTokenStore? = nil
    ) {
        self.endpoints = endpoints
        self.tokens = tokens ?? DhanTokenStore(credentials)
        self.limiter = limiter
        self.transport = transport ?? HTTPClientTransport(http: httpClient)
        self.logger = logger
        self.timeout = timeout
        self.maxAttempts = maxAttempts
    }

    /// Closes the HTTP client if this instance created it.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    // MARK: - Orders

    /// Places `order`; with `sendWithin`, it is not sent at all (`DhanError.notSentInTime`) once it has
    /// waited that long for the rate limit (including the pauses after 429 answers).
    public func placeOrder(_ order: PlaceOrderRequest, sendWithin: Duration? = nil) async throws(DhanError)
        -> OrderAck
    {
        var body = order
        body.dhanClientId = credentials.clientID
        return try await send("POST", "/orders", body: body, class: .order, sendWithin: sendWithin)
    }

    public func modifyOrder(id: String, _ change: ModifyOrderRequest) async throws(DhanError) -> OrderAck {
        var body = change
        body.dhanClientId = credentials.clientID
        return try await send("PUT", "/orders/\(id)", body: body, class: .order)
    }

    public func cancelOrder(id: String) async throws(DhanError) -> OrderAck {
        try await send("DELETE", "/orders/\(id)", body: Empty?.none, class: .order)
    }

    public func orders() async throws(DhanError) -> [OrderRecord] {
        try await send(
            "GET", "/orders", body: Empty?.none, class: .other,
            decode: { data throws(DhanDecodingError) in
                do {
                    return try self.lastBook.withLock { cache in try OrderRecord.book(from: data, reusing: &cache) }
                } catch {
                    throw DhanDecodingError(context: "body", reason: "\(error)")
                }
            })
    }

    /// One order by id; nil when the broker does not know it.
    public func order(id: String) async throws(DhanError) -> OrderRecord? {
        do {
            let records: OneOrMany<OrderRecord> = try await send(
                "GET", "/orders/\(id)", body: Empty?.none, class: .other)
            return records.values.first
        } catch .orderRejected { return nil }
    }

    /// One order by our correlation id; nil when the broker never received it (so an intent can be resent).
    public func order(correlationID: String) async throws(DhanError) -> OrderRecord? {
        do {
            let records: OneOrMany<OrderRecord> = try await send(
                "GET", "/orders/external/\(correlationID)", body: Empty?.none, class: .other)
            return OrderRecord.parent(of: records.values)
        } catch .orderRejected { return nil }
    }

    public func trades() async throws(DhanError) -> [TradeRecord] {
        try await send("GET", "/trades", body: Empty?.none, class: .other)
    }

    public func trades(orderID: String) async throws(DhanError) -> [TradeRecord] {
        let records: OneOrMany<TradeRecord> = try await send(
            "GET", "/trades/\(orderID)", body: Empty?.none, class: .other)
        return records.values
    }

    // MARK: - Super orders

    /// Places a super order; `sendWithin` as for `placeOrder`.
    public func placeSuperOrder(_ order: SuperOrderRequest, sendWithin: Duration? = nil) async throws(DhanError)
        -> OrderAck
    {
        var body = order
        body.dhanClientId = credentials.clientID
        return try await send("POST", "/super/orders", body: body, class: .order, sendWithin: sendWithin)
    }

    public func modifySuperOrder(id: String, _ change: SuperOrderModifyRequest) async throws(DhanError) -> OrderAck {
        var body = change
        body.dhanClientId = credentials.clientID
        return try await send("PUT", "/super/orders/\(id)", body: body, class: .order)
    }

    /// Cancels one leg (`TARGET_LEG`, `STOP_LOSS_LEG`) or, with `ENTRY_LEG`, everything still open.
    public func cancelSuperOrder(id: String, leg: OrderLeg) async throws(DhanError) -> OrderAck {
        try await send("DELETE", "/super/orders/\(id)/\(leg.apiName)", body: Empty?.none, class: .order)
    }

    public func superOrders() async throws(DhanError) -> [SuperOrderRecord] {
        try await send("GET", "/super/orders", body: Empty?.none, class: .other)
    }

    // MARK: - Account

    public func positions() async throws(DhanError) -> [PositionRecord] {
        try await send("GET", "/positions", body: Empty?.none, class: .other)
    }

    public func fundLimit() async throws(DhanError) -> FundLimit {
        // Read from its bytes: the engine asks twice a minute, and `JSONDecoder` was most of each answer's cost.
        try await send(
            "GET", "/fundlimit", body: Empty?.none, class: .other,
            decode: { body throws(DhanDecodingError) in try FundLimit.parse(body) })
    }

    /// Activates or deactivates the broker's kill switch for the day.
    public func setKillSwitch(active: Bool) async throws(DhanError) -> KillSwitchResponse {
        try await send(
            "POST", "/killswitch?killSwitchStatus=\(active ? "ACTIVATE" : "DEACTIVATE")", body: Empty?.none,
            class: .other)
    }

    public func killSwitchStatus() async throws(DhanError) -> KillSwitchResponse {
        try await send("GET", "/killswitch", body: Empty?.none, class: .other)
    }

    // MARK: - Data

    /// Intraday bars (1, 5, 15, 25 or 60 minutes) between two IST times, as domain candles.
    public func intradayCandles(
        _ instrument: InstrumentKey, instrumentType: String, interval: Int, from: String, to: String
    ) async throws(DhanError) -> [Candle] {
        let request = ChartRequest(
            securityId: instrument.securityID.description, exchangeSegment: instrument.segment.apiName,
            instrument: instrumentType, interval: interval, fromDate: from, toDate: to)
        let response: ChartResponse = try await send("POST", "/charts/intraday", body: request, class: .data)
        return try candles(response, request: "POST /charts/intraday \(instrument)")
    }

    /// Expired index options by strike relative to the spot (`POST /charts/rollingoption`): one side of one
    /// offset and expiry over at most 30 days (`to` exclusive), as bars; a short column names the bar.
    public func recordedOptionBars(_ request: RollingOptionRequest) async throws(DhanError) -> [RecordedOptionBar] {
        let name = "POST /charts/rollingoption \(request.securityId) \(request.strike) \(request.drvOptionType)"
        let response: RollingOptionResponse = try await send(
            "POST", "/charts/rollingoption", body: request, class: .data)
        do { return try response.columns(request.drvOptionType == "PUT" ? .put : .call).bars(source: name) } catch {
            throw .decoding(request: name, message: error.reason)
        }
    }

    /// Daily bars; `to` is exclusive, as DhanHQ defines it.
    public func dailyCandles(_ instrument: InstrumentKey, instrumentType: String, from: String, to: String)
        async throws(DhanError) -> [Candle]
    {
        let request = ChartRequest(
            securityId: instrument.securityID.description, exchangeSegment: instrument.segment.apiName,
            instrument: instrumentType, interval: nil, fromDate: from, toDate: to)
        let response: ChartResponse = try await send("POST", "/charts/historical", body: request, class: .data)
        return try candles(response, request: "POST /charts/historical \(instrument)")
    }

    private func candles(_ response: ChartResponse, request: String) throws(DhanError) -> [Candle] {
        do { return try response.candles(source: request) } catch {
            throw .decoding(request: request, message: error.reason)
        }
    }

    /// Last prices of any number of instruments, batched 1,000 per call (one call per second).
    public func lastPrices(_ instruments: [InstrumentKey]) async throws(DhanError) -> [InstrumentKey: Paise] {
        var out: [InstrumentKey: Paise] = [:]
        for batch in Self.quoteBatches(instruments) {
            let response: MarketQuoteResponse<LTPQuote> = try await send(
                "POST", "/marketfeed/ltp", body: batch, class: .quote)
            for (segmentName, items) in response.data {
                guard let segment = ExchangeSegment(apiName: segmentName) else { continue }
                for (id, quote) in items {
                    guard let securityID = SecurityID(id) else { continue }
                    do {
                        out[InstrumentKey(segment, securityID)] = try Paise(
                            price: quote.lastPrice, field: "\(segmentName):\(id).last_price")
                    } catch {
                        throw .decoding(request: "POST /marketfeed/ltp", message: error.description)
                    }
                }
            }
        }
        return out
    }

    /// Full quotes (depth, OHLC, OI) of instruments, batched 1,000 per call.
    public func quotes(_ instruments: [InstrumentKey]) async throws(DhanError) -> [InstrumentKey: FullQuote] {
        var out: [InstrumentKey: FullQuote] = [:]
        for batch in Self.quoteBatches(instruments) {
            let response: MarketQuoteResponse<FullQuote> = try await send(
                "POST", "/marketfeed/quote", body: batch, class: .quote)
            for (segmentName, items) in response.data {
                guard let segment = ExchangeSegment(apiName: segmentName) else { continue }
                for (id, quote) in items {
                    if let securityID = SecurityID(id) { out[InstrumentKey(segment, securityID)] = quote }
                }
            }
        }
        return out
    }

    /// `{SEGMENT: [ids]}` bodies of at most 1,000 instruments, in a stable order.
    public static func quoteBatches(_ instruments: [InstrumentKey]) -> [[String: [UInt32]]] {
        let sorted = Array(Set(instruments)).sorted()
        return stride(from: 0, to: sorted.count, by: 1000).map { start in
            var body: [String: [UInt32]] = [:]
            for key in sorted[start..<min(start + 1000, sorted.count)] {
                body[key.segment.apiName, default: []].append(key.securityID.value)
            }
            return body
        }
    }

    public func expiryList(underlying: InstrumentKey) async throws(DhanError) -> [CivilDate] {
        let request = OptionChainRequest(
            underlyingScrip: Int(underlying.securityID.value), underlyingSeg: underlying.segment.apiName, expiry: nil)
        let response: ExpiryListResponse = try await send(
            "POST", "/optionchain/expirylist", body: request, class: .other)
        do { return try response.dates(source: "POST /optionchain/expirylist") } catch {
            throw .decoding(request: "POST /optionchain/expirylist", message: error.reason)
        }
    }

    public func optionChain(underlying: InstrumentKey, expiry: CivilDate) async throws(DhanError)
        -> OptionChainSnapshot
    {
        let request = OptionChainRequest(
            underlyingScrip: Int(underlying.securityID.value), underlyingSeg: underlying.segment.apiName,
            expiry: expiry.description)
        let name = "POST /optionchain \(underlying) \(expiry)"
        // Both ends written and read from their bytes: a few hundred a simulated day, where `JSONEncoder` and
        // `JSONDecoder` cost more than the rest of the call.
        let response = try await send(
            "POST", "/optionchain", payload: request.jsonBody(), class: .optionChain,
            limitKey: "\(underlying)|\(expiry)",
            decode: { body throws(DhanDecodingError) in try OptionChainResponse.parse(body) })
        do { return try response.snapshot(underlying: underlying, expiry: expiry, source: name) } catch {
            throw .decoding(request: name, message: error.reason)
        }
    }

    /// Downloads the detailed scrip-master CSV (no auth; large).
    public func downloadScripMaster() async throws(DhanError) -> Data {
        let name = "GET \(endpoints.scripMasterURL)"
        do {
            let response = try await transport.send(
                DhanHTTPRequest(
                    method: "GET", url: endpoints.scripMasterURL, headers: [], body: nil, timeout: .seconds(120)))
            guard response.status == 200 else {
                throw DhanError.brokerDown(request: name, status: response.status, message: "download failed")
            }
            return response.body
        } catch let error as DhanError {
            throw error
        } catch {
            throw .network(request: name, message: "\(error)")
        }
    }

    // MARK: - Transport

    struct Empty: Codable, Sendable {}

    /// Sends one request through the limiter, retrying 429s with back-off, and decodes the answer.
    func send<Body: Encodable & Sendable, Answer: Decodable>(
        _ method: String, _ path: String, body: Body?, class apiClass: DhanAPIClass, limitKey: String = "",
        sendWithin: Duration? = nil
    ) async throws(DhanError) -> Answer {
        try await send(
            method, path, body: body, class: apiClass, limitKey: limitKey, sendWithin: sendWithin,
            decode: { data throws(DhanDecodingError) in
                do { return try JSONDecoder().decode(Answer.self, from: data) } catch {
                    throw DhanDecodingError(context: "body", reason: "\(error)")
                }
            })
    }

    /// `send`, with the answer read by `decode` (the fund limit is read from its bytes).
    func send<Body: Encodable & Sendable, Answer>(
        _ method: String, _ path: String, body: Body?, class apiClass: DhanAPIClass, limitKey: String = "",
        sendWithin: Duration? = nil, decode: (Data) throws(DhanDecodingError) -> Answer
    ) async throws(DhanError) -> Answer {
        var payload: Data?
        if let body {
            guard let data = try? JSONEncoder().encode(body) else {
                throw .badInput(
                    request: Self.requestName(method, path), code: "encode", message: "request body cannot be encoded")
            }
            payload = data
        }
        return try await send(
            method, path, payload: payload, class: apiClass, limitKey: limitKey, sendWithin: sendWithin,
            decode: decode)
    }

    /// How logs and errors name a request: its method and path, without the query.
    static func requestName(_ method: String, _ path: String) -> String {
        "\(method) /v2\(path.split(separator: "?").first.map(String.init) ?? path)"
    }

    /// `send` with the body already written (`payload`, JSON; the option chain's request is written from its
    /// fields) and the answer read by `decode`.
    func send<Answer>(
        _ method: String, _ path: String, payload: Data?, class apiClass: DhanAPIClass, limitKey: String = "",
        sendWithin: Duration? = nil, decode: (Data) throws(DhanDecodingError) -> Answer
    ) async throws(DhanError) -> Answer {
        let calledAt = limiter.elapsed()
        let name = Self.requestName(method, path)
        var headers: [(name: String, value: String)] = [
            ("access-token", credentials.accessToken), ("client-id", credentials.clientID),
            ("Accept", "application/json"),
        ]
        if payload != nil { headers.append(("Content-Type", "application/json")) }
        var request = DhanHTTPRequest(
            method: method, url: endpoints.restURL + path, headers: headers, body: payload,
            timeout: .nanoseconds(timeout.nanoseconds))
        var sentWith = credentials.accessToken
        var attempt = 0
        while true {
            attempt += 1
            let permit = await limiter.acquire(apiClass, key: limitKey)
            // A request still waiting for room when its task was cancelled (a stop) is not sent: an order placed
            // while the process shuts down would trade with no one left to manage it. The socket crash test
            // caught one: an entry queued behind the order limit reached dhan-sim during the planned stop and
            // its legs closed it unseen.
            if Task.isCancelled {
                await limiter.completed(permit)
                throw .network(request: name, message: "not sent: cancelled while waiting for the rate limit")
            }
            // An order that waited past its caller's limit is not sent: it was decided on a price that old.
            // Nothing reached the broker, so this is a definitive answer, and the caller may resolve the intent.
            if let sendWithin, limiter.elapsed() - calledAt > sendWithin {
                await limiter.completed(permit)
                throw .notSentInTime(request: name, allowed: sendWithin)
            }
            let status: Int
            let data: Data
            do {
                let response = try await transport.send(request)
                status = response.status
                data = response.body
                await limiter.completed(permit)
            } catch {
                await limiter.completed(permit)
                throw .network(request: name, message: "\(error)")
            }
            if status == 429 {
                let pause = await limiter.throttle(apiClass)
                logger.warning(
                    "rate limited; backing off",
                    metadata: ["request": "\(name)", "attempt": "\(attempt)", "pause": "\(pause)"])
                if attempt >= maxAttempts { throw .rateLimited(request: name) }
                continue
            }
            await limiter.succeeded(apiClass)
            guard (200..<300).contains(status) else {
                let error = DhanError.from(status: status, body: data, request: name)
                // Refused on a token renewed meanwhile (one token per client): once more with the new one.
                if case .authExpired = error, tokens.credentials.accessToken != sentWith {
                    sentWith = tokens.credentials.accessToken
                    request.headers = request.headers.map { $0.name == "access-token" ? ($0.name, sentWith) : $0 }
                    continue
                }
                throw error
            }
            do throws(DhanDecodingError) {
                return try decode(data)
            } catch {
                throw .decoding(request: name, message: error.context == "body" ? error.reason : error.description)
            }
        }
    }
}

/// DhanHQ documents some answers as one object and sends arrays (or `[]` for unknown ids); accept both.
struct OneOrMany<T: Decodable>: Decodable {
    var values: [T]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let many = try? container.decode([T].self) {
            values = many
        } else {
            values = [try container.decode(T.self)]
        }
    }
}
