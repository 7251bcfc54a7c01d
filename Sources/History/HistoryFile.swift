import Domain
import Foundation

/// One month of one series on disk: the days it covers and its bars, in a small binary format.
///
/// Layout (little-endian): `ASHS`, version (u16), reserved (u16), covered-from and covered-through (days
/// since 1970-01-01 as i32; through is exclusive), bar count (u32), then 80 bytes a bar: start (epoch s),
/// open, high, low, close (paise), volume, open interest (i64), implied volatility (f64), strike, spot
/// (paise). Index candles use the same record with open interest, volatility and strike zero and the spot
/// at the close.
public struct HistoryFile: Equatable, Sendable {
    /// The days the fetch asked for (`from` inclusive, `through` exclusive): a day inside with no bars was
    /// a holiday or had no data, and is not asked for again.
    public var from: CivilDate
    public var through: CivilDate
    public var bars: [RecordedOptionBar]

    public static let magic: [UInt8] = Array("ASHS".utf8)
    public static let version: UInt16 = 1
    static let headerSize = 20
    static let barSize = 80

    public init(from: CivilDate, through: CivilDate, bars: [RecordedOptionBar]) {
        self.from = from
        self.through = through
        self.bars = bars
    }

    /// Whether the file covers every day of `month`.
    public func isComplete(_ month: Month) -> Bool { from <= month.first && through >= month.next.first }

    /// The bars of one day (they are stored in time order).
    public func bars(on day: CivilDate) -> ArraySlice<RecordedOptionBar> {
        let start = Timestamp.ist(day, 0, 0).epochSeconds
        let end = start + 86_400
        let low = bars.partitioningIndex { $0.start >= start }
        let high = bars[low...].partitioningIndex { $0.start >= end }
        return bars[low..<high]
    }

    public func encoded() -> Data {
        var out = Data(capacity: Self.headerSize + Self.barSize * bars.count)
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: Self.magic)
        put(Self.version)
        put(UInt16(0))
        put(Int32(from.daysSinceEpoch))
        put(Int32(through.daysSinceEpoch))
        put(UInt32(bars.count))
        for bar in bars {
            put(bar.start)
            put(bar.open.value)
            put(bar.high.value)
            put(bar.low.value)
            put(bar.close.value)
            put(bar.volume)
            put(bar.openInterest)
            put(bar.impliedVolatility.bitPattern)
            put(bar.strike.value)
            put(bar.spot.value)
        }
        return out
    }

    /// Reads a file's bytes; what is wrong names the file and the byte.
    public static func decode(_ data: Data, file: String) throws(HistoryStoreError) -> HistoryFile {
        let outcome: Result<HistoryFile, HistoryStoreError> = data.withUnsafeBytes { raw in
            guard raw.count >= headerSize, Array(raw[0..<4]) == magic else {
                return .failure(.corrupt(file: file, reason: "not a history file (no ASHS header)"))
            }
            func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
            }
            let version = load(4, as: UInt16.self)
            guard version == Self.version else {
                return .failure(
                    .corrupt(file: file, reason: "format version \(version); this build reads \(Self.version)"))
            }
            let count = Int(load(16, as: UInt32.self))
            guard raw.count == headerSize + count * barSize else {
                return .failure(
                    .corrupt(
                        file: file,
                        reason:
                            "\(raw.count) bytes for \(count) bars (expected \(headerSize + count * barSize)); fetch it again"
                    ))
            }
            var bars: [RecordedOptionBar] = []
            bars.reserveCapacity(count)
            for index in 0..<count {
                let base = headerSize + index * barSize
                func field(_ n: Int) -> Int64 { load(base + 8 * n, as: Int64.self) }
                bars.append(
                    RecordedOptionBar(
                        start: field(0), open: Paise(field(1)), high: Paise(field(2)), low: Paise(field(3)),
                        close: Paise(field(4)), volume: field(5), openInterest: field(6),
                        impliedVolatility: Double(bitPattern: UInt64(bitPattern: field(7))), strike: Paise(field(8)),
                        spot: Paise(field(9))))
            }
            return .success(
                HistoryFile(
                    from: CivilDate(daysSinceEpoch: Int64(load(8, as: Int32.self))),
                    through: CivilDate(daysSinceEpoch: Int64(load(12, as: Int32.self))), bars: bars))
        }
        return try outcome.get()
    }
}

extension Collection {
    /// The first index whose element satisfies `belongs` (which must be false, then true, along the collection).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Index {
        var low = startIndex
        var count = distance(from: startIndex, to: endIndex)
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if belongs(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
