import Domain
import Engine
import Foundation
import Journal

/// The engine's state after a journal's first `seq` records, saved so that a restart folds only the tail.
///
/// A snapshot is a cache, never the truth: it is taken only where every command the engine computed has
/// been journaled, it names the record it ends on (seq and that record's fingerprint), the engine build
/// that made it and the state's hash, and anything that does not match is ignored in favour of a full
/// replay. `scalper replay` always folds the whole journal.
public struct StateSnapshot: Sendable, Codable {
    /// The last journal seq the state covers (an event's commands included).
    public var seq: UInt64
    /// A CRC-32 of the record at `seq`, so a snapshot from another journal (or a truncated one) is refused.
    public var recordFingerprint: UInt32
    /// The engine build that folded the state; another build may fold differently, so it refolds.
    public var engineBuild: String
    public var stateHash: String
    /// Records, events and commands the state covers.
    public var records: UInt64
    public var events: UInt64
    public var commands: UInt64
    public var state: EngineState

    public init(
        seq: UInt64, recordFingerprint: UInt32, engineBuild: String = Engine.build, state: EngineState,
        records: UInt64, events: UInt64, commands: UInt64
    ) {
        self.seq = seq
        self.recordFingerprint = recordFingerprint
        self.engineBuild = engineBuild
        self.stateHash = state.stateHash
        self.records = records
        self.events = events
        self.commands = commands
        self.state = state
    }

    /// The fingerprint of the record at `seq`, nil when the journal has no such record.
    public static func fingerprint(of reader: JournalReader, at seq: UInt64) throws -> UInt32? {
        guard let record = try reader.record(at: seq) else { return nil }
        var crc = withUnsafeBytes(of: seq.bigEndian) { CRC32.update(0, $0) }
        crc = withUnsafeBytes(of: record.kind.littleEndian) { CRC32.update(crc, $0) }
        crc = withUnsafeBytes(of: record.kindVersion.littleEndian) { CRC32.update(crc, $0) }
        crc = withUnsafeBytes(of: record.timestampNanos.littleEndian) { CRC32.update(crc, $0) }
        return record.payload.withUnsafeBytes { CRC32.update(crc, $0) }
    }
}

/// Snapshot files in a journal's `snapshots/` directory: written atomically, the newest two kept.
///
/// File: `ASSNAP01` · u32 LE payload length · u32 LE CRC-32 of the payload · the payload (the snapshot
/// as JSON). Names are `state-<seq, 20 digits>.snap`, so they sort by seq.
public struct SnapshotStore: Sendable {
    public let directory: String
    /// How many snapshot files stay after a save.
    public var keep = 2

    static let magic = Array("ASSNAP01".utf8)

    public init(journalPath: String) {
        directory = (journalPath as NSString).appendingPathComponent("snapshots")
    }

    /// The snapshot files, newest first.
    public func files() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("state-") && $0.hasSuffix(".snap") }.sorted(by: >)
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Writes `snapshot` (temporary file, fsync, rename, fsync of the directory) and prunes older files.
    @discardableResult
    public func save(_ snapshot: StateSnapshot) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let payload = try encoder.encode(snapshot)
        var bytes = Self.magic
        bytes.reserveCapacity(16 + payload.count)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { bytes += $0 }
        let crc = payload.withUnsafeBytes { CRC32.update(0, $0) }
        withUnsafeBytes(of: crc.littleEndian) { bytes += $0 }
        bytes += payload
        let name = "state-" + String(format: "%020llu", snapshot.seq) + ".snap"
        let path = (directory as NSString).appendingPathComponent(name)
        let temporary = path + ".tmp"
        try Self.writeSynced(bytes, to: temporary)
        guard rename(temporary, path) == 0 else {
            throw SnapshotError(path: path, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
        Self.syncDirectory(directory)
        for stale in files().dropFirst(keep) { try? FileManager.default.removeItem(atPath: stale) }
        return path
    }

    /// Reads one snapshot file, checking its magic, length and CRC.
    public func load(_ path: String) throws -> StateSnapshot {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SnapshotError(path: path, reason: "cannot read the file")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 16, Array(bytes[0..<8]) == Self.magic else {
            throw SnapshotError(path: path, reason: "not a state snapshot (bad magic)")
        }
        let length = bytes[8..<12].withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        let stored = bytes[12..<16].withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        guard Int(length) == bytes.count - 16 else {
            throw SnapshotError(path: path, reason: "header says \(length) bytes, file holds \(bytes.count - 16)")
        }
        let payload = bytes[16...]
        let actual = payload.withUnsafeBytes { CRC32.update(0, $0) }
        guard actual == stored else {
            throw SnapshotError(path: path, reason: "CRC mismatch (stored \(stored), computed \(actual))")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(StateSnapshot.self, from: Data(payload))
        } catch {
            throw SnapshotError(path: path, reason: "cannot decode: \(error)")
        }
    }

    /// What `latest(for:)` found: the newest snapshot that fits the journal, and why others were passed over.
    public struct Selection: Sendable {
        public var snapshot: StateSnapshot?
        public var path: String?
        public var rejected: [String] = []
    }

    /// The newest snapshot that belongs to this journal and this engine build, with an intact state.
    public func latest(for reader: JournalReader) -> Selection {
        var selection = Selection()
        let lastSeq = (try? reader.lastSeq()) ?? 0
        for path in files() {
            let name = (path as NSString).lastPathComponent
            do {
                let snapshot = try load(path)
                guard snapshot.engineBuild == Engine.build else {
                    selection.rejected.append(
                        "\(name): made by engine \(snapshot.engineBuild), this is \(Engine.build)")
                    continue
                }
                guard snapshot.seq <= lastSeq else {
                    selection.rejected.append("\(name): ends at seq \(snapshot.seq), the journal at \(lastSeq)")
                    continue
                }
                guard try StateSnapshot.fingerprint(of: reader, at: snapshot.seq) == snapshot.recordFingerprint else {
                    selection.rejected.append("\(name): record \(snapshot.seq) differs from the snapshot's")
                    continue
                }
                guard snapshot.state.stateHash == snapshot.stateHash else {
                    selection.rejected.append("\(name): the state does not hash to its recorded hash")
                    continue
                }
                selection.snapshot = snapshot
                selection.path = path
                return selection
            } catch {
                selection.rejected.append("\(error)")
            }
        }
        return selection
    }

    /// Removes snapshots that end after `seq` (a journal truncated there); returns their paths.
    public func removeAfter(_ seq: UInt64) -> [String] {
        var removed: [String] = []
        for path in files() {
            if let fileSeq = Self.seq(ofFile: path), fileSeq > seq,
                (try? FileManager.default.removeItem(atPath: path)) != nil
            {
                removed.append(path)
            }
        }
        return removed
    }

    /// The seq a snapshot file's name carries.
    public static func seq(ofFile path: String) -> UInt64? {
        UInt64((path as NSString).lastPathComponent.dropFirst("state-".count).prefix(20))
    }

    private static func writeSynced(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SnapshotError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw SnapshotError(path: path, reason: String(cString: strerror(errno))) }
            offset += written
        }
        guard fsync(fd) == 0 else { throw SnapshotError(path: path, reason: String(cString: strerror(errno))) }
    }

    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// A snapshot file that cannot be written or read, with its path and the reason.
public struct SnapshotError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "snapshot \(path): \(reason)" }
}
