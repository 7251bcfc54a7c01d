import ArgumentParser
import Domain
import Engine
import Foundation
import Indicators
import Replay

/// `scalper backtest`: the engine's signals over historical candles.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest over historical 1m candles; --proxy index runs the index signal study.",
        discussion: """
            With --proxy index it trades one unit of each index itself on the engine's signal (long on bullish, \
            short on bearish, no costs) and writes trades.csv (symbol,side,entry_time,entry_price,exit_time,\
            exit_price,reason; bar-open epoch seconds). Each --data file is CSV with timestamp,open,high,low,close\
            [,volume] (epoch seconds UTC of the bar open) or DhanHQ chart JSON; its symbol is the file name up to \
            its first '_' or '.'. The option backtest (paper broker and simulated option market) is not available \
            yet; --proxy index is required.
            """
    )

    /// What the backtest trades.
    enum Proxy: String, ExpressibleByArgument {
        case index
    }

    @Option(help: "Trade a proxy instead of options: 'index'.")
    var proxy: Proxy?

    @Option(name: .customLong("data"), help: "A candle file (repeatable).")
    var data: [String] = []

    @Option(help: "First IST date to trade, YYYY-MM-DD.")
    var from: String?

    @Option(help: "Last IST date to trade, YYYY-MM-DD.")
    var to: String?

    @Option(name: .customLong("index"), help: "Only these symbols (repeatable).")
    var indices: [String] = []

    @Option(help: "Supertrend period and multiplier, P,M (default: the config's).")
    var supertrend: String?

    @Option(name: .customLong("adx-1m"), help: "1m ADX threshold (default: the config's).")
    var adx1m: Double?

    @Option(name: .customLong("adx-5m"), help: "5m ADX threshold (default: the config's).")
    var adx5m: Double?

    @Option(help: "Output directory for trades.csv.")
    var out: String = "out/backtest"

    @Option(help: "The trading configuration.")
    var config: String = "config/algo.yml"

    func validate() throws {
        guard proxy == .index else {
            throw ValidationError(
                "the option backtest (simulated option market) is not implemented yet; run the signal study with --proxy index"
            )
        }
        guard !data.isEmpty else { throw ValidationError("give at least one --data file") }
        if let from, CivilDate(iso: from) == nil { throw ValidationError("--from must be YYYY-MM-DD") }
        if let to, CivilDate(iso: to) == nil { throw ValidationError("--to must be YYYY-MM-DD") }
        if let supertrend {
            let parts = supertrend.split(separator: ",")
            guard parts.count == 2, Int(parts[0]).map({ $0 >= 1 }) == true, Double(parts[1]).map({ $0 > 0 }) == true
            else {
                throw ValidationError("--supertrend must be PERIOD,MULTIPLIER such as 10,3")
            }
        }
    }

    func run() async throws {
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let signals = loaded.config.signals
        var parameters = ProxyStudy.Parameters(
            supertrendPeriod: signals.supertrendPeriod, supertrendMultiplier: signals.supertrendMultiplier,
            adxPeriod: signals.adxPeriod,
            adx1mThreshold: signals.adxMinStrength, adx5mThreshold: signals.confirmationThreshold)
        if let supertrend {
            let parts = supertrend.split(separator: ",")
            parameters.supertrendPeriod = Int(parts[0])!
            parameters.supertrendMultiplier = Double(parts[1])!
        }
        if let adx1m { parameters.adx1mThreshold = adx1m }
        if let adx5m { parameters.adx5mThreshold = adx5m }
        let first = from.flatMap { CivilDate(iso: $0) }
        let last = to.flatMap { CivilDate(iso: $0) }

        let study = ProxyStudy(parameters: parameters)
        var trades: [ProxyStudy.Trade] = []
        var summary: [String] = []
        var totalBars = 0
        let started = ContinuousClock.now
        for path in data {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let symbol = String(name.prefix { $0 != "_" && $0 != "." })
            if !indices.isEmpty && !indices.contains(symbol) { continue }
            var bars: [PriceBar]
            do {
                bars = try CandleFile.parse(try Data(contentsOf: URL(fileURLWithPath: path)), source: path)
            } catch let error as CandleFile.FormatError {
                printError("error: \(error)")
                throw ExitCode(1)
            } catch {
                printError("error: cannot read \(path): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            bars = bars.filter { bar in
                let date = Timestamp(epochSeconds: bar.start).istDate
                return (first.map { date >= $0 } ?? true) && (last.map { date <= $0 } ?? true)
            }
            totalBars += bars.count
            let mine = study.run(symbol: symbol, bars: bars)
            trades += mine
            let points = mine.reduce(0) { $0 + $1.points }
            let wins = mine.filter { $0.points > 0 }.count
            summary.append(
                "\(symbol): \(bars.count) bars, \(mine.count) trades, \(wins) winners, \(String(format: "%.2f", points)) points"
            )
        }
        let seconds = (ContinuousClock.now - started).seconds
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let file = out + "/trades.csv"
        try ProxyStudy.csv(trades).write(toFile: file, atomically: true, encoding: .utf8)
        print(
            "signal study (index proxy): Supertrend(\(parameters.supertrendPeriod),\(parameters.supertrendMultiplier)), ADX 1m ≥ \(parameters.adx1mThreshold), 5m ≥ \(parameters.adx5mThreshold)"
        )
        for line in summary { print(line) }
        print(
            "\(trades.count) trades written to \(file) (\(grouped(totalBars)) bars in \(String(format: "%.3f", seconds)) s)"
        )
    }
}
