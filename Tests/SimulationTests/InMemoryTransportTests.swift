import BuiltinConfig
import Dhan
import DhanClient
import DhanSim
import Domain
import Foundation
import Simulation
import Synchronization
import Testing

/// `DhanRESTClient` itself (limiter, retries, error mapping, decoders) against dhan-sim's core in memory.
@Suite("DhanRESTClient over the in-memory transport")
struct InMemoryTransportTests {
    private static func world(secondOfDay: Int = 9 * 3600 + 20 * 60) throws -> InMemoryDhanTransport {
        let calendar = try TradingCalendar.parse(yaml: BuiltinConfig.calendarText, file: "calendar.yml")
        return InMemoryDhanTransport(
            SimWorld.running(on: CivilDate(2025, 11, 4), calendar: calendar, until: secondOfDay))
    }

    private static func client(_ transport: InMemoryDhanTransport, token: String = "SIMTOKEN") -> DhanRESTClient {
        DhanRESTClient(
            endpoints: VirtualRuntime.endpoints,
            credentials: DhanCredentials(clientID: "SIMCLIENT", accessToken: token), transport: transport)
    }

    @Test(
        "a request still waiting for the rate limit when its task is cancelled (a stop) is never sent: an order placed during the shutdown would trade unmanaged"
    )
    func cancelledWhileWaitingIsNotSent() async throws {
        let transport = try Self.world()
        let limiter = RateLimiter()
        // The order class pauses, as after a 429: the placement waits for room.
        _ = await limiter.throttle(.order)
        let client = DhanRESTClient(
            endpoints: VirtualRuntime.endpoints,
            credentials: DhanCredentials(clientID: "SIMCLIENT", accessToken: "SIMTOKEN"),
            limiter: limiter, transport: transport)
        let intent = OrderIntent(
            correlationID: try #require(CorrelationID("AS20251104-43-1")), instrument: InstrumentKey(.nseFNO, 35079),
            side: .buy, quantity: 75, tag: "entry")
        let placing = Task { try await client.placeOrder(OrderWire.placeRequest(intent)) }
        placing.cancel()
        let result = await placing.result
        guard case .failure(let error) = result, case .network(_, let message)? = error as? DhanError else {
            Issue.record("the placement did not fail as not sent: \(result)")
            return
        }
        #expect(message.contains("not sent"))
        #expect(transport.withWorld { $0.parentOrdersByCorrelationID.isEmpty }, "the broker received the order")
    }

    @Test("a chain, an order placed and read back by correlation id, in the book, the positions and the funds")
    func orderRoundTrip() async throws {
        let transport = try Self.world()
        let client = Self.client(transport)
        let nifty = InstrumentKey(.indexValue, 13)
        let expiries = try await client.expiryList(underlying: nifty)
        let expiry = try #require(expiries.first)
        let chain = try await client.optionChain(underlying: nifty, expiry: expiry)
        let atm = try #require(
            chain.strikes.min {
                abs(($0.strike - chain.underlyingPrice).value) < abs(($1.strike - chain.underlyingPrice).value)
            })
        let call = try #require(atm.call)
        let id = try #require(call.securityID)
        let funds = try await client.fundLimit()
        let intent = OrderIntent(
            correlationID: try #require(CorrelationID("AS20251104-42-1")), instrument: InstrumentKey(.nseFNO, id),
            side: .buy, quantity: 75, tag: "entry")
        let ack = try await client.placeOrder(OrderWire.placeRequest(intent))
        // The alerts the sockets would carry, in the order the broker sent them.
        let alerts = transport.takeOutput().alerts
        #expect(alerts.count >= 2)
        let found = try await client.order(correlationID: intent.correlationID.value)
        let byCorrelation = try #require(found)
        #expect(byCorrelation.orderId == ack.orderId && byCorrelation.orderStatus == "TRADED")
        let book = try await client.orders()
        #expect(book.map(\.orderId) == [ack.orderId])
        #expect(book[0].filledQty == 75 && book[0].averageTradedPrice > 0)
        let positions = try await client.positions()
        #expect(positions.first { $0.securityId == "\(id.value)" }?.netQty == 75)
        let after = try await client.fundLimit()
        #expect(after.availabelBalance < funds.availabelBalance)
        try await client.shutdown()
    }

    @Test("a refused token maps to authExpired, an unknown order to nil, as over a socket")
    func errorsMapAsOverASocket() async throws {
        let transport = try Self.world()
        #expect(try await Self.client(transport).order(correlationID: "AS-NEVER-SENT") == nil)
        await #expect {
            _ = try await Self.client(transport, token: "WRONG").positions()
        } throws: { error in
            guard let error = error as? DhanError, case .authExpired = error else { return false }
            return true
        }
    }
}

extension InMemoryTransportTests {
    final class Flag: Sendable {
        let value = Mutex(false)
    }

    @Test("a request refused because its token was renewed meanwhile goes once more with the new token")
    func renewedMeanwhile() async throws {
        let transport = try Self.world()
        let tokens = DhanTokenStore(DhanCredentials(clientID: "SIMCLIENT", accessToken: "SIMTOKEN"))
        let client = DhanRESTClient(
            endpoints: VirtualRuntime.endpoints, credentials: tokens.credentials, transport: transport, tokens: tokens)
        let renewed = Flag()
        // Another task renews the token while this request is on its way: the broker refuses the old one.
        transport.beforeEachRequest { request, world in
            guard request.url.hasSuffix("/fundlimit"), !renewed.value.withLock({ $0 }) else { return }
            renewed.value.withLock { $0 = true }
            tokens.replace(TokenGrant(accessToken: world.renewToken(), expiry: nil))
        }
        #expect(try await client.fundLimit().availabelBalance > 0)
        #expect(renewed.value.withLock { $0 })
        // A refusal on the current token is not retried: it is an expiry.
        let stale = Self.client(transport)
        await #expect {
            try await stale.fundLimit()
        } throws: { error in
            if case .authExpired = error as? DhanError { true } else { false }
        }
    }
}
