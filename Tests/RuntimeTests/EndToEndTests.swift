import AsyncHTTPClient
import Dhan
import DhanClient
import Domain
import Engine
import Foundation
import Journal
import Logging
import MarketModel
import Recovery
import Replay
import TestSupport
import Testing

@testable import DhanSim
@testable import Runtime

/// The runtime's acceptance suites, one at a time: each drives dhan-sim at 100–120x (the crash test with ten
/// child processes), and at that speed a few milliseconds of CPU contention are seconds of market time.
@Suite("Runtime acceptance against dhan-sim", .serialized)
struct RuntimeAcceptanceTests {}

extension RuntimeAcceptanceTests {
    /// `scalper run` against dhan-sim on loopback, time-accelerated, with the scripted trend day.
    @Suite("Runtime end to end against dhan-sim", .serialized)
    struct EndToEndTests {
        static let day = CivilDate(2025, 11, 4)

        static func simulator(
            speed: Double, start: String = "09:15", faults: SimFaults? = nil, behaviour: SimBehaviour = SimBehaviour()
        ) async throws -> DhanSimulator {
            var configuration = SimConfiguration(date: day, calendar: try ConfigFixtures.calendar())
            configuration.behaviour = behaviour
            configuration.seed = 7
            let clock = start.split(separator: ":").compactMap { Int($0) }
            configuration.startSecondOfDay = clock[0] * 3600 + clock[1] * 60
            configuration.speed = speed
            configuration.scenario = try Scenario.parse(
                try String(contentsOfFile: Fixtures.path("config/scenarios/trend-day.txt"), encoding: .utf8),
                source: "trend-day.txt")
            var logger = Logger(label: "dhan-sim")
            logger.logLevel = .critical
            let sim = try await DhanSimulator.start(configuration, logger: logger)
            if let faults { sim.inject(faults) }
            return sim
        }

        static func quiet() -> Logger {
            var logger = Logger(label: "runtime")
            logger.logLevel = .critical
            return logger
        }

        /// Positions at dhan-sim by instrument: net quantity, buy average and realised PnL in paise.
        static func brokerBook(_ sim: DhanSimulator) -> [InstrumentKey: (net: Int64, realized: Paise)] {
            sim.core.withLock { core in
                var out: [InstrumentKey: (net: Int64, realized: Paise)] = [:]
                for (key, position) in core.broker.positions {
                    out[key] = (Int64(position.net), Paise(Int64((position.realised * 100).rounded())))
                }
                return out
            }
        }

        /// The engine's positions folded by instrument the same way.
        static func engineBook(_ state: EngineState) -> [InstrumentKey: (net: Int64, realized: Paise)] {
            var out: [InstrumentKey: (net: Int64, realized: Paise)] = [:]
            for position in state.positions where position.entryFilled > 0 {
                let current = out[position.instrument] ?? (0, .zero)
                out[position.instrument] = (current.net + position.quantity, current.realized + position.realized)
            }
            return out
        }

        @Test(
            "a full accelerated live session: entries, exits, a replay that matches, and the broker's book equals the engine's"
        )
        func fullSession() async throws {
            // 100x: the entry guard's 2-second quote freshness is 20 ms of wall time (at 200x, 10 ms, which a
            // busy CI machine overran), and the 15:20 time exit has six wall seconds before the 15:30 close.
            let sim = try await Self.simulator(speed: 100)
            let scratch = TemporaryDirectory("e2e")
            let loaded = try ConfigFixtures.loadAlgo()
            var options = TradingRuntime.Options(
                journalPath: scratch.sub("journal"), mode: .live, configFiles: loaded.files, config: loaded.config,
                endpoints: .simulator(port: sim.port), credentials: .simulator)
            options.durability = .fast
            options.stopAtSecondOfDay = 15 * 3600 + 31 * 60
            options.reconnect = ReconnectPolicy(initial: .milliseconds(100), maximum: .seconds(1), coolOff: .seconds(1))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let clock = try await SimulatorClock(restURL: sim.restBaseURL, http: http)
            let runtime = try TradingRuntime(options: options, clock: clock, logger: Self.quiet())
            try await runtime.run()
            let state = await runtime.sequencer.state
            try await http.shutdown()

            // The journal replays to the same state, command for command.
            let journal = try Journal.openForReading(at: scratch.sub("journal"))
            let outcome = try JournalReplayer.replay(journal.reader)
            #expect(outcome.divergence == nil)
            #expect(outcome.state.stateHash == state.stateHash)

            // Trades happened and every position is flat by the end of the day.
            let traded = state.positions.filter { $0.entryFilled > 0 }
            #expect(traded.count >= 2)
            #expect(state.openPositions.isEmpty)
            let reasons = Set(traded.compactMap(\.exitReason))
            #expect(!reasons.isEmpty)

            // One broker order per intent; the broker's positions and realised PnL equal the engine's exactly.
            let correlations = sim.core.withLock { core in
                // A super order's legs carry their entry's correlation id; count each placed order once.
                core.broker.orders.filter { $0.legName != "TARGET_LEG" && $0.legName != "STOP_LOSS_LEG" }.map(
                    \.correlationID)
            }.filter { !$0.isEmpty }
            #expect(Set(correlations).count == correlations.count)
            let broker = Self.brokerBook(sim)
            let engine = Self.engineBook(state)
            #expect(broker.keys.sorted() == engine.keys.sorted())
            for key in broker.keys {
                #expect(
                    broker[key]?.net == engine[key]?.net && broker[key]?.realized == engine[key]?.realized, "\(key)")
            }

            // Every entry's option feed was asked for no later than one second after its first fill.
            var firstFill: [InstrumentKey: Timestamp] = [:]
            var subscribed: [InstrumentKey: Timestamp] = [:]
            try journal.reader.forEach(verifyChecksums: false) { view in
                let time = Timestamp(nanos: view.header.timestampNanos)
                switch try JournalEntry.decode(view) {
                case .event(.fill(let fill)) where fill.side == .buy:
                    if firstFill[fill.instrument] == nil { firstFill[fill.instrument] = time }
                case .command(.subscribe(let subscription), _):
                    for key in subscription.instruments where subscribed[key] == nil { subscribed[key] = time }
                default: break
                }
                return true
            }
            for (key, fill) in firstFill {
                let subscription = try #require(subscribed[key], "\(key) never subscribed")
                #expect(subscription.nanos <= fill.nanos + 1_000_000_000, "\(key)")
            }
            journal.close()
            await sim.stop()
        }
    }
}

typealias EndToEndTests = RuntimeAcceptanceTests.EndToEndTests

extension ConfigFixtures {
    /// The committed algo.yml with its calendar, as `scalper run` loads them.
    static func loadAlgo() throws -> (config: AlgoConfig, files: [ConfigFile]) {
        let algo = try algoText()
        let calendarText = try calendarText()
        let calendar = try TradingCalendar.parse(yaml: calendarText)
        return (
            try AlgoConfig.parse(yaml: algo, calendar: calendar),
            [ConfigFile(name: "algo.yml", text: algo), ConfigFile(name: "calendar.yml", text: calendarText)]
        )
    }
}
