import ArgumentParser
import BuiltinConfig
import DhanSim
import Domain
import Foundation
import MarketModel

/// `dhan-sim`: serve a simulated DhanHQ v2 (REST, market feed, order updates) on one local port.
@main
struct DhanSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dhan-sim",
        abstract: "A DhanHQ v2 simulator: REST under /v2, the binary market feed and order updates on one port.",
        discussion: """
            REST: http://127.0.0.1:PORT/v2/…  Market feed: ws://127.0.0.1:PORT/?version=2&token=…&clientId=…&authType=2
            Order updates: ws://127.0.0.1:PORT/ (login message first). Simulated time: GET /sim/clock.
            """)

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one and prints it).")
    var port: Int = 8600

    @Option(help: "Seed of the market model: the same seed gives the same market.")
    var seed: UInt64 = 1

    @Option(help: "Simulated trading day (YYYY-MM-DD).")
    var date: String = "2025-11-04"

    @Option(help: "Simulated start time, IST (HH:MM).")
    var start: String = "09:15"

    @Option(help: "Simulated seconds per wall second (1 = real time; 0 = manual clock via POST /sim/advance).")
    var speed: Double = 1

    @Option(name: .customLong("client-id"), help: "Client id the simulator accepts.")
    var clientID = "SIMCLIENT"

    @Option(name: .customLong("access-token"), help: "Access token the simulator accepts.")
    var accessToken = "SIMTOKEN"

    @Option(help: "Scenario file scripting index or option paths minute by minute.")
    var scenario: String?

    @Option(
        help:
            "Trading calendar (holidays, expiries; default: ./config/calendar.yml, else $XDG_CONFIG_HOME/algoscalper/calendar.yml, else built in)."
    )
    var calendar: String?

    @Option(help: "Extra ticks a market order pays beyond the touch.")
    var slippageTicks = 0

    @Flag(help: "Fill market orders in two parts, one second apart.")
    var partialFills = false

    @Option(
        help: ArgumentHelp(
            "Broker behaviour: documented (the docs' best case), observed (what integrators report: partial fills, ENTRY_LEG cancel refused after a trade, leg alerts under the parent's order number, market orders as protected limits) or hostile (observed with a narrower protection band).",
            valueName: "profile"))
    var profile = "documented"

    @Option(help: "Inject: feeds stall for N wall seconds from start.")
    var stallFeedSeconds: Double?

    @Option(help: "Inject: reject the first N orders.")
    var rejectOrders: Int?

    @Option(help: "Inject: delay order updates by N milliseconds.")
    var orderUpdateDelayMs: Int?

    @Option(help: "Inject: add N milliseconds to every REST answer.")
    var latencyMs: Int?

    func run() async throws {
        guard let day = CivilDate(iso: date) else { throw ValidationError("--date '\(date)' is not YYYY-MM-DD") }
        let clock = start.split(separator: ":").compactMap { Int($0) }
        guard clock.count == 2, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]) else {
            throw ValidationError("--start '\(start)' is not HH:MM")
        }
        guard speed >= 0, speed.isFinite else { throw ValidationError("--speed must be 0 or more") }
        let (tradingCalendar, calendarSource): (TradingCalendar, ConfigSource)
        do { (tradingCalendar, calendarSource) = try CalendarLoader.load(explicit: calendar) } catch {
            throw ValidationError("\(error)")
        }
        FileHandle.standardError.write(Data("calendar: \(calendarSource.label)\n".utf8))
        var configuration = SimConfiguration(date: day, calendar: tradingCalendar)
        configuration.seed = seed
        configuration.startSecondOfDay = clock[0] * 3600 + clock[1] * 60
        configuration.speed = speed
        configuration.clientID = clientID
        configuration.accessToken = accessToken
        configuration.slippageTicks = slippageTicks
        configuration.partialFills = partialFills
        guard let behaviour = SimBehaviour.profile(profile) else {
            throw ValidationError("--profile must be documented, observed or hostile, not '\(profile)'")
        }
        configuration.behaviour = behaviour
        if let scenario {
            let text: String
            do { text = try String(contentsOfFile: scenario, encoding: .utf8) } catch {
                throw ValidationError("cannot read the scenario \(scenario): \(error.localizedDescription)")
            }
            configuration.scenario = try Scenario.parse(text, source: scenario)
        }
        let simulator = try await DhanSimulator.start(configuration, port: port)
        var faults = SimFaults()
        faults.stallFeedSeconds = stallFeedSeconds
        faults.rejectNextOrders = rejectOrders
        faults.orderUpdateDelayMilliseconds = orderUpdateDelayMs
        faults.latencyMilliseconds = latencyMs
        simulator.inject(faults)
        // Written straight to the descriptor: scripts wait for this line, so it must not sit in a buffer.
        FileHandle.standardOutput.write(
            Data(
                """
                dhan-sim listening on 127.0.0.1:\(simulator.port) — REST \(simulator.restBaseURL), feed and order updates \(simulator.feedURL)
                simulated \(day) from \(start) IST at \(speed == 0 ? "a manual clock" : "\(speed)x"); seed \(seed)

                """.utf8))
        try await Task.sleep(for: .seconds(365 * 86_400))
    }
}
