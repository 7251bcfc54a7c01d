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
            volume: volume.isFinite ? Int64(volume) : 0)
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

    /// Parses `data`; `source` names the file in errors.
    public static func parse(_ data: Data, source: String) throws(FormatError) -> [PriceBar] {
        let firstByte = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        let bars =
            firstByte == UInt8(ascii: "{") ? try parseJSON(data, source: source) : try parseCSV(data, source: source)
        for (index, bar) in bars.enumerated() {
            let row = "bar \(index + 1) (timestamp \(bar.start))"
            for (name, value) in [("open", bar.open), ("high", bar.high), ("low", bar.low), ("close", bar.close)] {
                guard value.isFinite, value >= 0 else {
                    throw FormatError(source: source, reason: "\(row): \(name) is \(value)")
                }
            }
            guard bar.high >= bar.low else {
                throw FormatError(source: source, reason: "\(row): high \(bar.high) is below low \(bar.low)")
            }
            if index > 0 && bar.start <= bars[index - 1].start {
                throw FormatError(source: source, reason: "\(row): timestamps are not strictly increasing")
            }
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
        return (0..<count).map { index in
            PriceBar(
                start: Int64(chart.timestamp[index]), open: chart.open[index], high: chart.high[index],
                low: chart.low[index],
                close: chart.close[index], volume: volume[index])
        }
    }

    private static func parseCSV(_ data: Data, source: String) throws(FormatError) -> [PriceBar] {
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(whereSeparator: \.isNewline).makeIterator()
        guard let headerLine = lines.next() else { throw FormatError(source: source, reason: "empty file") }
        let header = headerLine.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func position(_ name: String) throws(FormatError) -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw FormatError(
                    source: source, reason: "CSV header has no '\(name)' column (need timestamp,open,high,low,close)")
            }
            return index
        }
        let columns = (
            try position("timestamp"), try position("open"), try position("high"), try position("low"),
            try position("close")
        )
        let volumeColumn = header.firstIndex(of: "volume")
        var bars: [PriceBar] = []
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            func number(_ index: Int, _ name: String) throws(FormatError) -> Double {
                guard index < fields.count, let value = Double(fields[index].trimmingCharacters(in: .whitespaces))
                else {
                    throw FormatError(source: source, reason: "line \(lineNumber): '\(name)' is not a number")
                }
                return value
            }
            bars.append(
                PriceBar(
                    start: Int64(try number(columns.0, "timestamp")), open: try number(columns.1, "open"),
                    high: try number(columns.2, "high"), low: try number(columns.3, "low"),
                    close: try number(columns.4, "close"),
                    volume: try volumeColumn.map { index throws(FormatError) in try number(index, "volume") } ?? 0))
        }
        return bars
    }
}
