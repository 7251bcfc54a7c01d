import Domain
import Engine
import Foundation
import Journal
import Recovery
import Replay
import TestSupport
import Testing

@Suite("State snapshots: a restart folds only the journal's tail", .serialized)
struct StateSnapshotTests {
    /// The normal-day fixture copied into a scratch directory, with its full replay.
    static func fixture(_ scratch: TemporaryDirectory) throws -> (path: String, full: ReplayOutcome) {
        let path = try Fixtures.copy("journal-fixtures/normal-day", into: scratch)
        let full = try JournalReplayer.replay(try Journal.openForReading(at: path).reader)
        #expect(full.divergence == nil)
        return (path, full)
    }

    /// A snapshot of the fold through `seq` (moved forward to the first point where every command is
    /// journaled).
    static func snapshot(_ reader: JournalReader, near seq: UInt64) throws -> StateSnapshot {
        var stop = seq
        while true {
            let outcome = try JournalReplayer.replay(reader, stop: .init(seq: stop))
            if outcome.unjournaled.isEmpty {
                return StateSnapshot(
                    seq: outcome.lastSeq,
                    recordFingerprint: try #require(try StateSnapshot.fingerprint(of: reader, at: outcome.lastSeq)),
                    state: outcome.state, records: outcome.records, events: outcome.events,
                    commands: outcome.commands)
            }
            stop += 1
        }
    }

    /// Writes a snapshot file around a JSON payload, its header and CRC right, so only decoding can refuse it.
    static func write(_ payload: [UInt8], to path: String) throws {
        var file = Array("ASSNAP01".utf8)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { file += $0 }
        withUnsafeBytes(of: payload.withUnsafeBytes { CRC32.update(0, $0) }.littleEndian) { file += $0 }
        try Data(file + payload).write(to: URL(fileURLWithPath: path))
    }

