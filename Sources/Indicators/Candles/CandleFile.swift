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

    /// The columns of a DhanHQ chart body as read; nil for one the body lacks.
    private struct Chart {
        var timestamp: [Double]?
        var open: [Double]?
        var high: [Double]?
        var low: [Double]?
        var close: [Double]?
        var volume: [Double]?

        /// The first required column the body lacks.
        var missing: String? {
            [("timestamp", timestamp), ("open", open), ("high", high), ("low", low), ("close", close)]
                .first { $0.1 == nil }?.0
        }
    }

    /// DhanHQ's columnar chart body (bare, or a recorded exchange holding it under `response`), read at the
    /// byte level like the CSV.
    private static func parseJSON(_ data: Data, source: String) throws(FormatError) -> [PriceBar] {
        let outcome: Result<Chart, FormatError> = data.withUnsafeBytes { raw in
            var scanner = JSONScanner(raw)
            do throws(FormatError) {
                var response: Chart?
                let chart = try readChart(&scanner, prefix: "", response: &response, source: source)
                try syntax(source) { () throws(JSONDecodingError) in try scanner.end() }
                // The recorded exchange's chart, unless only the bare one is whole.
                if let response, response.missing == nil || chart.missing != nil { return .success(response) }
                return .success(chart)
            } catch {
                return .failure(error)
            }
        }
        let chart = try outcome.get()
        guard let timestamp = chart.timestamp, let open = chart.open, let high = chart.high, let low = chart.low,
            let close = chart.close
        else {
            throw FormatError(
                source: source, reason: "no '\(chart.missing ?? "")' array (expected DhanHQ's columnar chart JSON)")
        }
        return try bars(
            timestamp: timestamp, open: open, high: high, low: low, close: close, volume: chart.volume, source: source)
    }

    /// A scanner step whose syntax error is the file's.
    private static func syntax<T>(
        _ source: String, _ step: () throws(JSONDecodingError) -> T
    ) throws(FormatError) -> T {
        do { return try step() } catch {
            throw FormatError(source: source, reason: "not DhanHQ chart JSON: \(error)")
        }
    }

    /// One chart object's columns; a `response` object inside the top level is read as the recorded
    /// exchange's chart.
    private static func readChart(
        _ scanner: inout JSONScanner, prefix: String, response: inout Chart?, source: String
    ) throws(FormatError) -> Chart {
        var chart = Chart()
        try syntax(source) { () throws(JSONDecodingError) in try scanner.beginObject() }
        while let key = try syntax(source, { () throws(JSONDecodingError) in try scanner.nextKey() }) {
            let name = scanner.text(key)
            let path = prefix + name
            switch name {
            case "timestamp": chart.timestamp = try numbers(&scanner, path: path, source: source)
            case "open": chart.open = try numbers(&scanner, path: path, source: source)
            case "high": chart.high = try numbers(&scanner, path: path, source: source)
            case "low": chart.low = try numbers(&scanner, path: path, source: source)
            case "close": chart.close = try numbers(&scanner, path: path, source: source)
            case "volume": chart.volume = try numbers(&scanner, path: path, source: source)
            case "response" where prefix.isEmpty && scanner.peek() == UInt8(ascii: "{"):
                var nested: Chart?
                response = try readChart(&scanner, prefix: "response.", response: &nested, source: source)
            default: try syntax(source) { () throws(JSONDecodingError) in try scanner.skipValue() }
            }
        }
        return chart
    }

    /// An array of numbers; an element that is not one (null, a string) is named by its path and index.
    private static func numbers(
        _ scanner: inout JSONScanner, path: String, source: String
    ) throws(FormatError) -> [Double] {
        guard scanner.peek() == UInt8(ascii: "[") else {
            throw FormatError(source: source, reason: "\(path) is not an array of numbers")
        }
        var values: [Double] = []
        var more = try syntax(source) { () throws(JSONDecodingError) in try scanner.beginArray() }
        while more {
            guard let first = scanner.peek(),
                first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
            else { throw FormatError(source: source, reason: "\(path)[\(values.count)] is not a number") }
            values.append(try syntax(source) { () throws(JSONDecodingError) in try scanner.double() })
            do {
                more = try scanner.nextElement()
            } catch {
                let reason =
                    scanner.peek() == nil
                    ? "\(path) is not closed" : "\(path)[\(values.count)] is not followed by ',' or ']'"
                throw FormatError(source: source, reason: "not DhanHQ chart JSON: \(reason)")
            }
        }
        return values
    }

    /// Bars from the chart's columns, which must be of one length.
    private static func bars(
        timestamp: [Double], open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double]?,
        source: String
    ) throws(FormatError) -> [PriceBar] {
        let count = timestamp.count
        let volume = volume ?? Array(repeating: 0, count: count)
        for (name, values) in [("open", open), ("high", high), ("low", low), ("close", close), ("volume", volume)]
        where values.count != count {
            throw FormatError(
                source: source, reason: "'\(name)' has \(values.count) values but 'timestamp' has \(count)")
        }
        var bars: [PriceBar] = []
        bars.reserveCapacity(count)
        for index in 0..<count {
            guard let start = epochSeconds(timestamp[index]) else {
                throw FormatError(
                    source: source, reason: "bar \(index + 1): timestamp \(timestamp[index]) is not an epoch second")
            }
            bars.append(
                PriceBar(
                    start: start, open: open[index], high: high[index], low: low[index], close: close[index],
                    volume: volume[index]))
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
        // The file's own line number of the last line returned, blank lines counted, for error messages.
        var lineNumber = 0
        /// The next non-blank line's byte range without its line break (a trailing `\r` dropped); nil at the end.
        func nextLine() -> Range<Int>? {
            while cursor < bytes.count {
                lineNumber += 1
                let start = cursor
                // memchr finds the line break a word at a time; the fields are walked byte by byte below.
                let end =
                    memchr(bytes.baseAddress! + start, Int32(newline), bytes.count - start)
                    .map { bytes.baseAddress!.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
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
        var slots = [Int](repeating: -1, count: header.count)
        for (index, column) in [timestamp, open, high, low, close].enumerated() { slots[column] = index }
        if let volume { slots[volume] = 5 }
        // Plain buffers in the per-field loop: no bounds or uniqueness checks on every field of every line.
        let slot = UnsafeMutableBufferPointer<Int>.allocate(capacity: slots.count)
        _ = slot.initialize(from: slots)
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: 6)
        values.initialize(repeating: 0)
        defer {
            slot.deallocate()
            values.deallocate()
        }
        var bars: [PriceBar] = []
        bars.reserveCapacity(bytes.count / 40)
        while let line = nextLine() {
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
