import Dhan
import DhanSim
import Domain
import Engine
import Foundation
import Journal
import MarketModel
import Recovery
import Replay
import TestSupport
import Testing

@testable import DhanSim

extension RuntimeAcceptanceTests {
    /// `scalper run` as a real child process, killed with SIGKILL at random moments and restarted each time.
    @Suite("Crash recovery (SIGKILL) and graceful shutdown (SIGTERM)", .serialized)
    struct CrashRecoveryTests {
        /// Every journal entry up to `seq`, as decoded now (to prove later that none was lost or changed).
        static func entries(_ path: String, through seq: UInt64) throws -> [JournalEntry] {
            let journal = try Journal.openForReading(at: path)
            defer { journal.close() }
            var out: [JournalEntry] = []
            try journal.reader.forEach(verifyChecksums: true) { view in
                guard view.seq <= seq else { return false }
                out.append(try JournalEntry.decode(view))
                return true
            }
            return out
        }

        static func lastSeq(_ path: String) -> UInt64 {
            guard let journal = try? Journal.openForReading(at: path) else { return 0 }
            defer { journal.close() }
            return (try? journal.reader.lastSeq()) ?? 0
        }

        /// What the test waits on in a child's life, instead of sleeping on the wall clock.
        enum Moment: Sendable {
            /// dhan-sim answered one of its REST requests.
            case answered
            /// The child exited (its status).
            case exited(Int32)
        }

        /// A running `scalper run` and the moments of its life: dhan-sim's answers and its exit, in order.
        struct Child {
            var process: Process
            var moments: AsyncStream<Moment>
            var forwarding: Task<Void, Never>

            /// Waits for dhan-sim's `count`-th answer since the launch; false if the child exited first.
            func reach(answers count: Int) async -> Bool {
                var seen = 0
                for await moment in moments {
                    switch moment {
                    case .answered:
                        seen += 1
                        if seen >= count { return true }
                    case .exited: return false
                    }
                }
                return false
            }

            /// Waits for the child to exit and returns its status.
            func exit() async -> Int32? {
                for await moment in moments { if case .exited(let status) = moment { return status } }
                return nil
            }
        }

        static func launch(journal: String, sim: DhanSimulator, log: String) throws -> Child {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Executables.scalper)
            let port = sim.port
            process.arguments = [
                "run", "--config", Fixtures.path("config/algo.yml"), "--journal", journal, "--live", "--confirm-live",
                "--dhan-rest", "http://127.0.0.1:\(port)/v2", "--dhan-feed", "ws://127.0.0.1:\(port)", "--dhan-orders",
                "ws://127.0.0.1:\(port)", "--clock", "simulator", "--until", "12:30", "--http-port", "0",
                // Snapshots often, so most restarts resume from one and fold only the tail.
                "--snapshot-every", "1000",
            ]
            var environment = ProcessInfo.processInfo.environment
            environment["DHAN_CLIENT_ID"] = "SIMCLIENT"
            environment["DHAN_ACCESS_TOKEN"] = "SIMTOKEN"
            environment["SCALPER_LOG"] = "notice"
            process.environment = environment
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = FileHandle(forWritingAtPath: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            let (moments, continuation) = AsyncStream.makeStream(of: Moment.self)
            process.terminationHandler = { process in
                continuation.yield(.exited(process.terminationStatus))
                continuation.finish()
            }
            // Watching starts before the launch, so no answer to this child is missed.
            let answers = sim.moments()
            let forwarding = Task {
                for await moment in answers { if case .answered = moment { continuation.yield(.answered) } }
            }
            try process.run()
            return Child(process: process, moments: moments, forwarding: forwarding)
        }

