import Dhan
import DhanClient
import Domain
import Foundation

/// One REST call the effect handlers make for a command, as the bytes DhanRESTClient would send, and its
/// answer turned into events the way the live gateway and runtime turn it.
enum BrokerCall {
    case place(OrderIntent)
    case cancel(OrderCancellation)
    case modify(OrderModification)
    case data(DataRequest)
    /// After an ambiguous submit: the gateway looks the order up by correlation id (its attempt number).
    case lookup(OrderIntent, attempt: Int)

    struct Request {
        var method: String
        var path: String
        var query: [String: String] = [:]
        var body = Data()
    }

    private static let clientID = "SIMCLIENT"

    private static func json<T: Encodable>(_ value: T) -> Data { (try? JSONEncoder().encode(value)) ?? Data() }

    var request: Request {
        switch self {
        case .place(let intent):
            if var body = OrderWire.superOrderRequest(intent) {
                body.dhanClientId = Self.clientID
                return Request(method: "POST", path: "/v2/super/orders", body: Self.json(body))
            }
            var body = OrderWire.placeRequest(intent)
            body.dhanClientId = Self.clientID
            return Request(method: "POST", path: "/v2/orders", body: Self.json(body))
        case .cancel(let cancellation):
            if let leg = cancellation.leg {
                return Request(method: "DELETE", path: "/v2/super/orders/\(cancellation.orderID)/\(leg.apiName)")
            }
            return Request(method: "DELETE", path: "/v2/orders/\(cancellation.orderID)")
        case .modify(let modification):
            if let leg = modification.leg {
                var body = OrderWire.superOrderModification(modification, leg: leg)
                body.dhanClientId = Self.clientID
                return Request(method: "PUT", path: "/v2/super/orders/\(modification.orderID)", body: Self.json(body))
            }
            var body = OrderWire.modification(modification)
            body.dhanClientId = Self.clientID
            return Request(method: "PUT", path: "/v2/orders/\(modification.orderID)", body: Self.json(body))
        case .lookup(let intent, _):
            return Request(method: "GET", path: "/v2/orders/external/\(intent.correlationID.value)")
        case .data(let request):
            return Self.dataRequest(request)
        }
    }

    private static func dataRequest(_ request: DataRequest) -> Request {
        switch request {
        case .quote(let keys):
            // The live client's batching (at most 1,000 per call; the engine asks for a handful).
            let body = DhanRESTClient.quoteBatches(keys).first ?? [:]
            return Request(method: "POST", path: "/v2/marketfeed/ltp", body: json(body))
        case .optionChain(let underlying, let expiry):
            return Request(
                method: "POST", path: "/v2/optionchain",
                body: json(
                    OptionChainRequest(
                        underlyingScrip: Int(underlying.securityID.value), underlyingSeg: underlying.segment.apiName,
                        expiry: expiry.description)))
        case .expiryList(let underlying):
            return Request(
                method: "POST", path: "/v2/optionchain/expirylist",
                body: json(
                    OptionChainRequest(
                        underlyingScrip: Int(underlying.securityID.value), underlyingSeg: underlying.segment.apiName,
                        expiry: nil)))
        case .funds:
            return Request(method: "GET", path: "/v2/fundlimit")
        case .positions:
            return Request(method: "GET", path: "/v2/positions")
        case .history(let instrument, let interval, let from, let to):
            return Request(
                method: "POST", path: "/v2/charts/intraday",
                body: json(
                    ChartRequest(
                        securityId: instrument.securityID.description, exchangeSegment: instrument.segment.apiName,
                        instrument: instrument.segment == .indexValue ? "INDEX" : "OPTIDX", interval: Int(interval),
                        fromDate: "\(from) 09:15:00", toDate: "\(to) 15:30:00")))
        case .orderByCorrelation:
            // The whole book: a super order's legs have rows of their own (`OrderBookLookup`).
            return Request(method: "GET", path: "/v2/orders")
        }
    }

