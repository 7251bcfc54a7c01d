import Domain
import Foundation
import Journal
import Workloads

/// The committed journals under `journal-fixtures/` and how they were made.
public enum Fixtures {
    /// The repository root, found from this source file's location.
    public static let repositoryRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    public static func path(_ relative: String) -> String { repositoryRoot + "/" + relative }

    /// `journal-fixtures/sample-session`: 600 sample records, of which seqs 10…12 are stored as
    /// version-1 ticks (ticker fields only), so the fixture proves old versions stay readable.
    public static let sampleSessionCount: UInt64 = 600
    public static let legacyTickSeqs: ClosedRange<UInt64> = 10...12

    /// The record the sample-session fixture holds at `seq`.
    public static func sampleSessionRecord(seq: UInt64) -> PendingRecord {
        var record = SampleSession.record(seq: seq)
        if legacyTickSeqs.contains(seq), case (.event(.tick(let tick)), _) = SampleSession.entry(seq: seq) {
            var writer = BinaryWriter()
            writer.u8(tick.instrument.segment.rawValue)
            writer.u32(tick.instrument.securityID.value)
            writer.paise(tick.lastPrice)
            writer.i64(tick.lastTradeTime)
            record.kindVersion = 1
            record.payload = writer.bytes
        }
        return record
    }

    /// What reading the sample-session fixture must give at `seq` (v1 ticks upgraded).
    public static func sampleSessionEntry(seq: UInt64) -> JournalEntry {
        let (entry, _) = SampleSession.entry(seq: seq)
        if legacyTickSeqs.contains(seq), case .event(.tick(let tick)) = entry {
            return .event(
                .tick(Tick(instrument: tick.instrument, lastPrice: tick.lastPrice, lastTradeTime: tick.lastTradeTime)))
        }
        return entry
    }

    /// Writes the sample-session fixture into `directory` (only `data.mdb` is committed).
    public static func writeSampleSession(to directory: String) throws {
        let journal = try Journal.openForWriting(
            at: directory, options: JournalOptions(durability: .durable, initialMapSize: 1 << 20))
        try journal.append((1...sampleSessionCount).map { sampleSessionRecord(seq: $0) })
        journal.close()
    }

    /// Copies a committed fixture journal into a scratch directory (readers create `lock.mdb`).
    public static func copy(_ fixture: String, into scratch: TemporaryDirectory) throws -> String {
        let target = scratch.sub(URL(fileURLWithPath: fixture).lastPathComponent)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path(fixture) + "/data.mdb", toPath: target + "/data.mdb")
        return target
    }

    /// The events of a committed fixture journal (`journal-fixtures/NAME`), with the times they were journaled.
    public static func events(ofJournal name: String) throws -> [(Event, Timestamp)] {
        let scratch = TemporaryDirectory()
        let source = try Journal.openForReading(at: try copy("journal-fixtures/\(name)", into: scratch))
        defer { source.close() }
        var out: [(Event, Timestamp)] = []
        try source.reader.forEach { view in
            if case .event(let event) = try JournalEntry.decode(view) {
                out.append((event, Timestamp(nanos: view.header.timestampNanos)))
            }
            return true
        }
        return out
    }
}

/// Real DhanHQ captures and reference indicator vectors under `Tests/Fixtures/` (its README says where each
/// came from).
public enum ReferenceData {
    public static func path(_ relative: String) -> String { Fixtures.repositoryRoot + "/Tests/Fixtures/" + relative }

    /// Bytes of a reference file.
    public static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(relative)))
    }

    /// The `response` object of a recorded DhanHQ exchange (`{method, path, request, status, response}`).
    public static func dhanResponse(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: try data("dhan/" + name)) as! [String: Any]
        return object["response"] as! [String: Any]
    }
}

/// The committed configuration, parsed as the engine sees it.
public enum ConfigFixtures {
    public static func calendarText() throws -> String {
        try String(contentsOfFile: Fixtures.path("config/calendar.yml"), encoding: .utf8)
    }
    /// The repository's `algo.yml` with the fallback lots of the fixtures' own expiries: the recorded chains
    /// and the simulated days are from November 2025, when a NIFTY lot was 75 and a BANKNIFTY lot 35 (the
    /// shipped file carries the 2026 lots, 65 and 30; RULES.md §2.1).
    public static func algoText() throws -> String {
        let text = try String(contentsOfFile: Fixtures.path("config/algo.yml"), encoding: .utf8)
        return
            text
            .replacingOccurrences(of: "    lot_size: 65 ", with: "    lot_size: 75 ")
            .replacingOccurrences(of: "    lot_size: 30\n", with: "    lot_size: 35\n")
    }
    public static func calendar() throws -> TradingCalendar { try TradingCalendar.parse(yaml: try calendarText()) }
}