        /// What a failed comparison needs to be understood without the scratch directory: for each contract
        /// the books disagree on, the broker's orders, the engine's positions and anomalies, and the child
        /// processes' log lines that name one of its correlation ids.
        static func explain(
            _ instruments: Set<InstrumentKey>, _ sim: DhanSimulator, _ state: EngineState, _ logs: [String],
            journal: String
        ) -> String {
            var lines: [String] = []
            let dump = (try? Executables.run(Executables.scalper, ["journal", "dump", journal]))?.stdout ?? ""
            for instrument in instruments.sorted() {
                let orders = sim.core.withLock { core in core.broker.orders.filter { $0.instrument == instrument } }
                lines.append("\(instrument): broker orders")
                for order in orders {
                    lines.append(
                        "  \(order.id) \(order.correlationID) \(order.side) \(order.legName) \(order.status) "
                            + "qty \(order.quantity) filled \(order.filled) at \(order.averagePrice) created \(order.created) "
                            + "updated \(order.updated)"
                    )
                }
                let trades = sim.core.withLock { core in
                    core.broker.trades.filter { $0.securityId == instrument.securityID.description }
                }
                lines.append("\(instrument): broker trades")
                for trade in trades {
                    lines.append(
                        "  \(trade.orderId) \(trade.transactionType) \(trade.tradedQuantity) at \(trade.tradedPrice) "
                            + "\(trade.createTime)")
                }
                let positions = state.positions.filter { $0.instrument == instrument }
                lines.append("\(instrument): engine positions")
                for position in positions {
                    lines.append(
                        "  \(position.id) \(position.phase.rawValue) entry order \(position.entryOrderID ?? "-") "
                            + "filled \(position.entryFilled) open \(position.quantity) realised \(position.realized)")
                }
                let ids = Set(
                    orders.map(\.correlationID) + positions.map(\.id.value)
                        + positions.compactMap { $0.exit?.correlationID.value }
                ).filter { !$0.isEmpty }
                for anomaly in state.anomalies where ids.contains(where: { anomaly.message.contains($0) }) {
                    lines.append("  anomaly seq \(anomaly.seq): \(anomaly.message)")
                }
                for line in dump.split(separator: "\n") where ids.contains(where: { line.contains($0) }) {
                    lines.append("  journal: \(line.prefix(400))")
                }
                for log in logs + [logs.first.map { ($0 as NSString).deletingLastPathComponent + "/final.log" } ?? ""] {
                    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    for line in text.split(separator: "\n") where ids.contains(where: { line.contains($0) }) {
                        lines.append("  \((log as NSString).lastPathComponent): \(line.prefix(400))")
                    }
                }
            }
            return lines.joined(separator: "\n")
        }

