import DhanClient
import Domain
import Engine
import Foundation
import Hummingbird
import Journal
import Logging
import NIOCore
import Recovery
import Replay
import Synchronization
import TestSupport
import Testing

@testable import Runtime

/// Alerts: what the watcher raises over a real journal, how the dispatcher treats a rate-limiting Bot API and
/// a failing webhook on loopback, and the `alerts:` settings.
@Suite("Alerts")
struct AlertTests {
    /// Folds a committed fixture journal event by event and collects what the watcher raises.
    static func alerts(ofJournal name: String, feedDownAfterSeconds: Int64 = 60) throws -> (
        alerts: [Alert], state: EngineState, watcher: AlertWatcher
    ) {
        let scratch = TemporaryDirectory()
        let journal = try Journal.openForReading(at: try Fixtures.copy("journal-fixtures/\(name)", into: scratch))
        defer { journal.close() }
        var state = EngineState()
        var watcher = AlertWatcher(
            primedWith: state, at: Timestamp(nanos: 0), feedDownAfterSeconds: feedDownAfterSeconds)
        var alerts: [Alert] = []
        try journal.reader.forEach { view in
            if case .event(let event) = try JournalEntry.decode(view) {
                let time = Timestamp(nanos: view.header.timestampNanos)
                _ = Engine.reduce(&state, event, seq: view.seq, at: time)
                alerts += watcher.observe(state, seq: view.seq, at: time)
            }
            return true
        }
        return (alerts, state, watcher)
    }

    @Test(
        "the breaker day raises each entry and exit once (with the report's net) and the breaker once, and no entry after it"
    )
    func breakerDay() throws {
        let (alerts, state, _) = try Self.alerts(ofJournal: "breaker-day")
        let report = SessionReport(state: state)
        let entries = alerts.filter { if case .entry = $0.kind { true } else { false } }
        let exits = alerts.compactMap { alert -> Paise? in
            if case .exit(_, _, _, _, let net, _) = alert.kind { net } else { nil }
        }
        let breakers = alerts.filter { if case .circuitBreaker = $0.kind { true } else { false } }
        // Independently of the watcher: every trade the report lists entered once, and each closed one exited once
        // with the report's net.
        #expect(entries.count == report.trades.count)
        #expect(exits == report.trades.filter { $0.exitTime != nil }.sorted { $0.exitTime! < $1.exitTime! }.map(\.net))
        #expect(breakers.count == 1)
        #expect(state.dayRisk?.circuitTripped == true)
        // No alert is raised twice for one record and kind.
        let keys = alerts.map { "\($0.seq) \($0.kind.name) \($0.text)" }
        #expect(Set(keys).count == keys.count)
        // Every exit after the breaker is a breaker exit or a leg, never a new entry after it.
        if let trip = breakers.first {
            #expect(!entries.contains { $0.seq > trip.seq })
        }
        for alert in alerts { #expect(alert.seq > 0) }
    }

    @Test("a normal day: entries and exits in order, then one summary after 15:30 equal to the report's day")
    func normalDay() throws {
        var (alerts, state, watcher) = try Self.alerts(ofJournal: "normal-day")
        let report = SessionReport(state: state)
        let entries = alerts.filter { if case .entry = $0.kind { true } else { false } }
        let exits = alerts.filter { if case .exit = $0.kind { true } else { false } }
        #expect(entries.count == report.trades.count)
        #expect(exits.count == report.trades.filter { $0.exitTime != nil }.count)
        #expect(alerts.map(\.seq) == alerts.map(\.seq).sorted())
        // The fixture ends before the close: its summary goes out with the first fold at 15:30, once.
        #expect(Int(state.now.istSecondOfDay) < AlertWatcher.summaryAfterSecond)
        #expect(!alerts.contains { $0.kind.name == "day_summary" })
        let close = Timestamp.ist(state.now.istDate, 15, 30)
        let summaries = watcher.observe(state, seq: state.lastSeq + 1, at: close).compactMap {
            alert -> Alert.DaySummary? in
            if case .daySummary(let day) = alert.kind { day } else { nil }
        }
        #expect(
            watcher.observe(state, seq: state.lastSeq + 2, at: Timestamp(epochSeconds: close.epochSeconds + 1)).isEmpty)
        #expect(summaries.count == 1)
        let day = try #require(summaries.first)
        let reportDay = try #require(report.days.first { $0.date == day.date })
        #expect(day.totals == reportDay)
        #expect(day.trades == reportDay.trades && day.trades > 0)
        #expect(day.maxMTM == state.dayRisk?.maxMTM)
    }

