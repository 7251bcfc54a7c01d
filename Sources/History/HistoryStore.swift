import Domain
import Foundation

/// What the history store cannot do, naming the file.
public enum HistoryStoreError: Error, Equatable, CustomStringConvertible {
    case corrupt(file: String, reason: String)
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case .corrupt(let file, let reason): "\(file): \(reason)"
        case .io(let file, let reason): "\(file): \(reason)"
        }
    }
}

/// Downloaded DhanHQ history on disk: one file per index, series and month (`docs/history-store.md`).
///
/// `DIR/NIFTY/options/1m/week-1/ATM+1-CE/2025-10.bin`, `DIR/NIFTY/index/1m/2025-10.bin`. A backtest reads
/// one file for a month of one offset and finds a day by binary search; a fetch skips every month whose file
/// covers it.
public struct HistoryStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// `$XDG_DATA_HOME/algoscalper/history`, or `~/.local/share/algoscalper/history` (an absolute XDG path only).
    public static func defaultRoot(environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/algoscalper/history" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/algoscalper/history"
    }

    public func path(index: String, series: HistorySeries, month: Month) -> String {
        "\(root)/\(index)/\(series.path)/\(month).bin"
    }

    /// The month's file, or nil when none was written.
    public func read(index: String, series: HistorySeries, month: Month) throws(HistoryStoreError) -> HistoryFile? {
        let file = path(index: index, series: series, month: month)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .io(file: file, reason: "cannot be read")
        }
        return try HistoryFile.decode(data, file: file)
    }

    /// Writes the month's file whole: a temporary file renamed over it with rename(2), so a killed fetch
    /// leaves the old file or the new one, never half of one and never none.
    public func write(_ contents: HistoryFile, index: String, series: HistorySeries, month: Month)
        throws(HistoryStoreError)
    {
        let file = path(index: index, series: series, month: month)
        let directory = (file as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = file + ".partial"
            try contents.encoded().write(to: URL(fileURLWithPath: temporary))
            // rename(2) replaces the old file atomically: a kill leaves the old month or the new one.
            guard rename(temporary, file) == 0 else {
                throw HistoryStoreError.io(
                    file: file, reason: "cannot rename \(temporary) over it: \(String(cString: strerror(errno)))")
            }
        } catch let error as HistoryStoreError {
            throw error
        } catch {
            throw .io(file: file, reason: "\(error.localizedDescription)")
        }
    }

    /// The bars of one series on one day.
    public func bars(index: String, series: HistorySeries, on day: CivilDate) throws(HistoryStoreError)
        -> [RecordedOptionBar]
    {
        guard let file = try read(index: index, series: series, month: Month(of: day)) else { return [] }
        return Array(file.bars(on: day))
    }

    /// One stored series of one index: its months, covered days and bar count.
    public struct Listing: Equatable, Sendable {
        public var index: String
        public var series: HistorySeries
        public var months: [Month]
        public var from: CivilDate
        public var through: CivilDate
        public var bars: Int
        /// Months not covered whole (a fetch with a later `--to` completes them).
        public var partialMonths: Int
    }

    /// Every series in the store, by index then series.
    public func list() throws(HistoryStoreError) -> [Listing] {
        let manager = FileManager.default
        guard let indices = try? manager.contentsOfDirectory(atPath: root) else { return [] }
        var out: [Listing] = []
        for index in indices.sorted() {
            let base = "\(root)/\(index)"
            guard let files = manager.enumerator(atPath: base)?.allObjects as? [String] else { continue }
            var byFolder: [String: [Month]] = [:]
            for file in files where file.hasSuffix(".bin") {
                let folder = (file as NSString).deletingLastPathComponent
                guard let month = Month(text: ((file as NSString).lastPathComponent as NSString).deletingPathExtension)
                else { continue }
                byFolder[folder, default: []].append(month)
            }
            for (folder, months) in byFolder.sorted(by: { $0.key < $1.key }) {
                guard let series = HistorySeries(path: folder) else { continue }
                var listing = Listing(
                    index: index, series: series, months: months.sorted(), from: .init(9999, 12, 31),
                    through: .init(1970, 1, 1), bars: 0, partialMonths: 0)
                for month in listing.months {
                    guard let file = try read(index: index, series: series, month: month) else { continue }
                    listing.from = min(listing.from, file.from)
                    listing.through = max(listing.through, file.through)
                    listing.bars += file.bars.count
                    if !file.isComplete(month) { listing.partialMonths += 1 }
                }
                out.append(listing)
            }
        }
        return out
    }
}
