import Domain
import Foundation
import TestSupport
import Testing

@Suite("IST trading calendar")
struct TradingCalendarTests {
    let calendar: TradingCalendar

    init() throws {
        let text = try String(contentsOfFile: Fixtures.path("config/calendar.yml"), encoding: .utf8)
        calendar = try TradingCalendar.parse(yaml: text)
    }

    @Test("a decoded calendar round-trips; expiries on an exchange without a calendar, or on a weekend, are refused")
    func decodingRefusesWhatParsingRefuses() throws {
        let data = try JSONEncoder().encode(calendar)
        #expect(try JSONDecoder().decode(TradingCalendar.self, from: data) == calendar)
        func decode(_ change: (inout [String: Any]) -> Void) throws -> String? {
            var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            change(&object)
            do {
                _ = try JSONDecoder().decode(
                    TradingCalendar.self, from: try JSONSerialization.data(withJSONObject: object))
                return nil
            } catch {
                return "\(error)"
            }
        }
        // Without BSE's calendar, SENSEX's expiries had no trading day before a holiday: the search never ended
        // (found by the snapshot fuzz target).
        let noBSE = try decode { object in
            var exchanges = object["exchanges"] as! [Any]
            let index = exchanges.firstIndex { ($0 as? String) == "BSE" }!
            exchanges.removeSubrange(index...index + 1)
            object["exchanges"] = exchanges
        }
        #expect(noBSE?.contains("SENSEX expires on BSE, which has no calendar") == true, "\(noBSE ?? "decoded")")
        let sunday = try decode { object in
            var schedules = object["expirySchedules"] as! [String: Any]
            var nifty = schedules["NIFTY"] as! [String: Any]
            var rules = nifty["rules"] as! [[String: Any]]
            rules[0]["cadence"] = ["weekly": ["weekday": 7]]
            nifty["rules"] = rules
            schedules["NIFTY"] = nifty
            object["expirySchedules"] = schedules
        }
        #expect(sunday?.contains("NIFTY expires on weekday 7") == true, "\(sunday ?? "decoded")")
    }