    @Test("primed with a state, the watcher repeats nothing it shows")
    func primedRepeatsNothing() throws {
        let (_, state, _) = try Self.alerts(ofJournal: "breaker-day")
        var watcher = AlertWatcher(primedWith: state, at: state.now, feedDownAfterSeconds: 60)
        #expect(watcher.observe(state, seq: state.lastSeq, at: state.now).isEmpty)
    }

    @Test("the feed is down only past its grace, once, and its return is announced; an expired session at once")
    func feedDownAndBack() throws {
        var state = EngineState()
        let start = Timestamp.ist(CivilDate(2025, 11, 4), 10, 0)
        var watcher = AlertWatcher(primedWith: state, at: start, feedDownAfterSeconds: 60)
        state.feedBlock = .marketFeedStale(detail: "no index tick since 10:00:00")
        #expect(watcher.observe(state, seq: 1, at: start).isEmpty)
        #expect(watcher.observe(state, seq: 2, at: Timestamp(epochSeconds: start.epochSeconds + 59)).isEmpty)
        let down = watcher.observe(state, seq: 3, at: Timestamp(epochSeconds: start.epochSeconds + 60))
        #expect(down.map(\.kind) == [.feedDown(seconds: 60, detail: "no index tick since 10:00:00")])
        #expect(watcher.observe(state, seq: 4, at: Timestamp(epochSeconds: start.epochSeconds + 90)).isEmpty)
        state.feedBlock = nil
        let back = watcher.observe(state, seq: 5, at: Timestamp(epochSeconds: start.epochSeconds + 95))
        #expect(back.map(\.kind) == [.feedRestored(downSeconds: 95)])
        state.feedBlock = .sessionExpired
        #expect(watcher.observe(state, seq: 6, at: start).map(\.kind) == [.sessionExpired])
        #expect(watcher.observe(state, seq: 7, at: start).isEmpty)
        // A short stall is not news.
        state.feedBlock = .marketFeedStale(detail: "x")
        _ = watcher.observe(state, seq: 8, at: start)
        state.feedBlock = nil
        #expect(watcher.observe(state, seq: 9, at: Timestamp(epochSeconds: start.epochSeconds + 20)).isEmpty)
    }

