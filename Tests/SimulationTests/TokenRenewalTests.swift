import DhanClient
import DhanSim
import Domain
import Engine
import Foundation
import MarketModel
import Runtime
import Synchronization
import TestSupport
import Testing

@testable import Simulation

/// The access token over a session on virtual time: dhan-sim's token expires at 11:00; the runtime renews it an
/// hour before, or generates a new one from the PIN and a TOTP, or says it cannot and pauses at the expiry.
@Suite("Access token renewal on virtual time")
struct TokenRenewalTests {
    static let expiry = Timestamp.ist(VirtualRuntimeTests.day, 11, 0)

    /// A JWT-shaped token whose `exp` claim is `expiry` (the engine reads the expiry from it, as from DhanHQ's).
    static func jwt(expiring expiry: Timestamp) -> String {
        func base64URL(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return base64URL(#"{"alg":"HS512","typ":"JWT"}"#) + "."
            + base64URL(#"{"dhanClientId":"SIMCLIENT","exp":\#(expiry.epochSeconds)}"#) + ".c2ln"
    }

    /// A paper session from 09:15 to 11:30 whose broker token expires at 11:00.
    static func session(brokerRenews: Bool, pin: String?) throws -> (
        state: EngineState, alerts: [String], brokerToken: String
    ) {
        let token = jwt(expiring: expiry)
        var configuration = SimConfiguration(date: VirtualRuntimeTests.day, calendar: try ConfigFixtures.calendar())
        configuration.seed = 7
        configuration.speed = 0
        configuration.accessToken = token
        configuration.accessTokenExpirySecondOfDay = 11 * 3600
        configuration.renewsTokens = brokerRenews
        configuration.scenario = try Scenario.parse(
            try String(contentsOfFile: Fixtures.path("config/scenarios/trend-day.txt"), encoding: .utf8),
            source: "trend-day.txt")
        let harness = VirtualRuntime(world: SimWorld(configuration))
        let scratch = TemporaryDirectory("token-renewal")
        var options = try VirtualRuntimeTests.options(
            journal: scratch.sub("journal"), mode: .paper, ports: harness.ports)
        options.masterDirectory = scratch.sub("master")
        options.stopAtSecondOfDay = 11 * 3600 + 30 * 60
        options.credentials = DhanCredentials(
            clientID: "SIMCLIENT", accessToken: token, pin: pin, totpSecret: pin == nil ? nil : configuration.totpSecret
        )
        let api = RuntimeAlertTests.RecordingBotAPI()
        options.alerts = AlertDispatcher(
            destinations: [AlertDestination(.telegram(chatID: "42", token: "1:x", apiBase: "http://bot.invalid"))],
            http: api, clock: harness.clock, logger: VirtualRuntimeTests.quiet())
        let runtime = try TradingRuntime(options: options, clock: harness.clock, logger: VirtualRuntimeTests.quiet())
        let ending = try harness.run(runtime, until: 11 * 3600 + 40 * 60)
        #expect(ending == .stopped)
        let state = try #require(harness.perform { await runtime.sequencer.state })
        return (state, api.sent.withLock { $0 }, harness.transport.withWorld { $0.accessToken })
    }

    @Test("renewed at 10:00 by RenewToken: trading goes on past 11:00 with the new token")
    func renews() throws {
        let (state, alerts, brokerToken) = try Self.session(brokerRenews: true, pin: nil)
        #expect(brokerToken == Self.jwt(expiring: Self.expiry) + "-1")
        #expect(alerts.contains { $0.hasPrefix("Access token renewed 10:00:") }, "\(alerts)")
        #expect(!alerts.contains { $0.contains("NOT RENEWED") || $0.contains("REJECTED") })
        #expect(state.feedBlock == nil, "\(String(describing: state.feedBlock))")
        #expect(state.now.istSecondOfDay >= 11 * 3600 + 29 * 60)
    }

    @Test("RenewToken refused: a new token from the PIN and TOTP, and trading goes on")
    func generates() throws {
        let (state, alerts, brokerToken) = try Self.session(brokerRenews: false, pin: "1234")
        #expect(brokerToken == Self.jwt(expiring: Self.expiry) + "-1")
        #expect(alerts.contains { $0.hasPrefix("Access token renewed 10:00:") }, "\(alerts)")
        #expect(state.feedBlock == nil)
    }

    @Test("neither works: an alert at 10:00 says so, retries every five minutes, and at 11:00 the session pauses")
    func cannotRenew() throws {
        let (state, alerts, _) = try Self.session(brokerRenews: false, pin: nil)
        let failures = alerts.filter { $0.hasPrefix("⛔ ACCESS TOKEN NOT RENEWED") }
        #expect(failures.first?.hasPrefix("⛔ ACCESS TOKEN NOT RENEWED 10:00:") == true, "\(alerts)")
        #expect(failures.count == 12, "\(failures)")  // 10:00, 10:05, … 10:55
        #expect(alerts.contains { $0.hasPrefix("⛔ ACCESS TOKEN REJECTED 11:00:") }, "\(alerts)")
        #expect(state.feedBlock == .sessionExpired)
    }
}
