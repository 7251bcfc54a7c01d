import AsyncHTTPClient
import Dhan
import DhanClient
import Domain
import Engine
import Foundation
import Hummingbird
import Journal
import Logging
import NIOCore
import Recovery
import TestSupport
import Testing

@testable import DhanSim
@testable import Runtime

extension RuntimeAcceptanceTests {
    /// The runtime under dhan-sim's fault injection, and its status API.
    @Suite("Runtime faults and status API", .serialized)
    struct FaultAndStatusTests {
        static func runtime(
            sim: DhanSimulator, mode: TradingMode, journal: String, until: String, faults: JournalFaults? = nil
        ) async throws -> (TradingRuntime, HTTPClient) {
            let loaded = try ConfigFixtures.loadAlgo()
            var options = TradingRuntime.Options(
                journalPath: journal, mode: mode, configFiles: loaded.files, config: loaded.config,
                endpoints: .simulator(port: sim.port), credentials: .simulator)
            options.durability = .fast
            options.journalFaults = faults
            let clock = until.split(separator: ":").compactMap { Int($0) }
            options.stopAtSecondOfDay = clock[0] * 3600 + clock[1] * 60
            options.reconnect = ReconnectPolicy(
                initial: .milliseconds(100), maximum: .milliseconds(500), coolOff: .milliseconds(500))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let simulatorClock = try await SimulatorClock(restURL: sim.restBaseURL, http: http)
            return (try TradingRuntime(options: options, clock: simulatorClock, logger: EndToEndTests.quiet()), http)
        }

        @Test(
            "feed drops and a silent stall: it reconnects, resubscribes and marks the feed stale; a 429 storm is waited out"
        )
        func faults() async throws {
            let sim = try await EndToEndTests.simulator(speed: 120, start: "10:00")
            let scratch = TemporaryDirectory("faults")
            let (runtime, http) = try await Self.runtime(
                sim: sim, mode: .live, journal: scratch.sub("j"), until: "11:00")
            let run = Task { try await runtime.run() }
            // Inject only once the feed is up, however slow the machine is today.
            while runtime.healthSnapshot.feed != .connected { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .seconds(1))
            var drop = SimFaults()
            drop.disconnectFeedsReason = 800
            sim.inject(drop)
            try await Task.sleep(for: .seconds(3))
            var stall = SimFaults()
            stall.stallFeedSeconds = 8
            sim.inject(stall)
            try await Task.sleep(for: .seconds(10))
            var storm = SimFaults()
            storm.rateLimitStormClass = "other"
            storm.rateLimitStormSeconds = 2
            sim.inject(storm)
            try await run.value
            try await http.shutdown()

            let journal = try Journal.openForReading(at: scratch.sub("j"))
            var statuses: [FeedStatus] = []
            var indexTicksAfterDrop = 0
            var sawDisconnect = false
            var entriesWhileStale = 0
            var stale = false
            try journal.reader.forEach(verifyChecksums: false) { view in
                switch try JournalEntry.decode(view) {
                case .event(.feedStatus(let status)):
                    statuses.append(status)
                    if status.state == .disconnected && status.reasonCode == 800 { sawDisconnect = true }
                    if status.state == .stale { stale = true }
                    if status.state == .connected { stale = false }
                case .event(.tick(let tick)) where tick.instrument.segment == .indexValue && sawDisconnect:
                    indexTicksAfterDrop += 1
                case .command(.placeOrder(let intent), _) where intent.side == .buy && stale:
                    entriesWhileStale += 1
                default: break
                }
                return true
            }
            journal.close()
            #expect(sawDisconnect, "the drop was journaled as a feed status")
            #expect(statuses.contains { $0.state == .stale }, "the stall marked the feed stale: \(statuses)")
            #expect(indexTicksAfterDrop > 100, "index ticks resumed after the reconnect (resubscribed)")
            #expect(entriesWhileStale == 0)
            #expect(sim.core.withLock { $0.limiter.rejected.values.reduce(0, +) } == 0, "never over DhanHQ's limits")
            await sim.stop()
        }

