import Domain
import Foundation
import Testing

@Suite("Money, time and ids")
struct ValueTypeTests {
    @Test("feed floats become paise once, rounded to the nearest paisa")
    func paiseConversion() throws {
        #expect(try Paise(price: 245.1, field: "ltp") == Paise(24_510))
        #expect(try Paise(price: 25935.099609375, field: "ltp") == Paise(2_593_510))
        #expect(try Paise(price: 247.8000030517578, field: "ltp") == Paise(24_780))
        #expect(try Paise(price: 0.05, field: "ltp") == Paise(5))
        #expect(try Paise(amount: -12.345, field: "realizedProfit") == Paise(-1_235))
        #expect(Paise(-1_205).description == "-12.05")
        #expect(Paise.rupees(75_000).description == "75000.00")
    }

    @Test("NaN, infinity and negative prices are refused, naming the field")
    func badPrices() {
        #expect(throws: InvalidPriceError(field: "ltp", value: .nan, reason: "not a number")) {
            try Paise(price: .nan, field: "ltp")
        }
        #expect(throws: InvalidPriceError(field: "ask", value: .infinity, reason: "infinite")) {
            try Paise(price: .infinity, field: "ask")
        }
        #expect(throws: InvalidPriceError(field: "bid", value: -0.05, reason: "negative")) {
            try Paise(price: -0.05, field: "bid")
        }
        #expect(throws: InvalidPriceError(field: "pnl", value: -.infinity, reason: "infinite")) {
            try Paise(amount: -.infinity, field: "pnl")
        }
        #expect(
            "\(InvalidPriceError(field: "ltp", value: -1, reason: "negative"))"
                == "invalid price in ltp: -1.0 is negative")
    }

    @Test("timestamps format in IST (UTC+05:30, no DST)")
    func istFormatting() {
        let open = Timestamp(epochSeconds: 1_761_536_700)  // 2025-10-27 03:45 UTC
        #expect(open.istString == "2025-10-27 09:15:00.000")
        #expect(open.iso8601IST == "2025-10-27T09:15:00.000+05:30")
        #expect(open.istSecondOfDay == 9 * 3600 + 15 * 60)
        #expect(Timestamp.ist(CivilDate(2025, 10, 27), 9, 15) == open)
        #expect(Timestamp(epochSeconds: 1_735_669_800).istDate == CivilDate(2025, 1, 1))  // 2024-12-31 18:30 UTC
    }

    @Test("civil dates: weekday, day arithmetic and parsing")
    func civilDates() {
        #expect(CivilDate(2025, 11, 4).weekday == 2)  // a Tuesday
        #expect(CivilDate(1970, 1, 1).daysSinceEpoch == 0)
        #expect(CivilDate(2024, 2, 28).adding(days: 1) == CivilDate(2024, 2, 29))
        #expect(CivilDate(2026, 12, 31).adding(days: 1) == CivilDate(2027, 1, 1))
        #expect(CivilDate(iso: "2025-11-04 14:30:00") == CivilDate(2025, 11, 4))
        #expect(CivilDate(iso: "2025-02-30") == nil)
        #expect(CivilDate(iso: "25-1-1x") == nil)
        #expect(CivilDate(2025, 3, 7).description == "2025-03-07")
        // Written in place for years 0–9999, padded field by field otherwise: the same text either way.
        func padded(_ date: CivilDate) -> String {
            func pad(_ value: Int, _ width: Int) -> String {
                let text = String(value)
                return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
            }
            return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
        }
        var dates = [CivilDate(0, 1, 1), CivilDate(9999, 12, 31), CivilDate(10_000, 1, 1), CivilDate(-1, 12, 31)]
        for days in stride(from: Int64(-800_000), through: 3_000_000, by: 997) {
            dates.append(CivilDate(daysSinceEpoch: days))
        }
        for date in dates { #expect(date.description == padded(date), "\(date.year) \(date.month) \(date.day)") }
    }

    @Test("a civil date decodes from its day count within 1900-2199; beyond, an error, not an overflow trap")
    func civilDateDecodingRange() throws {
        for date in [CivilDate(1900, 1, 1), CivilDate(2025, 11, 4), CivilDate(2199, 12, 31)] {
            #expect(try JSONDecoder().decode(CivilDate.self, from: JSONEncoder().encode(date)) == date)
        }
        for days in ["-25568", "84006", "9223372036854775807", "-9223372036854775808"] {
            let error = #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(CivilDate.self, from: Data(days.utf8))
            }
            #expect("\(String(describing: error))".contains("\(days) days from 1970-01-01 is outside 1900-2199"))
        }
    }

    @Test("civil dates order as their day counts do (across months, years and leap days)")
    func civilDateOrder() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let a = Int64.random(in: -800_000...800_000, using: &generator)
            let b = a + Int64.random(in: -400...400, using: &generator)
            let (first, second) = (CivilDate(daysSinceEpoch: a), CivilDate(daysSinceEpoch: b))
            #expect((first < second) == (a < b), "\(first) vs \(second)")
            #expect((second < first) == (b < a))
        }
    }

    @Test("correlation ids are at most 25 characters of letters, digits, - and _")
    func correlationIDs() {
        let derived = CorrelationID(session: CivilDate(2025, 10, 27), commandSeq: 99_999_999_999_999)
        #expect(derived.value == "AS20251027-99999999999999")
        #expect(derived.value.count == 25)
        #expect(CorrelationID(derived.value) == derived)
        #expect(CorrelationID(String(repeating: "a", count: 26)) == nil)
        #expect(CorrelationID("has space") == nil)
        #expect(CorrelationID("") == nil)
        #expect(CorrelationID("ok_ID-1") != nil)
    }

    @Test("segments keep DhanHQ's feed codes and names")
    func segments() {
        #expect(ExchangeSegment.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 7, 8])
        #expect(ExchangeSegment(apiName: "NSE_FNO") == .nseFNO)
        #expect(ExchangeSegment.bseFNO.apiName == "BSE_FNO")
        #expect(OrderStatus(apiName: "Cancelled") == .cancelled)
        #expect(OrderStatus(apiName: "MODIFIED") == .other("MODIFIED"))
    }
}
