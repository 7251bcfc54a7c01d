import Dhan
import Domain
import Foundation
import Testing

@Suite("Instrument master (detailed scrip-master CSV)")
struct InstrumentMasterTests {
    static let header =
        "EXCH_ID,SEGMENT,SECURITY_ID,ISIN,INSTRUMENT,UNDERLYING_SECURITY_ID,UNDERLYING_SYMBOL,SYMBOL_NAME,DISPLAY_NAME,INSTRUMENT_TYPE,SERIES,LOT_SIZE,SM_EXPIRY_DATE,STRIKE_PRICE,OPTION_TYPE,TICK_SIZE,EXPIRY_FLAG,BRACKET_FLAG"
    static let rows = [
        "NSE,I,13,NA,INDEX,13,NIFTY,NIFTY 50,Nifty 50,INDEX,NA,1.0,0001-01-01,-0.01000,XX,5.0000,NA,N",
        "NSE,I,25,NA,INDEX,25,BANKNIFTY,NIFTY BANK,Nifty Bank,INDEX,NA,1.0,0001-01-01,-0.01000,XX,5.0000,NA,N",
        "NSE,E,1333,INE040A01034,EQUITY,,,\"HDFC BANK, LTD\",HDFC Bank,ES,EQ,1.0,0001-01-01,-0.01000,XX,10.0000,NA,Y",
        "NSE,D,49081,NA,OPTIDX,13,NIFTY,NIFTY,NIFTY 04 NOV 25700 CALL,OP,NA,75.0,2025-11-04 14:30:00,25700.00000,CE,5.0000,W,N",
        "NSE,D,49082,NA,OPTIDX,13,NIFTY,NIFTY,NIFTY 04 NOV 25700 PUT,OP,NA,75.0,2025-11-04 14:30:00,25700.00000,PE,5.0000,W,N",
        "NSE,D,61234,NA,OPTIDX,13,NIFTY,NIFTY,NIFTY 27 JAN 26000 CALL,OP,NA,65.0,2026-01-27 14:30:00,26000.00000,CE,5.0000,M,N",
        "NSE,D,70001,NA,OPTIDX,25,BANKNIFTY,BANKNIFTY,BANKNIFTY 25 NOV 57000 CALL,OP,NA,35.0,2025-11-25 14:30:00,57000.00000,CE,5.0000,M,N",
        "BSE,D,880001,NA,OPTIDX,51,SENSEX,SENSEX,SENSEX 06 NOV 84000 PUT,OP,NA,20.0,2025-11-06 14:30:00,84000.00000,PE,0.05,W,N",
        "NSE,D,35001,NA,FUTIDX,13,NIFTY,NIFTY,NIFTY NOV FUT,FUT,NA,75.0,2025-11-25 14:30:00,-0.01000,XX,10.0000,M,N",
    ]

    static func csv(_ rows: [String] = rows, crlf: Bool = false) -> Data {
        Data(([header] + rows).joined(separator: crlf ? "\r\n" : "\n").utf8)
    }

    @Test(
        "keeps index rows and the wanted underlyings' options; O(1) lookup by underlying, expiry, strike and type",
        arguments: [false, true])
    func parses(crlf: Bool) throws {
        let master = try InstrumentMaster.parse(
            Self.csv(crlf: crlf), underlyings: ["NIFTY", "SENSEX"], source: "master.csv")
        #expect(master.rowsRead == Self.rows.count)
        #expect(master.optionCount == 4)
        #expect(
            master.indices["NIFTY"] == InstrumentKey(.indexValue, 13)
                && master.indices["BANKNIFTY"] == InstrumentKey(.indexValue, 25))
        let call = try #require(
            master.contract(underlying: "NIFTY", expiry: CivilDate(2025, 11, 4), strike: .rupees(25_700), type: .call))
        #expect(call.instrument == InstrumentKey(.nseFNO, 49081) && call.lotSize == 75 && call.tickSize == Paise(5))
        #expect(
            master.contract(underlying: "NIFTY", expiry: CivilDate(2026, 1, 27), strike: .rupees(26_000), type: .call)?
                .lotSize == 65)
        let sensex = try #require(
            master.contract(underlying: "SENSEX", expiry: CivilDate(2025, 11, 6), strike: .rupees(84_000), type: .put))
        #expect(
            sensex.instrument == InstrumentKey(.bseFNO, 880001) && sensex.lotSize == 20 && sensex.tickSize == Paise(5))
        #expect(
            master.contract(
                underlying: "BANKNIFTY", expiry: CivilDate(2025, 11, 25), strike: .rupees(57_000), type: .call) == nil)
        let list = master.contracts(of: "NIFTY", expiries: [CivilDate(2025, 11, 4)])
        #expect(list.contracts.map(\.instrument.securityID) == [49081, 49082])
    }

    @Test("a malformed kept row or a missing column is an error naming the line; other rows are not validated")
    func errors() {
        var rows = Self.rows
        rows[4] = "NSE,D,49082,NA,OPTIDX,13,NIFTY,NIFTY,BROKEN,OP,NA,75.0,2025-11-04 14:30:00,abc,PE,5.0000,W,N"
        #expect {
            try InstrumentMaster.parse(Self.csv(rows), underlyings: ["NIFTY"], source: "master.csv")
        } throws: { error in
            "\(error)" == "master.csv: line 6: STRIKE_PRICE 'abc' is not a price"
        }
        #expect(throws: InstrumentMaster.FormatError.self) {
            try InstrumentMaster.parse(Data("EXCH_ID,SEGMENT\nNSE,D\n".utf8), underlyings: ["NIFTY"], source: "x.csv")
        }
        // BANKNIFTY is not wanted, so its malformed row does not stop the parse.
        var other = Self.rows
        other[6] = "NSE,D,70001,NA,OPTIDX,25,BANKNIFTY,BANKNIFTY,X,OP,NA,lots,2025-11-25,57000,CE,5,M,N"
        #expect(
            (try? InstrumentMaster.parse(Self.csv(other), underlyings: ["NIFTY"], source: "m.csv"))?.optionCount == 3)
    }
}
