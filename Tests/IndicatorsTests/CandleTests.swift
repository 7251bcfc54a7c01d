import Domain
import Foundation
import Indicators
import TestSupport
import Testing

@Suite("Candles from ticks and history")
struct CandleTests {
    static func load(_ name: String) throws -> [Candle] {
        try CandleFile.parse(try ReferenceData.data("dhan/" + name), source: name).map { try $0.candle() }
    }

    let day = CivilDate(2025, 10, 27)
    let nifty = Paise(2_593_510)

    func at(_ hour: Int, _ minute: Int, _ second: Int = 0) -> Timestamp { Timestamp.ist(day, hour, minute, second) }

    @Test("the real NIFTY 1m candles aggregated to 5m equal DhanHQ's own 5m bars")
    func oneMinuteToFive() throws {
        let minutes = try Self.load("nifty-intraday-1m-2025-10-24..31.json")
        let expected = try Self.load("nifty-intraday-5m-2025-10-24..31.json")
        var resampler = CandleResampler(fromMinutes: 1, toMinutes: 5)
        var built: [Candle] = []
        for bar in minutes { resampler.add(bar) { built.append($0) } }
        resampler.flush { built.append($0) }
        #expect(minutes.count == 2251)
        #expect(built.count == expected.count)
        #expect(built == expected)
    }

    @Test("ticks rebuilt from the real 1m bars (open, high, low, close in each minute) give the same bars")
    func ticksToOneMinute() throws {
        let minutes = try Self.load("nifty-intraday-1m-2025-10-24..31.json")
        var aggregator = CandleAggregator(intervalMinutes: 1)
        var built: [Candle] = []
        for bar in minutes {
            for (offset, price) in [(0, bar.open), (15, bar.high), (30, bar.low), (59, bar.close)] {
                aggregator.add(price: price, at: Timestamp(epochSeconds: bar.start + Int64(offset))) {
                    built.append($0)
                }
            }
        }
        aggregator.flush { built.append($0) }
        #expect(built == minutes)
    }

