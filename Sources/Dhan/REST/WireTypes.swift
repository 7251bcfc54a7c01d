import Domain
import Foundation

// DhanHQ v2 REST bodies with their real JSON field names (PROTOCOL.md §2). Enums stay strings on the wire
// so an unknown value from the broker never fails a whole response; conversion to domain types is explicit.

/// The error envelope every non-2xx DhanHQ answer carries.
public struct DhanErrorBody: Codable, Equatable, Sendable {
    public var errorType: String
    public var errorCode: String
    public var errorMessage: String

    public init(errorType: String, errorCode: String, errorMessage: String) {
        self.errorType = errorType
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// `POST /orders` body.
public struct PlaceOrderRequest: Codable, Equatable, Sendable {
    public var dhanClientId: String?
    public var correlationId: String?
    public var transactionType: String
    public var exchangeSegment: String
    public var productType: String
    public var orderType: String
    public var validity: String
    public var securityId: String
    public var quantity: Int
    public var disclosedQuantity: Int?
    public var price: Double?
    public var triggerPrice: Double?
    public var afterMarketOrder: Bool?
    public var amoTime: String?
    public var boProfitValue: Double?
    public var boStopLossValue: Double?

    public init(
        dhanClientId: String?, correlationId: String?, transactionType: String, exchangeSegment: String,
        productType: String, orderType: String, validity: String, securityId: String, quantity: Int,
        price: Double? = nil, triggerPrice: Double? = nil
    ) {
        self.dhanClientId = dhanClientId
        self.correlationId = correlationId
        self.transactionType = transactionType
        self.exchangeSegment = exchangeSegment
        self.productType = productType
        self.orderType = orderType
        self.validity = validity
        self.securityId = securityId
        self.quantity = quantity
        self.price = price
        self.triggerPrice = triggerPrice
    }
}

/// `PUT /orders/{id}` body.
public struct ModifyOrderRequest: Codable, Equatable, Sendable {
    public var dhanClientId: String?
    public var orderId: String?
    public var orderType: String
    public var legName: String?
    public var quantity: Int?
    public var price: Double?
    public var disclosedQuantity: Int?
    public var triggerPrice: Double?
    public var validity: String

    public init(orderId: String, orderType: String, quantity: Int?, price: Double?, triggerPrice: Double?) {
        self.orderId = orderId
        self.orderType = orderType
        self.quantity = quantity
        self.price = price
        self.triggerPrice = triggerPrice
        self.validity = "DAY"
    }
}

/// The `{orderId, orderStatus}` answer to place, modify and cancel.
public struct OrderAck: Codable, Equatable, Sendable {
    public var orderId: String
    public var orderStatus: String

    public init(orderId: String, orderStatus: String) {
        self.orderId = orderId
        self.orderStatus = orderStatus
    }
}

/// One order-book row (`GET /orders`, by id, by correlation id).
public struct OrderRecord: Codable, Equatable, Sendable {
    public var dhanClientId: String
    public var orderId: String
    public var exchangeOrderId: String
    public var correlationId: String
    public var orderStatus: String
    public var transactionType: String
    public var exchangeSegment: String
    public var productType: String
    public var orderType: String
    public var validity: String
    public var tradingSymbol: String
    public var securityId: String
    public var quantity: Int
    public var disclosedQuantity: Int
    public var price: Double
    public var triggerPrice: Double
    public var afterMarketOrder: Bool
    public var boProfitValue: Double
    public var boStopLossValue: Double
    public var legName: String
    public var createTime: String
    public var updateTime: String
    public var exchangeTime: String
    public var drvExpiryDate: String
    public var drvOptionType: String?
    public var drvStrikePrice: Double
    public var omsErrorCode: String
    public var omsErrorDescription: String
    public var algoId: String
    public var remainingQuantity: Int
    public var averageTradedPrice: Double
    public var filledQty: Int

    public init(
        dhanClientId: String, orderId: String, correlationId: String, orderStatus: String, transactionType: String,
        exchangeSegment: String, productType: String, orderType: String, validity: String, tradingSymbol: String,
        securityId: String, quantity: Int, price: Double, triggerPrice: Double, legName: String, createTime: String,
        updateTime: String, drvExpiryDate: String, drvOptionType: String?, drvStrikePrice: Double,
        omsErrorCode: String, omsErrorDescription: String, remainingQuantity: Int, averageTradedPrice: Double,
        filledQty: Int
    ) {
        self.dhanClientId = dhanClientId
        self.orderId = orderId
        self.exchangeOrderId = orderId.isEmpty ? "" : "1100\(orderId)"
        self.correlationId = correlationId
        self.orderStatus = orderStatus
        self.transactionType = transactionType
        self.exchangeSegment = exchangeSegment
        self.productType = productType
        self.orderType = orderType
        self.validity = validity
        self.tradingSymbol = tradingSymbol
        self.securityId = securityId
        self.quantity = quantity
        self.disclosedQuantity = 0
        self.price = price
        self.triggerPrice = triggerPrice
        self.afterMarketOrder = false
        self.boProfitValue = 0
        self.boStopLossValue = 0
        self.legName = legName
        self.createTime = createTime
        self.updateTime = updateTime
        self.exchangeTime = updateTime
        self.drvExpiryDate = drvExpiryDate
        self.drvOptionType = drvOptionType
        self.drvStrikePrice = drvStrikePrice
        self.omsErrorCode = omsErrorCode
        self.omsErrorDescription = omsErrorDescription
        self.algoId = ""
        self.remainingQuantity = remainingQuantity
        self.averageTradedPrice = averageTradedPrice
        self.filledQty = filledQty
    }
}

/// One trade-book row: one exchange fill.
public struct TradeRecord: Codable, Equatable, Sendable {
    public var dhanClientId: String
    public var orderId: String
    public var exchangeOrderId: String
    public var exchangeTradeId: String
    public var transactionType: String
    public var exchangeSegment: String
    public var productType: String
    public var orderType: String
    public var tradingSymbol: String
    public var securityId: String
    public var tradedQuantity: Int
    public var tradedPrice: Double
    public var createTime: String
    public var updateTime: String
    public var exchangeTime: String
    public var drvExpiryDate: String
    public var drvOptionType: String?
    public var drvStrikePrice: Double

    public init(
        dhanClientId: String, orderId: String, exchangeTradeId: String, transactionType: String,
        exchangeSegment: String, productType: String, orderType: String, tradingSymbol: String, securityId: String,
        tradedQuantity: Int, tradedPrice: Double, time: String, drvExpiryDate: String, drvOptionType: String?,
        drvStrikePrice: Double
    ) {
        self.dhanClientId = dhanClientId
        self.orderId = orderId
        self.exchangeOrderId = "1100\(orderId)"
        self.exchangeTradeId = exchangeTradeId
        self.transactionType = transactionType
        self.exchangeSegment = exchangeSegment
        self.productType = productType
        self.orderType = orderType
        self.tradingSymbol = tradingSymbol
        self.securityId = securityId
        self.tradedQuantity = tradedQuantity
        self.tradedPrice = tradedPrice
        self.createTime = time
        self.updateTime = time
        self.exchangeTime = time
        self.drvExpiryDate = drvExpiryDate
        self.drvOptionType = drvOptionType
        self.drvStrikePrice = drvStrikePrice
    }
}

/// One `GET /positions` row.
public struct PositionRecord: Codable, Equatable, Sendable {
    public var dhanClientId: String
    public var tradingSymbol: String
    public var securityId: String
    public var positionType: String
    public var exchangeSegment: String
    public var productType: String
    public var buyAvg: Double
    public var costPrice: Double
    public var buyQty: Int
    public var sellAvg: Double
    public var sellQty: Int
    public var netQty: Int
    public var realizedProfit: Double
    public var unrealizedProfit: Double
    public var rbiReferenceRate: Double
    public var multiplier: Int
    public var carryForwardBuyQty: Int
    public var carryForwardSellQty: Int
    public var carryForwardBuyValue: Double
    public var carryForwardSellValue: Double
    public var dayBuyQty: Int
    public var daySellQty: Int
    public var dayBuyValue: Double
    public var daySellValue: Double
    public var drvExpiryDate: String
    public var drvOptionType: String?
    public var drvStrikePrice: Double
    public var crossCurrency: Bool

    public init(
        dhanClientId: String, tradingSymbol: String, securityId: String, exchangeSegment: String, productType: String,
        buyQty: Int, buyValue: Double, sellQty: Int, sellValue: Double, realizedProfit: Double,
        unrealizedProfit: Double, drvExpiryDate: String, drvOptionType: String?, drvStrikePrice: Double
    ) {
        self.dhanClientId = dhanClientId
        self.tradingSymbol = tradingSymbol
        self.securityId = securityId
        self.netQty = buyQty - sellQty
        self.positionType = netQty > 0 ? "LONG" : netQty < 0 ? "SHORT" : "CLOSED"
        self.exchangeSegment = exchangeSegment
        self.productType = productType
        self.buyAvg = buyQty > 0 ? buyValue / Double(buyQty) : 0
        self.costPrice = buyAvg
        self.buyQty = buyQty
        self.sellAvg = sellQty > 0 ? sellValue / Double(sellQty) : 0
        self.sellQty = sellQty
        self.realizedProfit = realizedProfit
        self.unrealizedProfit = unrealizedProfit
        self.rbiReferenceRate = 1
        self.multiplier = 1
        self.carryForwardBuyQty = 0
        self.carryForwardSellQty = 0
        self.carryForwardBuyValue = 0
        self.carryForwardSellValue = 0
        self.dayBuyQty = buyQty
        self.daySellQty = sellQty
        self.dayBuyValue = buyValue
        self.daySellValue = sellValue
        self.drvExpiryDate = drvExpiryDate
        self.drvOptionType = drvOptionType
        self.drvStrikePrice = drvStrikePrice
        self.crossCurrency = false
    }
}

/// `GET /fundlimit`, with the broker's own misspelt keys.
public struct FundLimit: Codable, Equatable, Sendable {
    public var dhanClientId: String
    public var availabelBalance: Double
    public var sodLimit: Double
    public var collateralAmount: Double
    public var receiveableAmount: Double
    public var utilizedAmount: Double
    public var blockedPayoutAmount: Double
    public var withdrawableBalance: Double

    public init(dhanClientId: String, availableBalance: Double, sodLimit: Double, utilizedAmount: Double) {
        self.dhanClientId = dhanClientId
        self.availabelBalance = availableBalance
        self.sodLimit = sodLimit
        self.collateralAmount = 0
        self.receiveableAmount = 0
        self.utilizedAmount = utilizedAmount
        self.blockedPayoutAmount = 0
        self.withdrawableBalance = availableBalance
    }
}

/// `POST /charts/intraday` and `/charts/historical` body; `interval` may arrive as an int or a string.
public struct ChartRequest: Codable, Equatable, Sendable {
    public var securityId: String
    public var exchangeSegment: String
    public var instrument: String
    public var interval: Int?
    public var expiryCode: Int?
    public var oi: Bool?
    public var fromDate: String
    public var toDate: String

    enum CodingKeys: String, CodingKey {
        case securityId, exchangeSegment, instrument, interval, expiryCode, oi, fromDate, toDate
    }

    public init(
        securityId: String, exchangeSegment: String, instrument: String, interval: Int?, fromDate: String,
        toDate: String
    ) {
        self.securityId = securityId
        self.exchangeSegment = exchangeSegment
        self.instrument = instrument
        self.interval = interval
        self.fromDate = fromDate
        self.toDate = toDate
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        securityId = try c.decodeFlexibleString(.securityId)
        exchangeSegment = try c.decode(String.self, forKey: .exchangeSegment)
        instrument = try c.decode(String.self, forKey: .instrument)
        if let number = try? c.decodeIfPresent(Int.self, forKey: .interval) {
            interval = number
        } else if let text = try? c.decodeIfPresent(String.self, forKey: .interval) {
            guard let number = Int(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .interval, in: c, debugDescription: "interval '\(text)' is not a number")
            }
            interval = number
        } else {
            interval = nil
        }
        expiryCode = try? c.decodeIfPresent(Int.self, forKey: .expiryCode)
        oi = try? c.decodeIfPresent(Bool.self, forKey: .oi)
        fromDate = try c.decode(String.self, forKey: .fromDate)
        toDate = try c.decode(String.self, forKey: .toDate)
    }
}

/// The columnar chart answer: equal-length arrays, `timestamp` in epoch seconds UTC of each bar's start.
public struct ChartResponse: Codable, Equatable, Sendable {
    public var open: [Double]
    public var high: [Double]
    public var low: [Double]
    public var close: [Double]
    public var volume: [Int64]
    public var timestamp: [Int64]
    public var openInterest: [Int64]?

