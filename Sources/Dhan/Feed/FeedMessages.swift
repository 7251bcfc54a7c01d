import Domain
import Foundation

extension FeedMode {
    /// The request code that unsubscribes this mode (subscribe code + 1).
    public var unsubscribeCode: Int { Int(rawValue) + 1 }

    /// The mode a subscribe request code asks for (15, 17 or 21).
    public init?(subscribeCode: Int) {
        guard let code = UInt8(exactly: subscribeCode) else { return nil }
        self.init(rawValue: code)
    }
}

/// A JSON text request on the market feed: subscribe, unsubscribe or disconnect.
public struct FeedRequest: Codable, Equatable, Sendable {
    /// One instrument in a request; `SecurityId` may arrive as a string or a number.
    public struct Instrument: Codable, Equatable, Sendable {
        public var exchangeSegment: String
        public var securityId: String

        enum CodingKeys: String, CodingKey {
            case exchangeSegment = "ExchangeSegment"
            case securityId = "SecurityId"
        }

        public init(_ key: InstrumentKey) {
            exchangeSegment = key.segment.apiName
            securityId = key.securityID.description
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            exchangeSegment = try c.decode(String.self, forKey: .exchangeSegment)
            securityId = try c.decodeFlexibleString(.securityId)
        }

        /// The instrument as a domain key, or nil when the segment or id is not valid.
        public var key: InstrumentKey? {
            guard let segment = ExchangeSegment(apiName: exchangeSegment), let id = SecurityID(securityId) else {
                return nil
            }
            return InstrumentKey(segment, id)
        }
    }

    public var requestCode: Int
    public var instrumentCount: Int?
    public var instrumentList: [Instrument]?

    enum CodingKeys: String, CodingKey {
        case requestCode = "RequestCode"
        case instrumentCount = "InstrumentCount"
        case instrumentList = "InstrumentList"
    }

    public init(requestCode: Int, instruments: [InstrumentKey]) {
        self.requestCode = requestCode
        self.instrumentCount = instruments.count
        self.instrumentList = instruments.map(Instrument.init)
    }

    /// The disconnect request, code 12.
    public static let disconnect = FeedRequest(requestCode: 12, instrumentCount: nil, instrumentList: nil)

    init(requestCode: Int, instrumentCount: Int?, instrumentList: [Instrument]?) {
        self.requestCode = requestCode
        self.instrumentCount = instrumentCount
        self.instrumentList = instrumentList
    }

    /// Subscribe or unsubscribe messages for `instruments`, at most `perMessage` (the feed's 100) in each.
    public static func batches(code: Int, instruments: [InstrumentKey], perMessage: Int = 100) -> [FeedRequest] {
        stride(from: 0, to: instruments.count, by: perMessage).map {
            FeedRequest(
                requestCode: code, instruments: Array(instruments[$0..<min($0 + perMessage, instruments.count)]))
        }
    }

    /// The JSON text of this request, keys in a fixed order.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// The order-update stream's login message (PROTOCOL.md §5).
public struct OrderUpdateLogin: Codable, Equatable, Sendable {
    /// The `LoginReq` object.
    public struct Request: Codable, Equatable, Sendable {
        public var msgCode: Int
        public var clientId: String
        public var token: String?

        enum CodingKeys: String, CodingKey {
            case msgCode = "MsgCode"
            case clientId = "ClientId"
            case token = "Token"
        }
    }

    public var loginReq: Request
    public var userType: String

    enum CodingKeys: String, CodingKey {
        case loginReq = "LoginReq"
        case userType = "UserType"
    }

    public init(clientID: String, token: String) {
        loginReq = Request(msgCode: 42, clientId: clientID, token: token)
        userType = "SELF"
    }
}

/// One `{"Type": "order_alert", "Data": {…}}` message of the order-update stream.
public struct OrderAlertMessage: Codable, Equatable, Sendable {
    public var type: String
    public var data: OrderAlert

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case data = "Data"
    }

    public init(data: OrderAlert) {
        self.type = "order_alert"
        self.data = data
    }
}

