import Foundation
import Indicators
import TestSupport
import Testing

/// The GOOG daily reference: TA-Lib ATR(14), +DI/−DI/ADX(14), ATR(10) and pandas-ta Supertrend(10,3).
struct ReferenceRow {
    var high, low, close: Double
    var atr14, plusDI14, minusDI14, adx14, atr10, supertrend: Double?
    var direction: Double?

    static func load() throws -> [ReferenceRow] {
        let text = String(decoding: try ReferenceData.data("vectors/GOOG_1d_reference.csv"), as: UTF8.self)
        var lines = text.split(whereSeparator: \.isNewline)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        #expect(
            header == [
                "timestamp", "open", "high", "low", "close", "atr14", "plus_di14", "minus_di14", "adx14", "atr10",
                "supertrend10_3", "supertrend10_3_dir",
            ])
        return lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
            func value(_ index: Int) -> Double? { fields[index].flatMap { $0.isNaN ? nil : $0 } }
            return ReferenceRow(
                high: fields[2]!, low: fields[3]!, close: fields[4]!, atr14: value(5), plusDI14: value(6),
                minusDI14: value(7), adx14: value(8), atr10: value(9), supertrend: value(10), direction: value(11))
        }
    }
}

/// Equal within 1e-9 relative (absolute near zero), or both absent.
func close(_ actual: Double?, _ expected: Double?) -> Bool {
    switch (actual, expected) {
    case (nil, nil): return true
    case (let a?, let e?): return abs(a - e) <= 1e-9 * max(1, abs(e))
    default: return false
    }
}

@Suite("Indicators against the TA-Lib / pandas-ta reference vectors")
struct ReferenceVectorTests {
    let rows: [ReferenceRow]

    init() throws { rows = try ReferenceRow.load() }

    @Test("ATR(14) and ATR(10) equal TA-Lib within 1e-9 relative, warm-up included")
    func averageTrueRange() {
        var atr14 = AverageTrueRange(period: 14)
        var atr10 = AverageTrueRange(period: 10)
        var mismatches = 0
        for (index, row) in rows.enumerated() {
            let a = atr14.update(high: row.high, low: row.low, close: row.close)
            let b = atr10.update(high: row.high, low: row.low, close: row.close)
            if !close(a, row.atr14) || !close(b, row.atr10) {
                mismatches += 1
                if mismatches < 5 {
                    Issue.record(
                        "bar \(index): atr14 \(String(describing: a)) vs \(String(describing: row.atr14)); atr10 \(String(describing: b)) vs \(String(describing: row.atr10))"
                    )
                }
            }
        }
        #expect(mismatches == 0)
        #expect(rows[13].atr14 == nil && rows[14].atr14 != nil)
    }

    @Test("+DI, −DI and ADX(14) equal TA-Lib: first DI at bar 14, first ADX at bar 27")
    func directionalMovement() {
        var dm = DirectionalMovement(period: 14)
        var mismatches = 0
        for (index, row) in rows.enumerated() {
            let values = dm.update(high: row.high, low: row.low, close: row.close)
            if !close(values.plusDI, row.plusDI14) || !close(values.minusDI, row.minusDI14)
                || !close(values.adx, row.adx14)
            {
                mismatches += 1
                if mismatches < 5 {
                    Issue.record(
                        "bar \(index): \(values) vs +DI \(String(describing: row.plusDI14)) −DI \(String(describing: row.minusDI14)) ADX \(String(describing: row.adx14))"
                    )
                }
            }
            if index == 14 { #expect(values.plusDI != nil && values.adx == nil) }
            if index == 27 { #expect(values.adx != nil) }
        }
        #expect(mismatches == 0)
    }

    @Test("Supertrend(10,3) equals pandas-ta on TA-Lib's ATR: every direction, values within 1e-9")
    func supertrend() {
        var supertrend = Supertrend(period: 10, multiplier: 3)
        var mismatches = 0
        var flips = 0
        var previous: TrendDirection?
        for (index, row) in rows.enumerated() {
            let value = supertrend.update(high: row.high, low: row.low, close: row.close)
            let direction = value.map { Double($0.direction.rawValue) }
            if direction != row.direction || !close(value?.value, row.supertrend) {
                mismatches += 1
                if mismatches < 5 {
                    Issue.record(
                        "bar \(index): \(String(describing: value)) vs \(String(describing: row.supertrend)) dir \(String(describing: row.direction))"
                    )
                }
            }
            if let current = value?.direction, let before = previous, current != before { flips += 1 }
            previous = value?.direction
        }
        #expect(mismatches == 0)
        #expect(flips > 50)
    }

    @Test("the adaptive Supertrend is deterministic and always picks an allowed candidate")
    func adaptiveDeterminism() {
        var first = AdaptiveSupertrend(period: 10)
        var second = AdaptiveSupertrend(period: 10)
        var used = Set<Double>()
        for (index, row) in rows.enumerated() {
            let a = first.update(high: row.high, low: row.low, close: row.close)
            let b = second.update(high: row.high, low: row.low, close: row.close)
            #expect(a == b)
            if index < 10 { #expect(a == nil) } else { #expect(a != nil) }
            if let a {
                used.insert(a.multiplier)
                switch a.regime {
                case .calm: #expect(a.multiplier <= 2.5)
                case .normal: #expect(a.multiplier >= 2.0 && a.multiplier <= 3.0)
                case .volatile: #expect(a.multiplier >= 3.0)
                }
            }
        }
        #expect(used.count >= 3, "the regime and score should move the multiplier on real prices: \(used)")
    }

    @Test("an adaptive Supertrend with one candidate is the plain Supertrend")
    func adaptiveDegenerates() {
        var adaptive = AdaptiveSupertrend(period: 10, candidates: [3.0])
        var plain = Supertrend(period: 10, multiplier: 3)
        for row in rows {
            let a = adaptive.update(high: row.high, low: row.low, close: row.close)
            let p = plain.update(high: row.high, low: row.low, close: row.close)
            #expect(a?.supertrend == p)
        }
    }
}