    enum CodingKeys: String, CodingKey {
        case open, high, low, close, volume, timestamp
        case openInterest = "open_interest"
    }

    /// The real service sends timestamps and volumes as `1761277500.0`: whole numbers in float form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        open = try c.decode([Double].self, forKey: .open)
        high = try c.decode([Double].self, forKey: .high)
        low = try c.decode([Double].self, forKey: .low)
        close = try c.decode([Double].self, forKey: .close)
        func integers(_ key: CodingKeys) throws -> [Int64] {
            try c.decode([Double].self, forKey: key).enumerated().map { index, value in
                guard value.isFinite, value == value.rounded(), abs(value) < 9e15 else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: c,
                        debugDescription: "\(key.stringValue)[\(index)] = \(value) is not a whole number")
                }
                return Int64(value)
            }
        }
        volume = try integers(.volume)
        timestamp = try integers(.timestamp)
        openInterest = c.contains(.openInterest) ? try integers(.openInterest) : nil
    }

    public init(candles: [Candle], openInterest: Bool = true) {
        open = candles.map(\.open.rupees)
        high = candles.map(\.high.rupees)
        low = candles.map(\.low.rupees)
        close = candles.map(\.close.rupees)
        volume = candles.map(\.volume)
        timestamp = candles.map(\.start)
        self.openInterest = openInterest ? candles.map { _ in 0 } : nil
    }

    /// The bars as domain candles; unequal columns or a non-price value name the bar and column.
    public func candles(source: String) throws(DhanDecodingError) -> [Candle] {
        let count = timestamp.count
        for (name, length) in [
            ("open", open.count), ("high", high.count), ("low", low.count), ("close", close.count),
            ("volume", volume.count),
        ] where length != count {
            throw DhanDecodingError(
                context: source, reason: "column \(name) has \(length) values but timestamp has \(count)")
        }
        var out: [Candle] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            func paise(_ value: Double, _ column: String) throws(DhanDecodingError) -> Paise {
                do { return try Paise(price: value, field: "\(column)[\(i)]") } catch {
                    throw DhanDecodingError(context: source, reason: error.description)
                }
            }
            out.append(
                Candle(
                    start: timestamp[i], open: try paise(open[i], "open"), high: try paise(high[i], "high"),
                    low: try paise(low[i], "low"), close: try paise(close[i], "close"), volume: volume[i]))
        }
        return out
    }
}