/// The `Data` of an order alert, PascalCase keys as the broker sends them; numbers may come as strings.
public struct OrderAlert: Codable, Equatable, Sendable {
    public var exchange: String
    public var segment: String
    public var source: String
    public var securityId: String
    public var clientId: String
    public var exchOrderNo: String
    public var orderNo: String
    public var product: String
    public var txnType: String
    public var orderType: String
    public var validity: String
    public var quantity: Int
    public var remainingQuantity: Int
    public var tradedQty: Int
    public var price: Double
    public var triggerPrice: Double
    public var tradedPrice: Double
    public var avgTradedPrice: Double
    public var orderDateTime: String
    public var exchOrderTime: String
    public var lastUpdatedTime: String
    public var remarks: String
    public var reasonDescription: String
    public var legNo: Int
    public var instrument: String
    public var symbol: String
    public var status: String
    public var lotSize: Int
    public var strikePrice: Double
    public var expiryDate: String
    public var optType: String
    public var displayName: String
    public var correlationId: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case exchange = "Exchange"
        case segment = "Segment"
        case source = "Source"
        case securityId = "SecurityId"
        case clientId = "ClientId"
        case exchOrderNo = "ExchOrderNo"
        case orderNo = "OrderNo"
        case product = "Product"
        case txnType = "TxnType"
        case orderType = "OrderType"
        case validity = "Validity"
        case quantity = "Quantity"
        case remainingQuantity = "RemainingQuantity"
        case tradedQty = "TradedQty"
        case price = "Price"
        case triggerPrice = "TriggerPrice"
        case tradedPrice = "TradedPrice"
        case avgTradedPrice = "AvgTradedPrice"
        case orderDateTime = "OrderDateTime"
        case exchOrderTime = "ExchOrderTime"
        case lastUpdatedTime = "LastUpdatedTime"
        case remarks = "Remarks"
        case reasonDescription = "ReasonDescription"
        case legNo = "LegNo"
        case instrument = "Instrument"
        case symbol = "Symbol"
        case status = "Status"
        case lotSize = "LotSize"
        case strikePrice = "StrikePrice"
        case expiryDate = "ExpiryDate"
        case optType = "OptType"
        case displayName = "DisplayName"
        case correlationId = "CorrelationId"
    }

    public init(
        exchange: String, segment: String, securityId: String, clientId: String, orderNo: String, product: String,
        txnType: String, orderType: String, quantity: Int, remainingQuantity: Int, tradedQty: Int, price: Double,
        triggerPrice: Double, tradedPrice: Double, avgTradedPrice: Double, time: String, remarks: String,
        reasonDescription: String, legNo: Int, instrument: String, symbol: String, status: String, lotSize: Int,
        strikePrice: Double, expiryDate: String, optType: String, displayName: String, correlationId: String
    ) {
        self.exchange = exchange
        self.segment = segment
        self.source = "P"
        self.securityId = securityId
        self.clientId = clientId
        self.exchOrderNo = "1100\(orderNo)"
        self.orderNo = orderNo
        self.product = product
        self.txnType = txnType
        self.orderType = orderType
        self.validity = "DAY"
        self.quantity = quantity
        self.remainingQuantity = remainingQuantity
        self.tradedQty = tradedQty
        self.price = price
        self.triggerPrice = triggerPrice
        self.tradedPrice = tradedPrice
        self.avgTradedPrice = avgTradedPrice
        self.orderDateTime = time
        self.exchOrderTime = time
        self.lastUpdatedTime = time
        self.remarks = remarks
        self.reasonDescription = reasonDescription
        self.legNo = legNo
        self.instrument = instrument
        self.symbol = symbol
        self.status = status
        self.lotSize = lotSize
        self.strikePrice = strikePrice
        self.expiryDate = expiryDate
        self.optType = optType
        self.displayName = displayName
        self.correlationId = correlationId
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) -> String {
            (try? c.decodeFlexibleString(key)) ?? ""
        }
        func int(_ key: CodingKeys) -> Int {
            if let value = try? c.decode(Int.self, forKey: key) { return value }
            // A number beyond Int would trap the conversion (a fuzzer found it): it reads as 0, as text does.
            if let value = try? c.decode(Double.self, forKey: key) {
                return value.isFinite && abs(value) < 1e15 ? Int(value) : 0
            }
            return Int(text(key)) ?? 0
        }
        func double(_ key: CodingKeys) -> Double {
            if let value = try? c.decode(Double.self, forKey: key) { return value }
            return Double(text(key)) ?? 0
        }
        exchange = text(.exchange)
        segment = text(.segment)
        source = text(.source)
        securityId = text(.securityId)
        clientId = text(.clientId)
        exchOrderNo = text(.exchOrderNo)
        orderNo = try c.decodeFlexibleString(.orderNo)
        product = text(.product)
        txnType = text(.txnType)
        orderType = text(.orderType)
        validity = text(.validity)
        quantity = int(.quantity)
        remainingQuantity = int(.remainingQuantity)
        tradedQty = int(.tradedQty)
        price = double(.price)
        triggerPrice = double(.triggerPrice)
        tradedPrice = double(.tradedPrice)
        avgTradedPrice = double(.avgTradedPrice)
        orderDateTime = text(.orderDateTime)
        exchOrderTime = text(.exchOrderTime)
        lastUpdatedTime = text(.lastUpdatedTime)
        remarks = text(.remarks)
        reasonDescription = text(.reasonDescription)
        legNo = int(.legNo)
        instrument = text(.instrument)
        symbol = text(.symbol)
        status = try c.decodeFlexibleString(.status)
        lotSize = int(.lotSize)
        strikePrice = double(.strikePrice)
        expiryDate = text(.expiryDate)
        optType = text(.optType)
        displayName = text(.displayName)
        correlationId = text(.correlationId)
    }

    /// The status as the domain's enum, compared case-insensitively.
    public var orderStatus: OrderStatus { OrderStatus(apiName: status) }
}
