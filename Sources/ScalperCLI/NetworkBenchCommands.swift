import ArgumentParser
import BuiltinConfig
import Dhan
import DhanClient
import DhanSim
import Domain
import Engine
import Foundation
import Indicators
import Journal
import Logging
import MarketModel
import Replay
import Runtime

extension BenchGroup {
    /// `scalper bench feed`: market-feed packets decoded per second on one core.
    struct FeedBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "feed", abstract: "Decode binary market-feed packets on one core (quote and full packets).")

        @Option(help: "Packets to decode per measurement.")
        var packets: Int = 50_000_000

        func run() async throws {
            // 1,024 distinct packets laid end to end, as a socket buffer would hold them.
            func corpus(_ make: (Int) -> FeedPacket) -> [UInt8] {
                (0..<1024).flatMap { FeedPacketEncoder.encode(make($0)) }
            }
            let quotes = corpus { i in
                .quote(
                    InstrumentKey(.nseFNO, SecurityID(UInt32(35_000 + i))),
                    TradeSnapshot(
                        lastPrice: 100 + Float(i) * 0.05, lastQuantity: 75, lastTradeTimeIST: 1_762_248_600 + UInt32(i),
                        averagePrice: 99.5, volume: UInt32(i * 75), totalSellQuantity: 1000, totalBuyQuantity: 1200,
                        open: 98, close: 97, high: 105, low: 95))
            }
            let fulls = corpus { i in
                .full(
                    InstrumentKey(.nseFNO, SecurityID(UInt32(35_000 + i))),
                    TradeSnapshot(
                        lastPrice: 100 + Float(i) * 0.05, lastQuantity: 75, lastTradeTimeIST: 1_762_248_600,
                        averagePrice: 99.5, volume: 7500, totalSellQuantity: 1000, totalBuyQuantity: 1200, open: 98,
                        close: 97, high: 105, low: 95), openInterest: 4_500_000, oiDayHigh: 4_600_000,
                    oiDayLow: 4_400_000, depth: [DepthLevel](repeating: .empty, count: 5))
            }
            print("market-feed decode, one core, \(grouped(packets)) packets each:")
            for (name, bytes, size) in [("quote (50 B)", quotes, 50), ("full (162 B)", fulls, 162)] {
                for (mode, tradeOnly) in [("trade fields (hot path)", true), ("every field", false)] {
                    let fields = tradeOnly ? "trade_fields" : "every_field"
                    let key = "feed.\(size == 50 ? "quote" : "full")_\(fields)_packets_per_second"
                    var checksum: UInt64 = 0
                    let started = ContinuousClock.now
                    bytes.withUnsafeBytes { buffer in
                        var offset = 0
                        for _ in 0..<packets {
                            let packet = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + size])
                            if tradeOnly {
                                if let trade = FeedPacketDecoder.decodeTrade(packet) {
                                    checksum &+= UInt64(trade.lastTradeTimeIST)
                                }
                            } else if case .success = FeedPacketDecoder.decode(packet) {
                                checksum &+= 1
                            }
                            offset += size
                            if offset == buffer.count { offset = 0 }
                        }
                    }
                    let seconds = (ContinuousClock.now - started).seconds
                    BenchFigures.record(key, Double(packets) / seconds, unit: "packets/s", better: .higher)
                    print(
                        "  \(name), \(mode): \(String(format: "%.1f", Double(packets) / seconds / 1e6)) M packets/s (\(String(format: "%.1f", seconds * 1e9 / Double(packets))) ns each; checksum \(checksum % 1000))"
                    )
                }
            }
        }
    }

    /// `scalper bench rest`: REST round trips to dhan-sim on loopback through the real client.
    struct RESTBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rest",
            abstract: "Round-trip latency of REST calls to dhan-sim (in-process, loopback) through DhanRESTClient.")

        @Option(help: "Requests per endpoint (paced inside DhanHQ's per-second limits).")
        var requests: Int = 200

        @Option(help: "Trading calendar (default: ./config/calendar.yml, else the user's, else built in).")
        var calendar: String?

        func run() async throws {
            var configuration = SimConfiguration(
                date: CivilDate(2025, 11, 4), calendar: try CalendarLoader.load(explicit: calendar).calendar)
            configuration.speed = 0
            configuration.startSecondOfDay = 10 * 3600
            var quiet = Logger(label: "bench")
            quiet.logLevel = .critical
            let sim = try await DhanSimulator.start(configuration, logger: quiet)
            let client = DhanRESTClient(
                endpoints: .simulator(port: sim.port), credentials: .simulator, limiter: RateLimiter(), logger: quiet)
            print("REST round trips to dhan-sim on 127.0.0.1 (\(requests) each, paced by the client's rate limiter):")
            func measure(_ name: String, key: String, _ call: () async throws -> Void) async throws {
                var samples: [Double] = []
                for _ in 0..<5 { try await call() }  // warm the connection pool
                for _ in 0..<requests {
                    let started = ContinuousClock.now
                    try await call()
                    samples.append((ContinuousClock.now - started).seconds * 1e6)
                    // Pace outside the measurement so the limiter never adds a wait to a sample.
                    try await Task.sleep(for: .milliseconds(60))
                }
                samples.sort()
                BenchFigures.record("rest.\(key)_p50_us", samples[samples.count / 2], unit: "µs", better: .lower)
                BenchFigures.record(
                    "rest.\(key)_p99_us", samples[samples.count * 99 / 100], unit: "µs", better: .lower)
                print(
                    "  \(name): p50 \(String(format: "%.0f", samples[samples.count / 2])) µs, p99 \(String(format: "%.0f", samples[samples.count * 99 / 100])) µs"
                )
            }
            try await measure("GET /v2/positions", key: "positions") { _ = try await client.positions() }
            try await measure("GET /v2/fundlimit", key: "fundlimit") { _ = try await client.fundLimit() }
            try await client.shutdown()
            await sim.stop()
        }
    }

    /// `scalper bench exit`: tick in → exit command durable, inside the process.
    struct ExitLatencyBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "exit",
            abstract:
                "Time from an option tick through the sequencer (journal the tick, reduce, journal the exit) per mode.")

        @Option(help: "A journal with an open position to start from.")
        var journal = "journal-fixtures/normal-day"

        @Option(help: "Exits to measure per durability mode.")
        var exits: Int = 2_000

        func run() async throws {
            // The state at the first moment a position is active, and the tick that takes it below its stop.
            let source = try Journal.openForReading(at: journal)
            var state = EngineState()
            var found = false
            try source.reader.forEach(verifyChecksums: false) { view in
                if case .event(let event) = try JournalEntry.decode(view) {
                    _ = Engine.reduce(&state, event, seq: view.seq, at: Timestamp(nanos: view.header.timestampNanos))
                }
                found = state.positions.contains { $0.phase == .active }
                return !found
            }
            source.close()
            guard found, let position = state.positions.first(where: { $0.phase == .active }) else {
                throw ValidationError("\(journal) never has an active position")
            }
            var quiet = Logger(label: "bench")
            quiet.logLevel = .critical
            print("tick → exit command journaled, inside the process (\(grouped(exits)) exits per mode):")
            for durability in [Durability.fast, .durable] {
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("exit-bench-\(UUID())").path
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let target = try Journal.openForWriting(at: scratch, options: JournalOptions(durability: durability))
                var samples: [Double] = []
                for i in 0..<exits {
                    let sequencer = Sequencer(journal: target, state: state, logger: quiet)
                    // A sequencer in a running engine has committed before: one tick of the position at its entry
                    // price (no rule fires) first, so the sample does not time the commit thread's first wake-up.
                    let warmTime = Timestamp(nanos: state.now.nanos + Int64(i + 1) * 1_000_000 - 500_000)
                    _ = try await sequencer.submit(
                        .tick(
                            Tick(
                                instrument: position.instrument, lastPrice: position.entryAverage,
                                lastTradeTime: warmTime.epochSeconds)), at: warmTime)
                    let time = Timestamp(nanos: state.now.nanos + Int64(i + 1) * 1_000_000)
                    let tick = Tick(
                        instrument: position.instrument, lastPrice: max(Paise(5), position.stop - Paise(5)),
                        lastTradeTime: time.epochSeconds)
                    let started = ContinuousClock.now
                    let submission = try await sequencer.submit(.tick(tick), at: time)
                    samples.append((ContinuousClock.now - started).seconds * 1e6)
                    guard submission.commands.contains(where: { if case .placeOrder = $0 { true } else { false } })
                    else { throw ValidationError("the tick did not cause an exit") }
                }
                target.close()
                samples.sort()
                BenchFigures.record(
                    "exit.\(durability)_p50_us", samples[samples.count / 2], unit: "µs", better: .lower)
                BenchFigures.record(
                    "exit.\(durability)_p99_us", samples[samples.count * 99 / 100], unit: "µs", better: .lower)
                print(
                    "  \(durability): p50 \(String(format: "%.1f", samples[samples.count / 2])) µs, p99 \(String(format: "%.1f", samples[samples.count * 99 / 100])) µs"
                )
            }
        }
    }
}

