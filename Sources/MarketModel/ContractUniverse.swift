import Domain
import Foundation

/// The option contracts a simulated day lists: every index's expiries from the calendar, strikes around the
/// day's open, security ids assigned in a fixed order so the same day always gets the same ids.
public struct ContractUniverse: Sendable {
    public let indices: [IndexSpec]
    public let contracts: [ContractSpec]
    private let byID: [InstrumentKey: Int]
    /// Each index's expiries, ascending (asked for on every option-chain request).
    private let expiriesBySymbol: [String: [CivilDate]]

    /// Strikes listed on each side of the opening ATM strike.
    public static let strikesEachSide = 40
    /// Expiries listed per index.
    public static let expiriesPerIndex = 4

    public init(indices: [IndexSpec], date: CivilDate, openLevels: [String: Double], calendar: TradingCalendar) {
        var contracts: [ContractSpec] = []
        var nextNSE: UInt32 = 35_000
        var nextBSE: UInt32 = 800_000
        for spec in indices {
            guard let step = spec.strikeStep, let open = openLevels[spec.symbol] else { continue }
            let expiries = calendar.expiries(of: spec.symbol, onOrAfter: date, count: Self.expiriesPerIndex)
            let atm = (Int64((open * 100).rounded()) + step.value / 2) / step.value * step.value
            for expiry in expiries {
                for offset in -Self.strikesEachSide...Self.strikesEachSide {
                    for type in OptionType.allCases {
                        let id: UInt32
                        if spec.exchange == .bse {
                            id = nextBSE
                            nextBSE += 1
                        } else {
                            id = nextNSE
                            nextNSE += 1
                        }
                        contracts.append(
                            ContractSpec(
                                underlying: spec.symbol, instrument: InstrumentKey(spec.optionSegment, SecurityID(id)),
                                expiry: expiry, strike: Paise(atm + step.value * Int64(offset)), type: type,
                                lotSize: spec.lotSize(expiry: expiry), tickSize: Paise(5)))
                    }
                }
            }
        }
        self.indices = indices
        self.contracts = contracts
        var byID: [InstrumentKey: Int] = [:]
        for (position, contract) in contracts.enumerated() { byID[contract.instrument] = position }
        self.byID = byID
        var expiries: [String: Set<CivilDate>] = [:]
        for contract in contracts { expiries[contract.underlying, default: []].insert(contract.expiry) }
        expiriesBySymbol = expiries.mapValues { $0.sorted() }
    }

    public func contract(_ key: InstrumentKey) -> ContractSpec? { byID[key].map { contracts[$0] } }

    public func index(_ key: InstrumentKey) -> IndexSpec? {
        key.segment == .indexValue ? indices.first { $0.securityID == key.securityID } : nil
    }

    public func index(symbol: String) -> IndexSpec? { indices.first { $0.symbol == symbol } }

    /// Expiries listed for one index, ascending.
    public func expiries(of symbol: String) -> [CivilDate] {
        expiriesBySymbol[symbol] ?? []
    }

    /// DhanHQ's detailed scrip-master CSV for this universe (the columns the real file starts with).
    public func detailedScripMasterCSV() -> String {
        var lines = [
            "EXCH_ID,SEGMENT,SECURITY_ID,ISIN,INSTRUMENT,UNDERLYING_SECURITY_ID,UNDERLYING_SYMBOL,SYMBOL_NAME,DISPLAY_NAME,INSTRUMENT_TYPE,SERIES,LOT_SIZE,SM_EXPIRY_DATE,STRIKE_PRICE,OPTION_TYPE,TICK_SIZE,EXPIRY_FLAG,BRACKET_FLAG,COVER_FLAG,ASM_GSM_FLAG,ASM_GSM_CATEGORY,BUY_SELL_INDICATOR"
        ]
        let names = ["NIFTY": "Nifty 50", "BANKNIFTY": "Nifty Bank", "SENSEX": "Sensex", "INDIA VIX": "India VIX"]
        for spec in indices {
            lines.append(
                "\(spec.exchange == .bse ? "BSE" : "NSE"),I,\(spec.securityID),NA,INDEX,\(spec.securityID),\(spec.symbol),\(spec.symbol),\(names[spec.symbol] ?? spec.symbol),INDEX,NA,1.0,0001-01-01,-0.01000,XX,5.0000,NA,N,N,N,NA,A"
            )
        }
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        for contract in contracts {
            guard let spec = index(symbol: contract.underlying) else { continue }
            let monthly = isMonthly(contract.expiry, of: contract.underlying)
            let strike = contract.strike.value / 100
            let display =
                "\(contract.underlying) \(String(format: "%02d", contract.expiry.day)) \(months[contract.expiry.month - 1]) \(strike) \(contract.type == .call ? "CALL" : "PUT")"
            lines.append(
                "\(spec.exchange == .bse ? "BSE" : "NSE"),D,\(contract.instrument.securityID),NA,OPTIDX,\(spec.securityID),\(contract.underlying),\(contract.underlying),\(display),OP,NA,\(contract.lotSize).0,\(contract.expiry) 14:30:00,\(strike).00000,\(contract.type.code),5.0000,\(monthly ? "M" : "W"),N,N,N,NA,A"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// True when no later expiry of the same index falls in the same month.
    private func isMonthly(_ expiry: CivilDate, of symbol: String) -> Bool {
        let next = expiry.adding(days: 7)
        return next.month != expiry.month
    }
}
