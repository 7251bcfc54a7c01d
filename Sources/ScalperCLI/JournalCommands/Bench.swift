import ArgumentParser
import Domain
import Foundation
import Journal
import LMDBBaseline
import Workloads

extension JournalGroup {
    /// `scalper journal bench`: write synthetic events and measure append, group commit and scan.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append N realistic synthetic events and report events/s and commit latency.",
            discussion: """
                Without --producers, events are appended in batches of --batch per commit from one thread. With \
                --producers P, P concurrent producers append one event at a time through the group committer \
                (it commits at --batch events or --max-delay-ms). It appends to an existing journal, so it also \
                makes sample journals.
                """
        )

        @Argument(help: "The journal directory (created if missing).")
        var path: String

        @Option(help: "How many events to append.")
        var events: Int = 100_000

        @Option(help: "Events per commit (batched mode), or the group committer's batch limit.")
        var batch: Int?

        @Option(help: "durable (sync every commit) or fast (no sync).")
        var mode: String = "durable"

        @Option(help: "Concurrent producers through the group committer (0: batched appends from one thread).")
        var producers: Int = 0

        @Option(
            name: .customLong("max-delay-ms"), help: "Group committer: longest wait before a partial batch commits.")
        var maxDelayMillis: Double = 2

        @Flag(help: "Also run the C-level baseline (raw mdb_put with MDB_APPEND, same value size and batch).")
        var baseline = false

        @Flag(
            name: .customLong("print-acks"),
            help: "Print 'ack SEQ' as soon as each event is durable (used by the crash test).")
        var printAcks = false

        func validate() throws {
            guard Durability(rawValue: mode) != nil else { throw ValidationError("--mode must be durable or fast") }
            guard events > 0 else { throw ValidationError("--events must be positive") }
            guard producers >= 0 else { throw ValidationError("--producers must be 0 or more") }
            if let batch, batch < 1 { throw ValidationError("--batch must be positive") }
        }

        func run() async throws {
            let durability = Durability(rawValue: mode)!
            let journal: Journal
            do {
                journal = try Journal.openForWriting(at: path, options: JournalOptions(durability: durability))
            } catch {
                printError("error: \(error)")
                throw JournalExit.cannotOpen
            }
            defer { journal.close() }
            let firstSeq = journal.lastSeq + 1
            if printAcks {
                // Crash-test mode: generate as we go (no up-front work) and print no measurements.
                try await appendUntilKilled(journal, firstSeq: firstSeq, batchSize: batch ?? (producers > 0 ? 256 : 64))
                return
            }
            let records = (0..<UInt64(events)).map { SampleSession.record(seq: firstSeq + $0) }
            let averageBytes = records.reduce(0) { $0 + $1.payload.count + RecordHeader.size } / records.count
            let batchSize = batch ?? (producers > 0 ? 256 : 1000)
            print("journal bench: \(grouped(events)) events, average record \(averageBytes) bytes, mode \(mode)")

            let appendRate: Double
            if producers == 0 {
                appendRate = try appendBatched(journal, records, batchSize)
                print("append:        \(grouped(Int(appendRate))) events/s (\(batchSize) per commit, 1 thread)")
            } else {
                appendRate = try await appendConcurrently(journal, records, batchSize)
            }
            journal.flush()

            let lastSeq = firstSeq + UInt64(events) - 1
            // The first pass faults the freshly written pages into this process's map; the second is warm.
            let coldRate = try scan(journal, from: firstSeq, through: lastSeq, checksums: false)
            // Warm scans: best and median of five, like the append comparison's best of three (this kind of
            // VM's neighbours slow single runs by up to 2x).
            let warm = try (0..<5).map { _ in try scan(journal, from: firstSeq, through: lastSeq, checksums: false) }
                .sorted()
            let verifiedRate = try scan(journal, from: firstSeq, through: lastSeq, checksums: true)
            var scanFloor: Double?
            print(
                "scan+decode:   \(grouped(Int(warm[4]))) events/s warm (best of 5; median \(grouped(Int(warm[2])))), \(grouped(Int(coldRate))) cold (with CRC: \(grouped(Int(verifiedRate))) events/s)"
            )

            if baseline {
                var walked: UInt64 = 0
                let seconds = lmdb_baseline_scan(path, 5, &walked)
                guard seconds > 0 else {
                    printError("error: baseline scan failed with LMDB code \(-seconds)")
                    throw ExitCode.failure
                }
                let floor = Double(walked) / seconds
                scanFloor = floor
                print(
                    "scan floor:    \(grouped(Int(floor))) records/s (raw mdb_cursor_get walk in C, no decode; best of 5) — scan+decode is \(String(format: "%.0f", warm[4] / floor * 100)) % of it"
                )
                // Alternate journal and raw-C runs on fresh directories and keep the best of three each,
                // so a noisy machine does not decide the comparison.
                var bestJournal = producers == 0 ? appendRate : 0
                var bestBaseline = 0.0
                for round in 0..<3 {
                    let directory = path + ".baseline"
                    try? FileManager.default.removeItem(atPath: directory)
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    let seconds = lmdb_baseline_append(
                        directory, UInt64(events), averageBytes, UInt64(batchSize), durability == .durable ? 1 : 0)
                    try? FileManager.default.removeItem(atPath: directory)
                    guard seconds > 0 else {
                        printError("error: baseline failed with LMDB code \(-seconds)")
                        throw ExitCode.failure
                    }
                    bestBaseline = max(bestBaseline, Double(events) / seconds)
                    if producers == 0 && round < 2 {
                        let again = path + ".again"
                        try? FileManager.default.removeItem(atPath: again)
                        let fresh = try Journal.openForWriting(
                            at: again, options: JournalOptions(durability: durability))
                        bestJournal = max(bestJournal, try appendBatched(fresh, records, batchSize))
                        fresh.close()
                        try? FileManager.default.removeItem(atPath: again)
                    }
                }
                print(
                    "baseline:      \(grouped(Int(bestBaseline))) events/s (raw mdb_put, MDB_APPEND, \(averageBytes)-byte values, \(batchSize) per commit; best of 3)"
                )
                if producers == 0 {
                    print("journal:       \(grouped(Int(bestJournal))) events/s (best of 3)")
                    print("journal/baseline: \(String(format: "%.0f", bestJournal / bestBaseline * 100)) %")
                    BenchFigures.record(
                        "journal.append_\(mode)_events_per_second", bestJournal, unit: "events/s", better: .higher,
                        baseline: .init(name: "raw mdb_put in C", value: bestBaseline))
                }
            } else if producers == 0 {
                BenchFigures.record(
                    "journal.append_\(mode)_events_per_second", appendRate, unit: "events/s", better: .higher)
            }
            if producers == 0 {
                BenchFigures.record(
                    "journal.scan_decode_\(mode)_events_per_second", warm[4], unit: "events/s", better: .higher,
                    baseline: scanFloor.map { .init(name: "raw mdb_cursor_get walk in C", value: $0) })
            }
        }

        private func appendBatched(_ journal: Journal, _ records: [PendingRecord], _ batchSize: Int) throws -> Double {
            let started = ContinuousClock.now
            var index = 0
            while index < records.count {
                let end = min(index + batchSize, records.count)
                try journal.append(records[index..<end])
                index = end
            }
            return Double(records.count) / (ContinuousClock.now - started).seconds
        }

        private func appendConcurrently(_ journal: Journal, _ records: [PendingRecord], _ batchSize: Int) async throws
            -> Double
        {
            let commits = CommitCounter()
            let committer = GroupCommitter(
                journal: journal,
                policy: .init(maxBatch: batchSize, maxDelay: .microseconds(Int64(maxDelayMillis * 1000))),
                onCommit: { count, _ in commits.add(count) })
            let producerCount = producers
            let started = ContinuousClock.now
            let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                for producer in 0..<producerCount {
                    let mine = stride(from: producer, to: records.count, by: producerCount).map { records[$0] }
                    group.addTask {
                        var latencies: [Double] = []
                        latencies.reserveCapacity(mine.count)
                        for record in mine {
                            let sent = ContinuousClock.now
                            let seq = try await committer.append(record)
                            latencies.append((ContinuousClock.now - sent).seconds)
                            _ = seq
                        }
                        return latencies
                    }
                }
                var all: [Double] = []
                for try await part in group { all += part }
                return all.sorted()
            }
            let elapsed = (ContinuousClock.now - started).seconds
            committer.close()
            let rate = Double(records.count) / elapsed
            let p50 = latencies[latencies.count / 2] * 1e6
            let p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)] * 1e6
            let (commitCount, committed) = commits.totals
            print(
                "group commit:  \(grouped(Int(rate))) events/s, \(producerCount) producers, \(grouped(commitCount)) commits (avg \(committed / max(commitCount, 1)) events)"
            )
            BenchFigures.record(
                "journal.group_commit_\(producerCount)_producers_events_per_second", rate, unit: "events/s",
                better: .higher)
            BenchFigures.record(
                "journal.group_commit_\(producerCount)_producers_p99_us", p99, unit: "µs", better: .lower)
            print(
                "latency:       append → durable p50 \(String(format: "%.0f", p50)) µs, p99 \(String(format: "%.0f", p99)) µs"
            )
            return rate
        }

        /// Appends `events` sample records, printing each durable seq, in batches from one thread or through
        /// the group committer from `producers` tasks.
        private func appendUntilKilled(_ journal: Journal, firstSeq: UInt64, batchSize: Int) async throws {
            let total = UInt64(events)
            if producers == 0 {
                var next = firstSeq
                while next < firstSeq + total {
                    let end = min(next + UInt64(batchSize), firstSeq + total)
                    let range = try journal.append((next..<end).map { SampleSession.record(seq: $0) })
                    acknowledge(range.upperBound)
                    next = end
                }
                return
            }
            let committer = GroupCommitter(journal: journal, policy: .init(maxBatch: batchSize))
            let producerCount = UInt64(producers)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<producerCount {
                    group.addTask {
                        for offset in stride(from: producer, to: total, by: Int(producerCount)) {
                            acknowledge(try await committer.append(SampleSession.record(seq: firstSeq + offset)))
                        }
                    }
                }
                try await group.waitForAll()
            }
            committer.close()
        }

        private func scan(_ journal: Journal, from: UInt64, through: UInt64, checksums: Bool) throws -> Double {
            var decoded = 0
            let started = ContinuousClock.now
            try journal.reader.forEach(from: from, through: through, verifyChecksums: checksums) { view in
                if case .event = try JournalEntry.decode(view) { decoded += 1 } else { decoded += 1 }
                return true
            }
            return Double(decoded) / (ContinuousClock.now - started).seconds
        }
    }
}

/// Prints an acknowledgement line and flushes it at once, so a parent that kills us has seen it.
private func acknowledge(_ seq: UInt64) {
    let line = "ack \(seq)\n"
    line.utf8CString.withUnsafeBufferPointer { _ = write(1, $0.baseAddress, $0.count - 1) }
}

/// Commit statistics gathered from the writer thread.
private final class CommitCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var commits = 0
    private var events = 0

    func add(_ count: Int) {
        lock.lock()
        commits += 1
        events += count
        lock.unlock()
    }

    var totals: (Int, Int) {
        lock.lock()
        defer { lock.unlock() }
        return (commits, events)
    }
}
