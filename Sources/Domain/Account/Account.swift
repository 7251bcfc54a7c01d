/// The broker's fund limit at a moment (DhanHQ `/fundlimit`), in paise.
public struct FundsSnapshot: JournalPayload, Codable {
    public var available: Paise
    public var startOfDayLimit: Paise
    public var utilized: Paise
    public var withdrawable: Paise

    public init(available: Paise, startOfDayLimit: Paise, utilized: Paise = .zero, withdrawable: Paise = .zero) {
        self.available = available
        self.startOfDayLimit = startOfDayLimit
        self.utilized = utilized
        self.withdrawable = withdrawable
    }

    public func encode(to writer: inout BinaryWriter) {
        for value in [available, startOfDayLimit, utilized, withdrawable] { writer.paise(value) }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        available = try reader.paise("available")
        startOfDayLimit = try reader.paise("sod_limit")
        utilized = try reader.paise("utilized")
        withdrawable = try reader.paise("withdrawable")
    }

    public var fields: [Field] {
        [
            .paise("available", available), .paise("sod_limit", startOfDayLimit), .paise("utilized", utilized),
            .paise("withdrawable", withdrawable),
        ]
    }
}

/// One position as the broker reports it.
public struct BrokerPosition: Equatable, Sendable, Codable {
    public var instrument: InstrumentKey
    public var productType: ProductType
    public var netQuantity: Int64
    public var buyQuantity: Int64
    public var sellQuantity: Int64
    public var buyAverage: Paise
    public var sellAverage: Paise
    public var realizedProfit: Paise
    public var unrealizedProfit: Paise

    public init(
        instrument: InstrumentKey, productType: ProductType, netQuantity: Int64, buyQuantity: Int64,
        sellQuantity: Int64, buyAverage: Paise, sellAverage: Paise, realizedProfit: Paise, unrealizedProfit: Paise
    ) {
        self.instrument = instrument
        self.productType = productType
        self.netQuantity = netQuantity
        self.buyQuantity = buyQuantity
        self.sellQuantity = sellQuantity
        self.buyAverage = buyAverage
        self.sellAverage = sellAverage
        self.realizedProfit = realizedProfit
        self.unrealizedProfit = unrealizedProfit
    }
}

/// Every position the broker reports, as of one request.
public struct PositionsSnapshot: JournalPayload {
    public var positions: [BrokerPosition]

    public init(positions: [BrokerPosition]) { self.positions = positions }

    public func encode(to writer: inout BinaryWriter) {
        writer.array(positions) { writer, position in
            writer.instrument(position.instrument)
            writer.u8(position.productType.rawValue)
            for value in [position.netQuantity, position.buyQuantity, position.sellQuantity] { writer.i64(value) }
            for value in [
                position.buyAverage, position.sellAverage, position.realizedProfit, position.unrealizedProfit,
            ] {
                writer.paise(value)
            }
        }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        positions = try reader.array("positions") { reader throws(DecodeError) in
            BrokerPosition(
                instrument: try reader.instrument("instrument"),
                productType: try reader.enumeration("product_type", ProductType.self),
                netQuantity: try reader.i64("net_qty"), buyQuantity: try reader.i64("buy_qty"),
                sellQuantity: try reader.i64("sell_qty"), buyAverage: try reader.paise("buy_avg"),
                sellAverage: try reader.paise("sell_avg"), realizedProfit: try reader.paise("realized"),
                unrealizedProfit: try reader.paise("unrealized"))
        }
    }

    public var fields: [Field] {
        [
            .int("count", positions.count),
            Field(
                "positions",
                .list(
                    positions.map { position in
                        .object([
                            .text("instrument", position.instrument), .int("net_qty", position.netQuantity),
                            .paise("buy_avg", position.buyAverage), .paise("sell_avg", position.sellAverage),
                            .paise("realized", position.realizedProfit),
                        ])
                    })),
        ]
    }

    public var securityIDs: [SecurityID] { positions.map(\.instrument.securityID) }
}
