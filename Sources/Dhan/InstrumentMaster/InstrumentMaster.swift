import Domain
import Foundation

/// Index options from DhanHQ's detailed scrip master, with O(1) lookup by (underlying, expiry, strike, type).
public struct InstrumentMaster: Sendable {
    /// The lookup key of one option contract.
    public struct OptionKey: Hashable, Sendable {
        public var underlying: String
        public var expiry: CivilDate
        public var strike: Paise
        public var type: OptionType
    }

    /// Index instruments by symbol (`NIFTY` → IDX_I 13).
    public private(set) var indices: [String: InstrumentKey] = [:]
    private var options: [OptionKey: ContractSpec] = [:]
    /// Data rows read (all instruments).
    public private(set) var rowsRead = 0

    public var optionCount: Int { options.count }

    public func contract(underlying: String, expiry: CivilDate, strike: Paise, type: OptionType) -> ContractSpec? {
        options[OptionKey(underlying: underlying, expiry: expiry, strike: strike, type: type)]
    }

    /// One underlying's contracts, optionally only these expiries, for the journal's `contracts` event.
    ///
    /// In expiry, strike and type order: the dictionary's own order changes from process to process, and a
    /// journal must not.
    public func contracts(of underlying: String, expiries: Set<CivilDate>? = nil) -> ContractList {
        ContractList(
            underlying: underlying,
            contracts: options.values.filter { $0.underlying == underlying && (expiries?.contains($0.expiry) ?? true) }
                .sorted { ($0.expiry, $0.strike.value, $0.instrument) < ($1.expiry, $1.strike.value, $1.instrument) })
    }

    /// A scrip-master file that cannot be read, naming the line and the reason.
    public struct FormatError: Error, Equatable, CustomStringConvertible {
        public var source: String
        public var line: Int
        public var reason: String

        public var description: String { "\(source): line \(line): \(reason)" }
    }