/// `POST /optionchain/expirylist` and `/optionchain` bodies.
public struct OptionChainRequest: Codable, Equatable, Sendable {
    public var underlyingScrip: Int
    public var underlyingSeg: String
    public var expiry: String?

    enum CodingKeys: String, CodingKey {
        case underlyingScrip = "UnderlyingScrip"
        case underlyingSeg = "UnderlyingSeg"
        case expiry = "Expiry"
    }

    public init(underlyingScrip: Int, underlyingSeg: String, expiry: String?) {
        self.underlyingScrip = underlyingScrip
        self.underlyingSeg = underlyingSeg
        self.expiry = expiry
    }
}

/// The expiry-list answer: `{"data": ["YYYY-MM-DD", …], "status": "success"}`.
public struct ExpiryListResponse: Codable, Equatable, Sendable {
    public var data: [String]
    public var status: String

    public init(data: [String], status: String = "success") {
        self.data = data
        self.status = status
    }

    /// The expiries as dates; a malformed one names itself.
    public func dates(source: String) throws(DhanDecodingError) -> [CivilDate] {
        var out: [CivilDate] = []
        for text in data {
            guard let date = CivilDate(iso: text) else {
                throw DhanDecodingError(context: source, reason: "expiry '\(text)' is not YYYY-MM-DD")
            }
            out.append(date)
        }
        return out
    }
}

