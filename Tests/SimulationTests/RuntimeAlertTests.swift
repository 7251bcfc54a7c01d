import Domain
import Engine
import Foundation
import Journal
import Logging
import Recovery
import Runtime
import Synchronization
import TestSupport
import Testing

@testable import Simulation

/// Alerts from the running process: a whole paper day on virtual time with Telegram configured (a recording
/// Bot API), the kill switch pressed and released in the middle.
@Suite("Alerts from a running session")
struct RuntimeAlertTests {
    /// A Bot API that answers every message `ok` and keeps its text.
    final class RecordingBotAPI: AlertHTTP {
        let sent = Mutex<[String]>([])

        func post(_ url: String, json: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
            let text = (try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])?["text"] as? String
            sent.withLock { $0.append(text ?? "") }
            return (200, Array(#"{"ok":true}"#.utf8))
        }
    }

    @Test(
        "a paper day sends every alert its journal implies, in order: entries, exits, the kill switch on and off, and the day's summary after 15:30"
    )
    func paperDayAlerts() throws {
        let scratch = TemporaryDirectory("runtime-alerts")
        let harness = VirtualRuntime(world: try VirtualRuntimeTests.world())
        let journal = scratch.sub("journal")
        var options = try VirtualRuntimeTests.options(journal: journal, mode: .paper, ports: harness.ports)
        options.masterDirectory = scratch.sub("master")
        let api = RecordingBotAPI()
        let clock = harness.clock
        options.alerts = AlertDispatcher(
            destinations: [AlertDestination(.telegram(chatID: "42", token: "1:x", apiBase: "http://bot.invalid"))],
            http: api, clock: clock, logger: VirtualRuntimeTests.quiet())
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: VirtualRuntimeTests.quiet())
        let ending = try harness.run(runtime, until: 15 * 3600 + 40 * 60) { second in
            if second == 12 * 3600 {
                _ = harness.perform { try? await runtime.operatorCommand(.killSwitch(engaged: true)) }
            }
            if second == 12 * 3600 + 5 * 60 {
                _ = harness.perform { try? await runtime.operatorCommand(.killSwitch(engaged: false)) }
            }
        }
        #expect(ending == .stopped)
        let sent = api.sent.withLock { $0 }

        // What the journal implies, folded independently of the running process.
        let reader = try Journal.openForReading(at: journal)
        defer { reader.close() }
        var state = EngineState()
        var watcher = AlertWatcher(primedWith: state, at: Timestamp(nanos: 0), feedDownAfterSeconds: 60)
        var expected: [String] = []
        try reader.reader.forEach { view in
            if case .event(let event) = try JournalEntry.decode(view) {
                let time = Timestamp(nanos: view.header.timestampNanos)
                _ = Engine.reduce(&state, event, seq: view.seq, at: time)
                expected += watcher.observe(state, seq: view.seq, at: time).map(\.text)
            }
            return true
        }
        #expect(sent == expected)
        #expect(sent.contains { $0.contains(" entry ") })
        #expect(sent.contains { $0.contains(" exit ") })
        #expect(sent.contains { $0.hasPrefix("⛔ KILL SWITCH ON 12:00:") })
        #expect(sent.contains { $0.hasPrefix("Kill switch released 12:05:") })
        #expect(sent.last?.hasPrefix("📊 2025-11-04: ") == true, "\(sent.last ?? "")")
    }
}
