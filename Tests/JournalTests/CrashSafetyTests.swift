import Domain
import Foundation
import Journal
import TestSupport
import Testing
import Workloads

@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    /// Runs `scalper journal bench` appending in `mode`, SIGKILLs it `delay` after its first ack, and returns its
    /// highest ack.
    ///
    /// The clock starts at the first ack, not at launch: start-up (which verifies the whole journal) takes longer
    /// as the journal grows and on a loaded machine, and a kill before any append would test nothing.
    static func appendThenKill(path: String, mode: Durability, producers: Int, delay: Duration) throws -> UInt64 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Executables.scalper)
        process.arguments = [
            "journal", "bench", path, "--events", "50000000", "--mode", mode.rawValue, "--print-acks",
            "--producers", "\(producers)", "--batch", "\(producers == 0 ? 64 : 256)",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let startupDeadline = ContinuousClock.now + .seconds(60)
        var killDeadline: ContinuousClock.Instant?
        var acknowledged: UInt64 = 0
        var pending = ""
        let handle = out.fileHandleForReading
        let fd = handle.fileDescriptor
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 65536)
        func drain() {
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                pending += String(decoding: buffer[0..<count], as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = pending[..<newline]
                    if line.hasPrefix("ack "), let seq = UInt64(line.dropFirst(4)) {
                        acknowledged = max(acknowledged, seq)
                    }
                    pending = String(pending[pending.index(after: newline)...])
                }
            }
        }
        while ContinuousClock.now < (killDeadline ?? startupDeadline) {
            drain()
            if killDeadline == nil, acknowledged > 0 { killDeadline = ContinuousClock.now + delay }
            usleep(2000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        drain()  // an ack written before the kill is a promise, even if we read it late
        #expect(process.terminationReason == .uncaughtSignal)
        return acknowledged
    }

    /// A `fast` writer's acknowledged (committed, not synced) records live in the shared page cache through
    /// its write map, so a process kill must lose none of them either.
    @Test(
        "SIGKILL at random moments: every acknowledged seq survives intact, no partial record, appends continue",
        arguments: [Durability.durable, .fast])
    func killRepeatedly(mode: Durability) throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("journal")
        var generator = SystemRandomNumberGenerator()
        var previousLast: UInt64 = 0
        var roundsWithAcks = 0
        for round in 0..<16 {
            // Even rounds: one thread, batched commits, content checked against the sample by seq.
            // Odd rounds: four producers through the group committer.
            let producers = round % 2 == 0 ? 0 : 4
            let delay = Duration.milliseconds(Int64.random(in: 0...500, using: &generator))
            let acknowledged = try Self.appendThenKill(path: path, mode: mode, producers: producers, delay: delay)

            #expect(acknowledged > previousLast, "round \(round): killed before it appended anything")
            if acknowledged > previousLast { roundsWithAcks += 1 }
            // Verifies every record's CRC on open.
            let journal = try Journal.openForWriting(at: path, options: JournalOptions(durability: mode))
            #expect(journal.lastSeq >= acknowledged, "round \(round): acked \(acknowledged), found \(journal.lastSeq)")
            #expect(journal.lastSeq >= previousLast)
            var checked: UInt64 = 0
            try journal.reader.forEach(from: previousLast + 1) { view in
                let entry = try JournalEntry.decode(view)
                if producers == 0 {
                    let (expected, time) = SampleSession.entry(seq: view.seq)
                    #expect(entry == expected && view.header.timestampNanos == time.nanos, "seq \(view.seq)")
                }
                checked += 1
                return true
            }
            #expect(checked == journal.lastSeq - previousLast)
            let next = try journal.append(SampleSession.record(seq: journal.lastSeq + 1))
            #expect(next == journal.lastSeq)
            previousLast = next
            journal.close()
        }
        // The kills must land mid-stream, after real durable appends, for the test to mean anything.
        #expect(roundsWithAcks == 16)
        #expect(previousLast > 1000)
    }
}