/// `POST /super/orders` body.
public struct SuperOrderRequest: Codable, Equatable, Sendable {
    public var dhanClientId: String?
    public var correlationId: String?
    public var transactionType: String
    public var exchangeSegment: String
    public var productType: String
    public var orderType: String
    public var securityId: String
    public var quantity: Int
    public var price: Double
    public var targetPrice: Double
    public var stopLossPrice: Double
    public var trailingJump: Double?

    public init(
        correlationId: String?, transactionType: String, exchangeSegment: String, productType: String,
        orderType: String, securityId: String, quantity: Int, price: Double, targetPrice: Double,
        stopLossPrice: Double, trailingJump: Double
    ) {
        self.correlationId = correlationId
        self.transactionType = transactionType
        self.exchangeSegment = exchangeSegment
        self.productType = productType
        self.orderType = orderType
        self.securityId = securityId
        self.quantity = quantity
        self.price = price
        self.targetPrice = targetPrice
        self.stopLossPrice = stopLossPrice
        self.trailingJump = trailingJump
    }
}

/// `PUT /super/orders/{id}` body: which leg and its new values.
public struct SuperOrderModifyRequest: Codable, Equatable, Sendable {
    public var dhanClientId: String?
    public var orderId: String?
    public var legName: String
    public var orderType: String?
    public var quantity: Int?
    public var price: Double?
    public var targetPrice: Double?
    public var stopLossPrice: Double?
    public var trailingJump: Double?

