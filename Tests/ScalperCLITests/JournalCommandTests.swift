import EngineTestSupport
import Foundation
import Journal
import TestSupport
import Testing
import Workloads

@Suite("scalper journal commands")
struct JournalCommandTests {
    let scratch = TemporaryDirectory()

    func fixture() throws -> String { try Fixtures.copy("journal-fixtures/sample-session", into: scratch) }

    @Test("dump: text and NDJSON over the fixture match their golden files")
    func dumpGolden() throws {
        let path = try fixture()
        let text = try Executables.scalper("journal", "dump", path)
        #expect(text.status == 0)
        #expect(text.stderr.isEmpty)
        try expectGolden(text.stdout, "journal-fixtures/sample-session/dump.txt")
        let ndjson = try Executables.scalper("journal", "dump", path, "--format", "ndjson", "--to", "40")
        #expect(ndjson.status == 0)
        try expectGolden(ndjson.stdout, "journal-fixtures/sample-session/dump-1-40.ndjson")
        for line in ndjson.stdout.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
    }

    @Test("dump filters: --kind, --security-id, --from/--to")
    func dumpFilters() throws {
        let path = try fixture()
        let fills = try Executables.scalper("journal", "dump", path, "--kind", "fill,place_order")
        #expect(
            fills.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true)[3] }
                == ["place_order", "fill"])
        let index = try Executables.scalper("journal", "dump", path, "--security-id", "13", "--from", "1", "--to", "30")
        let lines = index.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.contains("IDX_I:13") })
        let range = try Executables.scalper("journal", "dump", path, "--from", "5", "--to", "7")
        #expect(range.stdout.split(separator: "\n").map { $0.split(separator: " ")[0] } == ["5", "6", "7"])
        let unknown = try Executables.scalper("journal", "dump", path, "--kind", "bogus")
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown kind 'bogus'"))
    }

    @Test("stats over the fixture matches its golden file")
    func statsGolden() throws {
        let path = try fixture()
        let stats = try Executables.scalper("journal", "stats", path)
        #expect(stats.status == 0)
        let stable = stats.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("on disk:") }.joined(separator: "\n").replacingOccurrences(
                of: path, with: "FIXTURE")
        try expectGolden(stable, "journal-fixtures/sample-session/stats.txt")
    }

    @Test("verify exits 0 clean, 1 corrupt (naming the seq), 2 unopenable")
    func verifyExitCodes() throws {
        let path = try fixture()
        let clean = try Executables.scalper("journal", "verify", path)
        #expect(clean.status == 0)
        #expect(clean.stdout == "ok: 600 records, seq 1…600, all intact\n")

        // Corrupt one record's payload in place: the session-started config text is unique in the file.
        let file = path + "/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let needle = Array("indices: [NIFTY]".utf8)
        var hits = 0
        for index in 0...(bytes.count - needle.count) where Array(bytes[index..<index + needle.count]) == needle {
            bytes[index] ^= 0x01
            hits += 1
        }
        #expect(hits >= 1)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let corrupt = try Executables.scalper("journal", "verify", path)
        #expect(corrupt.status == 1)
        #expect(corrupt.stdout.hasPrefix("corrupt: seq 1: CRC32 mismatch"))

        let missing = try Executables.scalper("journal", "verify", scratch.sub("missing"))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot open journal at \(scratch.sub("missing")): no such journal directory"))
    }

    @Test("repair: a dry run lists what would go; --yes removes exactly that")
    func repair() throws {
        let path = try fixture()
        let dry = try Executables.scalper("journal", "repair", path, "--truncate-after", "590")
        #expect(dry.status == 0)
        #expect(
            dry.stdout
                == "will remove 10 records, seq 591…600: tick 9, candle_batch 1\ndry run: nothing removed; pass --yes to remove them\n"
        )
        #expect(try Executables.scalper("journal", "verify", path).stdout.contains("600 records"))
        let real = try Executables.scalper("journal", "repair", path, "--truncate-after", "590", "--yes")
        #expect(real.stdout.hasSuffix("removed 10 records; the journal now ends at seq 590\n"))
        #expect(try Executables.scalper("journal", "verify", path).stdout == "ok: 590 records, seq 1…590, all intact\n")
    }

    @Test("bench writes a readable sample journal and reports rates")
    func bench() throws {
        let path = scratch.sub("bench")
        let result = try Executables.scalper(
            "journal", "bench", path, "--events", "2000", "--mode", "fast", "--baseline")
        #expect(result.status == 0)
        #expect(result.stdout.contains("append:"))
        #expect(result.stdout.contains("scan+decode:"))
        #expect(result.stdout.contains("journal/baseline:"))
        let grouped = try Executables.scalper("journal", "bench", path, "--events", "400", "--producers", "4")
        #expect(grouped.stdout.contains("group commit:"))
        #expect(grouped.stdout.contains("latency:"))
        #expect(
            try Executables.scalper("journal", "verify", path).stdout == "ok: 2400 records, seq 1…2400, all intact\n")
    }

    @Test("dump --follow, in another process, prints records as the writer commits them")
    func follow() throws {
        let path = scratch.sub("follow")
        let journal = try Journal.openForWriting(at: path, options: .init(durability: .fast))
        try journal.append((1...5).map { SampleSession.record(seq: $0) })

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Executables.scalper)
        process.arguments = ["journal", "dump", path, "--follow", "--to", "50"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // A watchdog: a dump that never stops fails the test instead of hanging it.
        DispatchQueue.global().asyncAfter(deadline: .now() + 30) { if process.isRunning { process.terminate() } }
        for batch in 0..<9 {
            usleep(20_000)
            try journal.append((1...5).map { SampleSession.record(seq: UInt64(5 + batch * 5) + $0) })
        }
        process.waitUntilExit()  // it stops by itself after --to 50
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(
            separator: "\n")
        #expect(lines.map { UInt64($0.split(separator: " ")[0])! } == Array(1...50))
        #expect(process.terminationStatus == 0)
    }
}

@Suite("scalper help output")
struct HelpTests {
    @Test(
        "--help of each command matches its golden text",
        arguments: [
            ["--help"], ["journal", "--help"], ["journal", "dump", "--help"], ["journal", "verify", "--help"],
            ["journal", "stats", "--help"], ["journal", "bench", "--help"], ["journal", "repair", "--help"],
            ["demo", "--help"], ["init", "--help"], ["indicators", "--help"], ["pick", "--help"],
            ["backtest", "--help"],
            ["replay", "--help"], ["report", "--help"], ["run", "--help"],
            ["bench", "--help"],
            ["bench", "indicators", "--help"],
            ["history", "--help"], ["history", "fetch", "--help"], ["history", "export", "--help"],
            ["simulate", "--help"], ["status", "--help"], ["kill-switch", "--help"],
            ["sweep", "--help"], ["sweep", "run", "--help"],
        ])
    func help(arguments: [String]) throws {
        let result = try Executables.run(Executables.scalper, arguments)
        #expect(result.status == 0)
        let name = arguments.dropLast().joined(separator: "-")
        try expectGolden(result.stdout, "Tests/ScalperCLITests/Golden/help\(name.isEmpty ? "" : "-" + name).txt")
    }
}