        @Test("SIGTERM shuts down gracefully: intake stops, the journal is flushed, a final snapshot written, exit 0")
        func gracefulShutdown() async throws {
            let sim = try await EndToEndTests.simulator(speed: 110, start: "10:00")
            let scratch = TemporaryDirectory("sigterm")
            let journal = scratch.sub("journal")
            let log = scratch.sub("run.log")
            let child = try Self.launch(journal: journal, sim: sim, log: log)
            let process = child.process
            // Past start-up (scrip master, reconciliation, history, the first option chains) and into the day.
            let running = await child.reach(answers: 25)
            #expect(running, "scalper run exited early: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            kill(process.processIdentifier, SIGTERM)
            _ = await child.exit()
            child.forwarding.cancel()
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(process.terminationReason == .exit, "\(text)")
            #expect(process.terminationStatus == 0, "\(text)")
            #expect(text.contains("stopped"), "the shutdown says what stays open")
            let reader = try Journal.openForReading(at: journal)
            #expect(try reader.reader.verify().firstFailure == nil)
            let outcome = try JournalReplayer.replay(reader.reader)
            reader.close()
            #expect(outcome.divergence == nil)
            #expect(outcome.unjournaled.isEmpty)
            let store = SnapshotStore(journalPath: journal)
            let newest = try store.load(try #require(store.files().first))
            #expect(newest.seq == outcome.lastSeq)
            #expect(newest.stateHash == outcome.state.stateHash)
            await sim.stop()
        }

        @Test(
            "ten SIGKILLs: no acknowledged record lost, no intent sent twice, positions and realised PnL equal dhan-sim's",
            arguments: ["documented", "observed"])
        func killAndRestart(profile: String) async throws {
            // observed: partial fills, protected market orders, ENTRY_LEG cancels refused after a trade and leg
            // alerts under the parent's order number, as `dhan-sim --profile observed` serves them.
            let sim = try await EndToEndTests.simulator(
                speed: 110, start: "10:00", behaviour: try #require(SimBehaviour.profile(profile)))
            let scratch = TemporaryDirectory("crash")
            let journal = scratch.sub("journal")
            var random = SeededRandom(seed: 2026)
            var kills = 0
            var logs: [String] = []
            while kills < 10 {
                let log = scratch.sub("run-\(kills).log")
                logs.append(log)
                let child = try Self.launch(journal: journal, sim: sim, log: log)
                let process = child.process
                // A seeded moment in the child's conversation with the broker: after its k-th answer from
                // dhan-sim (while the answer is on the wire, or just taken, or the order it placed just acknowledged).
                let moment = 15 + Int(random.unit() * 40)
                guard await child.reach(answers: moment) else {
                    Issue.record(
                        "scalper run exited early: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                    return
                }
                // What the journal holds now was acknowledged (durable); it must survive the kill unchanged.
                let acknowledged = Self.lastSeq(journal)
                let before = try Self.entries(journal, through: acknowledged)
                kill(process.processIdentifier, SIGKILL)
                _ = await child.exit()
                child.forwarding.cancel()
                #expect(process.terminationReason == .uncaughtSignal)
                kills += 1
                print(
                    "crash test (\(profile)): kill \(kills) after answer \(moment), at \(sim.now.istString), seq \(acknowledged)"
                )
                let after = try Self.entries(journal, through: acknowledged)
                #expect(after == before, "kill \(kills): records up to seq \(acknowledged) changed")
            }
            // The last run finishes the session on its own.
            let final = try Self.launch(journal: journal, sim: sim, log: scratch.sub("final.log"))
            let status = await final.exit()
            final.forwarding.cancel()
            #expect(status == 0)

            let reader = try Journal.openForReading(at: journal)
            let outcome = try JournalReplayer.replay(reader.reader)
            reader.close()
            #expect(outcome.divergence == nil)
            let state = outcome.state
            #expect(state.positions.contains { $0.entryFilled > 0 }, "the session traded")

            // dhan-sim's order book proves no intent was placed twice.
            let correlations = sim.core.withLock { core in
                // A super order's legs carry their entry's correlation id; count each placed order once.
                core.broker.orders.filter { $0.legName != "TARGET_LEG" && $0.legName != "STOP_LOSS_LEG" }.map(
                    \.correlationID)
            }.filter { !$0.isEmpty }
            #expect(Set(correlations).count == correlations.count, "duplicate orders: \(correlations)")
            // Restarts resumed from state snapshots; the shutdown's snapshot is the whole journal's fold.
            let resumed = logs.dropFirst().filter { log in
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return text.contains("state rebuilt from the journal") && !text.contains("snapshot_seq=none")
            }
            #expect(resumed.count >= 5, "restarts that resumed from a snapshot: \(resumed.count) of \(logs.count - 1)")
            let store = SnapshotStore(journalPath: journal)
            let newest = try store.load(try #require(store.files().first))
            #expect(newest.seq == outcome.lastSeq)
            #expect(newest.stateHash == state.stateHash)
            print(
                "crash test: \(kills) SIGKILLs, \(correlations.count) broker orders, \(state.positions.count) positions, "
                    + "\(outcome.records) records, \(resumed.count) restarts from a snapshot")
            // The engine's positions and realised PnL equal the broker's exactly.
            let broker = EndToEndTests.brokerBook(sim)
            let engine = EndToEndTests.engineBook(state)
            // A contract is explained when the books disagree on its quantity, or on the realised PnL of a flat one.
            let differing = Set(broker.keys).union(engine.keys).filter { key in
                broker[key]?.net != engine[key]?.net
                    || (broker[key]?.net == 0 && broker[key]?.realized != engine[key]?.realized)
            }
            let explanation = differing.isEmpty ? "" : Self.explain(differing, sim, state, logs, journal: journal)
            #expect(
                broker.keys.sorted() == engine.keys.sorted(), "\(explanation)")
            for key in broker.keys {
                #expect(broker[key]?.net == engine[key]?.net, "\(key) quantity\n\(explanation)")
                // The broker books realised PnL at its average cost over all buys; with a position still open in the
                // same contract the engine's per-position figure legitimately differs, so compare flat contracts.
                if broker[key]?.net == 0 {
                    // Fills carry the exact value that traded and a flat position books its cash flow (0.4.5),
                    // so the figures agree to the paisa, restarts and partial fills or not.
                    #expect(broker[key]?.realized == engine[key]?.realized, "\(key) realised\n\(explanation)")
                }
            }
            for position in state.openPositions where position.quantity > 0 {
                let average = sim.core.withLock { core -> Paise? in
                    guard let held = core.broker.positions[position.instrument], held.buyQty > 0 else { return nil }
                    // What was bought, in whole paise (exact: every trade is at a tick), over the quantity, half
                    // a paisa up. Dividing the rupees in Double first put 279.775 (two fills of 20 at 279.75
                    // and 279.80) at 279.7749999… and rounded it down to 279.77, a paisa from the engine's.
                    let cost = Int64((held.buyValue * 100).rounded())
                    let quantity = Int64(held.buyQty)
                    return Paise((cost + quantity / 2) / quantity)
                }
                if state.positions.filter({ $0.instrument == position.instrument && $0.entryFilled > 0 }).count == 1 {
                    #expect(average == position.entryAverage, "\(position.instrument) average")
                }
            }
            await sim.stop()
        }
    }
}

typealias CrashRecoveryTests = RuntimeAcceptanceTests.CrashRecoveryTests