    @Test("a reconciliation mismatch and its clearing, the kill switch on and off")
    func reconciliationAndKillSwitch() throws {
        var state = EngineState()
        let time = Timestamp.ist(CivilDate(2025, 11, 4), 9, 20)
        var watcher = AlertWatcher(primedWith: state, at: time, feedDownAfterSeconds: 60)
        state.reconciliationBlock = .reconciliationNotClean(notes: ["MISMATCH NSE_FNO:1: broker 65, engine 0"])
        state.dayRisk = DayRisk(date: time.istDate)
        state.dayRisk?.killSwitch = true
        #expect(
            watcher.observe(state, seq: 10, at: time).map(\.kind) == [
                .killSwitch(on: true), .reconciliationMismatch(notes: ["MISMATCH NSE_FNO:1: broker 65, engine 0"]),
            ])
        state.reconciliationBlock = nil
        state.dayRisk?.killSwitch = false
        #expect(
            watcher.observe(state, seq: 11, at: time).map(\.kind) == [.killSwitch(on: false), .reconciliationClean])
    }

    @Test("alert text and webhook JSON")
    func rendering() throws {
        let time = Timestamp.ist(CivilDate(2025, 11, 4), 9, 31, 5)
        let exit = Alert(
            .exit(
                index: "NIFTY", instrument: "NIFTY 25600 CE 2025-11-04", quantity: 75, reason: "stop_loss_30pct",
                net: Paise(-123_450), dayNet: Paise(-200_000)), time: time, seq: 812)
        #expect(
            exit.text
                == "🔻 NIFTY exit 09:31:05: sold 75 NIFTY 25600 CE 2025-11-04, stop_loss_30pct, net -₹1234.50; day -₹2000.00"
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(exit.json)) as? [String: Any])
        #expect(object["kind"] as? String == "exit")
        #expect(object["seq"] as? Int == 812)
        #expect(object["net"] as? Double == -1234.5)
        #expect(object["time"] as? String == "2025-11-04T09:31:05.000+05:30")
        #expect(object["reason"] as? String == "stop_loss_30pct")
    }

    @Test("alerts: settings are validated with file and key; the bot token file must be private")
    func settings() throws {
        let text = """
            alerts:
              telegram: { chat_id: "-1001234567890", bot_token_file: TOKEN }
              webhook: { url: "https://hooks.example.test/scalper/" }
              feed_down_after_sec: 45
            """
        let scratch = TemporaryDirectory("alert-settings")
        let tokenFile = scratch.sub("token")
        let parsed = try #require(
            try AlertSettings.parse(yaml: text.replacingOccurrences(of: "TOKEN", with: tokenFile), file: "algo.yml"))
        #expect(parsed.telegram?.chatID == "-1001234567890")
        #expect(parsed.telegram?.apiBase == "https://api.telegram.org")
        #expect(parsed.webhookURL == "https://hooks.example.test/scalper")
        #expect(parsed.feedDownAfterSeconds == 45)
        #expect(try AlertSettings.parse(yaml: "mode: paper\n", file: "algo.yml") == nil)
        #expect(
            try AlertSettings.parse(
                yaml: "mode: paper\n", file: "algo.yml",
                environment: [AlertSettings.webhookURLVariable: "http://127.0.0.1:9/x"])?.webhookURL
                == "http://127.0.0.1:9/x")
        #expect(
            throws: ConfigError(
                file: "algo.yml", key: "alerts.webhook.url", reason: "'ftp://x' is not an http:// or https:// URL")
        ) {
            try AlertSettings.parse(yaml: "alerts:\n  webhook: { url: ftp://x }\n", file: "algo.yml")
        }
        #expect(
            throws: ConfigError(
                file: "algo.yml", key: "alerts.slack",
                reason: "unknown key (allowed: feed_down_after_sec, telegram, webhook)")
        ) {
            try AlertSettings.parse(yaml: "alerts:\n  slack: {}\n", file: "algo.yml")
        }
        // The token: the environment first, else a file only its owner reads.
        #expect(try parsed.botToken(environment: [AlertSettings.botTokenVariable: "123:abc"]) == "123:abc")
        #expect(throws: AlertSetupError.self) { try parsed.botToken(environment: [:]) }
        try "123:fromfile\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        chmod(tokenFile, 0o644)
        #expect(throws: AlertSetupError.tokenFileTooOpen(path: tokenFile, mode: "644")) {
            try parsed.botToken(environment: [:])
        }
        chmod(tokenFile, 0o600)
        #expect(try parsed.botToken(environment: [:]) == "123:fromfile")
    }

    @Test(
        "dispatcher on loopback: Telegram's 429 retry_after is honoured, a failing webhook is retried with back-off, a refusal is final, the token never logged"
    )
    func dispatcherAgainstLocalServers() async throws {
        let server = FakeAlertServer()
        let (port, serverTask) = try await server.start()
        defer { serverTask.cancel() }
        let token = "4242:SECRET-token"
        let logs = CapturedLog()
        let clock = JumpingClock()
        let dispatcher = AlertDispatcher(
            destinations: [
                AlertDestination(.telegram(chatID: "99", token: token, apiBase: "http://127.0.0.1:\(port)")),
                AlertDestination(.webhook(url: "http://127.0.0.1:\(port)/hook")),
            ],
            clock: clock,
            logger: logs.logger, maxAttempts: 3)
        dispatcher.start()
        let time = Timestamp.ist(CivilDate(2025, 11, 4), 10, 0)
        dispatcher.enqueue(Alert(.killSwitch(on: true), time: time, seq: 5))
        dispatcher.enqueue(Alert(.killSwitch(on: false), time: time, seq: 6))
        await dispatcher.waitUntilDrained()
        await dispatcher.finish(within: .seconds(5))

        let telegram = server.requests(to: "/bot\(token)/sendMessage")
        #expect(telegram.count == 3)  // 429 once, then both delivered
        let texts = telegram.compactMap { ($0 as [String: Any])["text"] as? String }
        #expect(texts.count == 3)
        #expect(texts[2].hasPrefix("Kill switch released"))
        #expect(telegram.allSatisfy { $0["chat_id"] as? String == "99" })
        #expect(
            dispatcher.counts(of: "telegram") == .init(delivered: 2, refused: 0, failed: 0, dropped: 0, attempts: 3))
        // The webhook answered 500 twice for the first alert, then 200; the second alert was refused (400).
        let hooks = server.requests(to: "/hook")
        #expect(hooks.count == 4)
        #expect(hooks.map { $0["seq"] as? Int } == [5, 5, 5, 6])
        #expect(dispatcher.counts(of: "webhook") == .init(delivered: 1, refused: 1, failed: 0, dropped: 0, attempts: 4))
        let waits = clock.waits.withLock { $0 }
        #expect(waits.contains(.seconds(7)))  // Telegram's retry_after
        #expect(
            waits.contains(AlertDispatcher.backOff(attempt: 1)) && waits.contains(AlertDispatcher.backOff(attempt: 2)))
        #expect(waits.contains(.seconds(1)))  // pacing to one chat
        #expect(!logs.lines.contains { $0.contains("SECRET") })
        #expect(logs.lines.contains { $0.contains("alert refused") })
    }

    @Test("a full queue drops its oldest alerts and the next message says how many")
    func boundedQueue() async throws {
        let sent = Mutex<[[UInt8]]>([])
        struct Recording: AlertHTTP {
            let sent: @Sendable ([UInt8]) -> Void
            func post(_ url: String, json: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
                sent(json)
                return (200, Array(#"{"ok":true}"#.utf8))
            }
        }
        let dispatcher = AlertDispatcher(
            destinations: [AlertDestination(.telegram(chatID: "1", token: "t", apiBase: "http://x.invalid"))],
            http: Recording(sent: { body in sent.withLock { $0.append(body) } }), clock: JumpingClock(),
            logger: Logger(label: "test"), capacity: 3)
        let time = Timestamp.ist(CivilDate(2025, 11, 4), 10, 0)
        // Queued before the sender starts: five into room for three.
        for seq in 1...5 { dispatcher.enqueue(Alert(.killSwitch(on: seq % 2 == 1), time: time, seq: UInt64(seq))) }
        dispatcher.start()
        await dispatcher.waitUntilDrained()
        await dispatcher.finish(within: .zero)
        let texts = sent.withLock { $0 }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])?["text"] as? String
        }
        #expect(texts.count == 3)
        #expect(texts[0].hasPrefix("(2 earlier alert(s) dropped: the queue was full)"))
        #expect(dispatcher.counts(of: "telegram")?.dropped == 2)
    }
}

