import AsyncHTTPClient
import DhanClient
import DhanSim
import Domain
import Engine
import Foundation
import Hummingbird
import Journal
import Logging
import MarketModel
import NIOCore
import Recovery
import Simulation
import TestSupport
import Testing

@testable import Runtime

/// The status and control API of a running session, served on loopback while the session runs on virtual
/// time (`VirtualRuntime`): the market moves only when the test steps it.
@Suite("Status API of a session on virtual time")
struct StatusAPITests {
    @Test(
        "status API: livez, readyz, status JSON, Prometheus metrics, a token-guarded kill switch that is journaled, hostile requests refused, and a full disk reported and recovered"
    )
    func statusAPI() async throws {
        var configuration = SimConfiguration(date: CivilDate(2025, 11, 4), calendar: try ConfigFixtures.calendar())
        configuration.seed = 7
        configuration.speed = 0
        configuration.startSecondOfDay = 10 * 3600
        configuration.scenario = try Scenario.parse(
            try String(contentsOfFile: Fixtures.path("config/scenarios/trend-day.txt"), encoding: .utf8),
            source: "trend-day.txt")
        let harness = VirtualRuntime(world: SimWorld(configuration))
        let scratch = TemporaryDirectory("status")
        let faults = JournalFaults()
        let loaded = try ConfigFixtures.loadAlgo()
        var options = TradingRuntime.Options(
            journalPath: scratch.sub("j"), mode: .paper, configFiles: loaded.files, config: loaded.config,
            endpoints: VirtualRuntime.endpoints,
            credentials: .simulator)
        options.durability = .fast
        options.journalFaults = faults
        options.masterDirectory = scratch.sub("master")
        options.stopAtSecondOfDay = 10 * 3600 + 30 * 60
        options.ports = harness.ports
        let runtimeLog = CapturedLog()
        var logger = runtimeLog.logger
        logger.logLevel = .notice
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: logger)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let captured = CapturedLog()
        let app = try StatusServer.application(
            runtime: runtime, port: 0, controlToken: "sekret", logger: captured.logger
        ) { portContinuation.yield($0) }
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        harness.start(runtime)
        try harness.advance(through: 10 * 3600 + 3 * 60)

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
        #expect(Self.rawExchange(port: port, bytes: Array("\u{1}\u{2}GARBAGE / HTTP/9\r\n\r\n".utf8)) != "HTTP/1.1 200")
        for _ in 0..<50 { _ = try await call("POST", "/circuit/reset", token: "nope") }
        #expect(await runtime.sequencer.lastSeq == seqBefore, "refused requests journaled nothing")
        #expect(await runtime.sequencer.state.dayRisk?.killSwitch != true, "a refused request changed nothing")
        #expect(try await call("GET", "/livez") == (200, "ok\n"))
        try harness.advance(through: 10 * 3600 + 4 * 60)
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
        #expect(page == 200 && html.contains("<svg") && html.contains("new EventSource(\"/events\")"))
        #expect(!html.contains("http://") && !html.contains("https://"), "the page loads nothing from elsewhere")

        // The dashboard's Server-Sent Events: the object at once, equal to /status's `dashboard` at the same
        // seq, then a new one when the session moves on.
        var stream = HTTPClientRequest(url: "http://127.0.0.1:\(port)/events")
        stream.method = .GET
        let events = try await http.execute(stream, timeout: .seconds(30))
        #expect(events.status.code == 200 && events.headers.first(name: "content-type") == "text/event-stream")
        var chunks = events.body.makeAsyncIterator()
        var pending = ""
        func nextEvent() async throws -> [String: Any] {
            while true {
                if let end = pending.range(of: "\n\n") {
                    let block = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    guard let data = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else {
                        continue
                    }
                    return try #require(
                        try JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any])
                }
                let chunk = try #require(try await chunks.next(), "the event stream ended")
                pending += String(buffer: chunk)
            }
        }
        let first = try await nextEvent()
        let (_, statusNow) = try await call("GET", "/status")
        let dashboard = try #require(
            (try JSONSerialization.jsonObject(with: Data(statusNow.utf8)) as? [String: Any])?["dashboard"]
                as? [String: Any])
        #expect(NSDictionary(dictionary: first).isEqual(to: dashboard), "\(first)\n\(dashboard)")
        let indices = try #require(first["indices"] as? [[String: Any]])
        #expect(indices.first?["key"] as? String == "NIFTY" && indices.first?["ltp"] is Double)
        #expect((indices[0]["primary"] as? [String: Any])?["trend"] is String)
        let day = try #require(first["day"] as? [String: Any])
        #expect(day["kill_switch"] as? Bool == false && day["mtm"] is [Any])
        let recent = try #require(first["events"] as? [[String: Any]])
        #expect(
            recent.contains { $0["kind"] as? String == "operator_command" }, "the kill switch is among the last events")
        let firstSeq = try #require(first["seq"] as? Int)
        try harness.advance(through: 10 * 3600 + 4 * 60 + 30)
        let second = try await nextEvent()
        #expect(try #require(second["seq"] as? Int) > firstSeq)

        // The disk fills: the process keeps running, says why it is not ready, writes nothing, and resumes
        // once appends succeed again with nothing acknowledged lost.
        let beforeOutage = await runtime.sequencer.lastSeq
        faults.failAppends()
        try harness.advance(through: 10 * 3600 + 5 * 60)
        let outage = try await call("GET", "/readyz")
        #expect(outage.0 == 503 && outage.1.contains("journal cannot be written"), "\(outage.1)")
        #expect(outage.1.contains("No space left on device"))
        #expect(await runtime.sequencer.lastSeq == beforeOutage)
        #expect(try await call("GET", "/livez") == (200, "ok\n"))
        faults.heal()
        try harness.advance(through: 10 * 3600 + 5 * 60 + 2)
        let healed = try await call("GET", "/readyz")
        #expect(healed.0 == 200, "\(healed.1)")
        #expect(await runtime.sequencer.lastSeq > beforeOutage, "it journals again")
        // A minute of outage is one alarm and one recovery in the log, not a line a second.
        let outageLines = runtimeLog.lines.filter { $0.contains("journal append failed") || $0.contains("JOURNAL") }
        #expect(outageLines.count == 2, "\(outageLines)")
        let recovered = runtimeLog.lines.filter { $0.contains("journal writable again") }
        #expect(
            recovered.count == 2 && recovered.allSatisfy { $0.contains("failed_retries=") || $0.contains("inputs=") })

        #expect(try harness.finish(runtime) == .timeLimit)
        let journal = try Journal.openForReading(at: scratch.sub("j"))
        let replayed = try JournalReplayer.replay(journal.reader)
        journal.close()
        #expect(replayed.divergence == nil)
        server.cancel()
        _ = await server.result
        try await http.shutdown()
    }
}