    /// The events the answer becomes, as the live gateway and runtime make them (a failed data request is
    /// only logged, so it gives none).
    func events(status: Int, body: Data, at now: Timestamp) -> [Event] {
        let ok = (200..<300).contains(status)
        switch self {
        case .place(let intent):
            guard ok else {
                let error = DhanError.from(status: status, body: body, request: "\(request.method) \(request.path)")
                return [
                    .orderRejected(
                        OrderRejected(
                            correlationID: intent.correlationID, code: error.rejectionCode,
                            message: error.description))
                ]
            }
            guard let ack = try? JSONDecoder().decode(OrderAck.self, from: body) else { return [] }
            return [OrderWire.accepted(ack, correlationID: intent.correlationID)]
        case .cancel(let cancellation):
            guard !ok, let error = definitiveError(status: status, body: body) else { return [] }
            return [
                .cancelRejected(
                    OrderOperationRefused(
                        correlationID: cancellation.correlationID, orderID: cancellation.orderID,
                        leg: cancellation.leg, code: error.rejectionCode, message: error.description))
            ]
        case .modify(let modification):
            guard !ok, let error = definitiveError(status: status, body: body) else { return [] }
            return [
                .modifyRejected(
                    OrderOperationRefused(
                        correlationID: modification.correlationID, orderID: modification.orderID,
                        leg: modification.leg, code: error.rejectionCode, message: error.description))
            ]
        case .lookup(let intent, _):
            guard ok, let record = OrderRecord.parent(of: Self.orderRecords(body)) else { return [] }
            return [
                .orderAccepted(
                    OrderAccepted(
                        correlationID: intent.correlationID, orderID: record.orderId,
                        status: OrderStatus(apiName: record.orderStatus)))
            ]
        case .data(let request):
            guard ok else { return [] }
            return Self.dataEvents(request, body: body, at: now)
        }
    }

    /// The typed error of a failed answer, when it is the broker's definitive word.
    private func definitiveError(status: Int, body: Data) -> DhanError? {
        let error = DhanError.from(status: status, body: body, request: "\(request.method) \(request.path)")
        return error.isDefinitive ? error : nil
    }

    /// One record or an array of them (DhanHQ sends both for a lookup).
    static func orderRecords(_ body: Data) -> [OrderRecord] {
        if let many = try? OrderRecord.book(from: body) { return many }
        return (try? JSONDecoder().decode(OrderRecord.self, from: body)).map { [$0] } ?? []
    }

    private static func dataEvents(_ request: DataRequest, body: Data, at now: Timestamp) -> [Event] {
        let decoder = JSONDecoder()
        switch request {
        case .quote(let keys):
            guard let response = try? decoder.decode(MarketQuoteResponse<LTPQuote>.self, from: body) else { return [] }
            var prices: [InstrumentKey: Paise] = [:]
            for (segmentName, items) in response.data {
                guard let segment = ExchangeSegment(apiName: segmentName) else { continue }
                for (id, quote) in items {
                    guard let securityID = SecurityID(id), let price = try? Paise(price: quote.lastPrice, field: id)
                    else { continue }
                    prices[InstrumentKey(segment, securityID)] = price
                }
            }
            return keys.sorted().compactMap { key in
                prices[key].map { .tick(Tick(instrument: key, lastPrice: $0, lastTradeTime: now.epochSeconds)) }
            }
        case .optionChain(let underlying, let expiry):
            guard let response = try? OptionChainResponse.parse(body),
                let snapshot = try? response.snapshot(underlying: underlying, expiry: expiry, source: "optionchain")
            else { return [] }
            return [.optionChain(snapshot)]
        case .expiryList(let underlying):
            guard let response = try? decoder.decode(ExpiryListResponse.self, from: body),
                let dates = try? response.dates(source: "expirylist")
            else { return [] }
            return [.expiryList(ExpiryList(underlying: underlying, expiries: dates))]
        case .funds:
            guard let limit = try? decoder.decode(FundLimit.self, from: body),
                let available = try? Paise(amount: limit.availabelBalance, field: "availabelBalance"),
                let start = try? Paise(amount: limit.sodLimit, field: "sodLimit")
            else { return [] }
            return [.funds(FundsSnapshot(available: available, startOfDayLimit: start))]
        case .positions:
            guard let records = try? decoder.decode([PositionRecord].self, from: body) else { return [] }
            return [.positions(PositionsSnapshot(positions: records.compactMap { try? $0.brokerPosition() }))]
        case .history(let instrument, let interval, _, _):
            guard let response = try? decoder.decode(ChartResponse.self, from: body),
                let candles = try? response.candles(source: "charts/intraday")
            else { return [] }
            // Only completed bars: the one still forming comes from the feed.
            let complete = candles.filter { $0.start + Int64(interval) * 60 <= now.epochSeconds }
            return [
                .candleBatch(
                    CandleBatch(instrument: instrument, intervalMinutes: interval, source: .history, candles: complete))
            ]
        case .orderByCorrelation:
            // Translated with the session's alert translator (`SimulatedSession.answer`).
            return []
        }
    }
}
