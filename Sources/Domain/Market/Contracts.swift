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
///
/// In JSON (the state snapshot, and the state hash that is taken over it) the contracts are their journal
/// payload in hex: as keyed objects they were four fifths of a snapshot's bytes and most of the time
/// spent encoding it, twice per snapshot.
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

extension ContractList {
    private enum CodingKeys: String, CodingKey {
        case underlying
        case payload
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(underlying, forKey: .underlying)
        var writer = BinaryWriter(capacity: 64 + contracts.count * 40)
        encode(to: &writer)
        try container.encode(HexBytes.encode(writer.finish()), forKey: .payload)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let underlying = try container.decode(String.self, forKey: .underlying)
        guard let payload = HexBytes.decode(try container.decode(String.self, forKey: .payload)) else {
            throw DecodingError.dataCorruptedError(
                forKey: .payload, in: container, debugDescription: "the contracts payload is not hex")
        }
        let decoded = payload.withUnsafeBytes { raw -> Result<ContractList, DecodeError> in
            var reader = BinaryReader(raw)
            do throws(DecodeError) {
                let list = try ContractList(from: &reader, version: EntryKind.contracts.currentVersion)
                guard reader.isAtEnd else {
                    return .failure(
                        DecodeError(field: "contracts", offset: reader.offset, reason: "bytes after the list"))
                }
                return .success(list)
            } catch {
                return .failure(error)
            }
        }
        switch decoded {
        case .success(let list) where list.underlying == underlying:
            self = list
        case .success(let list):
            throw DecodingError.dataCorruptedError(
                forKey: .payload, in: container,
                debugDescription: "the payload lists \(list.underlying)'s contracts under \(underlying)")
        case .failure(let error):
            throw DecodingError.dataCorruptedError(
                forKey: .payload, in: container, debugDescription: "the contracts payload: \(error)")
        }
    }
}
