import DhanSim
import Domain
import Engine
import Foundation
import Journal
import MarketModel
import Recovery
import Replay
import Runtime
import TestSupport
import Testing

@testable import Simulation

/// Day after day on one journal: the next trading day starts at 09:00 with its own `session_started`, before
/// the open; outside the session the engine's timer fires once a minute.
@Suite("Trading days on virtual time")
struct TradingDaysTests {
    static func world(_ date: CivilDate, start: Int) throws -> SimWorld {
        var configuration = SimConfiguration(date: date, calendar: try ConfigFixtures.calendar())
        configuration.seed = 7
        configuration.speed = 0
        configuration.startSecondOfDay = start
        configuration.scenario = try Scenario.parse(
            try String(contentsOfFile: Fixtures.path("config/scenarios/trend-day.txt"), encoding: .utf8),
            source: "trend-day.txt")
        return SimWorld(configuration)
    }

    /// Runs a paper process against `world` on `journal` until `stop` (IST second of the day).
    static func process(_ world: SimWorld, journal: String, master: String, stop: Int) throws {
        let harness = VirtualRuntime(world: world)
        var options = try VirtualRuntimeTests.options(journal: journal, mode: .paper, ports: harness.ports)
        options.masterDirectory = master
        options.stopAtSecondOfDay = stop
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: VirtualRuntimeTests.quiet())
        #expect(try harness.run(runtime, until: stop + 60) == .stopped)
    }

    @Test(
        "a second day on the same journal: started at 09:00 with its own session_started, traded, reported beside the first; idle minutes tick once a minute"
    )
    func secondDay() throws {
        let scratch = TemporaryDirectory("trading-days")
        let journal = scratch.sub("journal")
        let first = CivilDate(2025, 11, 3)
        let second = CivilDate(2025, 11, 4)
        try Self.process(
            try Self.world(first, start: 9 * 3600 + 15 * 60), journal: journal, master: scratch.sub("master"),
            stop: 15 * 3600 + 31 * 60)
        // The next morning, a process started at 08:45 (say, by systemd) waits for the day's start-up time.
        try Self.process(
            try Self.world(second, start: 8 * 3600 + 45 * 60), journal: journal, master: scratch.sub("master"),
            stop: 11 * 3600)

        let reader = try Journal.openForReading(at: journal)
        defer { reader.close() }
        var sessions: [(date: CivilDate, time: Timestamp)] = []
        var timers: [Timestamp] = []
        try reader.reader.forEach { view in
            let time = Timestamp(nanos: view.header.timestampNanos)
            switch try JournalEntry.decode(view) {
            case .event(.sessionStarted(let started)): sessions.append((started.tradingDate, time))
            case .event(.timer): timers.append(time)
            default: break
            }
            return true
        }
        #expect(sessions.map(\.date) == [first, second])
        #expect(sessions.last?.time.istDate == second)
        #expect(sessions.last.map { Int($0.time.istSecondOfDay) / 60 } == 9 * 60, "started at 09:00")
        // 08:45–08:55: once a minute; 08:55–09:00: every second.
        let idle = timers.filter {
            $0.istDate == second && (8 * 3600 + 45 * 60..<8 * 3600 + 55 * 60).contains(Int($0.istSecondOfDay))
        }
        let waking = timers.filter {
            $0.istDate == second && (8 * 3600 + 55 * 60..<9 * 3600).contains(Int($0.istSecondOfDay))
        }
        #expect((9...11).contains(idle.count), "\(idle.count) timers between 08:45 and 08:55")
        #expect(waking.count >= 295, "\(waking.count) timers between 08:55 and 09:00")

        let replayed = try JournalReplayer.replay(reader.reader)
        #expect(replayed.divergence == nil)
        let report = SessionReport(state: replayed.state)
        #expect(report.days.map(\.date) == [first, second])
        #expect(replayed.state.positions.contains { $0.tradingDate == second && $0.entryFilled > 0 })
        #expect(replayed.state.dayRisk?.date == second)
    }

    @Test(
        "one process across two midnights and a holiday: the next trading day's session at 09:00 in the same journal, idle minutes overnight, the holiday skipped, day two's market traded"
    )
    func acrossMidnight() throws {
        let scratch = TemporaryDirectory("across-midnight")
        let journal = scratch.sub("journal")
        let calendar = try ConfigFixtures.calendar()
        let first = CivilDate(2025, 11, 4)
        let holiday = CivilDate(2025, 11, 5)
        let next = CivilDate(2025, 11, 6)
        #expect(calendar.isTradingDay(first) && !calendar.isTradingDay(holiday) && calendar.isTradingDay(next))
        let harness = VirtualRuntime(world: try Self.world(first, start: 14 * 3600 + 30 * 60))
        var options = try VirtualRuntimeTests.options(journal: journal, mode: .paper, ports: harness.ports)
        options.masterDirectory = scratch.sub("master")
        options.stopAtSecondOfDay = nil
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: VirtualRuntimeTests.quiet())
        harness.start(runtime)
        harness.advance(until: Timestamp.ist(next, 11, 0))
        #expect(!harness.finished, "one process, still running at 11:00 two days later")
        #expect(try harness.finish(runtime) == .timeLimit)

        let reader = try Journal.openForReading(at: journal)
        defer { reader.close() }
        var sessions: [(date: CivilDate, time: Timestamp)] = []
        var timers: [Timestamp] = []
        var ticksByDate: [CivilDate: Int] = [:]
        try reader.reader.forEach { view in
            let time = Timestamp(nanos: view.header.timestampNanos)
            switch try JournalEntry.decode(view) {
            case .event(.sessionStarted(let started)): sessions.append((started.tradingDate, time))
            case .event(.timer): timers.append(time)
            case .event(.tick): ticksByDate[time.istDate, default: 0] += 1
            default: break
            }
            return true
        }
        #expect(sessions.map(\.date) == [first, next], "no session on the holiday")
        #expect(sessions.last.map { Int($0.time.istSecondOfDay) / 60 } == 9 * 60, "day two started at 09:00")
        // The holiday: one timer a minute all day, nothing else ticking.
        let holidayTimers = timers.filter { $0.istDate == holiday }
        #expect(holidayTimers.count == 1440, "\(holidayTimers.count) timers on the holiday")
        #expect(ticksByDate[holiday] == nil)
        #expect((ticksByDate[next] ?? 0) > 1000, "day two's market ticked: \(ticksByDate[next] ?? 0)")

        let replayed = try JournalReplayer.replay(reader.reader)
        #expect(replayed.divergence == nil && replayed.unjournaled.isEmpty)
        #expect(replayed.state.session?.tradingDate == next)
        #expect(replayed.state.indices.allSatisfy { $0.lastPriceTime?.istDate == next })
        #expect(replayed.state.positions.allSatisfy { $0.tradingDate == next || $0.phase.isSettled })
    }
}
