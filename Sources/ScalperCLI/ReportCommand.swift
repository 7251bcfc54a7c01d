import ArgumentParser
import Foundation
import Journal
import Recovery
import Replay

/// `scalper report`: trades, per-day summary and equity curve of a journal, as HTML and CSV.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Replay a journal and write report.html (equity curve with drawdown, days, trades) and trades.csv.")

    @Argument(help: "The journal directory.")
    var journal: String

    @Option(help: "Output directory.")
    var out: String = "out/report"

    func run() async throws {
        let opened = try openForReading(journal)
        let outcome: ReplayOutcome
        var intraday = IntradaySeries()
        do {
            outcome = try JournalReplayer.replay(opened.reader, everyMinute: { intraday.sample($0, at: $1) })
        } catch {
            printError("error: \(error)")
            throw JournalExit.corrupt
        }
        if let divergence = outcome.divergence {
            printError(
                "error: the journal does not replay (seq \(divergence.seq): \(divergence.explanation)); run scalper replay for details"
            )
            throw ExitCode(3)
        }
        var report = SessionReport(state: outcome.state)
        report.intraday = intraday.days
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try report.html(title: "AlgoScalper report: \(journal)").write(
            toFile: out + "/report.html", atomically: true, encoding: .utf8)
        try report.tradesCSV.write(toFile: out + "/trades.csv", atomically: true, encoding: .utf8)
        try ReportSummary(report).json.write(toFile: out + "/summary.json", atomically: true, encoding: .utf8)
        print(
            "\(report.trades.count) trades over \(report.days.count) day(s): net ₹\(report.totalNet), max drawdown ₹\(report.maxDrawdown)"
        )
        print("report: \(out)/report.html")
        print("trades: \(out)/trades.csv")
        print("summary: \(out)/summary.json")
    }
}
