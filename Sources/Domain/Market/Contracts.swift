/// One option contract from the broker's instrument master.
public struct ContractSpec: Equatable, Sendable, Codable {
    /// The underlying's symbol as the engine configures it (NIFTY, BANKNIFTY, SENSEX).
    public var underlying: String
    public var instrument: InstrumentKey
    public var expiry: CivilDate
    public var strike: Paise
    public var type: OptionType
    public var lotSize: Int64
    public var tickSize: Paise

    public init(
        underlying: String, instrument: InstrumentKey, expiry: CivilDate, strike: Paise, type: OptionType,
        lotSize: Int64, tickSize: Paise
    ) {
        self.underlying = underlying
        self.instrument = instrument
        self.expiry = expiry
        self.strike = strike
        self.type = type
        self.lotSize = lotSize
        self.tickSize = tickSize
    }
}

/// The instrument master's option contracts for one underlying (journaled at start-up, so strike
/// selection and sizing replay with the day's contracts and lot sizes).
public struct ContractList: JournalPayload, Codable {
    public var underlying: String
    /// Sorted by expiry, strike, then type.
    public var contracts: [ContractSpec]

    public init(underlying: String, contracts: [ContractSpec]) {
        self.underlying = underlying
        self.contracts = contracts.sorted {
            ($0.expiry, $0.strike, $0.type.rawValue) < ($1.expiry, $1.strike, $1.type.rawValue)
        }
    }

    public func encode(to writer: inout BinaryWriter) {
        writer.string(underlying)
        writer.array(contracts) { writer, contract in
            writer.instrument(contract.instrument)
            writer.date(contract.expiry)
            writer.paise(contract.strike)
            writer.u8(contract.type.rawValue)
            writer.i64(contract.lotSize)
            writer.paise(contract.tickSize)
        }
    }

    public init(from reader: inout BinaryReader, version: UInt16) throws(DecodeError) {
        let underlying = try reader.string("underlying")
        self.underlying = underlying
        contracts = try reader.array("contracts") { reader throws(DecodeError) in
            ContractSpec(
                underlying: underlying, instrument: try reader.instrument("instrument"),
                expiry: try reader.date("expiry"),
                strike: try reader.paise("strike"), type: try reader.enumeration("type", OptionType.self),
                lotSize: try reader.i64("lot_size"), tickSize: try reader.paise("tick_size"))
        }
    }

    public var fields: [Field] {
        let expiries = Array(Set(contracts.map(\.expiry))).sorted()
        return [
            .string("underlying", underlying), .int("contracts", contracts.count),
            Field("expiries", .list(expiries.map { .string($0.description) })),
        ]
    }
}
