import ArgumentParser
import Domain
import Engine
import Foundation
import History
import Indicators
import Journal
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
            its first '_' or '.'. Without --proxy, the engine trades options against the paper broker, one session \
            per trading day, writes a journal (fast mode) that 'scalper replay' verifies, and writes report.html, \
            trades.csv and summary.json to --out. With --options model (the default) option prices come from \
            Black-Scholes driven by the index path; with --options history they are the premiums DhanHQ recorded, \
            read with the index's 1m candles from the store 'scalper history fetch' fills (no --data): fills pay \
            --spread-pct and --slippage-ticks, a price inside a bar walks open, low, high, close (the adverse \
            extreme first), and contracts the store does not carry are counted, never priced.
            """
    )

    /// What the backtest trades.
    enum Proxy: String, ExpressibleByArgument {
        case index
    }

    /// Where option prices come from.
    enum Premiums: String, ExpressibleByArgument {
        case model, history
    }

    @Option(help: "Trade a proxy instead of options: 'index'.")
    var proxy: Proxy?

    @Option(name: .customLong("data"), help: "A candle file (repeatable; not with --options history).")
    var data: [String] = []

    @Option(help: "Option prices: 'model' (Black-Scholes on the index path) or 'history' (recorded premiums).")
    var options: Premiums = .model

    @Option(help: "The history store (--options history; default as 'scalper history fetch').")
    var store: String?

    @Option(
        name: .customLong("spread-pct"), help: "Bid-ask spread, percent of the recorded premium (--options history).")
    var spreadPercent: Double = 0.5

    @Option(
        name: .customLong("slippage-ticks"),
        help: "Ticks of ₹0.05 a fill loses beyond the bid or ask (--options history).")
    var slippageTicks: Int = 1

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

    @Option(help: "Output directory: trades.csv (both), report.html and summary.json (option backtests).")
    var out: String = "out/backtest"

    @Option(help: "Journal written by the option backtest (fast mode; replaced if it exists).")
    var journal: String = "out/backtest/journal"

    @Option(help: "Paper starting balance in rupees (option backtest).")
    var balance: Int64 = 200_000

    @Option(help: ConfigLoader.optionHelp)
    var config: String?

    func validate() throws {
        if options == .history {
            guard proxy == nil else { throw ValidationError("--options history trades options; drop --proxy") }
            guard data.isEmpty else {
                throw ValidationError("--options history reads the index's candles from --store; drop --data")
            }
            guard from != nil, to != nil else { throw ValidationError("--options history needs --from and --to") }
            guard spreadPercent >= 0, spreadPercent < 50 else { throw ValidationError("--spread-pct must be 0 to 50") }
            guard (0...100).contains(slippageTicks) else { throw ValidationError("--slippage-ticks must be 0 to 100") }
        } else {
            guard !data.isEmpty else { throw ValidationError("give at least one --data file") }
        }
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
        if proxy == nil {
            try runOptions()
            return
        }
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try ConfigLoader.load(explicit: config)
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
        let firstDay = first?.daysSinceEpoch ?? .min
        let lastDay = last?.daysSinceEpoch ?? .max
        let filtered = first != nil || last != nil
        let wanted = data.map { path in
            let name = URL(fileURLWithPath: path).lastPathComponent
            return (path: path, symbol: String(name.prefix { $0 != "_" && $0 != "." }))
        }.filter { indices.isEmpty || indices.contains($0.symbol) }
        let started = ContinuousClock.now
        // Each file is read, parsed and studied on its own task (the files share nothing), so the cores
        // work side by side; outcomes are kept in file order, and the first failing file is the one reported.
        let outcomes = await withTaskGroup(of: (Int, Result<StudiedFile, StudyFailure>).self) { group in
            for (position, file) in wanted.enumerated() {
                group.addTask {
                    (
                        position,
                        Self.studyFile(
                            file.path, symbol: file.symbol, study: study,
                            days: filtered ? firstDay...lastDay : nil)
                    )
                }
            }
            var outcomes = [Result<StudiedFile, StudyFailure>?](repeating: nil, count: wanted.count)
            for await (position, outcome) in group { outcomes[position] = outcome }
            return outcomes.map { $0! }
        }
        var trades: [ProxyStudy.Trade] = []
        var summary: [String] = []
        var totalBars = 0
        for outcome in outcomes {
            let studied: StudiedFile
            switch outcome {
            case .success(let value): studied = value
            case .failure(.format(let error)):
                printError("error: \(error)")
                throw ExitCode(1)
            case .failure(.unreadable(let path, let why)):
                printError("error: cannot read \(path): \(why)")
                throw ExitCode(2)
            }
            totalBars += studied.bars
            trades += studied.trades
            let points = studied.trades.reduce(0) { $0 + $1.points }
            let wins = studied.trades.filter { $0.points > 0 }.count
            summary.append(
                "\(studied.symbol): \(studied.bars) bars, \(studied.trades.count) trades, \(wins) winners, \(String(format: "%.2f", points)) points"
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

/// One candle file's outcome in the index signal study.
struct StudiedFile: Sendable {
    let symbol: String
    let bars: Int
    let trades: [ProxyStudy.Trade]
}

/// Why one candle file could not be studied.
enum StudyFailure: Error {
    case format(CandleFile.FormatError)
    case unreadable(path: String, why: String)
}

extension BacktestCommand {
    /// Reads, parses and studies one file; `days` keeps only bars whose IST day number is within it.
    static func studyFile(
        _ path: String, symbol: String, study: ProxyStudy, days: ClosedRange<Int64>?
    ) -> Result<StudiedFile, StudyFailure> {
        var bars: [PriceBar]
        do {
            // Mapped, not read: the parser walks the file once, so copying it into fresh memory first only costs
            // (a tenth of the study). A file replaced by rename while mapped (how `scalper history` and the
            // tools write) stays readable; one truncated in place by another program would fault the process.
            bars = try CandleFile.parse(
                try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped), source: path)
        } catch let error as CandleFile.FormatError {
            return .failure(.format(error))
        } catch {
            return .failure(.unreadable(path: path, why: error.localizedDescription))
        }
        if let days {
            bars.removeAll { !days.contains(Timestamp(epochSeconds: $0.start).istDayNumber) }
        }
        return .success(StudiedFile(symbol: symbol, bars: bars.count, trades: study.run(symbol: symbol, bars: bars)))
    }
}

extension BacktestCommand {
    /// The option backtest: every trading day in the data (after the first, which warms the indicators
    /// up) is one paper session of the full engine, journaled.
    func runOptions() throws {
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try ConfigLoader.load(explicit: config)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let started = ContinuousClock.now
        var series: [(instrument: InstrumentKey, candles: [Candle])] = []
        var names: [InstrumentKey: String] = [:]
        var premiums: RecordedPremiums?
        if self.options == .history {
            let recorded = try recordedSeries(loaded.config)
            series = recorded.series
            names = recorded.names
            premiums = recorded.premiums
        }
        try? FileManager.default.removeItem(atPath: journal)
        let store = try Journal.openForWriting(
            at: journal, options: JournalOptions(durability: .fast, writeThroughMap: false))
        var options = PaperSession.Options()
        options.startingBalance = .rupees(balance)
        let session = PaperSession(
            journal: store, files: loaded.files, config: loaded.config, options: options, premiums: premiums)
        var days = 0
        var bars = 0
        for path in data {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let symbol = String(name.prefix { $0 != "_" && $0 != "." }).uppercased()
            guard
                let index = loaded.config.indices.first(where: { symbol.hasPrefix($0.key) })
                    ?? (data.count == 1 ? loaded.config.indices.first : nil)
            else {
                printError(
                    "error: \(path): the file name does not start with a configured index (\(loaded.config.indices.map(\.key).joined(separator: ", ")))"
                )
                throw ExitCode(64)
            }
            if !indices.isEmpty && !indices.contains(index.key) { continue }
            let candles: [Candle]
            do {
                candles = try CandleFile.parse(try Data(contentsOf: URL(fileURLWithPath: path)), source: path).map {
                    try $0.candle()
                }
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
            series.append((index.instrument, candles))
            names[index.instrument] = index.key
        }
        // Day by day across the indices, so the journal runs forward in time.
        let ran: (days: Int, bars: Int)
        do {
            ran = try session.runDays(
                series, from: from.flatMap { CivilDate(iso: $0) }, to: to.flatMap { CivilDate(iso: $0) }
            ) { day, instrument, _ in
                if standardErrorIsTerminal { printProgress("backtest: \(day) \(names[instrument] ?? "") done") }
            }
        } catch let error as HistoryStoreError {
            printError("error: \(error) (fetch it again with scalper history fetch)")
            throw ExitCode(1)
        }
        days += ran.days
        bars += ran.bars
        if standardErrorIsTerminal { printProgress("") }
        // Derived data: running the backtest again rebuilds it, so it is left to the kernel's writeback.
        store.close(forcingToDisk: false)
        let seconds = (ContinuousClock.now - started).seconds
        let state = session.state
        let exited = state.positions.filter { $0.phase == .exited }
        let realized = state.positions.reduce(Paise.zero) { $0 + $1.realized }
        let charges = state.positions.reduce(Paise.zero) { $0 + $1.charges }
        print(
            "option backtest (\(self.options == .history ? "recorded premiums" : "model premiums")): \(days) day(s), \(grouped(bars)) bars, \(grouped(store.lastSeq)) journal records in \(String(format: "%.2f", seconds)) s"
        )
        print(
            "trades: \(exited.count) closed, \(state.positions.filter(\.phase.isOpen).count) open; gross ₹\(realized), charges ₹\(charges), net ₹\(realized - charges)"
        )
        for position in exited {
            print(
                "  \(position.entryTag) qty \(position.entryFilled) @ \(position.entryAverage) → \(position.exitReason?.rawValue ?? "-") net ₹\(position.netPnL)"
            )
        }
        var notes: [String] = []
        if let counts = premiums?.counts {
            notes = [
                "recorded premiums: spread \(spreadPercent)%, slippage \(slippageTicks) tick(s); \(counts.exitsInsideBar) of \(counts.exits) exit order(s) decided inside a bar (low before high)",
                "not in the store: \(counts.chainsWithoutData) chain(s) with no strikes, \(counts.candidatesNotCarried) strike(s) the selector looked for, \(counts.contractMinutesWithoutPrice) minute(s) a subscribed contract had no price, \(counts.ordersWithoutPrice) order(s) refused for want of a price",
                "beyond the stored strikes: \(counts.contractMinutesAtBound) contract-minute(s) priced at the no-arbitrage lower bound, \(counts.fillsAtBound) fill(s) at it",
            ]
            for note in notes { print(note) }
            if counts.contractMinutesAtBound > 0 {
                print(
                    "  (a wider --strikes range in scalper history fetch, up to ATM-10..ATM+10, prices them as recorded)"
                )
            }
        } else {
            notes = ["model premiums: Black-Scholes on the index path (no recorded prices)"]
        }
        let report = SessionReport(state: state)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try report.html(title: "AlgoScalper backtest", notes: notes).write(
            toFile: out + "/report.html", atomically: true, encoding: .utf8)
        try report.tradesCSV.write(toFile: out + "/trades.csv", atomically: true, encoding: .utf8)
        try ReportSummary(report).json.write(toFile: out + "/summary.json", atomically: true, encoding: .utf8)
        print("journal: \(journal) (verify: scalper replay \(journal))")
        print("report: \(out)/report.html, \(out)/trades.csv, \(out)/summary.json")
    }

    /// The index candles and recorded premiums of `--options history`, from the store.
    func recordedSeries(_ config: AlgoConfig) throws -> (
        series: [(instrument: InstrumentKey, candles: [Candle])], names: [InstrumentKey: String],
        premiums: RecordedPremiums
    ) {
        let root = store ?? HistoryStore.defaultRoot(environment: ProcessInfo.processInfo.environment)
        let history = HistoryStore(root: root)
        let premiums = RecordedPremiums(
            store: history, calendar: config.calendar,
            costs: .init(spreadPercent: spreadPercent, slippageTicks: slippageTicks))
        do {
            let loaded = try RecordedSeries.load(
                config: config, history: history, root: root, premiums: premiums, from: CivilDate(iso: from!)!,
                to: CivilDate(iso: to!)!, indices: indices
            ) { printError("note: skipping \($0)") }
            return (loaded.series, loaded.names, premiums)
        } catch {
            printError("error: \(error)")
            if case .notConfigured = error { throw ExitCode(64) }
            throw ExitCode(1)
        }
    }
}
