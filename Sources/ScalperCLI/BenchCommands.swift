import ArgumentParser
import Dhan
import Domain
import Engine
import Foundation
import Indicators
import Journal
import Recovery
import Replay

/// `scalper bench …`: micro-benchmarks of the engine's hot paths (run them on a release build).
struct BenchGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of hot paths (use a release build; the journal's is 'scalper journal bench').",
        subcommands: [
            IndicatorsBench.self, EngineBench.self, ReplayBench.self, MasterBench.self, FeedBench.self, ChainBench.self,
            RESTBench.self,
            ExitLatencyBench.self, BurstBench.self, BacktestBench.self, AllBench.self, CompareBench.self,
        ]
    )
}

extension BenchGroup {
    /// `scalper bench indicators`: ns per bar of each indicator and ticks/s through candle aggregation.
    struct IndicatorsBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "indicators",
            abstract: "Time each streaming indicator per bar, and candle aggregation per tick.")

        @Option(help: "Bars per indicator run.")
        var bars: Int = 2_000_000

        @Option(help: "Ticks through the 1m candle aggregator.")
        var ticks: Int = 5_000_000

        func run() async throws {
            // A seeded random walk around NIFTY's level, generated before timing.
            var state: UInt64 = 0x5EED
            func next() -> Double {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(state >> 11) / Double(1 << 53) - 0.5
            }
            var highs = [Double]()
            var lows = [Double]()
            var closes = [Double]()
            highs.reserveCapacity(bars)
            lows.reserveCapacity(bars)
            closes.reserveCapacity(bars)
            var price = 25_900.0
            for _ in 0..<bars {
                let open = price
                price += next() * 20
                let high = max(open, price) + abs(next()) * 8
                let low = min(open, price) - abs(next()) * 8
                highs.append(high)
                lows.append(low)
                closes.append(price)
            }
            func time(_ name: String, key: String, _ body: () -> Double) {
                let start = ContinuousClock.now
                let sink = body()
                let seconds = (ContinuousClock.now - start).seconds
                let perBar = seconds / Double(bars) * 1e9
                BenchFigures.record("indicators.\(key)_ns_per_bar", perBar, unit: "ns/bar", better: .lower)
                print(
                    "\(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(String(format: "%6.1f", perBar)) ns/bar   (checksum \(String(format: "%.3f", sink)))"
                )
            }
            print("indicators over \(grouped(bars)) bars:")
            time("ATR(14)", key: "atr") {
                var indicator = AverageTrueRange(period: 14)
                var sum = 0.0
                for index in 0..<bars {
                    sum += indicator.update(high: highs[index], low: lows[index], close: closes[index]) ?? 0
                }
                return sum
            }
            time("+DI/-DI/ADX(14)", key: "adx") {
                var indicator = DirectionalMovement(period: 14)
                var sum = 0.0
                for index in 0..<bars {
                    sum += indicator.update(high: highs[index], low: lows[index], close: closes[index]).adx ?? 0
                }
                return sum
            }
            time("Supertrend(10,3)", key: "supertrend") {
                var indicator = Supertrend(period: 10, multiplier: 3)
                var sum = 0.0
                for index in 0..<bars {
                    sum += indicator.update(high: highs[index], low: lows[index], close: closes[index])?.value ?? 0
                }
                return sum
            }
            time("adaptive Supertrend(10)", key: "adaptive_supertrend") {
                var indicator = AdaptiveSupertrend(period: 10)
                var sum = 0.0
                for index in 0..<bars {
                    sum +=
                        indicator.update(high: highs[index], low: lows[index], close: closes[index])?.supertrend.value
                        ?? 0
                }
                return sum
            }

            let day = CivilDate(2025, 10, 27)
            let open = Timestamp.ist(day, 9, 15).nanos
            var aggregator = CandleAggregator(intervalMinutes: 1)
            var resampler = CandleResampler(fromMinutes: 1, toMinutes: 5)
            var closedBars = 0
            let prices = (0..<4096).map { _ in Paise(2_590_000 + Int64(next() * 4000)) }
            let start = ContinuousClock.now
            for index in 0..<ticks {
                // Ten ticks a second through a whole session, then the next day.
                let time = Timestamp(
                    nanos: open + Int64(index % 225_000) * 100_000_000 + Int64(index / 225_000) * 86_400_000_000_000)
                aggregator.add(price: prices[index & 4095], at: time) { bar in
                    closedBars += 1
                    resampler.add(bar) { _ in closedBars += 1 }
                }
            }
            let seconds = (ContinuousClock.now - start).seconds
            BenchFigures.record("candles.ticks_per_second", Double(ticks) / seconds, unit: "ticks/s", better: .higher)
            print(
                "candle aggregation (1m and 5m): \(grouped(Int(Double(ticks) / seconds))) ticks/s over \(grouped(ticks)) ticks (\(grouped(closedBars)) bars closed)"
            )
        }
    }
}

