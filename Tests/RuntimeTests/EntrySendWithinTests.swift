import BuiltinConfig
import DhanClient
import DhanSim
import Domain
import Logging
import Runtime
import Simulation
import Testing

/// An entry that waits in the client for the order rate limit past `DhanOrderGateway.entrySendWithin`.
@Suite("Entries held up by the order rate limit")
struct EntrySendWithinTests {
    private static func gateway() throws -> (DhanOrderGateway, InMemoryDhanTransport, RateLimiter) {
        let calendar = try TradingCalendar.parse(yaml: BuiltinConfig.calendarText, file: "calendar.yml")
        let transport = InMemoryDhanTransport(
            SimWorld.running(on: CivilDate(2025, 11, 4), calendar: calendar, until: 9 * 3600 + 20 * 60))
        // Waits end at once on this clock, so the test measures them without sleeping.
        let limiter = RateLimiter(clock: JumpingClock())
        let client = DhanRESTClient(
            endpoints: VirtualRuntime.endpoints,
            credentials: DhanCredentials(clientID: "SIMCLIENT", accessToken: "SIMTOKEN"), limiter: limiter,
            transport: transport)
        return (DhanOrderGateway(client: client, logger: Logger(label: "test")), transport, limiter)
    }

    private static func intent(_ id: String, _ side: TransactionSide) throws -> OrderIntent {
        OrderIntent(
            correlationID: try #require(CorrelationID(id)), instrument: InstrumentKey(.nseFNO, 35079), side: side,
            quantity: 75, tag: side == .buy ? "entry" : "exit")
    }

    /// Pauses the order class until `seconds` from now, as a run of 429 answers does.
    private static func pauseOrders(_ limiter: RateLimiter, atLeast seconds: Int64) async {
        var paused: Duration = .zero
        while paused < .seconds(seconds) { paused = await limiter.throttle(.order) }
    }

    @Test(
        "an entry that waited for the order limit longer than the engine's freshness allows is never sent, and is resolved as rejected so nothing waits on it"
    )
    func staleEntryIsNotSent() async throws {
        let (gateway, transport, limiter) = try Self.gateway()
        await Self.pauseOrders(limiter, atLeast: 6)
        let entry = try Self.intent("AS20251104-43-1", .buy)
        let events = await gateway.place(entry, at: Timestamp.ist(CivilDate(2025, 11, 4), 9, 20))
        #expect(
            events == [
                .orderRejected(
                    OrderRejected(
                        correlationID: entry.correlationID, code: DhanError.notSentInTimeCode,
                        message: DhanError.notSentInTime(request: "POST /v2/orders", allowed: .seconds(5)).description
                    ))
            ])
        #expect(transport.withWorld { $0.parentOrdersByCorrelationID.isEmpty }, "the broker received the entry")
    }

    @Test("an entry that waited less than that, and an exit that waited as long, are sent")
    func freshEntryAndAnyExitAreSent() async throws {
        let (gateway, transport, limiter) = try Self.gateway()
        await Self.pauseOrders(limiter, atLeast: 1)
        let entry = try Self.intent("AS20251104-43-1", .buy)
        let accepted = await gateway.place(entry, at: Timestamp.ist(CivilDate(2025, 11, 4), 9, 20))
        #expect(accepted.map { JournalEntry.event($0).kind } == [.orderAccepted], "the entry: \(accepted)")
        await Self.pauseOrders(limiter, atLeast: 6)
        let exit = try Self.intent("AS20251104-44-1", .sell)
        let sold = await gateway.place(exit, at: Timestamp.ist(CivilDate(2025, 11, 4), 9, 21))
        #expect(sold.map { JournalEntry.event($0).kind } == [.orderAccepted], "the exit: \(sold)")
        #expect(transport.withWorld { $0.parentOrdersByCorrelationID.count } == 2)
    }
}
