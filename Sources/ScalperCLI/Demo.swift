import ArgumentParser
import Domain
import Engine
import Foundation
import Indicators
import Journal
import Replay

/// `scalper demo`: the README's main command.
///
/// Runs the full engine in paper mode over a real NIFTY week (bundled in `data/`) against the paper
/// broker and the option market model, journaling every event and command; then replays the journal to
/// prove it exact and writes the report. (Against dhan-sim once the simulator lands.)
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Paper-trade a real NIFTY week with the full engine, prove the journal replays exactly, and write the report."
    )

    @Option(help: "Directory for the demo's journal and report (its journal is replaced on each run).")
    var out: String = "out/demo"

    @Option(help: "1m candles of the index to trade (DhanHQ chart JSON or CSV).")
    var data: String = "data/NIFTY_1m_2025-10-24..31.json"

    @Option(help: "The trading configuration.")
    var config: String = "config/algo.yml"

    func run() async throws {
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let candles: [Candle]
        do {
            candles = try CandleFile.parse(try Data(contentsOf: URL(fileURLWithPath: data)), source: data).map {
                try $0.candle()
            }
        } catch {
            printError("error: \(data): \(error)")
            throw ExitCode(2)
        }
        guard let index = loaded.config.indices.first else { throw ExitCode(2) }
        let journalPath = out + "/journal"
        try? FileManager.default.removeItem(atPath: journalPath)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

        // 1. Paper-trade each day after the first (which warms the indicators up), journaling everything.
        let started = ContinuousClock.now
        let journal = try Journal.openForWriting(at: journalPath, options: JournalOptions(durability: .fast))
        let session = PaperSession(journal: journal, files: loaded.files, config: loaded.config)
        let days = Set(candles.map { Timestamp(epochSeconds: $0.start).istDate }).sorted().dropFirst()
        print(
            "AlgoScalper demo: paper-trading \(index.key) on \(days.count) real trading days (\(days.first!) to \(days.last!))"
        )
        try session.runDays(candles, instrument: index.instrument) { day, _ in
            let closed = session.state.positions.filter { $0.tradingDate == day && $0.phase == .exited }
            let net = closed.reduce(Paise.zero) { $0 + $1.netPnL }
            let tripped = session.state.dayRisk?.circuitTripped == true ? " (circuit breaker tripped)" : ""
            print("  \(day): \(closed.count) trades, net ₹\(net)\(tripped)")
        }
        journal.close()
        let recorded = session.state.stateHash
        let seconds = (ContinuousClock.now - started).seconds
        print("journal: \(journalPath): \(grouped(journal.lastSeq)) records in \(String(format: "%.2f", seconds)) s")

        // 2. Replay it with the same reducers and no effects: every command must come out the same.
        let replayed = try JournalReplayer.replay(try Journal.openForReading(at: journalPath).reader)
        if let divergence = replayed.divergence {
            printError("error: the demo journal did not replay: seq \(divergence.seq): \(divergence.explanation)")
            throw ExitCode(3)
        }
        guard replayed.state.stateHash == recorded else {
            printError("error: replayed state hash \(replayed.state.stateHash) differs from the live \(recorded)")
            throw ExitCode(3)
        }
        print(
            "replay: \(grouped(replayed.records)) records, \(grouped(replayed.commands)) commands identical; state hash \(recorded)"
        )

        // 3. The report.
        let report = SessionReport(state: replayed.state)
        try report.html(title: "AlgoScalper demo: \(index.key) paper session").write(
            toFile: out + "/report.html", atomically: true, encoding: .utf8)
        try report.tradesCSV.write(toFile: out + "/trades.csv", atomically: true, encoding: .utf8)
        print(
            "result: \(report.trades.count) trades, net ₹\(report.totalNet) after charges, max drawdown ₹\(report.maxDrawdown)"
        )
        print("report: \(out)/report.html (trades: \(out)/trades.csv)")
        print("audit:  scalper journal dump \(journalPath) --kind place_order,fill  ·  scalper replay \(journalPath)")
    }
}
