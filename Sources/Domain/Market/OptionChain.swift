/// One side (call or put) of one strike in an option-chain snapshot.
public struct OptionQuote: Equatable, Sendable, Codable {
    /// The option's feed and order id; DhanHQ sends it since v2.5 and older chains carry null.
    public var securityID: SecurityID?
    public var lastPrice: Paise
    /// Implied volatility in percent, as DhanHQ reports it (9.79 means 9.79 %).
    public var impliedVolatility: Double
    public var delta: Double
    public var gamma: Double
    public var theta: Double
    public var vega: Double
    public var openInterest: Int64
    public var volume: Int64
    public var bestBid: Paise
    public var bestAsk: Paise
    public var previousClose: Paise

    public init(
        securityID: SecurityID?, lastPrice: Paise, impliedVolatility: Double, delta: Double, gamma: Double = 0,
        theta: Double = 0, vega: Double = 0, openInterest: Int64, volume: Int64 = 0, bestBid: Paise, bestAsk: Paise,
        previousClose: Paise = .zero
    ) {
        self.securityID = securityID
        self.lastPrice = lastPrice
        self.impliedVolatility = impliedVolatility
        self.delta = delta
        self.gamma = gamma
        self.theta = theta
        self.vega = vega
        self.openInterest = openInterest
        self.volume = volume
        self.bestBid = bestBid
        self.bestAsk = bestAsk
        self.previousClose = previousClose
    }

    /// The current (v2) layout: prices and counts as varints, greeks as doubles.
    func encode(to writer: inout BinaryWriter) {
        writer.optional(securityID) { writer, id in writer.u32(id.value) }
        writer.varint(lastPrice.value)
        for value in [impliedVolatility, delta, gamma, theta, vega] { writer.f64(value) }
        writer.varint(openInterest)
        writer.varint(volume)
        writer.varint(bestBid.value)
        writer.varint(bestAsk.value)
        writer.varint(previousClose.value)
    }

    init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        securityID = try reader.optional("quote.security_id") { reader throws(DecodeError) in
            SecurityID(try reader.u32("quote.security_id"))
        }
        // v1 wrote every price and count as a fixed 8-byte integer.
        func integer(_ field: StaticString) throws(DecodeError) -> Int64 {
            version == 1 ? try reader.i64(field) : try reader.varint(field)
        }
        lastPrice = Paise(try integer("quote.ltp"))
        impliedVolatility = try reader.f64("quote.iv")
        delta = try reader.f64("quote.delta")
        gamma = try reader.f64("quote.gamma")
        theta = try reader.f64("quote.theta")
        vega = try reader.f64("quote.vega")
        openInterest = try integer("quote.oi")
        volume = try integer("quote.volume")
        bestBid = Paise(try integer("quote.bid"))
        bestAsk = Paise(try integer("quote.ask"))
        previousClose = Paise(try integer("quote.previous_close"))
    }

    var fields: [Field] {
        [
            .string("security_id", securityID?.description ?? "-"), .paise("ltp", lastPrice),
            Field("iv", .double(impliedVolatility)),
            Field("delta", .double(delta)), .int("oi", openInterest), .paise("bid", bestBid), .paise("ask", bestAsk),
        ]
    }
}

/// One strike of a chain; a side is nil when the broker sent none (thin strikes).
public struct OptionStrike: Equatable, Sendable, Codable {
    public var strike: Paise
    public var call: OptionQuote?
    public var put: OptionQuote?

    public init(strike: Paise, call: OptionQuote?, put: OptionQuote?) {
        self.strike = strike
        self.call = call
        self.put = put
    }
}

/// A full option chain for one underlying and expiry, strikes ascending.
public struct OptionChainSnapshot: JournalPayload {
    public var underlying: InstrumentKey
    public var expiry: CivilDate
    public var underlyingPrice: Paise
    public var strikes: [OptionStrike]

    public init(underlying: InstrumentKey, expiry: CivilDate, underlyingPrice: Paise, strikes: [OptionStrike]) {
        self.underlying = underlying
        self.expiry = expiry
        self.underlyingPrice = underlyingPrice
        self.strikes = strikes
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.instrument(underlying)
        writer.date(expiry)
        writer.paise(underlyingPrice)
        writer.array(strikes) { writer, strike in
            writer.varint(strike.strike.value)
            writer.optional(strike.call) { writer, quote in quote.encode(to: &writer) }
            writer.optional(strike.put) { writer, quote in quote.encode(to: &writer) }
        }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        underlying = try reader.instrument("underlying")
        expiry = try reader.date("expiry")
        underlyingPrice = try reader.paise("underlying_price")
        strikes = try reader.array("strikes") { reader throws(DecodeError) in
            OptionStrike(
                strike: Paise(version == 1 ? try reader.i64("strike") : try reader.varint("strike")),
                call: try reader.optional("call") { reader throws(DecodeError) in
                    try OptionQuote(from: &reader, version: version)
                },
                put: try reader.optional("put") { reader throws(DecodeError) in
                    try OptionQuote(from: &reader, version: version)
                })
        }
    }

    public var fields: [Field] {
        [
            .text("underlying", underlying), .text("expiry", expiry), .paise("spot", underlyingPrice),
            .int("strikes", strikes.count),
            Field(
                "chain",
                .list(
                    strikes.map { strike in
                        var fields: [Field] = [.paise("strike", strike.strike)]
                        if let call = strike.call { fields.append(Field("ce", .object(call.fields))) }
                        if let put = strike.put { fields.append(Field("pe", .object(put.fields))) }
                        return .object(fields)
                    })),
        ]
    }

    public var securityIDs: [SecurityID] { [underlying.securityID] }
}

/// The expiries the broker lists for an underlying, ascending.
public struct ExpiryList: JournalPayload, Codable {
    public var underlying: InstrumentKey
    public var expiries: [CivilDate]

    public init(underlying: InstrumentKey, expiries: [CivilDate]) {
        self.underlying = underlying
        self.expiries = expiries
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.instrument(underlying)
        writer.array(expiries) { writer, date in writer.date(date) }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        underlying = try reader.instrument("underlying")
        expiries = try reader.array("expiries") { reader throws(DecodeError) in try reader.date("expiry") }
    }

    public var fields: [Field] {
        [.text("underlying", underlying), Field("expiries", .list(expiries.map { .string($0.description) }))]
    }

    public var securityIDs: [SecurityID] { [underlying.securityID] }
}