    @Test("bars align to 09:15 IST, close on the next period's first tick, and sum volume deltas")
    func alignmentAndClose() {
        var aggregator = CandleAggregator(intervalMinutes: 5)
        var closed: [Candle] = []
        aggregator.add(price: Paise(100_00), cumulativeVolume: 1_000, at: at(9, 16, 10)) { closed.append($0) }
        aggregator.add(price: Paise(101_00), cumulativeVolume: 1_300, at: at(9, 19, 59)) { closed.append($0) }
        aggregator.add(price: Paise(99_50), cumulativeVolume: 1_400, at: at(9, 18)) { closed.append($0) }
        #expect(closed.isEmpty)
        #expect(
            aggregator.forming
                == Candle(
                    start: at(9, 15).epochSeconds, open: Paise(100_00), high: Paise(101_00), low: Paise(99_50),
                    close: Paise(99_50), volume: 400))
        aggregator.add(price: Paise(102_00), cumulativeVolume: 1_450, at: at(9, 20)) { closed.append($0) }
        #expect(closed.map(\.start) == [at(9, 15).epochSeconds])
        #expect(aggregator.forming?.start == at(9, 20).epochSeconds)
        #expect(aggregator.forming?.volume == 50)
        #expect(aggregator.periodStart(of: at(9, 14, 59)) == at(9, 10).epochSeconds)
    }

    @Test("a timer closes a quiet minute, and minutes with no tick become flat bars at the last close")
    func quietMinutes() {
        var aggregator = CandleAggregator(intervalMinutes: 1)
        var closed: [Candle] = []
        aggregator.add(price: nifty, at: at(10, 0, 30)) { closed.append($0) }
        aggregator.close(at: at(10, 0, 59)) { closed.append($0) }
        #expect(closed.isEmpty)
        aggregator.close(at: at(10, 1)) { closed.append($0) }
        #expect(closed == [Candle(start: at(10, 0).epochSeconds, open: nifty, high: nifty, low: nifty, close: nifty)])
        aggregator.close(at: at(10, 3, 5)) { closed.append($0) }
        #expect(closed.map(\.start) == [at(10, 0), at(10, 1), at(10, 2)].map(\.epochSeconds))
        #expect(
            closed.last == Candle(start: at(10, 2).epochSeconds, open: nifty, high: nifty, low: nifty, close: nifty))
        aggregator.add(price: Paise(2_594_000), at: at(10, 6, 1)) { closed.append($0) }
        #expect(
            closed.map(\.start)
                == [at(10, 0), at(10, 1), at(10, 2), at(10, 3), at(10, 4), at(10, 5)].map(\.epochSeconds))
    }

    @Test("no flat bars are invented across days")
    func dayBoundary() {
        var aggregator = CandleAggregator(intervalMinutes: 1)
        var closed: [Candle] = []
        aggregator.add(price: nifty, at: at(15, 29, 30)) { closed.append($0) }
        aggregator.add(price: nifty, at: Timestamp.ist(CivilDate(2025, 10, 28), 9, 15, 2)) { closed.append($0) }
        #expect(closed.map(\.start) == [at(15, 29).epochSeconds])
    }

    @Test("history and live bars merge: one bar per timestamp, sorted, gaps inside a day filled flat")
    func seriesMerge() {
        var series = CandleSeries(intervalMinutes: 1)
        let bar = { (minute: Int, close: Int64) in
            Candle(
                start: self.at(9, minute).epochSeconds, open: Paise(close), high: Paise(close), low: Paise(close),
                close: Paise(close))
        }
        series.merge([bar(15, 100), bar(16, 101), bar(17, 102)])
        series.append(bar(18, 103))
        series.append(bar(17, 202))  // a corrected bar replaces, never duplicates
        series.append(bar(21, 105))  // 19 and 20 missing: flat at 103
        #expect(series.candles.map(\.start) == (15...21).map { at(9, $0).epochSeconds })
        #expect(series.candles.map(\.close.value) == [100, 101, 202, 103, 103, 103, 105])
    }

    @Test("chart JSON read at the byte level gives the bars JSONDecoder gives, bare or under 'response'")
    func chartJSONMatchesDecoder() throws {
        struct Columns: Decodable {
            var timestamp, open, high, low, close: [Double]
            var volume: [Double]?
        }
        struct Recorded: Decodable { var response: Columns }
        for name in ["nifty-intraday-1m-2025-10-24..31.json", "nifty-intraday-5m-2025-10-24..31.json"] {
            let data = try ReferenceData.data("dhan/" + name)
            let columns = try JSONDecoder().decode(Recorded.self, from: data).response
            let expected = columns.timestamp.indices.map { index in
                PriceBar(
                    start: Int64(columns.timestamp[index]), open: columns.open[index], high: columns.high[index],
                    low: columns.low[index], close: columns.close[index], volume: columns.volume?[index] ?? 0)
            }
            #expect(expected.count > 300)
            #expect(try CandleFile.parse(data, source: name) == expected)
            // The same chart bare, with its keys in another order and an unknown key of every kind.
            let bare = try JSONSerialization.data(
                withJSONObject: [
                    "close": columns.close, "open": columns.open, "high": columns.high, "low": columns.low,
                    "timestamp": columns.timestamp, "volume": columns.volume ?? [],
                    "note": ["a": [1, "b", NSNull(), true]],
                ] as [String: Any])
            #expect(try CandleFile.parse(bare, source: name) == expected)
        }
    }

    @Test("CSV in any column order, with CRLF, blank lines, extra columns and no final line break")
    func csvShapes() throws {
        let expected = [
            PriceBar(start: 60, open: 100.5, high: 101.25, low: 99.75, close: 100, volume: 7),
            PriceBar(start: 120, open: 100, high: 102, low: 100, close: 101.5, volume: 0),
        ]
        let texts = [
            "timestamp,open,high,low,close,volume\n60,100.5,101.25,99.75,100,7\n120,100,102,100,101.5,0\n",
            "timestamp,open,high,low,close,volume\r\n\r\n60,100.5,101.25,99.75,100,7\r\n\r\n120,100,102,100,101.5,0",
            " Volume , close,low,high,open,note,TIMESTAMP\n7,100,99.75,101.25,100.5,x,60\n0,101.5,100,102,100,,120\n",
        ]
        for text in texts {
            #expect(try CandleFile.parse(Data(text.utf8), source: "f.csv") == expected, "\(text)")
        }
    }

    @Test("candle files: bad rows are refused with the file, row and reason")
    func badFiles() {
        let cases: [(String, String)] = [
            ("timestamp,open,high,low,close\n1,2,3,1,2\n2,2,x,1,2\n", "f.csv: line 3: 'high' is not a number"),
            (
                "timestamp,open,high,low,close\r\n\r\n1,2,3,1,2\r\n\n2,2,x,1,2\r\n",
                "f.csv: line 5: 'high' is not a number"
            ),
            ("timestamp,open,high,low,close\n1,2,3,1,2\n2,2,3\n", "f.csv: line 3: 'low' is not a number"),
            ("timestamp,open,high,low,close\n1,2,1,3,2\n", "f.csv: bar 1 (timestamp 1): high 1.0 is below low 3.0"),
            ("timestamp,open,high,low,close\n1,2,3,1,-2\n", "f.csv: bar 1 (timestamp 1): close is -2.0"),
            ("timestamp,open,high,low,close\n1,inf,3,1,2\n", "f.csv: bar 1 (timestamp 1): open is inf"),
            (
                "timestamp,open,high,low,close\n1,2,3,1,2\n2,2,3,-1,2\n",
                "f.csv: bar 2 (timestamp 2): low is -1.0"
            ),
            (
                "timestamp,open,high,low,close\n5,2,3,1,2\n5,2,3,1,2\n",
                "f.csv: bar 2 (timestamp 5): timestamps are not strictly increasing"
            ),
            ("time,open\n", "f.csv: CSV header has no 'timestamp' column (need timestamp,open,high,low,close)"),
            (
                "{\"open\":[1],\"high\":[1],\"low\":[1],\"close\":[1]}",
                "f.csv: no 'timestamp' array (expected DhanHQ's columnar chart JSON)"
            ),
            (
                "{\"open\":[1,2],\"high\":[1],\"low\":[1],\"close\":[1],\"timestamp\":[1]}",
                "f.csv: 'open' has 2 values but 'timestamp' has 1"
            ),
            (
                "{\"timestamp\":[1,2],\"open\":[1,null],\"high\":[1,1],\"low\":[1,1],\"close\":[1,1]}",
                "f.csv: open[1] is not a number"
            ),
            (
                "{\"response\":{\"timestamp\":[1],\"open\":[1],\"high\":[\"1\"],\"low\":[1],\"close\":[1]}}",
                "f.csv: response.high[0] is not a number"
            ),
            (
                "{\"request\":{},\"response\":{\"open\":[1],\"high\":[1],\"low\":[1],\"close\":[1]}}",
                "f.csv: no 'timestamp' array (expected DhanHQ's columnar chart JSON)"
            ),
            ("{\"timestamp\":[1,2", "f.csv: not DhanHQ chart JSON: timestamp is not closed"),
            ("{\"timestamp\":[1 2]}", "f.csv: not DhanHQ chart JSON: timestamp[1] is not followed by ',' or ']'"),
            ("{\"timestamp\":7}", "f.csv: timestamp is not an array of numbers"),
            (
                "{\"timestamp\":[1]} x",
                "f.csv: not DhanHQ chart JSON: the top level: trailing bytes after the document at byte 18"
            ),
        ]
        for (text, message) in cases {
            #expect(throws: CandleFile.FormatError.self) { try CandleFile.parse(Data(text.utf8), source: "f.csv") }
            do {
                _ = try CandleFile.parse(Data(text.utf8), source: "f.csv")
            } catch {
                #expect(error.description == message)
            }
        }
    }
}