    public init(
        orderId: String, legName: String, targetPrice: Double? = nil, stopLossPrice: Double? = nil,
        trailingJump: Double? = nil
    ) {
        self.orderId = orderId
        self.legName = legName
        self.targetPrice = targetPrice
        self.stopLossPrice = stopLossPrice
        self.trailingJump = trailingJump
    }
}

/// One `GET /super/orders` row: the entry leg with its legs' details.
public struct SuperOrderRecord: Codable, Equatable, Sendable {
    /// One leg inside a super order.
    public struct Leg: Codable, Equatable, Sendable {
        public var orderId: String
        public var legName: String
        public var transactionType: String
        public var totalQuatity: Int
        public var remainingQuantity: Int
        public var triggeredQuantity: Int
        public var price: Double
        public var orderStatus: String
        public var trailingJump: Double

        public init(
            orderId: String, legName: String, transactionType: String, totalQuatity: Int, remainingQuantity: Int,
            triggeredQuantity: Int, price: Double, orderStatus: String, trailingJump: Double
        ) {
            self.orderId = orderId
            self.legName = legName
            self.transactionType = transactionType
            self.totalQuatity = totalQuatity
            self.remainingQuantity = remainingQuantity
            self.triggeredQuantity = triggeredQuantity
            self.price = price
            self.orderStatus = orderStatus
            self.trailingJump = trailingJump
        }
    }

    public var dhanClientId: String
    public var orderId: String
    public var correlationId: String
    public var orderStatus: String
    public var transactionType: String
    public var exchangeSegment: String
    public var productType: String
    public var orderType: String
    public var validity: String
    public var tradingSymbol: String
    public var securityId: String
    public var quantity: Int
    public var remainingQuantity: Int
    public var ltp: Double
    public var price: Double
    public var averageTradedPrice: Double
    public var filledQty: Int
    public var legName: String
    public var createTime: String
    public var updateTime: String
    public var legDetails: [Leg]

    public init(entry: OrderRecord, ltp: Double, legs: [Leg]) {
        dhanClientId = entry.dhanClientId
        orderId = entry.orderId
        correlationId = entry.correlationId
        orderStatus = entry.orderStatus
        transactionType = entry.transactionType
        exchangeSegment = entry.exchangeSegment
        productType = entry.productType
        orderType = entry.orderType
        validity = entry.validity
        tradingSymbol = entry.tradingSymbol
        securityId = entry.securityId
        quantity = entry.quantity
        remainingQuantity = entry.remainingQuantity
        self.ltp = ltp
        price = entry.price
        averageTradedPrice = entry.averageTradedPrice
        filledQty = entry.filledQty
        legName = "ENTRY_LEG"
        createTime = entry.createTime
        updateTime = entry.updateTime
        legDetails = legs
    }
}

/// `GET /killswitch` and the activation answer.
public struct KillSwitchResponse: Codable, Equatable, Sendable {
    public var dhanClientId: String
    public var killSwitchStatus: String