    @Test("trading-day counts match RULES.md: 248 in 2025, 246 in 2026, on both exchanges")
    func tradingDayCounts() {
        for exchange in Exchange.allCases {
            #expect(
                calendar.tradingDays(from: CivilDate(2025, 1, 1), through: CivilDate(2025, 12, 31), exchange: exchange)
                    .count == 248)
            #expect(
                calendar.tradingDays(from: CivilDate(2026, 1, 1), through: CivilDate(2026, 12, 31), exchange: exchange)
                    .count == 246)
        }
    }

    @Test("holidays, weekends, budget-day special sessions and Muhurat days")
    func specialDays() {
        #expect(!calendar.isTradingDay(CivilDate(2025, 10, 21)))  // Diwali: Muhurat only
        #expect(calendar.holiday(on: CivilDate(2025, 10, 21)) == "Diwali Laxmi Pujan")
        #expect(calendar.isTradingDay(CivilDate(2025, 2, 1)))  // Saturday budget session
        #expect(calendar.isTradingDay(CivilDate(2026, 2, 1)))  // Sunday budget session
        #expect(!calendar.isTradingDay(CivilDate(2025, 11, 1)))  // a Saturday
        #expect(!calendar.isTradingDay(CivilDate(2026, 1, 15), exchange: .bse))
        #expect(calendar.nextTradingDay(after: CivilDate(2025, 10, 20)) == CivilDate(2025, 10, 23))
        #expect(calendar.previousTradingDay(before: CivilDate(2025, 10, 27)) == CivilDate(2025, 10, 24))
        #expect(calendar.covers(CivilDate(2026, 12, 31)) && !calendar.covers(CivilDate(2027, 1, 1)))
    }

    @Test("the session is [09:15, 15:30) IST, to the second")
    func sessionBoundaries() {
        let day = CivilDate(2025, 10, 27)
        #expect(!calendar.isOpen(at: Timestamp(epochSeconds: Timestamp.ist(day, 9, 15).epochSeconds - 1)))
        #expect(calendar.isOpen(at: Timestamp.ist(day, 9, 15)))
        #expect(calendar.isOpen(at: Timestamp.ist(day, 15, 29, 59)))
        #expect(!calendar.isOpen(at: Timestamp.ist(day, 15, 30)))
        #expect(!calendar.isOpen(at: Timestamp.ist(CivilDate(2025, 10, 21), 14, 0)))  // Muhurat is not traded
    }

    @Test("NIFTY weekly expiries: the real expiry list, the Thursday→Tuesday switch and holiday shifts")
    func niftyExpiries() throws {
        let listed = try ReferenceData.dhanResponse("nifty-expirylist-2025-11-01.json")["data"] as! [String]
        let upcoming = calendar.expiries(of: "NIFTY", onOrAfter: CivilDate(2025, 11, 1), count: 9)
        for date in listed.compactMap({ CivilDate(iso: $0) }) where date <= CivilDate(2026, 1, 1) {
            #expect(upcoming.contains(date), "\(date) is listed by DhanHQ")
        }
        #expect(
            Array(upcoming.prefix(5)) == [
                CivilDate(2025, 11, 4), CivilDate(2025, 11, 11), CivilDate(2025, 11, 18), CivilDate(2025, 11, 25),
                CivilDate(2025, 12, 2),
            ])
        #expect(
            calendar.expiries(of: "NIFTY", onOrAfter: CivilDate(2025, 8, 26), count: 2) == [
                CivilDate(2025, 8, 28), CivilDate(2025, 9, 2),
            ])
        let shifted: [(CivilDate, CivilDate)] = [
            (CivilDate(2025, 10, 21), CivilDate(2025, 10, 20)), (CivilDate(2026, 3, 3), CivilDate(2026, 3, 2)),
            (CivilDate(2026, 3, 31), CivilDate(2026, 3, 30)), (CivilDate(2026, 4, 14), CivilDate(2026, 4, 13)),
            (CivilDate(2026, 10, 20), CivilDate(2026, 10, 19)), (CivilDate(2026, 11, 10), CivilDate(2026, 11, 9)),
            (CivilDate(2026, 11, 24), CivilDate(2026, 11, 23)),
        ]
        for (nominal, actual) in shifted {
            #expect(calendar.nextExpiry(of: "NIFTY", onOrAfter: nominal.adding(days: -3)) == actual, "\(nominal)")
            #expect(calendar.isExpiryDay(actual, of: "NIFTY"))
        }
    }

    @Test("BANKNIFTY monthly expiries: last Tuesday from September 2025, shifted before holidays")
    func bankNiftyExpiries() {
        let months = calendar.expiries(of: "BANKNIFTY", onOrAfter: CivilDate(2026, 1, 1), count: 12)
        #expect(
            months == [
                CivilDate(2026, 1, 27), CivilDate(2026, 2, 24), CivilDate(2026, 3, 30), CivilDate(2026, 4, 28),
                CivilDate(2026, 5, 26), CivilDate(2026, 6, 30), CivilDate(2026, 7, 28), CivilDate(2026, 8, 25),
                CivilDate(2026, 9, 29), CivilDate(2026, 10, 27), CivilDate(2026, 11, 23), CivilDate(2026, 12, 29),
            ])
        #expect(
            calendar.expiries(of: "BANKNIFTY", onOrAfter: CivilDate(2025, 8, 1), count: 2) == [
                CivilDate(2025, 8, 28), CivilDate(2025, 9, 30),
            ])
    }

    @Test("SENSEX weekly expiries: Thursday from September 2025, shifted before BSE holidays")
    func sensexExpiries() {
        #expect(calendar.nextExpiry(of: "SENSEX", onOrAfter: CivilDate(2025, 9, 1)) == CivilDate(2025, 9, 4))
        #expect(calendar.nextExpiry(of: "SENSEX", onOrAfter: CivilDate(2025, 8, 25)) == CivilDate(2025, 8, 26))
        for (nominal, actual) in [
            (CivilDate(2025, 10, 2), CivilDate(2025, 10, 1)), (CivilDate(2025, 12, 25), CivilDate(2025, 12, 24)),
            (CivilDate(2026, 1, 15), CivilDate(2026, 1, 14)), (CivilDate(2026, 3, 26), CivilDate(2026, 3, 25)),
            (CivilDate(2026, 5, 28), CivilDate(2026, 5, 27)),
        ] {
            #expect(calendar.nextExpiry(of: "SENSEX", onOrAfter: nominal.adding(days: -1)) == actual, "\(nominal)")
        }
        #expect(calendar.expiries(of: "FINNIFTY", onOrAfter: CivilDate(2025, 9, 1), count: 3).isEmpty)
    }

    @Test("the expiry table gives the scan's answer for every day from before the coverage to long after it")
    func expiryTableMatchesTheScan() throws {
        // The shipped calendar, and one with a schedule that starts late, goes monthly and back, on holidays.
        let holidays = Dictionary(
            uniqueKeysWithValues: [CivilDate(2025, 3, 25), CivilDate(2025, 4, 29), CivilDate(2025, 4, 28)].map {
                ($0, "holiday")
            })
        let odd = TradingCalendar(
            coverage: CivilDate(2025, 1, 1)...CivilDate(2025, 12, 31),
            exchanges: [.nse: ExchangeCalendar(regular: SessionHours(open: 33_300, close: 55_800), holidays: holidays)],
            expirySchedules: [
                "ODD": ExpirySchedule(
                    exchange: .nse,
                    rules: [
                        ExpiryRule(effectiveFrom: CivilDate(2025, 2, 10), cadence: .weekly(weekday: 2)),
                        ExpiryRule(effectiveFrom: CivilDate(2025, 3, 1), cadence: .monthly(weekday: 2)),
                        ExpiryRule(effectiveFrom: CivilDate(2025, 6, 2), cadence: .weekly(weekday: 4)),
                    ])
            ])
        var answered = 0
        var asked = 0
        for calendar in [calendar, odd] {
            let days = Int(calendar.coverage.upperBound.daysSinceEpoch - calendar.coverage.lowerBound.daysSinceEpoch)
            for underlying in calendar.expirySchedules.keys.sorted() {
                for offset in -120...(days + 800) {
                    let date = calendar.coverage.lowerBound.adding(days: offset)
                    for count in [1, 2, 3, 4, 16] {
                        let scanned = calendar.scannedExpiries(of: underlying, onOrAfter: date, count: count)
                        #expect(
                            calendar.expiries(of: underlying, onOrAfter: date, count: count) == scanned,
                            "\(underlying) \(date) \(count)")
                        asked += 1
                        if let table = calendar.tabulatedExpiries(of: underlying, onOrAfter: date, count: count) {
                            #expect(table == scanned, "\(underlying) \(date) \(count)")
                            answered += 1
                        } else if calendar.covers(date) && count <= 4 && scanned.count == count {
                            Issue.record("the table did not answer \(underlying) \(date) \(count) inside the coverage")
                        }
                    }
                }
            }
        }
        // Most questions are answered by the table (the rest fall outside its span and go to the scan).
        #expect(answered * 2 > asked, "\(answered) of \(asked)")
        // The table follows the calendar it belongs to, and is not part of its equality or its encoding.
        var edited = calendar
        edited.exchanges[.nse]?.holidays[CivilDate(2026, 1, 6)] = "test"
        #expect(calendar.nextExpiry(of: "NIFTY", onOrAfter: CivilDate(2026, 1, 5)) == CivilDate(2026, 1, 6))
        #expect(edited.nextExpiry(of: "NIFTY", onOrAfter: CivilDate(2026, 1, 5)) == CivilDate(2026, 1, 5))
        let decoded = try JSONDecoder().decode(TradingCalendar.self, from: JSONEncoder().encode(calendar))
        #expect(decoded == calendar)
        #expect(decoded.tabulatedExpiries(of: "NIFTY", onOrAfter: CivilDate(2026, 1, 6), count: 2) != nil)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(calendar)) as? [String: Any]
        #expect(encoded?.keys.sorted() == ["coverage", "exchanges", "expirySchedules"])
    }

    @Test(
        "bad calendar data is refused with the file, key and reason",
        arguments: [
            (
                "coverage: {from: 2025-01-01, through: 2025-12-31}\nsession: {open: \"09:15\", close: \"15:30\"}\nexchanges: {}\nexpiries: {}\nextra: 1\n",
                "cal.yml: extra: unknown key (allowed: coverage, exchanges, expiries, session)"
            ),
            (
                "coverage: {from: 2025-01-01, through: 2025-12-31}\nsession: {open: \"9:15\", close: \"15:30\"}\nexchanges: {}\nexpiries: {}\n",
                "cal.yml: session.open: expected a time HH:MM, got '9:15'"
            ),
            (
                "coverage: {from: 2025-01-01, through: 2025-12-31}\nsession: {open: \"09:15\", close: \"15:30\"}\nexchanges: {NSE: {holidays: {2025-02-30: X}}}\nexpiries: {}\n",
                "cal.yml: exchanges.NSE.holidays.2025-02-30: '2025-02-30' is not a date YYYY-MM-DD"
            ),
            (
                "coverage: {from: 2025-01-01, through: 2025-12-31}\nsession: {open: \"09:15\", close: \"15:30\"}\nexchanges: {NSE: {holidays: {2025-03-01: Saturday}}}\nexpiries: {}\n",
                "cal.yml: exchanges.NSE.holidays.2025-03-01: 2025-03-01 is a weekend day; list only weekday holidays"
            ),
            (
                "coverage: {from: 2025-01-01, through: 2025-12-31}\nsession: {open: \"09:15\", close: \"15:30\"}\nexchanges: {NSE: {holidays: {}}}\nexpiries: {NIFTY: {exchange: NSE, schedule: [{from: 2025-01-01, weekly: funday}]}}\n",
                "cal.yml: expiries.NIFTY.schedule[0].weekly: expected a weekday monday…friday"
            ),
            (
                "coverage: {from: 2025-01-01, through: 2025-12-31}\nsession: {open: \"09:15\", close: \"15:30\"}\nexchanges: {NSE: {holidays: {}}}\nexpiries: {NIFTY: {exchange: MCX, schedule: []}}\n",
                "cal.yml: expiries.NIFTY.exchange: unknown exchange (known: NSE)"
            ),
            ("session: [", "cal.yml: (top level): not valid YAML"),
        ])
    func badData(yaml: String, message: String) {
        #expect {
            try TradingCalendar.parse(yaml: yaml, file: "cal.yml")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