extension BenchGroup {
    /// `scalper bench engine`: the cost of one index's bar close, signal evaluation included.
    struct EngineBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "engine",
            abstract: "Time the reducer on ticks and on the tick that closes a bar (one index, signal included).")

        @Option(help: ConfigLoader.optionHelp)
        var config: String?

        @Option(help: "Trading minutes to simulate (ten ticks a second).")
        var minutes: Int = 3_000

        func run() async throws {
            let loaded = try ConfigLoader.load(explicit: config)
            let day = CivilDate(2025, 10, 27)
            var state = EngineState()
            var seq: UInt64 = 1
            _ = Engine.reduce(
                &state,
                .sessionStarted(
                    SessionStarted(
                        engineVersion: Scalper.version, mode: .paper, tradingDate: day, configFiles: loaded.files)),
                seq: seq, at: Timestamp.ist(day, 9, 0))
            guard let index = loaded.config.indices.first else { return }
            var random: UInt64 = 42
            var price = 2_590_000.0
            var tickNanos: UInt64 = 0
            var ticks = 0
            var closeNanos: [UInt64] = []
            let open = Timestamp.ist(day, 9, 15).nanos
            for minute in 0..<minutes {
                for tenth in 0..<600 {
                    random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    price += (Double(random >> 11) / Double(1 << 53) - 0.5) * 400
                    // Keep every tick inside one session day's minutes so bars keep closing.
                    let time = Timestamp(
                        nanos: open + Int64(minute % 370) * 60_000_000_000 + Int64(minute / 370) * 86_400_000_000_000
                            + Int64(tenth) * 100_000_000)
                    let tick = Tick(
                        instrument: index.instrument, lastPrice: Paise(Int64(price)), lastTradeTime: time.epochSeconds)
                    seq += 1
                    let started = DispatchTime.now().uptimeNanoseconds
                    let closesBar =
                        state.indices[0].minuteBars.forming.map {
                            $0.start != state.indices[0].minuteBars.periodStart(of: time)
                        } ?? false
                    _ = Engine.reduce(&state, .tick(tick), seq: seq, at: time)
                    let elapsed = DispatchTime.now().uptimeNanoseconds - started
                    if closesBar {
                        closeNanos.append(elapsed)
                    } else {
                        tickNanos += elapsed
                        ticks += 1
                    }
                }
            }
            closeNanos.sort()
            BenchFigures.record(
                "engine.tick_us", Double(tickNanos) / Double(max(ticks, 1)) / 1000, unit: "µs", better: .lower)
            BenchFigures.record(
                "engine.bar_close_p50_us", Double(closeNanos[closeNanos.count / 2]) / 1000, unit: "µs", better: .lower)
            BenchFigures.record(
                "engine.bar_close_p99_us", Double(closeNanos[closeNanos.count * 99 / 100]) / 1000, unit: "µs",
                better: .lower)
            print("engine reducer, one index (\(index.key)), \(grouped(minutes)) simulated minutes:")
            print(
                "tick (no bar close):        \(String(format: "%.2f", Double(tickNanos) / Double(max(ticks, 1)) / 1000)) µs mean over \(grouped(ticks)) ticks"
            )
            print(
                "tick closing a 1m bar (indicators, 5m resample, signal): p50 \(String(format: "%.1f", Double(closeNanos[closeNanos.count / 2]) / 1000)) µs, p99 \(String(format: "%.1f", Double(closeNanos[closeNanos.count * 99 / 100]) / 1000)) µs over \(grouped(closeNanos.count)) bars"
            )
        }
    }
}

