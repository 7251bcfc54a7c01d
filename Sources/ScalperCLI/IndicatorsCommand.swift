import ArgumentParser
import Foundation
import Indicators

/// `scalper indicators`: the engine's indicators over a candle file, as CSV.
struct IndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Compute ATR, +DI/−DI/ADX and Supertrend over a candle file and print CSV.",
        discussion: """
            CANDLES is DhanHQ chart JSON (columnar arrays, bare or under "response") or CSV with the header \
            timestamp,open,high,low,close (epoch seconds UTC). Output columns: \
            timestamp,open,high,low,close,atr,plus_di,minus_di,adx,supertrend,supertrend_dir; a field is empty \
            before its first valid value; supertrend_dir is 1 or -1. Definitions: TA-Lib ATR and ADX, pandas-ta \
            Supertrend on TA-Lib's ATR.
            """
    )

    @Argument(help: "The candle file.")
    var candles: String

    @Option(help: "Supertrend period and multiplier, as P,M.")
    var supertrend: String = "10,3"

    @Option(help: "ADX / DI period.")
    var adx: Int = 14

    @Option(help: "ATR period.")
    var atr: Int = 14

    func validate() throws {
        _ = try supertrendParameters()
        guard adx >= 2 else { throw ValidationError("--adx must be at least 2") }
        guard atr >= 1 else { throw ValidationError("--atr must be at least 1") }
    }

    private func supertrendParameters() throws -> (Int, Double) {
        let parts = supertrend.split(separator: ",")
        guard parts.count == 2, let period = Int(parts[0]), period >= 1, let multiplier = Double(parts[1]),
            multiplier > 0
        else {
            throw ValidationError("--supertrend must be PERIOD,MULTIPLIER such as 10,3 (got '\(supertrend)')")
        }
        return (period, multiplier)
    }

    func run() async throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: candles))
        } catch {
            printError("error: cannot read \(candles): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let bars: [PriceBar]
        do {
            bars = try CandleFile.parse(data, source: candles)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let (period, multiplier) = try supertrendParameters()
        var averageTrueRange = AverageTrueRange(period: atr)
        var directional = DirectionalMovement(period: adx)
        var trend = Supertrend(period: period, multiplier: multiplier)
        var output = LineWriter()
        output.line("timestamp,open,high,low,close,atr,plus_di,minus_di,adx,supertrend,supertrend_dir")
        func field(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        for bar in bars {
            let range = averageTrueRange.update(high: bar.high, low: bar.low, close: bar.close)
            let dm = directional.update(high: bar.high, low: bar.low, close: bar.close)
            let st = trend.update(high: bar.high, low: bar.low, close: bar.close)
            let columns = [
                "\(bar.start)", "\(bar.open)", "\(bar.high)", "\(bar.low)", "\(bar.close)", field(range),
                field(dm.plusDI),
                field(dm.minusDI), field(dm.adx), field(st?.value), st.map { "\($0.direction.rawValue)" } ?? "",
            ]
            output.line(columns.joined(separator: ","))
        }
        output.flush()
    }
}
