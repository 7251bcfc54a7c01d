import ArgumentParser
import AsyncHTTPClient
import DhanClient
import Domain
import Engine
import Foundation
import Hummingbird
import Journal
import Logging
import Runtime
import ServiceLifecycle

/// `scalper run`: the live (or paper) trading process.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Trade: journal every input, fold it through the engine, and act on its commands (paper by default).",
        discussion: """
            Paper mode fills at the live bid/ask inside the process; --live sends real orders and needs \
            --confirm-live plus DHAN_CLIENT_ID and DHAN_ACCESS_TOKEN (environment or a 0600 --credentials file).

            Restarting with the same --journal resumes the session: the journal is replayed and in-flight \
            orders are reconciled with the broker by correlation id, so no intent is sent twice.
            """)

    @Option(help: ConfigLoader.optionHelp)
    var config: String?

    @Option(help: "Journal directory (created if missing; resumed if it has records).")
    var journal: String

    @Flag(help: "Paper trading (the default).")
    var paper = false

    @Flag(help: "Send real orders to the broker.")
    var live = false

    @Flag(name: .customLong("confirm-live"), help: "Confirms --live: real money.")
    var confirmLive = false

    @Option(name: .customLong("dhan-rest"), help: "REST base URL (overrides dhan.rest_url).")
    var dhanRest: String?

    @Option(name: .customLong("dhan-feed"), help: "Market-feed WebSocket URL (overrides dhan.feed_url).")
    var dhanFeed: String?

    @Option(name: .customLong("dhan-orders"), help: "Order-update WebSocket URL (overrides dhan.order_feed_url).")
    var dhanOrders: String?

    @Option(help: "Clock: wall (IST) or simulator (follow dhan-sim's accelerated clock); overrides dhan.clock.")
    var clock: String?

    @Option(name: .customLong("http-port"), help: "Status API port (0 picks one).")
    var httpPort = 8080

    @Option(
        name: .customLong("http-host"),
        help: "Status API address; beyond loopback only with --control-token-file.")
    var httpHost = "127.0.0.1"

    @Option(help: "Credentials file (KEY=value lines, mode 0600) when the environment has none.")
    var credentials: String?

    @Option(
        help: "Stop on its own at this IST time (HH:MM), after the session's last exit; without it, run day after day.")
    var until: String?

    @Option(
        name: .customLong("day-start"),
        help: "IST time (HH:MM) each trading day's start-up begins: session, contracts, reconciliation.")
    var dayStart = "09:00"

    @Option(help: "Journal durability: durable (sync every commit) or fast.")
    var durability = "durable"

    @Option(
        name: .customLong("snapshot-every"),
        help: "Save a state snapshot every N events and at shutdown, so a restart folds only the tail (0: never).")
    var snapshotEvery = 20_000

    @Flag(name: .customLong("no-snapshots"), help: "Rebuild the state from the whole journal, ignoring snapshots.")
    var noSnapshots = false

    @Option(
        name: .customLong("control-token-file"),
        help: "File with the bearer token for POST /kill-switch and /circuit/reset.")
    var controlTokenFile: String?

    func validate() throws {
        if paper && live { throw ValidationError("--paper and --live are exclusive") }
        if live && !confirmLive { throw ValidationError("--live sends real orders: add --confirm-live to mean it") }
        if !ControlGuard.isLoopback(httpHost) && controlTokenFile == nil {
            throw ValidationError("\(ControlGuard.Refusal.publicWithoutToken(host: httpHost))")
        }
        if let clock, clock != "wall" && clock != "simulator" {
            throw ValidationError("--clock must be wall or simulator")
        }
        if Durability(rawValue: durability) == nil { throw ValidationError("--durability must be durable or fast") }
        if snapshotEvery < 0 { throw ValidationError("--snapshot-every must be 0 or more") }
    }

    func run() async throws {
        var logger = Logger(label: "scalper")
        logger.logLevel =
            ProcessInfo.processInfo.environment["SCALPER_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let log = logger
        let loaded = try ConfigLoader.load(explicit: config)
        var settings = loaded.config.broker
        if let dhanRest { settings.restURL = dhanRest }
        if let dhanFeed { settings.feedURL = dhanFeed }
        if let dhanOrders { settings.orderFeedURL = dhanOrders }
        if let clock { settings.clock = clock == "simulator" ? .simulator : .wall }
        let endpoints = DhanEndpoints(
            restURL: settings.restURL, feedURL: settings.feedURL, orderFeedURL: settings.orderFeedURL)
        let environment = ProcessInfo.processInfo.environment
        let credentials: DhanCredentials
        do {
            credentials = try DhanCredentials.load(environment: environment, file: self.credentials)
        } catch {
            // Paper trading against the simulator needs no secrets; anything else does.
            guard !live, settings.restURL.contains("127.0.0.1") || settings.restURL.contains("localhost") else {
                throw ValidationError("\(error)")
            }
            credentials = .simulator
        }
        var options = TradingRuntime.Options(
            journalPath: journal, mode: live ? .live : .paper, configFiles: loaded.files, config: loaded.config,
            endpoints: endpoints, credentials: credentials)
        options.durability = Durability(rawValue: durability)!
        options.snapshotEvery = snapshotEvery
        options.useSnapshots = !noSnapshots
        if let algo = loaded.files.first(where: { $0.name == "algo.yml" }),
            let alerts = try AlertSettings.parse(
                yaml: algo.text, file: loaded.source.path ?? "algo.yml", environment: environment)
        {
            let destinations: [AlertDestination]
            do {
                destinations = try AlertDispatcher.destinations(alerts, environment: environment)
            } catch {
                throw ValidationError("\(error)")
            }
            options.alerts = AlertDispatcher(destinations: destinations, clock: MonotonicClock(), logger: logger)
            options.feedDownAfterSeconds = alerts.feedDownAfterSeconds
            logger.notice("alerts on", metadata: ["destinations": "\(destinations.map(\.name))"])
        }
        let startParts = dayStart.split(separator: ":").compactMap { Int($0) }
        guard startParts.count == 2, (0..<24).contains(startParts[0]), (0..<60).contains(startParts[1]) else {
            throw ValidationError("--day-start '\(dayStart)' is not HH:MM")
        }
        options.dayStartSecondOfDay = startParts[0] * 3600 + startParts[1] * 60
        if let until {
            let parts = until.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2 else { throw ValidationError("--until '\(until)' is not HH:MM") }
            options.stopAtSecondOfDay = parts[0] * 3600 + parts[1] * 60
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let runtimeClock: any RuntimeClock =
            settings.clock == .simulator ? try await SimulatorClock(restURL: settings.restURL, http: http) : WallClock()
        let runtime = try TradingRuntime(options: options, clock: runtimeClock, logger: logger)
        let token = try controlTokenFile.map {
            try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let host = httpHost
        let status = try StatusServer.application(
            runtime: runtime, host: host, port: httpPort, controlToken: token, logger: logger
        ) { port in
            log.notice("status API listening", metadata: ["url": "http://\(host):\(port)/status"])
        }
        logger.notice(
            "starting",
            metadata: [
                "mode": "\(options.mode)", "journal": "\(journal)", "rest": "\(endpoints.restURL)",
                "credentials": "\(credentials)", "clock": "\(settings.clock)",
            ])
        // swift-service-lifecycle: SIGINT / SIGTERM shut the group down gracefully, the runtime first (it stops
        // intake, flushes the journal and says what stays open), then the status API; the runtime ending on
        // its own (--until) ends the group too.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: status),
                    .init(
                        service: RuntimeService(runtime: runtime), successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
    }
}

/// The trading runtime as a service: a graceful shutdown asks it to stop, and `run()` returns once the
/// journal is flushed.
struct RuntimeService: Service {
    let runtime: TradingRuntime

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await runtime.run()
        } onGracefulShutdown: {
            runtime.stop()
        }
    }
}