extension BenchGroup {
    /// `scalper bench replay`: replay rate of an engine journal next to the bare scan rate, and backtest speed.
    struct ReplayBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Record an engine journal of N events, then time its replay and a bare decode scan.")

        @Option(help: "Events to record (index ticks, one per second of session time, with the engine's commands).")
        var events: Int = 1_000_000

        @Option(help: ConfigLoader.optionHelp)
        var config: String?

        @Option(help: "Record the journal here and keep it (e.g. to profile `scalper replay` on it).")
        var keep: String?

        func run() async throws {
            let loaded = try ConfigLoader.load(explicit: config)
            guard let index = loaded.config.indices.first else { return }
            let directory = keep ?? FileManager.default.temporaryDirectory.path + "/scalper-bench-replay-\(getpid())"
            try? FileManager.default.removeItem(atPath: directory)
            defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }
            // The recording journal is released (its writer lock with it) before the restart is timed.
            let (snapshotPoint, outcome, replaySeconds) = try {
                let journal = try Journal.openForWriting(at: directory, options: JournalOptions(durability: .fast))
                defer { journal.close() }
                var state = EngineState()
                var day = CivilDate(2025, 11, 3)
                var random: UInt64 = 7
                var price = 2_590_000.0
                var recorded = 0
                // The fold 10,000 events before the end, for the restart-from-snapshot figure.
                var snapshotPoint: (seq: UInt64, state: EngineState, events: Int)?
                var batch: [PendingRecord] = []
                func append(_ entry: JournalEntry, _ time: Timestamp) throws {
                    batch.append(entry.record(at: time))
                    if batch.count >= 1000 {
                        try journal.append(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                let recordStart = ContinuousClock.now
                var seq = journal.lastSeq
                while recorded < events {
                    let started = SessionStarted(
                        engineVersion: Scalper.version, mode: .backtest, tradingDate: day, configFiles: loaded.files)
                    seq += 1
                    let open = Timestamp.ist(day, 9, 15)
                    let startCommands = Engine.reduce(
                        &state, .sessionStarted(started), seq: seq, at: Timestamp.ist(day, 9, 0))
                    try append(.event(.sessionStarted(started)), Timestamp.ist(day, 9, 0))
                    recorded += 1
                    let startCause = seq
                    for command in startCommands {
                        seq += 1
                        try append(.command(command, causeSeq: startCause), Timestamp.ist(day, 9, 0))
                    }
                    for second in 0..<(375 * 60) where recorded < events {
                        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                        price += (Double(random >> 11) / Double(1 << 53) - 0.5) * 200
                        let time = Timestamp(epochSeconds: open.epochSeconds + Int64(second))
                        let tick = Event.tick(
                            Tick(
                                instrument: index.instrument, lastPrice: Paise(Int64(price)),
                                lastTradeTime: time.epochSeconds))
                        seq += 1
                        let commands = Engine.reduce(&state, tick, seq: seq, at: time)
                        try append(.event(tick), time)
                        recorded += 1
                        let cause = seq
                        for command in commands {
                            seq += 1
                            try append(.command(command, causeSeq: cause), time)
                        }
                        if recorded == events - 10_000 { snapshotPoint = (seq, state, recorded) }
                    }
                    day = loaded.config.calendar.nextTradingDay(after: day)
                }
                if !batch.isEmpty { try journal.append(batch) }
                journal.flush()
                let recordSeconds = (ContinuousClock.now - recordStart).seconds
                let records = journal.lastSeq
                print(
                    "recorded \(grouped(records)) records (\(grouped(recorded)) events) in \(String(format: "%.2f", recordSeconds)) s"
                )

                var decoded = 0
                let scanStart = ContinuousClock.now
                try journal.reader.forEach(verifyChecksums: false) { view in
                    _ = try JournalEntry.decode(view)
                    decoded += 1
                    return true
                }
                let scanRate = Double(decoded) / (ContinuousClock.now - scanStart).seconds
                func rate(verify: Bool, _ body: (RecordView) throws -> Void) throws -> String {
                    var count = 0
                    let start = ContinuousClock.now
                    try journal.reader.forEach(verifyChecksums: verify) { view in
                        try body(view)
                        count += 1
                        return true
                    }
                    return grouped(Int(Double(count) / (ContinuousClock.now - start).seconds))
                }
                print("scan, headers only: \(try rate(verify: false) { _ in }) records/s")
                print("scan + CRC: \(try rate(verify: true) { _ in }) records/s")
                // Best and median of five: this VM's neighbours make single runs vary by ±30 %.
                var times: [Double] = []
                var outcome = try JournalReplayer.replay(journal.reader)
                for _ in 0..<5 {
                    let replayStart = ContinuousClock.now
                    outcome = try JournalReplayer.replay(journal.reader)
                    times.append((ContinuousClock.now - replayStart).seconds)
                }
                times.sort()
                let replaySeconds = times[2]
                guard outcome.divergence == nil else {
                    printError("error: the benchmark journal did not replay")
                    throw ExitCode.failure
                }
                print("bare scan + decode: \(grouped(Int(scanRate))) records/s")
                BenchFigures.record(
                    "replay.records_per_second", Double(outcome.records) / replaySeconds, unit: "records/s",
                    better: .higher, baseline: .init(name: "bare scan + decode", value: scanRate))
                BenchFigures.record(
                    "replay.events_per_second", Double(outcome.events) / replaySeconds, unit: "events/s",
                    better: .higher)
                print(
                    "replay (decode, CRC, fold, command check), median of 5: \(grouped(Int(Double(outcome.records) / replaySeconds))) records/s, \(grouped(Int(Double(outcome.events) / replaySeconds))) events/s; best \(grouped(Int(Double(outcome.events) / times[0]))) events/s"
                )
                return (snapshotPoint, outcome, replaySeconds)
            }()
            if let point = snapshotPoint {
                try restart(directory: directory, point: point, full: outcome, fullSeconds: replaySeconds)
            }
        }

        /// Times a runtime's start-up on the long journal: open for writing (CRC check of every record),
        /// pick the snapshot, fold the 10,000-event tail; next to a fold from the first record.
        private func restart(
            directory: String, point: (seq: UInt64, state: EngineState, events: Int), full: ReplayOutcome,
            fullSeconds: Double
        ) throws {
            let store = SnapshotStore(journalPath: directory)
            do {
                let journal = try Journal.openForReading(at: directory)
                defer { journal.close() }
                let fingerprint = try StateSnapshot.fingerprint(of: journal.reader, at: point.seq) ?? 0
                let saveStart = ContinuousClock.now
                let path = try store.save(
                    StateSnapshot(
                        seq: point.seq, recordFingerprint: fingerprint, state: point.state, records: point.seq,
                        events: UInt64(point.events), commands: point.seq - UInt64(point.events)))
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                print(
                    "state snapshot: \(grouped(size)) bytes, hashed, encoded and written (fsync) in \(String(format: "%.1f", (ContinuousClock.now - saveStart).seconds * 1000)) ms"
                )
            }
            let start = ContinuousClock.now
            let journal = try Journal.openForWriting(at: directory, options: JournalOptions(durability: .fast))
            defer { journal.close() }
            let opened = ContinuousClock.now
            let selection = store.latest(for: journal.reader)
            guard let snapshot = selection.snapshot else {
                printError("error: the snapshot was passed over: \(selection.rejected)")
                throw ExitCode.failure
            }
            let loaded = ContinuousClock.now
            let outcome = try JournalReplayer.replay(journal.reader, from: snapshot)
            let done = ContinuousClock.now
            guard outcome.divergence == nil, outcome.state.stateHash == full.state.stateHash else {
                printError("error: the fold from the snapshot does not end where the full fold ends")
                throw ExitCode.failure
            }
            func ms(_ duration: Duration) -> String { String(format: "%.0f ms", duration.seconds * 1000) }
            BenchFigures.record(
                "replay.restart_from_snapshot_ms", (done - start).seconds * 1000, unit: "ms", better: .lower,
                baseline: .init(name: "fold from the first record", value: fullSeconds * 1000))
            print(
                "restart from a snapshot \(grouped(Int(outcome.foldedRecords))) records before the end: \(ms(done - start)) (open + verify every CRC \(ms(opened - start)), load snapshot \(ms(loaded - opened)), fold the tail \(ms(done - loaded))); a fold from the first record takes \(String(format: "%.0f", fullSeconds * 1000)) ms"
            )
        }
    }
}

extension BenchGroup {
    /// `scalper bench master`: parse time of a detailed scrip master of N rows.
    struct MasterBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "master",
            abstract: "Parse a synthetic detailed scrip-master CSV of N rows (a realistic mix) into the option index.")