    public init(dhanClientId: String, killSwitchStatus: String) {
        self.dhanClientId = dhanClientId
        self.killSwitchStatus = killSwitchStatus
    }
}

/// The `{"data": {SEG: {id: {...}}}, "status": "success"}` wrapper of market-quote answers.
public struct MarketQuoteResponse<Item: Codable & Sendable>: Codable, Sendable {
    public var data: [String: [String: Item]]
    public var status: String

    public init(data: [String: [String: Item]], status: String = "success") {
        self.data = data
        self.status = status
    }
}

/// The `ohlc` object inside quote answers.
public struct QuoteOHLC: Codable, Equatable, Sendable {
    public var open: Double
    public var close: Double
    public var high: Double
    public var low: Double

    public init(open: Double, close: Double, high: Double, low: Double) {
        self.open = open
        self.close = close
        self.high = high
        self.low = low
    }
}

/// One instrument of a `/marketfeed/ltp` answer.
public struct LTPQuote: Codable, Equatable, Sendable {
    public var lastPrice: Double

    enum CodingKeys: String, CodingKey { case lastPrice = "last_price" }

    public init(lastPrice: Double) { self.lastPrice = lastPrice }
}

/// One instrument of a `/marketfeed/ohlc` answer.
public struct OHLCQuote: Codable, Equatable, Sendable {
    public var lastPrice: Double
    public var ohlc: QuoteOHLC

    enum CodingKeys: String, CodingKey {
        case ohlc
        case lastPrice = "last_price"
    }

    public init(lastPrice: Double, ohlc: QuoteOHLC) {
        self.lastPrice = lastPrice
        self.ohlc = ohlc
    }
}

/// One instrument of a `/marketfeed/quote` answer, with five levels of depth.
public struct FullQuote: Codable, Equatable, Sendable {
    /// One depth level.
    public struct Level: Codable, Equatable, Sendable {
        public var quantity: Int
        public var orders: Int
        public var price: Double

        public init(quantity: Int, orders: Int, price: Double) {
            self.quantity = quantity
            self.orders = orders
            self.price = price
        }
    }

    /// Both sides of the book.
    public struct Depth: Codable, Equatable, Sendable {
        public var buy: [Level]
        public var sell: [Level]

        public init(buy: [Level], sell: [Level]) {
            self.buy = buy
            self.sell = sell
        }
    }

    public var averagePrice: Double
    public var buyQuantity: Int
    public var sellQuantity: Int
    public var depth: Depth
    public var lastPrice: Double
    public var lastQuantity: Int
    public var lastTradeTime: String
    public var lowerCircuitLimit: Double
    public var upperCircuitLimit: Double
    public var netChange: Double
    public var ohlc: QuoteOHLC
    public var oi: Int
    public var oiDayHigh: Int
    public var oiDayLow: Int
    public var volume: Int

    enum CodingKeys: String, CodingKey {
        case depth, ohlc, oi, volume
        case averagePrice = "average_price"
        case buyQuantity = "buy_quantity"
        case sellQuantity = "sell_quantity"
        case lastPrice = "last_price"
        case lastQuantity = "last_quantity"
        case lastTradeTime = "last_trade_time"
        case lowerCircuitLimit = "lower_circuit_limit"
        case upperCircuitLimit = "upper_circuit_limit"
        case netChange = "net_change"
        case oiDayHigh = "oi_day_high"
        case oiDayLow = "oi_day_low"
    }

    public init(
        averagePrice: Double, buyQuantity: Int, sellQuantity: Int, depth: Depth, lastPrice: Double, lastQuantity: Int,
        lastTradeTime: String, netChange: Double, ohlc: QuoteOHLC, oi: Int, volume: Int
    ) {
        self.averagePrice = averagePrice
        self.buyQuantity = buyQuantity
        self.sellQuantity = sellQuantity
        self.depth = depth
        self.lastPrice = lastPrice
        self.lastQuantity = lastQuantity
        self.lastTradeTime = lastTradeTime
        self.lowerCircuitLimit = (lastPrice * 0.8 * 20).rounded() / 20
        self.upperCircuitLimit = (lastPrice * 1.2 * 20).rounded() / 20
        self.netChange = netChange
        self.ohlc = ohlc
        self.oi = oi
        self.oiDayHigh = oi
        self.oiDayLow = oi
        self.volume = volume
    }
}

