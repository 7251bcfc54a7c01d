import Domain
import Engine
import Foundation
import Indicators
import Journal
import Replay
import TestSupport

/// How the committed journal fixtures are recorded: the full engine on the paper session over the real
/// NIFTY candles of 24–31 October 2025.
enum SessionFixtures {
    static let nifty = InstrumentKey(.indexValue, 13)

    static func candles() throws -> [Candle] {
        try CandleFile.parse(try ReferenceData.data("dhan/nifty-intraday-1m-2025-10-24..31.json"), source: "nifty 1m")
            .map { try $0.candle() }
    }

    static func files(algo: (String) -> String = { $0 }) throws -> [ConfigFile] {
        [
            ConfigFile(name: "algo.yml", text: algo(try ConfigFixtures.algoText())),
            ConfigFile(name: "calendar.yml", text: try ConfigFixtures.calendarText()),
        ]
    }

    static func session(at path: String, files: [ConfigFile]) throws -> PaperSession {
        let calendar = try TradingCalendar.parse(yaml: files[1].text)
        let config = try AlgoConfig.parse(yaml: files[0].text, calendar: calendar)
        let journal = try Journal.openForWriting(at: path, options: JournalOptions(durability: .fast))
        let session = PaperSession(journal: journal, files: files, config: config)
        session.setHistory(nifty, minuteBars: try candles())
        return session
    }

    static func bars(_ day: CivilDate, from: (Int, Int), to: (Int, Int)) throws -> [Candle] {
        let start = Timestamp.ist(day, from.0, from.1).epochSeconds
        let end = Timestamp.ist(day, to.0, to.1).epochSeconds
        return try candles().filter { $0.start >= start && $0.start < end }
    }

    /// A normal day with trades: 31 Oct 2025, 09:15–11:30.
    static func normalDay(at path: String) throws {
        let session = try session(at: path, files: try files())
        let day = CivilDate(2025, 10, 31)
        try session.runDay(day, instrument: nifty, bars: try bars(day, from: (9, 15), to: (11, 30)))
        session.journal.close()
    }

    /// A losing day: 31 Oct 2025 with a 0.5 % daily loss limit and a 10 % stop: the breaker trips,
    /// positions are flattened and no entry follows.
    static func breakerDay(at path: String) throws {
        let files = try files { text in
            text.replacingOccurrences(of: "  daily_loss_limit_pct: 0.06", with: "  daily_loss_limit_pct: 0.005")
                .replacingOccurrences(of: "  sl_pct: 0.30", with: "  sl_pct: 0.10")
        }
        let session = try session(at: path, files: files)
        let day = CivilDate(2025, 10, 31)
        try session.runDay(day, instrument: nifty, bars: try bars(day, from: (9, 15), to: (12, 0)))
        session.journal.close()
    }

    /// 31 Oct 2025, 09:15–11:00, with a crash between an event and its commands while a position is
    /// being entered, then recovery (replay, journal the missing commands, the broker goes on) and the rest.
    static func crashAndRecovery(at path: String) throws {
        let day = CivilDate(2025, 10, 31)
        let bars = try bars(day, from: (9, 15), to: (11, 0))
        var stopped: (bar: Int, tick: Int) = (0, 0)
        do {
            let session = try session(at: path, files: try files())
            // Run until the first position exists, then crash the next time an event causes commands.
            var position = (bar: 0, tick: 0)
            while position.bar < bars.count {
                position = try session.runDay(
                    day, instrument: nifty, bars: bars, startBar: position.bar, startTick: position.tick,
                    stopAfterInputs: 1)
                if !session.state.positions.isEmpty { break }
            }
            session.crashBeforeNextCommands = true
            position = try session.runDay(
                day, instrument: nifty, bars: bars, startBar: position.bar, startTick: position.tick)
            stopped = position
            session.journal.close()
        }
        let session = try session(at: path, files: try files())
        try session.recover()
        try session.runDay(day, instrument: nifty, bars: bars, startBar: stopped.bar, startTick: stopped.tick)
        session.journal.close()
    }

    static let all: [(name: String, write: @Sendable (String) throws -> Void)] = [
        ("normal-day", normalDay), ("breaker-day", breakerDay), ("crash-recovery", crashAndRecovery),
    ]
}