        @Option(help: "Rows in the synthetic master.")
        var rows: Int = 200_000

        func run() async throws {
            let header =
                "EXCH_ID,SEGMENT,SECURITY_ID,ISIN,INSTRUMENT,UNDERLYING_SECURITY_ID,UNDERLYING_SYMBOL,SYMBOL_NAME,DISPLAY_NAME,INSTRUMENT_TYPE,SERIES,LOT_SIZE,SM_EXPIRY_DATE,STRIKE_PRICE,OPTION_TYPE,TICK_SIZE,EXPIRY_FLAG,BRACKET_FLAG,COVER_FLAG,ASM_GSM_FLAG,ASM_GSM_CATEGORY,BUY_SELL_INDICATOR"
            var text = header + "\n"
            text.reserveCapacity(rows * 150)
            let underlyings = ["NIFTY", "BANKNIFTY", "SENSEX", "RELIANCE", "HDFCBANK", "INFY"]
            for row in 0..<rows {
                let underlying = underlyings[row % underlyings.count]
                let kind = row % 10
                if kind < 6 {
                    let strike = 20_000 + (row / 12 % 400) * 50
                    let expiry = ["2025-11-04", "2025-11-11", "2025-11-18", "2025-11-25", "2025-12-30"][row % 5]
                    let instrument =
                        underlying.count > 7 || underlying == "NIFTY" || underlying == "SENSEX" ? "OPTIDX" : "OPTSTK"
                    text +=
                        "NSE,D,\(100_000 + row),NA,\(instrument),13,\(underlying),\(underlying),\(underlying) \(strike) \(row % 2 == 0 ? "CALL" : "PUT"),OP,NA,75.0,\(expiry) 14:30:00,\(strike).00000,\(row % 2 == 0 ? "CE" : "PE"),5.0000,W,N,N,N,NA,A\n"
                } else {
                    text +=
                        "NSE,E,\(100_000 + row),INE0000\(row),EQUITY,,,\"COMPANY \(row), LTD\",Company \(row),ES,EQ,1.0,0001-01-01,-0.01000,XX,5.0000,NA,Y,Y,N,NA,A\n"
                }
            }
            let data = Data(text.utf8)
            var best = Double.infinity
            var master: InstrumentMaster?
            for _ in 0..<3 {
                let started = ContinuousClock.now
                master = try InstrumentMaster.parse(
                    data, underlyings: ["NIFTY", "BANKNIFTY", "SENSEX"], source: "synthetic")
                best = min(best, (ContinuousClock.now - started).seconds)
            }
            BenchFigures.record("master.parse_ms", best * 1000, unit: "ms", better: .lower)
            print(
                "scrip master: \(grouped(rows)) rows (\(grouped(data.count)) bytes) parsed in \(String(format: "%.1f", best * 1000)) ms (best of 3), \(grouped(master?.optionCount ?? 0)) index options kept"
            )
        }
    }
}
