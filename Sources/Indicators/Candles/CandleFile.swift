import Domain
import Foundation

/// One bar as read from a file, in the file's own floating-point prices.
public struct PriceBar: Sendable, Equatable, Codable {
    /// Bar start, epoch seconds UTC.
    public var start: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    public init(start: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double = 0) {
        self.start = start
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    /// The bar in paise, refusing NaN, infinite or negative prices.
    public func candle() throws(InvalidPriceError) -> Candle {
        Candle(
            start: start, open: try Paise(price: open, field: "open"), high: try Paise(price: high, field: "high"),
            low: try Paise(price: low, field: "low"), close: try Paise(price: close, field: "close"),
            // Volume is informational: one that is not a sane count becomes 0 rather than trapping.
            volume: volume.isFinite && volume >= 0 && volume < 9e18 ? Int64(volume) : 0)
    }
}

/// Reads candles from a DhanHQ chart response (columnar JSON, bare or under `response`) or from CSV with
/// the header `timestamp,open,high,low,close[,volume]` (epoch seconds UTC of the bar start).
public enum CandleFile {
    /// A file that is not a candle file, naming what is wrong and where.
    public struct FormatError: Error, Equatable, CustomStringConvertible {
        public var source: String
        public var reason: String

        public var description: String { "\(source): \(reason)" }
    }

    /// A bar time in epoch seconds: finite, whole, from 1970 to 2286 (a fuzzer found that converting an
    /// out-of-range value trapped the process).
    static func epochSeconds(_ value: Double) -> Int64? {
        guard value.isFinite, value >= 0, value < 10_000_000_000, value.rounded(.towardZero) == value else {
            return nil
        }
        return Int64(value)
    }

    /// Parses `data`; `source` names the file in errors.
    public static func parse(_ data: Data, source: String) throws(FormatError) -> [PriceBar] {
        let firstByte = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        let bars =
            firstByte == UInt8(ascii: "{") ? try parseJSON(data, source: source) : try parseCSV(data, source: source)
        // The check runs once per bar (281,250 in a year of three indices): nothing is allocated until a bar fails.
        var previousStart = Int64.min
        for index in bars.indices {
            let bar = bars[index]
            func row() -> String { "bar \(index + 1) (timestamp \(bar.start))" }
            if !(bar.open.isFinite && bar.open >= 0 && bar.high.isFinite && bar.high >= 0 && bar.low.isFinite
                && bar.low >= 0 && bar.close.isFinite && bar.close >= 0)
            {
                for (name, value) in [("open", bar.open), ("high", bar.high), ("low", bar.low), ("close", bar.close)]
                where !(value.isFinite && value >= 0) {
                    throw FormatError(source: source, reason: "\(row()): \(name) is \(value)")
                }
            }
            guard bar.high >= bar.low else {
                throw FormatError(source: source, reason: "\(row()): high \(bar.high) is below low \(bar.low)")
            }
            if bar.start <= previousStart {
                throw FormatError(source: source, reason: "\(row()): timestamps are not strictly increasing")
            }
            previousStart = bar.start
        }
        return bars
    }

    /// DhanHQ's columnar chart body.
    private struct Chart: Decodable {
        var timestamp: [Double]
        var open: [Double]
        var high: [Double]
        var low: [Double]
        var close: [Double]
        var volume: [Double]?
    }

    /// A recorded exchange holding the chart under `response`.
    private struct Recorded: Decodable {
        var response: Chart
    }

    private static func parseJSON(_ data: Data, source: String) throws(FormatError) -> [PriceBar] {
        let decoder = JSONDecoder()
        let chart: Chart
        if let recorded = try? decoder.decode(Recorded.self, from: data) {
            chart = recorded.response
        } else {
            do {
                chart = try decoder.decode(Chart.self, from: data)
            } catch let DecodingError.keyNotFound(key, _) {
                throw FormatError(
                    source: source, reason: "no '\(key.stringValue)' array (expected DhanHQ's columnar chart JSON)")
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
                let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined()
                throw FormatError(source: source, reason: "\(path) is not a number")
            } catch {
                throw FormatError(source: source, reason: "not DhanHQ chart JSON: \(error.localizedDescription)")
            }
        }
        let count = chart.timestamp.count
        let volume = chart.volume ?? Array(repeating: 0, count: count)
        for (name, values) in [
            ("open", chart.open), ("high", chart.high), ("low", chart.low), ("close", chart.close), ("volume", volume),
        ]
        where values.count != count {
            throw FormatError(
                source: source, reason: "'\(name)' has \(values.count) values but 'timestamp' has \(count)")
        }
        var bars: [PriceBar] = []
        bars.reserveCapacity(count)
        for index in 0..<count {
            guard let start = epochSeconds(chart.timestamp[index]) else {
                throw FormatError(
                    source: source,
                    reason: "bar \(index + 1): timestamp \(chart.timestamp[index]) is not an epoch second")
            }
            bars.append(
                PriceBar(
                    start: start, open: chart.open[index], high: chart.high[index], low: chart.low[index],
                    close: chart.close[index], volume: volume[index]))
        }
        return bars
    }