extension BenchGroup {
    /// `scalper bench backtest`: bars per second over a year of 1m bars for three indices.
    struct BacktestBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backtest",
            abstract:
                "A year of 1m bars for NIFTY, BANKNIFTY and SENSEX from the market model: the full engine (option backtest) and the index proxy study, bars/s."
        )

        @Option(help: ConfigLoader.optionHelp)
        var config: String?

        @Option(help: "Year of bars to generate.")
        var year: Int = 2025

        @Flag(
            help:
                "After the timed run, print the final state hash and a digest of every journal record, so a speed change can show it kept the same records and trades."
        )
        var check = false

        func validate() throws {
            guard year >= IndexPathModel.anchorDate.year, year <= 2100 else {
                throw ValidationError(
                    "--year must be from \(IndexPathModel.anchorDate.year) (where the market model's daily chain starts) to 2100"
                )
            }
        }

        func run() async throws {
            let loaded = try ConfigLoader.load(explicit: config)
            let calendar = loaded.config.calendar
            // One task per index and day (each day's path depends only on its index's daily chain, walked once),
            // so every core stays busy to the end; a day keeps only its candles, not its 22,500 per-second levels.
            let indices = loaded.config.indices.compactMap { index in
                IndexSpec.standard.first { $0.symbol == index.key }.map { (index, $0) }
            }
            let chains = indices.map { _, spec in
                let model = IndexPathModel(spec: spec, seed: 7)
                let days = model.dailyLevels(through: CivilDate(year, 12, 31), calendar: calendar)
                return (model, days, days.indices.filter { days[$0].date >= CivilDate(year, 1, 1) })
            }
            let bars = await withTaskGroup(of: (Int, Int, [Candle]).self) { group in
                for (position, (model, days, wanted)) in chains.enumerated() {
                    for (slot, day) in wanted.enumerated() {
                        group.addTask { (position, slot, model.dayPath(days, at: day).minuteCandles()) }
                    }
                }
                var years = chains.map { [[Candle]](repeating: [], count: $0.2.count) }
                for await (position, slot, candles) in group { years[position][slot] = candles }
                return zip(indices, years).map { ($0.0.0, $0.1.flatMap { $0 }) }
            }
            let total = bars.reduce(0) { $0 + $1.1.count }
            print(
                "backtest over \(year): \(grouped(total)) one-minute bars for \(bars.map(\.0.key).joined(separator: ", "))"
            )

            let signals = loaded.config.signals
            let study = ProxyStudy(
                parameters: ProxyStudy.Parameters(
                    supertrendPeriod: signals.supertrendPeriod, supertrendMultiplier: signals.supertrendMultiplier,
                    adxPeriod: signals.adxPeriod, adx1mThreshold: signals.adxMinStrength,
                    adx5mThreshold: signals.confirmationThreshold))
            let priceBars = bars.map { index, candles in
                (
                    index.key,
                    candles.map {
                        PriceBar(
                            start: $0.start, open: $0.open.rupees, high: $0.high.rupees, low: $0.low.rupees,
                            close: $0.close.rupees)
                    }
                )
            }
            var started = ContinuousClock.now
            var trades = 0
            for (symbol, series) in priceBars { trades += study.run(symbol: symbol, bars: series).count }
            var seconds = (ContinuousClock.now - started).seconds
            BenchFigures.record(
                "backtest.year_proxy_bars_per_second", Double(total) / seconds, unit: "bars/s", better: .higher)
            print(
                "  --proxy index: \(String(format: "%.0f", Double(total) / seconds)) bars/s (\(String(format: "%.2f", seconds)) s, \(trades) trades)"
            )

            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("backtest-bench-\(UUID())").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let journal = try Journal.openForWriting(
                at: scratch, options: JournalOptions(durability: .fast, writeThroughMap: false))
            let session = PaperSession(journal: journal, files: loaded.files, config: loaded.config)
            started = ContinuousClock.now
            let ran = try session.runDays(bars.map { ($0.0.instrument, $0.1) }) { day, _, _ in
                if standardErrorIsTerminal { printProgress("backtest: \(day) done") }
            }.bars
            if standardErrorIsTerminal { printProgress("") }
            seconds = (ContinuousClock.now - started).seconds
            if check {
                journal.flush()
                let digest = try JournalDigest.hex(journal.reader)
                print("  check: state hash \(session.state.stateHash), journal digest \(digest)")
            }
            journal.close(forcingToDisk: false)  // as `scalper backtest` closes its journal
            BenchFigures.record("backtest.year_engine_seconds", seconds, unit: "s", better: .lower)
            print(
                "  full engine (option backtest, journaled): \(String(format: "%.0f", Double(ran) / seconds)) bars/s (\(String(format: "%.1f", seconds)) s, \(grouped(journal.lastSeq)) records, \(session.state.filledPositionCount) trades)"
            )
        }
    }
}
