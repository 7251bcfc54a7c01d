import ArgumentParser
import Dhan
import DhanClient
import Domain
import Engine
import Foundation
import History
import Logging

/// `scalper history`: download DhanHQ history into a local store, list it, export it.
struct HistoryGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Download expired options and index candles from DhanHQ into a local store; list and export it.",
        subcommands: [HistoryFetchCommand.self, HistoryListCommand.self, HistoryExportCommand.self])
}

/// Options every history command shares: the store and the configured indices.
struct HistoryStoreOptions: ParsableArguments {
    @Option(help: "The store (default: $XDG_DATA_HOME/algoscalper/history or ~/.local/share/algoscalper/history).")
    var store: String?

    var root: String { store ?? HistoryStore.defaultRoot(environment: ProcessInfo.processInfo.environment) }
}

/// Parses `YYYY-MM-DD` for an option, naming the option.
func civilDate(_ text: String, option: String) throws -> CivilDate {
    guard let date = CivilDate(iso: text) else { throw ValidationError("\(option) '\(text)' is not YYYY-MM-DD") }
    return date
}

/// The configured indices named in a comma-separated `--index` list (all of them when nil).
func configuredIndices(_ list: String?, config: AlgoConfig) throws -> [IndexConfig] {
    guard let list else { return config.indices }
    var out: [IndexConfig] = []
    for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).uppercased() }) {
        guard let index = config.index(name) else {
            throw ValidationError(
                "--index \(name) is not configured (the configuration has \(config.indices.map(\.key).joined(separator: ", ")))"
            )
        }
        out.append(index)
    }
    return out
}

struct HistoryFetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download expired index options (by strike from the money) and the index's candles.",
        discussion: """
            Expired options come from POST /v2/charts/rollingoption, 30 days a request; index candles from \
            /v2/charts/intraday (1m and 5m) and /v2/charts/historical (daily). What the store already holds is \
            not fetched again, so an interrupted fetch resumes where it stopped. Requests stay within the data \
            API's limits (5 a second, 100,000 a day); a 429 backs off; a refused token (DH-901) stops with what \
            is stored kept.
            """)

    @OptionGroup var storeOptions: HistoryStoreOptions

    @Option(help: "Indices to fetch, comma-separated (default: every configured index).")
    var index: String?

    @Option(help: "First day (YYYY-MM-DD).")
    var from: String

    @Option(help: "Last day, included (YYYY-MM-DD).")
    var to: String

    @Option(help: "Option bar size in minutes: 1, 5, 15, 25 or 60.")
    var interval: Int = 1

    @Option(help: "Strikes from the money, such as ATM-3..ATM+3 or ATM.")
    var strikes: String = "ATM-2..ATM+2"

    @Option(help: "Expiries: week or month.")
    var expiry: String = "week"

    @Option(name: .customLong("expiry-code"), help: "Which expiry: 1 near, 2 next, 3 far.")
    var expiryCode: Int = 1

    @Flag(name: .customLong("no-index-candles"), help: "Fetch only options, not the index's own candles.")
    var noIndexCandles = false

    @Option(name: .customLong("dhan-rest"), help: "REST base URL (overrides dhan.rest_url).")
    var dhanRest: String?

    @Option(help: "Credentials file (KEY=value lines, mode 0600) when the environment has none.")
    var credentials: String?

    @Option(help: ConfigLoader.optionHelp)
    var config: String?

    func validate() throws {
        guard RollingOptionRequest.intervals.contains(interval) else {
            throw ValidationError("--interval must be 1, 5, 15, 25 or 60")
        }
        guard StrikeOffset.range(strikes) != nil else {
            throw ValidationError(
                "--strikes '\(strikes)' is not ATM, ATM±n or a range such as ATM-3..ATM+3 (n up to 10)")
        }
        guard ExpiryKind(rawValue: expiry) != nil else { throw ValidationError("--expiry must be week or month") }
        guard (1...3).contains(expiryCode) else { throw ValidationError("--expiry-code must be 1, 2 or 3") }
        let first = try civilDate(from, option: "--from")
        let last = try civilDate(to, option: "--to")
        guard first <= last else { throw ValidationError("--from \(from) is after --to \(to)") }
    }

    func run() async throws {
        let loaded = try ConfigLoader.load(explicit: config)
        let indices = try configuredIndices(index, config: loaded.config)
        var settings = loaded.config.broker
        if let dhanRest { settings.restURL = dhanRest }
        let credentials: DhanCredentials
        do {
            credentials = try DhanCredentials.load(
                environment: ProcessInfo.processInfo.environment, file: self.credentials)
        } catch {
            guard settings.restURL.contains("127.0.0.1") || settings.restURL.contains("localhost") else {
                throw ValidationError("\(error)")
            }
            credentials = .simulator
        }
        var series: [HistorySeries] = []
        for offset in StrikeOffset.range(strikes)! {
            for type in OptionType.allCases {
                series.append(
                    .options(
                        interval: interval, expiry: ExpiryKind(rawValue: expiry)!, code: expiryCode, offset: offset,
                        type: type))
            }
        }
        if !noIndexCandles { series += [.indexIntraday(interval: 1), .indexIntraday(interval: 5), .indexDaily] }
        let fetch = HistoryFetch(
            targets: indices.map {
                HistoryFetch.Target(index: $0.key, underlying: $0.instrument, optionSegment: $0.optionSegment)
            }, series: series, from: try civilDate(from, option: "--from"),
            to: try civilDate(to, option: "--to").adding(days: 1))
        let store = HistoryStore(root: storeOptions.root)
        let (items, stored) = try fetch.plan(store)
        let total = items.reduce(0) { $0 + $1.requests.count }
        printError(
            "history: \(items.count) month-series to fetch (\(total) requests), \(stored) already stored in \(store.root)"
        )
        var logger = Logger(label: "history")
        logger.logLevel = .error
        let client = DhanRESTClient(
            endpoints: DhanEndpoints(
                restURL: settings.restURL, feedURL: settings.feedURL, orderFeedURL: settings.orderFeedURL),
            credentials: credentials, logger: logger)
        let started = ContinuousClock.now
        let terminal = standardErrorIsTerminal
        var lastShown = -1
        let summary: HistoryFetch.Summary
        do {
            summary = try await fetch.run(items, stored: stored, source: client, store: store) { done, total in
                let percent = total == 0 ? 100 : done * 100 / total
                guard terminal || percent / 10 != lastShown / 10 || done == total else { return }
                lastShown = percent
                let elapsed = Double((ContinuousClock.now - started).components.seconds) + 1e-9
                let rate = Double(done) / max(elapsed, 0.001)
                let remaining = rate > 0 ? Int(Double(total - done) / rate) : 0
                let line =
                    "history: \(done)/\(total) requests (\(percent)%), \(String(format: "%.1f", rate))/s, ETA \(remaining / 60)m \(remaining % 60)s"
                if terminal {
                    FileHandle.standardError.write(Data(("\r" + line + (done == total ? "\n" : "")).utf8))
                } else {
                    printError(line)
                }
            }
        } catch {
            try? await client.shutdown()
            printError("error: \(error)")
            throw ExitCode(1)
        }
        try? await client.shutdown()
        for line in summary.refused { printError("refused: \(line)") }
        print(
            "history: \(summary.requests) requests, \(summary.monthsWritten) month-series written (\(grouped(summary.bars)) bars), \(summary.monthsAlreadyStored) already stored, \(summary.refused.count) refused"
        )
    }
}