    /// CSV read at the byte level.
    ///
    /// No `String` per line or field, numbers straight from the bytes (a year of three indices' minute bars is
    /// 281,250 lines). Errors still name the line and the column.
    private static func parseCSV(_ data: Data, source: String) throws(FormatError) -> [PriceBar] {
        let outcome: Result<[PriceBar], FormatError> = data.withUnsafeBytes { raw in
            do throws(FormatError) { return .success(try parseCSV(raw, source: source)) } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    private static func parseCSV(_ bytes: UnsafeRawBufferPointer, source: String) throws(FormatError) -> [PriceBar] {
        let newline = UInt8(ascii: "\n")
        var cursor = 0
        /// The next line's byte range without its line break (a trailing `\r` dropped); nil at the end.
        func nextLine() -> Range<Int>? {
            while cursor < bytes.count {
                let start = cursor
                var end = start
                while end < bytes.count && bytes[end] != newline { end += 1 }
                cursor = end + 1
                var last = end
                if last > start && bytes[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                if last > start { return start..<last }
            }
            return nil
        }
        guard let headerLine = nextLine() else { throw FormatError(source: source, reason: "empty file") }
        let header = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[headerLine]), as: UTF8.self)
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func position(_ name: String) throws(FormatError) -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw FormatError(
                    source: source, reason: "CSV header has no '\(name)' column (need timestamp,open,high,low,close)")
            }
            return index
        }
        let timestamp = try position("timestamp")
        let open = try position("open")
        let high = try position("high")
        let low = try position("low")
        let close = try position("close")
        let volume = header.firstIndex(of: "volume")
        let names = ["timestamp", "open", "high", "low", "close", "volume"]
        // Which output slot each column fills (-1: ignored).
        var slot = [Int](repeating: -1, count: header.count)
        for (index, column) in [timestamp, open, high, low, close].enumerated() { slot[column] = index }
        if let volume { slot[volume] = 5 }
        var bars: [PriceBar] = []
        bars.reserveCapacity(bytes.count / 40)
        var lineNumber = 1
        var values = [Double](repeating: 0, count: 6)
        while let line = nextLine() {
            lineNumber += 1
            var seen = 0
            var column = 0
            var fieldStart = line.lowerBound
            var position = line.lowerBound
            while true {
                if position == line.upperBound || bytes[position] == UInt8(ascii: ",") {
                    if column < slot.count, slot[column] >= 0 {
                        guard let value = FastDecimal.parse(bytes, fieldStart..<position) else {
                            throw FormatError(
                                source: source, reason: "line \(lineNumber): '\(names[slot[column]])' is not a number")
                        }
                        values[slot[column]] = value
                        seen += 1
                    }
                    column += 1
                    if position == line.upperBound { break }
                    fieldStart = position + 1
                }
                position += 1
            }
            let wanted = volume == nil ? 5 : 6
            if seen < wanted {
                // A short line: name the first column it lacks, as the field-by-field reader did.
                let missing = [timestamp, open, high, low, close, volume ?? Int.max].firstIndex { $0 >= column } ?? 0
                throw FormatError(source: source, reason: "line \(lineNumber): '\(names[missing])' is not a number")
            }
            guard let start = epochSeconds(values[0]) else {
                throw FormatError(
                    source: source, reason: "line \(lineNumber): 'timestamp' \(values[0]) is not an epoch second")
            }
            bars.append(
                PriceBar(
                    start: start, open: values[1], high: values[2], low: values[3], close: values[4],
                    volume: volume == nil ? 0 : values[5]))
        }
        return bars
    }
}