    @Test("replay checks every checksum (on its second thread) and reports a flipped byte at its seq, not a divergence")
    func corruptRecordStopsTheReplay() throws {
        let scratch = TemporaryDirectory()
        let path = try Fixtures.copy("journal-fixtures/normal-day", into: scratch)
        // The session-started record (seq 1) carries the configuration text; flip a byte inside it.
        let file = path + "/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let needle = Array("validation_mode: balanced".utf8)
        var hits = 0
        for index in 0...(bytes.count - needle.count) where Array(bytes[index..<index + needle.count]) == needle {
            bytes[index + 18] ^= 0x01
            hits += 1
        }
        #expect(hits == 1)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let reader = try Journal.openForReading(at: path).reader
        #expect {
            _ = try JournalReplayer.replay(reader)
        } throws: { error in
            guard case JournalError.corruptRecord(let seq, let reason) = error else { return false }
            return seq == 1 && reason.contains("CRC32 mismatch")
        }
    }

    @Test("a snapshot survives the file round trip with the same state hash, configuration included")
    func roundTrip() throws {
        let scratch = TemporaryDirectory()
        let (path, full) = try Self.fixture(scratch)
        let reader = try Journal.openForReading(at: path).reader
        let snapshot = try Self.snapshot(reader, near: full.lastSeq)
        let store = SnapshotStore(journalPath: path)
        let file = try store.save(snapshot)
        #expect(file.hasSuffix("snapshots/state-\(String(format: "%020llu", full.lastSeq)).snap"))
        let loaded = try store.load(file)
        #expect(loaded.seq == full.lastSeq)
        #expect(loaded.stateHash == full.state.stateHash)
        #expect(loaded.state.stateHash == full.state.stateHash)
        #expect(loaded.state.config == full.state.config)
        #expect(loaded.state.config != nil)
        #expect(StateJSON.render(loaded.state) == StateJSON.render(full.state))
    }

    @Test("resuming from a mid-session snapshot folds only the tail and ends where a full replay ends")
    func resume() throws {
        let scratch = TemporaryDirectory()
        let (path, full) = try Self.fixture(scratch)
        let reader = try Journal.openForReading(at: path).reader
        let store = SnapshotStore(journalPath: path)
        for fraction in [0.25, 0.5, 0.9] {
            let snapshot = try Self.snapshot(reader, near: UInt64(Double(full.lastSeq) * fraction))
            try store.save(snapshot)
            let selection = store.latest(for: reader)
            #expect(selection.rejected.isEmpty)
            let chosen = try #require(selection.snapshot)
            #expect(chosen.seq == snapshot.seq)
            let resumed = try JournalReplayer.replay(reader, from: chosen)
            #expect(resumed.divergence == nil)
            #expect(resumed.resumedFromSeq == snapshot.seq)
            #expect(resumed.foldedRecords == full.lastSeq - snapshot.seq)
            #expect(resumed.state.stateHash == full.state.stateHash)
            #expect(
                [resumed.records, resumed.events, resumed.commands] == [full.records, full.events, full.commands])
        }
        // Only the newest two files stay.
        #expect(store.files().count == 2)
    }

    @Test("the instrument master rides in a snapshot as its payload; a file in the keyed layout before is passed over")
    func contractsInSnapshots() throws {
        let scratch = TemporaryDirectory()
        let (path, full) = try Self.fixture(scratch)
        let reader = try Journal.openForReading(at: path).reader
        let store = SnapshotStore(journalPath: path)
        let plain = try Self.snapshot(reader, near: full.lastSeq)
        var state = plain.state
        state.contracts = [
            ContractList(
                underlying: "NIFTY",
                contracts: [OptionType.call, .put].map { type in
                    ContractSpec(
                        underlying: "NIFTY", instrument: InstrumentKey(.nseFNO, type == .call ? 49_081 : 49_082),
                        expiry: CivilDate(2025, 11, 4), strike: .rupees(25_900), type: type, lotSize: 75,
                        tickSize: Paise(5))
                })
        ]
        let snapshot = StateSnapshot(
            seq: plain.seq, recordFingerprint: plain.recordFingerprint, state: state, records: plain.records,
            events: plain.events, commands: plain.commands)
        let file = try store.save(snapshot)
        let loaded = try store.load(file)
        #expect(loaded.state.contracts == state.contracts)
        #expect(loaded.state.stateHash == snapshot.stateHash)
        #expect(store.latest(for: reader).snapshot?.seq == plain.seq)

        // The same snapshot as builds before c3941b9 wrote it: each contract a keyed object. Its CRC is intact, so
        // only decoding it can refuse it, and the reason names the missing payload.
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: file)))
        var json = try #require(try JSONSerialization.jsonObject(with: Data(bytes[16...])) as? [String: Any])
        var stateJSON = try #require(json["state"] as? [String: Any])
        let keyed = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(state.contracts[0].contracts))
        stateJSON["contracts"] = [["underlying": "NIFTY", "contracts": keyed]]
        json["state"] = stateJSON
        try Self.write([UInt8](try JSONSerialization.data(withJSONObject: json)), to: file)
        let selection = store.latest(for: reader)
        #expect(selection.snapshot == nil)
        #expect(selection.rejected.count == 1)
        #expect(selection.rejected.first?.contains("cannot decode") == true)
        #expect(selection.rejected.first?.contains("payload") == true, "\(selection.rejected)")
    }

    @Test("the fuzz target's snapshot seeds decode, the instrument master in hex among them")
    func fuzzSeedsDecode() throws {
        let scratch = TemporaryDirectory()
        let store = SnapshotStore(journalPath: scratch.path)
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        for (name, contracts) in [("breaker-day", 0), ("breaker-day-contracts", 2)] {
            let payload = [UInt8](
                try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("Fuzz/corpus/snapshot/\(name).json"))))
            let path = store.directory + "/\(name).snap"
            try Self.write(payload, to: path)
            let loaded = try store.load(path)
            #expect(loaded.state.contracts.reduce(0) { $0 + $1.contracts.count } == contracts, "\(name)")
        }
    }

    @Test("a fuzzed snapshot whose calendar hung the decoder (expiries on an exchange with no calendar) is refused")
    func fuzzedCalendarHang() throws {
        let scratch = TemporaryDirectory()
        let store = SnapshotStore(journalPath: scratch.path)
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        let payload = [UInt8](try ReferenceData.data("fuzz/snapshot-hang-b0b75b11"))
        let path = store.directory + "/hang.snap"
        try Self.write(payload, to: path)
        let error = #expect(throws: SnapshotError.self) { try store.load(path) }
        #expect(error?.reason.contains("which has no calendar") == true, "\(String(describing: error))")
    }

    @Test("a snapshot of another journal, another engine build, a damaged file or a truncated journal is passed over")
    func rejections() throws {
        let scratch = TemporaryDirectory()
        let (path, full) = try Self.fixture(scratch)
        let reader = try Journal.openForReading(at: path).reader
        let store = SnapshotStore(journalPath: path)
        let good = try Self.snapshot(reader, near: full.lastSeq / 2)

        var otherJournal = good
        otherJournal.recordFingerprint ^= 1
        try store.save(otherJournal)
        var selection = store.latest(for: reader)
        #expect(selection.snapshot == nil)
        #expect(
            selection.rejected == [
                "state-\(String(format: "%020llu", good.seq)).snap: record \(good.seq) differs from the snapshot's"
            ])

        var otherBuild = good
        otherBuild.engineBuild = "0.0.1"
        try store.save(otherBuild)
        selection = store.latest(for: reader)
        #expect(selection.snapshot == nil)
        #expect(selection.rejected.first?.contains("made by engine 0.0.1, this is \(Engine.build)") == true)

        var tampered = good
        tampered.state.lastSeq += 1
        try store.save(tampered)
        #expect(store.latest(for: reader).rejected.first?.contains("does not hash to its recorded hash") == true)

        // A flipped byte in the file fails its CRC; an older intact snapshot is used instead.
        let older = try Self.snapshot(reader, near: full.lastSeq / 4)
        try store.save(older)
        try store.save(good)
        let newest = try #require(store.files().first)
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: newest)))
        bytes[bytes.count / 2] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: newest))
        selection = store.latest(for: reader)
        #expect(selection.rejected.count == 1)
        #expect(selection.rejected.first?.contains("CRC mismatch") == true)
        #expect(selection.snapshot?.seq == older.seq)

        // A snapshot past the journal's end (a journal repaired after it was taken) is refused.
        let other = TemporaryDirectory()
        let truncatedPath = try Fixtures.copy("journal-fixtures/normal-day", into: other)
        _ = try Journal.repair(at: truncatedPath, truncateAfter: good.seq - 10)
        let truncatedStore = SnapshotStore(journalPath: truncatedPath)
        try truncatedStore.save(good)
        let truncatedReader = try Journal.openForReading(at: truncatedPath).reader
        selection = truncatedStore.latest(for: truncatedReader)
        #expect(
            selection.rejected == [
                "state-\(String(format: "%020llu", good.seq)).snap: ends at seq \(good.seq), the journal at \(good.seq - 10)"
            ])
        #expect(truncatedStore.removeAfter(good.seq - 10).count == 1)
        #expect(truncatedStore.files().isEmpty)
    }
}