/// A clock whose waits end at once: it jumps to each deadline and keeps how long each wait was.
final class JumpingClock: ElapsedClock {
    private let now = Mutex(Duration.zero)
    let waits = Mutex<[Duration]>([])

    func elapsed() -> Duration { now.withLock { $0 } }

    func sleep(untilElapsed deadline: Duration) async throws {
        try Task.checkCancellation()
        now.withLock { now in
            waits.withLock { $0.append(deadline - now) }
            now = max(now, deadline)
        }
    }
}

/// A stand-in for Telegram's Bot API and a webhook receiver on 127.0.0.1: the Bot API answers the first
/// message 429 with retry_after 7; the webhook answers 500 twice, then 200, then 400.
final class FakeAlertServer: Sendable {
    private let received = Mutex<[(path: String, body: Data)]>([])
    private let answered = Mutex<[String: Int]>([:])

    func requests(to path: String) -> [[String: Any]] {
        received.withLock { $0.filter { $0.path == path }.map(\.body) }.map {
            (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] ?? [:]
        }
    }

    private func record(_ path: String, _ body: ByteBuffer) -> Int {
        let data = Data(buffer: body)
        received.withLock { $0.append((path, data)) }
        return answered.withLock { counts in
            counts[path, default: 0] += 1
            return counts[path]!
        }
    }

    /// Serves until the returned task is cancelled; the port it listens on.
    func start() async throws -> (Int, Task<Void, any Error>) {
        let router = Router()
        router.post("/:bot/sendMessage") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let path = "/\(context.parameters.get("bot") ?? "")/sendMessage"
            let count = self.record(path, body)
            if count == 1 {
                return Response(
                    status: .tooManyRequests,
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string:
                                #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#
                        )))
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true,"result":{}}"#)))
        }
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let count = self.record("/hook", body)
            switch count {
            case 1, 2: return Response(status: .internalServerError)
            case 3: return Response(status: .ok)
            default: return Response(status: .badRequest)
            }
        }
        let ports = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { ports.continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await app.runService() }
        var iterator = ports.stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return (port, task)
    }
}