extension KeyedDecodingContainer {
    /// DhanHQ clients send some ids as strings and some as numbers; accept both.
    func decodeFlexibleString(_ key: Key) throws -> String {
        if let text = try? decode(String.self, forKey: key) { return text }
        if let number = try? decode(Int64.self, forKey: key) { return String(number) }
        throw DecodingError.typeMismatch(
            String.self, .init(codingPath: codingPath + [key], debugDescription: "expected a string or a number"))
    }
}

extension OrderRecord {
    /// The row's JSON keys (each key's text is its case name); the raw values number them from 0, so the
    /// order-book byte reader keeps a row's values in an array indexed by key.
    enum CodingKeys: Int, CodingKey, CaseIterable {
        case dhanClientId, orderId, exchangeOrderId, correlationId, orderStatus, transactionType, exchangeSegment
        case productType, orderType, validity, tradingSymbol, securityId, quantity, disclosedQuantity, price
        case triggerPrice, afterMarketOrder, boProfitValue, boStopLossValue, legName, createTime, updateTime
        case exchangeTime, drvExpiryDate, drvOptionType, drvStrikePrice, omsErrorCode, omsErrorDescription, algoId
        case remainingQuantity, averageTradedPrice, filledQty
    }

    /// Decodes an order-book or lookup row as the broker sends it.
    ///
    /// The documented examples and live captures carry `drvExpiryDate`, `omsErrorCode`, `omsErrorDescription`
    /// and `exchangeOrderId` as null or leave them out, and leg rows may lack their own fields
    /// (LIVE-BEHAVIOUR.md #5, #7). Only what identifies the order is required; anything else missing or null
    /// takes an empty value.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
        func number(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? 0 }
        func whole(_ key: CodingKeys) throws -> Int { try c.decodeIfPresent(Int.self, forKey: key) ?? 0 }
        orderId = try c.decode(String.self, forKey: .orderId)
        orderStatus = try c.decode(String.self, forKey: .orderStatus)
        transactionType = try c.decode(String.self, forKey: .transactionType)
        exchangeSegment = try c.decode(String.self, forKey: .exchangeSegment)
        securityId = try c.decode(String.self, forKey: .securityId)
        quantity = try c.decode(Int.self, forKey: .quantity)
        dhanClientId = try text(.dhanClientId)
        exchangeOrderId = try text(.exchangeOrderId)
        correlationId = try text(.correlationId)
        productType = try text(.productType)
        orderType = try text(.orderType)
        validity = try text(.validity)
        tradingSymbol = try text(.tradingSymbol)
        disclosedQuantity = try whole(.disclosedQuantity)
        price = try number(.price)
        triggerPrice = try number(.triggerPrice)
        afterMarketOrder = try c.decodeIfPresent(Bool.self, forKey: .afterMarketOrder) ?? false
        boProfitValue = try number(.boProfitValue)
        boStopLossValue = try number(.boStopLossValue)
        legName = try text(.legName)
        createTime = try text(.createTime)
        updateTime = try text(.updateTime)
        exchangeTime = try text(.exchangeTime)
        drvExpiryDate = try text(.drvExpiryDate)
        drvOptionType = try c.decodeIfPresent(String.self, forKey: .drvOptionType)
        drvStrikePrice = try number(.drvStrikePrice)
        omsErrorCode = try text(.omsErrorCode)
        omsErrorDescription = try text(.omsErrorDescription)
        algoId = try text(.algoId)
        filledQty = try whole(.filledQty)
        remainingQuantity = try c.decodeIfPresent(Int.self, forKey: .remainingQuantity) ?? max(0, quantity - filledQty)
        averageTradedPrice = try number(.averageTradedPrice)
    }

    /// Whether this row is a parent order (a plain order or a super order's entry), not a target or stop leg.
    public var isParent: Bool { legName != "TARGET_LEG" && legName != "STOP_LOSS_LEG" }

    /// The parent among the rows a lookup by correlation id returns (a super order's legs share its id).
    public static func parent(of records: [OrderRecord]) -> OrderRecord? {
        records.first(where: \.isParent) ?? records.first
    }
}