@Suite("Multi-index backtests run day by day")
struct DayByDayBacktestTests {
    @Test("two indices over the real NIFTY week: sessions alternate per day, dates never go back, and it replays")
    func dayMajorOrder() throws {
        let scratch = TemporaryDirectory()
        let session = try SessionFixtures.session(at: scratch.sub("journal"), files: try SessionFixtures.files())
        let candles = try SessionFixtures.candles()
        // The NIFTY week's bars stand in for BANKNIFTY's too: only the order of sessions matters here.
        let banknifty = InstrumentKey(.indexValue, 25)
        var order: [(CivilDate, InstrumentKey)] = []
        // Three days (the first warms up) keep this test light beside the runtime's accelerated sessions.
        let last = CivilDate(2025, 10, 28)
        let ran = try session.runDays([(SessionFixtures.nifty, candles), (banknifty, candles)], to: last) {
            day, instrument, _ in order.append((day, instrument))
        }
        session.journal.close()
        let days = Set(candles.map { Timestamp(epochSeconds: $0.start).istDate }).sorted().dropFirst().filter {
            $0 <= last
        }
        #expect(ran.days == 2 * days.count)
        #expect(order.map(\.0) == days.flatMap { [$0, $0] })
        #expect(order.map(\.1) == days.flatMap { _ in [SessionFixtures.nifty, banknifty] })
        #expect(session.state.positionDatesAscending)

        var started: [CivilDate] = []
        let reader = try Journal.openForReading(at: scratch.sub("journal")).reader
        try reader.forEach(verifyChecksums: false) { view in
            if case .event(.sessionStarted(let start)) = try JournalEntry.decode(view) {
                started.append(start.tradingDate)
            }
            return true
        }
        #expect(started == started.sorted())
        #expect(started.count == ran.days)
        let outcome = try JournalReplayer.replay(reader)
        #expect(outcome.divergence == nil)
        #expect(outcome.state.stateHash == session.state.stateHash)
    }
}
