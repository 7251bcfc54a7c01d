/// One underlying's expiries over a span of dates, computed once so a lookup is a binary search.
///
/// The engine asks for the next expiries on every signal and every chain request (a year's backtest asks
/// hundreds of thousands of times); walking the weeks and months each time was a few per cent of the run.
/// `TradingCalendar.expiries` answers from here only where the answer is provably the scan's own: the
/// scan's whole window lies inside the span, and the answer is found before the window ends.
struct ExpiryTable: Sendable {
    /// Every nominal expiry (before a holiday moves it) in `span`, ascending.
    let nominal: [CivilDate]
    /// The trading day each nominal expiry falls on (the day itself, or the trading day before it).
    let actual: [CivilDate]
    /// The nominal dates that are all present: none in it is missing from `nominal`.
    let span: ClosedRange<CivilDate>

    /// The scan's answer for (`date`, `count`) whose nominal window is `window`, or nil when the table cannot
    /// give it for certain (the window leaves the span, or the answer needs nominal dates past the window,
    /// where the scan sees only some of them).
    func expiries(onOrAfter date: CivilDate, count: Int, window: ClosedRange<CivilDate>) -> [CivilDate]? {
        guard span.lowerBound <= window.lowerBound, window.upperBound <= span.upperBound else { return nil }
        // A nominal date before `date` cannot give an actual one on or after it (a holiday only moves back).
        var low = 0
        var high = nominal.count
        while low < high {
            let middle = (low + high) / 2
            if nominal[middle] < date { low = middle + 1 } else { high = middle }
        }
        var result: [CivilDate] = []
        result.reserveCapacity(count)
        var index = low
        while index < nominal.count && nominal[index] <= window.upperBound {
            let day = actual[index]
            if day >= date && result.last.map({ day > $0 }) ?? true {
                result.append(day)
                if result.count == count { return result }
            }
            index += 1
        }
        return nil
    }
}