    /// Stream-parses the detailed scrip-master CSV into the index rows and the wanted underlyings' options.
    ///
    /// An OPTIDX row is kept when its underlying symbol is in `underlyings`; kept rows must be well formed,
    /// other rows are skipped unread.
    public static func parse(_ data: Data, underlyings: Set<String>, source: String) throws(FormatError)
        -> InstrumentMaster
    {
        var master = InstrumentMaster()
        var columns: [String: Int] = [:]
        var wanted: Columns?
        var lineNumber = 0
        var failure: FormatError?
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var lineStart = 0
            var index = 0
            while index <= bytes.count && failure == nil {
                if index == bytes.count || bytes[index] == 0x0A {
                    var lineEnd = index
                    if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    lineNumber += 1
                    if lineEnd > lineStart {
                        let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])
                        if wanted == nil {
                            let header = splitCSV(line).map { $0.uppercased() }
                            for (position, name) in header.enumerated() { columns[name] = position }
                            do {
                                wanted = try Columns(columns, source: source)
                            } catch {
                                failure = error as? FormatError
                            }
                        } else if let wanted {
                            do {
                                try master.add(
                                    line, columns: wanted, underlyings: underlyings, line: lineNumber, source: source)
                            } catch {
                                failure = error as? FormatError
                            }
                        }
                    }
                    lineStart = index + 1
                }
                index += 1
            }
        }
        if let failure { throw failure }
        if wanted == nil { throw FormatError(source: source, line: 1, reason: "empty file: no header") }
        return master
    }

    /// Positions of the columns the parser reads.
    struct Columns {
        var exchange, segment, securityID, instrument, underlyingSymbol, symbolName, lotSize, expiry, strike,
            optionType, tickSize: Int

        init(_ columns: [String: Int], source: String) throws(FormatError) {
            func position(_ name: String) throws(FormatError) -> Int {
                guard let value = columns[name] else {
                    throw FormatError(
                        source: source, line: 1, reason: "no '\(name)' column (expected DhanHQ's detailed scrip master)"
                    )
                }
                return value
            }
            exchange = try position("EXCH_ID")
            segment = try position("SEGMENT")
            securityID = try position("SECURITY_ID")
            instrument = try position("INSTRUMENT")
            underlyingSymbol = try position("UNDERLYING_SYMBOL")
            symbolName = try position("SYMBOL_NAME")
            lotSize = try position("LOT_SIZE")
            expiry = try position("SM_EXPIRY_DATE")
            strike = try position("STRIKE_PRICE")
            optionType = try position("OPTION_TYPE")
            tickSize = try position("TICK_SIZE")
        }
    }

    private mutating func add(
        _ line: UnsafeRawBufferPointer, columns: Columns, underlyings: Set<String>, line number: Int, source: String
    ) throws(FormatError) {
        rowsRead += 1
        // Cheap pre-filter: only index rows and OPTIDX rows are split into fields.
        let isOption = contains(line, "OPTIDX")
        let isIndex = contains(line, ",INDEX,")
        guard isOption || isIndex else { return }
        // Field boundaries only; Strings are made for the few fields read. Quoted lines take the slow path.
        let quoted = line.contains(0x22)
        let slowFields = quoted ? Self.splitCSV(line) : []
        var bounds: [Range<Int>] = []
        if !quoted {
            bounds.reserveCapacity(32)
            var start = 0
            for index in 0..<line.count where line[index] == 0x2C {
                bounds.append(start..<index)
                start = index + 1
            }
            bounds.append(start..<line.count)
        }
        func field(_ position: Int) -> String {
            if quoted { return position < slowFields.count ? slowFields[position] : "" }
            guard position < bounds.count else { return "" }
            return String(decoding: UnsafeRawBufferPointer(rebasing: line[bounds[position]]), as: UTF8.self)
        }
        func fail(_ reason: String) -> FormatError { FormatError(source: source, line: number, reason: reason) }
        let exchange = field(columns.exchange)
        let segmentCode = field(columns.segment)
        if field(columns.instrument) == "INDEX" {
            guard let id = UInt32(field(columns.securityID)) else { return }
            indices[
                field(columns.underlyingSymbol).isEmpty ? field(columns.symbolName) : field(columns.underlyingSymbol)] =
                InstrumentKey(.indexValue, SecurityID(id))
            return
        }
        guard field(columns.instrument) == "OPTIDX", underlyings.contains(field(columns.underlyingSymbol)) else {
            return
        }
        let segment: ExchangeSegment
        switch (exchange, segmentCode) {
        case ("NSE", "D"): segment = .nseFNO
        case ("BSE", "D"): segment = .bseFNO
        default: throw fail("OPTIDX row with exchange \(exchange) and segment \(segmentCode)")
        }
        guard let id = UInt32(field(columns.securityID)) else {
            throw fail("SECURITY_ID '\(field(columns.securityID))' is not a number")
        }
        guard let lot = Double(field(columns.lotSize)), lot >= 1, lot <= 1_000_000, lot == lot.rounded() else {
            throw fail("LOT_SIZE '\(field(columns.lotSize))' is not a whole number from 1 to 1,000,000")
        }
        guard let expiry = CivilDate(iso: field(columns.expiry)) else {
            throw fail("SM_EXPIRY_DATE '\(field(columns.expiry))' is not a date")
        }
        guard let strikeValue = Double(field(columns.strike)),
            let strike = try? Paise(price: strikeValue, field: "STRIKE_PRICE")
        else {
            throw fail("STRIKE_PRICE '\(field(columns.strike))' is not a price")
        }
        let type: OptionType
        switch field(columns.optionType) {
        case "CE": type = .call
        case "PE": type = .put
        case let other: throw fail("OPTION_TYPE '\(other)' is not CE or PE")
        }
        // The detailed master has shown TICK_SIZE in paise (5.0 for ₹0.05); a value below 1 is read as rupees.
        let tickValue = Double(field(columns.tickSize)) ?? 5
        guard tickValue.isFinite, tickValue > 0, tickValue <= 100_000 else {
            throw fail("TICK_SIZE '\(field(columns.tickSize))' is not a tick size")
        }
        let tick =
            tickValue < 1
            ? Paise((tickValue * 100).rounded().isFinite ? Int64((tickValue * 100).rounded()) : 5)
            : Paise(Int64(tickValue.rounded()))
        let underlying = field(columns.underlyingSymbol)
        let contract = ContractSpec(
            underlying: underlying, instrument: InstrumentKey(segment, SecurityID(id)), expiry: expiry, strike: strike,
            type: type,
            lotSize: Int64(lot), tickSize: tick)
        options[OptionKey(underlying: underlying, expiry: expiry, strike: strike, type: type)] = contract
    }

    private func contains(_ line: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard line.count >= count else { return false }
        let first = needle.utf8Start[0]
        var index = 0
        while index <= line.count - count {
            if line[index] == first {
                var matched = true
                for offset in 1..<count where line[index + offset] != needle.utf8Start[offset] {
                    matched = false
                    break
                }
                if matched { return true }
            }
            index += 1
        }
        return false
    }

    /// Splits one CSV line, honouring double-quoted fields (with "" as an escaped quote).
    static func splitCSV(_ line: UnsafeRawBufferPointer) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var index = 0
        while index < line.count {
            let byte = line[index]
            if quoted {
                if byte == 0x22 {
                    if index + 1 < line.count && line[index + 1] == 0x22 {
                        current.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(byte)
                }
            } else if byte == 0x22 {
                quoted = true
            } else if byte == 0x2C {
                fields.append(String(decoding: current, as: UTF8.self).trimmingCharacters(in: .whitespaces))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
            index += 1
        }
        fields.append(String(decoding: current, as: UTF8.self).trimmingCharacters(in: .whitespaces))
        return fields
    }
}
