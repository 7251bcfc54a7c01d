// Compact Codable forms of the domain's wrapper values: a plain number each, so that a serialized state
// (the engine's snapshots) stays small and quick to read. Round trips are exact.

extension Paise {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension Timestamp {
    public init(from decoder: any Decoder) throws {
        self.init(nanos: try decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanos)
    }
}

extension SecurityID {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(UInt32.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension CivilDate {
    /// As days since 1970-01-01, within 1900–2199 as the journal's binary reader takes them: beyond, the
    /// calendar arithmetic overflows.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let days = try container.decode(Int64.self)
        guard (-25_567...84_005).contains(days) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\(days) days from 1970-01-01 is outside 1900-2199")
        }
        self.init(daysSinceEpoch: days)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(daysSinceEpoch)
    }
}

extension InstrumentKey {
    /// As `segment << 32 | security id`.
    public init(from decoder: any Decoder) throws {
        let packed = try decoder.singleValueContainer().decode(UInt64.self)
        guard let segment = ExchangeSegment(rawValue: UInt8(truncatingIfNeeded: packed >> 32)) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown exchange segment in \(packed)"))
        }
        self.init(segment, SecurityID(UInt32(truncatingIfNeeded: packed)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(UInt64(segment.rawValue) << 32 | UInt64(securityID.value))
    }
}
