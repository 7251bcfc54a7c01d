import Domain

/// The store's bars as CSV a spreadsheet or pandas reads: one header line, one line a bar, rupees with two
/// decimals, time as ISO 8601 with the IST offset and as epoch seconds (`scalper history export`).
public enum HistoryExport {
    public static let header = "index,series,time_ist,epoch,open,high,low,close,volume,oi,iv,strike,spot"

    /// The lines for `series` of `index` over `[from, to)`, in time order (without the header).
    public static func lines(
        _ store: HistoryStore, index: String, series: HistorySeries, from: CivilDate, to: CivilDate
    ) throws(HistoryStoreError) -> [String] {
        var out: [String] = []
        let start = Timestamp.ist(from, 0, 0).epochSeconds
        let end = Timestamp.ist(to, 0, 0).epochSeconds
        for month in Month.covering(from: from, to: to) {
            guard let file = try store.read(index: index, series: series, month: month) else { continue }
            for bar in file.bars where bar.start >= start && bar.start < end {
                let time = Timestamp(epochSeconds: bar.start).iso8601IST
                let iv = bar.impliedVolatility == 0 ? "" : String(bar.impliedVolatility)
                let strike = bar.strike == .zero ? "" : bar.strike.description
                out.append(
                    "\(index),\(series),\(time),\(bar.start),\(bar.open),\(bar.high),\(bar.low),\(bar.close),"
                        + "\(bar.volume),\(bar.openInterest),\(iv),\(strike),\(bar.spot)")
            }
        }
        return out
    }
}
