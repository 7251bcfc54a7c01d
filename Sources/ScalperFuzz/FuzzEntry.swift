import Foundation
import Journal
import Recovery

/// The target this process fuzzes, from `SCALPER_FUZZ_TARGET` (read once).
nonisolated(unsafe) private var selected: ((UnsafeRawBufferPointer) -> Void)?

/// libFuzzer's entry point: one input to the selected target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if selected == nil {
        let name = ProcessInfo.processInfo.environment["SCALPER_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTargets.all[name] else {
            fatalError(
                "set SCALPER_FUZZ_TARGET to one of: \(FuzzTargets.all.keys.sorted().joined(separator: ", "))")
        }
        selected = target
    }
    selected!(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's start-up hook: with `SCALPER_FUZZ_EXPORT_JOURNAL=JOURNAL:DIR` it writes the journal target's
/// seeds (kind, version, payload of the first records of each kind and version) and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    if let spec = ProcessInfo.processInfo.environment["SCALPER_FUZZ_EXPORT_SNAPSHOT"] {
        exportSnapshot(spec)
    }
    guard let spec = ProcessInfo.processInfo.environment["SCALPER_FUZZ_EXPORT_JOURNAL"] else { return 0 }
    let parts = spec.split(separator: ":").map(String.init)
    guard parts.count == 2 else { fatalError("SCALPER_FUZZ_EXPORT_JOURNAL=JOURNAL:DIR") }
    do {
        let journal = try Journal.openForReading(at: parts[0])
        var written: [String: Int] = [:]
        try journal.reader.forEach(verifyChecksums: true) { view in
            let name = "kind\(view.header.kind)-v\(view.header.kindVersion)"
            guard written[name, default: 0] < 3 else { return true }
            written[name, default: 0] += 1
            var bytes: [UInt8] = [
                UInt8(view.header.kind & 0xff), UInt8(view.header.kind >> 8), UInt8(view.header.kindVersion & 0xff),
                UInt8(view.header.kindVersion >> 8),
            ]
            bytes += view.payload
            let path = "\(parts[1])/\(name)-\(written[name]!).bin"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                fatalError("cannot write \(path)")
            }
            return true
        }
        print("exported \(written.values.reduce(0, +)) seeds of \(written.count) kinds to \(parts[1])")
    } catch {
        fatalError("cannot export \(parts[0]): \(error)")
    }
    exit(0)
}

/// `SCALPER_FUZZ_EXPORT_SNAPSHOT=JOURNAL:FILE`: the snapshot target's seed, the JSON payload of the state a
/// journal folds to, as `scalper run` writes it.
func exportSnapshot(_ spec: String) -> Never {
    let parts = spec.split(separator: ":").map(String.init)
    guard parts.count == 2 else { fatalError("SCALPER_FUZZ_EXPORT_SNAPSHOT=JOURNAL:FILE") }
    do {
        let journal = try Journal.openForReading(at: parts[0])
        let outcome = try JournalReplayer.replay(journal.reader)
        let snapshot = StateSnapshot(
            seq: outcome.lastSeq, recordFingerprint: 0, state: outcome.state, records: outcome.records,
            events: outcome.events, commands: outcome.commands)
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(snapshot).write(to: URL(fileURLWithPath: parts[1]))
        print("exported the state of \(parts[0]) at seq \(outcome.lastSeq) to \(parts[1])")
    } catch {
        fatalError("cannot export \(parts[0]): \(error)")
    }
    exit(0)
}
