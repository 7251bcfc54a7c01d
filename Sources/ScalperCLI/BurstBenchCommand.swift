import ArgumentParser
import Domain
import Engine
import Foundation
import Journal
import Logging
import Runtime

extension BenchGroup {
    /// `scalper bench burst`: a paced burst of index ticks through the live sequencer on group commit.
    struct BurstBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "burst",
            abstract:
                "Feed the live sequencer a paced burst of index ticks from N producers and report arrival → durable latency and commits.",
            discussion:
                "Each tick is due at a fixed time (rate / producers apart per producer); its latency runs from that time to the moment the sequencer returns it, folded and durable with its commands. A queue that grows shows as latency that climbs through the run."
        )

        @Option(help: "A journal whose session the ticks continue (its state is folded first).")
        var journal = "journal-fixtures/normal-day"

        @Option(help: "Ticks per second, all producers together.")
        var rate = 10_000

        @Option(help: "Seconds of burst.")
        var seconds = 10

        @Option(help: "Producers submitting at once (comma-separated counts run one after another).")
        var producers = "1,8"

        @Option(help: "durable, fast, or both.")
        var durability = "durable"

        func run() async throws {
            let source = try Journal.openForReading(at: journal)
            var state = EngineState()
            var index: InstrumentKey?
            var last = Timestamp(nanos: 0)
            try source.reader.forEach(verifyChecksums: false) { view in
                if case .event(let event) = try JournalEntry.decode(view) {
                    last = Timestamp(nanos: view.header.timestampNanos)
                    _ = Engine.reduce(&state, event, seq: view.seq, at: last)
                    if case .tick(let tick) = event, tick.instrument.segment == .indexValue { index = tick.instrument }
                }
                return true
            }
            source.close()
            guard let index else { throw ValidationError("\(journal) has no index tick to continue") }
            let modes: [Durability] =
                switch durability {
                case "durable": [.durable]
                case "fast": [.fast]
                case "both": [.fast, .durable]
                default: throw ValidationError("--durability must be durable, fast or both")
                }
            let counts = producers.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
            guard !counts.isEmpty, rate > 0, seconds > 0 else { throw ValidationError("nothing to run") }
            var quiet = Logger(label: "bench")
            quiet.logLevel = .critical
            print(
                "burst: \(grouped(rate)) index ticks/s for \(seconds) s through the sequencer (arrival → folded and durable, commands released):"
            )
            for mode in modes {
                for count in counts {
                    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("burst-\(UUID())").path
                    defer { try? FileManager.default.removeItem(atPath: scratch) }
                    let target = try Journal.openForWriting(at: scratch, options: JournalOptions(durability: mode))
                    let sequencer = Sequencer(journal: target, state: state, logger: quiet)
                    let result = try await Self.burst(
                        sequencer, index: index, from: last, rate: rate, seconds: seconds, producers: count)
                    await sequencer.finish()
                    target.close()
                    print(result.line(mode: mode, producers: count, commits: sequencer.commits))
                    result.record(mode: mode, producers: count, commits: sequencer.commits)
                }
            }
        }

        struct Result {
            var latencies: [Double]
            /// Each second's p99, in order: a queue that grows climbs through them; a one-off disk stall is
            /// one high second that the next ones drain.
            var secondP99s: [Double]
            var wall: Double

            var firstSecondP99: Double { secondP99s.first ?? 0 }
            var lastSecondP99: Double { secondP99s.last ?? 0 }
            /// The median of the per-second p99s over the last ten seconds (or all of a shorter run).
            var lastTenSecondsMedianP99: Double { Self.median(secondP99s.suffix(10)) }
            var firstTenSecondsMedianP99: Double { Self.median(secondP99s.prefix(10)) }

            static func median(_ values: some Collection<Double>) -> Double {
                let sorted = values.sorted()
                return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
            }

            func record(mode: Durability, producers: Int, commits: Int) {
                let sorted = latencies.sorted()
                let key = "burst.\(mode)_\(producers)_producers"
                BenchFigures.record(
                    "\(key)_p99_us", sorted[min(sorted.count - 1, sorted.count * 99 / 100)], unit: "µs", better: .lower)
                BenchFigures.record("\(key)_last_second_p99_us", lastSecondP99, unit: "µs", better: .lower)
                BenchFigures.record(
                    "\(key)_last_10s_median_p99_us", lastTenSecondsMedianP99, unit: "µs", better: .lower,
                    baseline: .init(name: "first 10 s", value: firstTenSecondsMedianP99))
                BenchFigures.record(
                    "\(key)_ticks_per_commit", Double(latencies.count) / Double(max(commits, 1)), unit: "ticks",
                    better: .higher)
            }

            /// The second with the highest p99 and that p99 ("s12 94,210 µs").
            var worstSecond: String {
                guard let worst = secondP99s.indices.max(by: { secondP99s[$0] < secondP99s[$1] }) else { return "-" }
                return "s\(worst) \(grouped(Int(secondP99s[worst]))) µs"
            }

            func line(mode: Durability, producers: Int, commits: Int) -> String {
                let sorted = latencies.sorted()
                func at(_ q: Double) -> String {
                    String(format: "%.0f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))])
                }
                return
                    "  \(mode), \(producers) producer(s): \(grouped(latencies.count)) ticks in \(String(format: "%.1f", wall)) s, p50 \(at(0.5)) µs, p99 \(at(0.99)) µs, max \(at(1.0 - 1e-12)) µs; p99 first second \(String(format: "%.0f", firstSecondP99)) µs, last second \(String(format: "%.0f", lastSecondP99)) µs; per-second p99 median first 10 s \(String(format: "%.0f", firstTenSecondsMedianP99)) µs, last 10 s \(String(format: "%.0f", lastTenSecondsMedianP99)) µs, worst second \(worstSecond); \(grouped(commits)) commits (\(String(format: "%.1f", Double(latencies.count) / Double(max(commits, 1)))) ticks each)"
            }
        }

        static func burst(
            _ sequencer: Sequencer, index: InstrumentKey, from start: Timestamp, rate: Int, seconds: Int,
            producers: Int
        ) async throws -> Result {
            let perProducer = rate * seconds / producers
            let spacing = Duration.nanoseconds(Int64(1_000_000_000) * Int64(producers) / Int64(rate))
            let clock = ContinuousClock()
            let began = clock.now + .milliseconds(20)
            let samples = try await withThrowingTaskGroup(of: [(Double, Double)].self) { group in
                for producer in 0..<producers {
                    // Each producer is a feed connection as the runtime pumps one: it folds tick after tick
                    // without waiting for the disk, and its releaser awaits each tick's durability in order.
                    let (stream, continuation) = AsyncStream.makeStream(
                        of: (ContinuousClock.Instant, Sequencer.Folded).self)
                    group.addTask {
                        let offset = spacing * producer / producers
                        for i in 0..<perProducer {
                            let due = began + offset + spacing * i
                            if clock.now < due { try await Task.sleep(until: due, clock: clock) }
                            let time = Timestamp(nanos: start.nanos + Int64(i * producers + producer) * 100_000)
                            let tick = Tick(
                                instrument: index, lastPrice: Paise(2_500_000 + Int64(i % 200) * 5),
                                lastTradeTime: time.epochSeconds)
                            continuation.yield((due, try await sequencer.fold(.tick(tick), at: time)))
                        }
                        continuation.finish()
                        return []
                    }
                    group.addTask {
                        var out: [(Double, Double)] = []
                        out.reserveCapacity(perProducer)
                        for await (due, folded) in stream {
                            _ = try await sequencer.durable(folded)
                            out.append(((due - began).seconds, (clock.now - due).seconds * 1e6))
                        }
                        return out
                    }
                }
                var all: [(Double, Double)] = []
                for try await part in group { all += part }
                return all
            }
            func p99(_ values: [Double]) -> Double {
                let sorted = values.sorted()
                return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
            }
            var bySecond = [[Double]](repeating: [], count: seconds)
            for (due, latency) in samples { bySecond[min(seconds - 1, max(0, Int(due)))].append(latency) }
            return Result(
                latencies: samples.map(\.1), secondP99s: bySecond.map(p99), wall: (clock.now - began).seconds)
        }
    }
}