struct HistoryListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List what the store holds: each index's series, days and bars.")

    @OptionGroup var storeOptions: HistoryStoreOptions

    func run() throws {
        let store = HistoryStore(root: storeOptions.root)
        let listings = try store.list()
        guard !listings.isEmpty else {
            print("history: nothing stored in \(store.root)")
            return
        }
        print("index      series                              months  days                      bars  partial")
        for listing in listings {
            let index = listing.index.padding(toLength: 10, withPad: " ", startingAt: 0)
            let series = listing.series.description.padding(toLength: 35, withPad: " ", startingAt: 0)
            let months = String(listing.months.count).leftPadded(6)
            let days = "\(listing.from)..\(listing.through.adding(days: -1))"
            print(
                "\(index) \(series) \(months)  \(days)  \(grouped(listing.bars).leftPadded(10))  \(listing.partialMonths)"
            )
        }
    }
}

struct HistoryExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write stored bars as CSV (to standard output, or --out FILE).")

    @OptionGroup var storeOptions: HistoryStoreOptions

    @Option(help: "The index.")
    var index: String

    @Option(help: "The series, as 'history ls' names it (options/1m/week-1/ATM+1-CE, index/5m, index/daily).")
    var series: String

    @Option(help: "First day (YYYY-MM-DD).")
    var from: String

    @Option(help: "Last day, included (YYYY-MM-DD).")
    var to: String

    @Option(help: "Write to this file instead of standard output.")
    var out: String?

    func validate() throws {
        guard HistorySeries(path: series) != nil else {
            throw ValidationError("--series '\(series)' is not a series name ('scalper history ls' lists them)")
        }
        _ = try civilDate(from, option: "--from")
        _ = try civilDate(to, option: "--to")
    }

    func run() throws {
        let store = HistoryStore(root: storeOptions.root)
        let lines = try HistoryExport.lines(
            store, index: index.uppercased(), series: HistorySeries(path: series)!,
            from: try civilDate(from, option: "--from"), to: try civilDate(to, option: "--to").adding(days: 1))
        let text = ([HistoryExport.header] + lines).joined(separator: "\n") + "\n"
        if let out {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            printError("history: \(lines.count) bars written to \(out)")
        } else {
            var writer = LineWriter()
            writer.line(HistoryExport.header)
            for line in lines { writer.line(line) }
            writer.flush()
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