        @Test(
            "status API: livez, readyz, status JSON, Prometheus metrics, and a token-guarded kill switch that is journaled"
        )
        func statusAPI() async throws {
            let sim = try await EndToEndTests.simulator(speed: 100, start: "10:00")
            let scratch = TemporaryDirectory("status")
            let faults = JournalFaults()
            let (runtime, http) = try await Self.runtime(
                sim: sim, mode: .paper, journal: scratch.sub("j"), until: "10:30", faults: faults)
            let (ports, portContinuation) = AsyncStream<Int>.makeStream()
            let captured = CapturedLog()
            let app = try StatusServer.application(
                runtime: runtime, port: 0, controlToken: "sekret", logger: captured.logger
            ) { portContinuation.yield($0) }
            let server = Task { try await app.run() }
            let run = Task { try await runtime.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await Task.sleep(for: .seconds(3))
            func call(
                _ method: String, _ path: String, token: String? = nil, headers: [String: String] = [:],
                body: Data? = nil, chunked: Bool = false
            ) async throws -> (Int, String) {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                request.method = .init(rawValue: method)
                if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                if let body {
                    request.body =
                        chunked
                        ? .stream(
                            AsyncStream<ByteBuffer> { continuation in
                                continuation.yield(ByteBuffer(bytes: body))
                                continuation.finish()
                            }, length: .unknown)
                        : .bytes(ByteBuffer(bytes: body))
                }
                let response = try await http.execute(request, timeout: .seconds(5))
                let body = try await response.body.collect(upTo: 16 << 20)
                return (Int(response.status.code), String(buffer: body))
            }
            #expect(try await call("GET", "/livez") == (200, "ok\n"))
            let (readyCode, readyBody) = try await call("GET", "/readyz")
            #expect(readyCode == 200, "\(readyBody)")
            let (statusCode, statusBody) = try await call("GET", "/status")
            #expect(statusCode == 200)
            let status = try JSONSerialization.jsonObject(with: Data(statusBody.utf8)) as? [String: Any]
            #expect(status?["mode"] as? String == "paper" && status?["engine"] is [String: Any])
            #expect(status?["exiting"] is [Any])
            let (_, metrics) = try await call("GET", "/metrics")
            #expect(metrics.contains("# TYPE scalper_events_total counter") && metrics.contains("scalper_ticks_total "))
            #expect(metrics.contains("# TYPE scalper_journal_commit_seconds histogram"))
            #expect(try await call("POST", "/kill-switch").0 == 401)
            #expect(try await call("POST", "/kill-switch", token: "wrong").0 == 401)
            // Hostile requests while the session runs: refused with 4xx, nothing journaled, the session unaffected.
            let seqBefore = await runtime.sequencer.lastSeq
            #expect(try await call("GET", "/status?" + String(repeating: "a", count: 5_000)).0 == 414)
            #expect(try await call("GET", "/livez", headers: ["X-Big": String(repeating: "b", count: 9_000)]).0 == 431)
            #expect(try await call("POST", "/kill-switch", token: "sekret", body: Data(count: 100_000)).0 == 413)
            #expect(
                try await call("POST", "/kill-switch", token: "sekret", body: Data(count: 5_000), chunked: true).0
                    == 413)
            #expect(try await call("DELETE", "/kill-switch", token: "sekret").0 == 404)
            #expect(try await call("GET", "/no-such-thing").0 == 404)
            #expect(
                Self.rawExchange(port: port, bytes: Array("\u{1}\u{2}GARBAGE / HTTP/9\r\n\r\n".utf8)) != "HTTP/1.1 200")
            for _ in 0..<50 { _ = try await call("POST", "/circuit/reset", token: "nope") }
            #expect(await runtime.sequencer.state.dayRisk?.killSwitch != true, "a refused request changed nothing")
            #expect(try await call("GET", "/livez") == (200, "ok\n"))
            try await Task.sleep(for: .seconds(1))
            #expect(await runtime.sequencer.lastSeq > seqBefore, "the session kept journaling")
            let logged = captured.lines.joined(separator: "\n")
            #expect(logged.contains("control API refused a request") && logged.contains("status=413"))
            #expect(!logged.contains("sekret") && !logged.contains("nope"), "tokens never reach the log")
            #expect(try await call("POST", "/kill-switch", token: "sekret") == (200, "kill switch engaged\n"))
            #expect(await runtime.sequencer.state.dayRisk?.killSwitch == true)
            // The same from the command line: scalper status shows it, scalper kill-switch --release lets go.
            let shown = try Executables.run(Executables.scalper, ["status", "--url", "http://127.0.0.1:\(port)"])
            #expect(shown.stdout.hasPrefix("scalper run (paper): "), "\(shown.stdout)\(shown.stderr)")
            #expect(shown.stdout.contains("kill switch ENGAGED") && shown.stdout.contains("journal seq "))
            let tokenFile = scratch.sub("token")
            try "sekret\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let released = try Executables.run(
                Executables.scalper,
                ["kill-switch", "--release", "--token-file", tokenFile, "--url", "http://127.0.0.1:\(port)"])
            #expect(released.status == 0 && released.stdout == "kill switch released\n", "\(released.stderr)")
            #expect(await runtime.sequencer.state.dayRisk?.killSwitch == false)
            try "wrong\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let refused = try Executables.run(
                Executables.scalper, ["kill-switch", "--token-file", tokenFile, "--url", "http://127.0.0.1:\(port)"])
            #expect(refused.status == 1 && refused.stderr.contains("answered 401"))
            let nobody = try Executables.run(Executables.scalper, ["status", "--url", "http://127.0.0.1:1"])
            #expect(nobody.status == 2 && nobody.stderr.contains("nothing answered at http://127.0.0.1:1/status"))
            let (page, html) = try await call("GET", "/")
            #expect(page == 200 && html.contains("<svg"))
            // The disk fills: the process keeps running, says why it is not ready, writes nothing, and resumes
            // once appends succeed again with nothing acknowledged lost.
            let beforeOutage = await runtime.sequencer.lastSeq
            faults.failAppends()
            var outage = (0, "")
            for _ in 0..<100 where outage.0 != 503 {
                try await Task.sleep(for: .milliseconds(50))
                outage = try await call("GET", "/readyz")
            }
            #expect(outage.0 == 503 && outage.1.contains("journal cannot be written"), "\(outage.1)")
            #expect(outage.1.contains("No space left on device"))
            #expect(await runtime.sequencer.lastSeq == beforeOutage)
            #expect(try await call("GET", "/livez") == (200, "ok\n"))
            faults.heal()
            var healed = (0, "")
            for _ in 0..<100 where healed.0 != 200 {
                try await Task.sleep(for: .milliseconds(50))
                healed = try await call("GET", "/readyz")
            }
            #expect(healed.0 == 200, "\(healed.1)")
            #expect(await runtime.sequencer.lastSeq > beforeOutage, "it journals again")
            runtime.stop()
            try await run.value
            let replayed = try JournalReplayer.replay(try Journal.openForReading(at: scratch.sub("j")).reader)
            #expect(replayed.divergence == nil)
            server.cancel()
            _ = await server.result
            try await http.shutdown()
            await sim.stop()
        }
    }
}

typealias FaultAndStatusTests = RuntimeAcceptanceTests.FaultAndStatusTests
