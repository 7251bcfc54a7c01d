import Dhan
import DhanClient
import Domain
import Foundation
import Logging
import MarketModel
import Testing

@testable import DhanSim

/// The DhanHQ client's real network code against dhan-sim on 127.0.0.1 (REST, feed, order updates, faults).
@Suite("Dhan client against dhan-sim", .serialized)
struct DhanClientTests {
    /// dhan-sim on loopback, its clock still at 10:30; its token expires at `tokenExpiry` (IST second) if given.
    static func startSimulator(scenario: String = "", tokenExpiry: Int? = nil) async throws -> DhanSimulator {
        var configuration = try SimCoreTests.configuration(scenario: scenario)
        configuration.speed = 0
        configuration.accessTokenExpirySecondOfDay = tokenExpiry
        var logger = Logger(label: "dhan-sim")
        logger.logLevel = .error
        return try await DhanSimulator.start(configuration, logger: logger)
    }

    static let fast = ReconnectPolicy(
        initial: .milliseconds(50), maximum: .milliseconds(400), coolOff: .milliseconds(300))

    static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }

    @Test(
        "REST round trip: place, look up by correlation id, cancel, order book, positions, funds, expiries, chain, candles"
    )
    func restRoundTrip() async throws {
        let sim = try await Self.startSimulator()
        let client = DhanRESTClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, logger: Self.quiet("rest"))
        defer { Task { try? await client.shutdown() } }
        let expiries = try await client.expiryList(underlying: InstrumentKey(.indexValue, 13))
        #expect(expiries.first == CivilDate(2025, 11, 4))
        let chain = try await client.optionChain(underlying: InstrumentKey(.indexValue, 13), expiry: expiries[1])
        #expect(chain.strikes.count == 2 * ContractUniverse.strikesEachSide + 1)
        let atm = chain.strikes.min {
            abs($0.strike.value - chain.underlyingPrice.value) < abs($1.strike.value - chain.underlyingPrice.value)
        }!
        let option = InstrumentKey(.nseFNO, atm.call!.securityID!)
        let resting = PlaceOrderRequest(
            dhanClientId: nil, correlationId: "AS20251104-11-0", transactionType: "BUY", exchangeSegment: "NSE_FNO",
            productType: "INTRADAY", orderType: "LIMIT", validity: "DAY", securityId: option.securityID.description,
            quantity: 75, price: 0.05)
        let ack = try await client.placeOrder(resting)
        let found = try await client.order(correlationID: "AS20251104-11-0")
        #expect(found?.orderId == ack.orderId && found?.orderStatus == "PENDING")
        #expect(try await client.order(correlationID: "never-sent") == nil)
        #expect(try await client.cancelOrder(id: ack.orderId).orderStatus == "CANCELLED")
        var market = resting
        market.orderType = "MARKET"
        market.price = 0
        market.correlationId = "AS20251104-12-0"
        _ = try await client.placeOrder(market)
        let positions = try await client.positions()
        #expect(positions.map(\.netQty) == [75])
        #expect(abs(positions[0].buyAvg - atm.call!.bestAsk.rupees) < 1e-9)
        let funds = try await client.fundLimit()
        #expect(abs(funds.availabelBalance - (500_000 - 75 * atm.call!.bestAsk.rupees)) < 0.01)
        #expect(try await client.orders().map(\.orderStatus) == ["CANCELLED", "TRADED"])
        #expect(try await client.trades().count == 1)
        let candles = try await client.intradayCandles(
            InstrumentKey(.indexValue, 13), instrumentType: "INDEX", interval: 5, from: "2025-11-04 09:15:00",
            to: "2025-11-04 15:30:00")
        #expect(candles.count == 15 && candles[0].start == Timestamp.ist(CivilDate(2025, 11, 4), 9, 15).epochSeconds)
        // Expired options: a SENSEX ATM+1 put, 15-minute bars, over the week before.
        let recorded = try await client.recordedOptionBars(
            RollingOptionRequest(
                underlying: 51, segment: .bseFNO, interval: 15, expiry: .week, expiryCode: 1, strike: StrikeOffset(1),
                type: .put, from: CivilDate(2025, 10, 27), to: CivilDate(2025, 11, 1)))
        #expect(recorded.count == 5 * 25)
        #expect(recorded.allSatisfy { $0.strike.value % 10_000 == 0 && $0.close > .zero && $0.volume > 0 })
        let prices = try await client.lastPrices([InstrumentKey(.indexValue, 13), option])
        #expect(
            prices[option] == atm.call!.lastPrice && prices[InstrumentKey(.indexValue, 13)] == chain.underlyingPrice)
        await sim.stop()
    }

    @Test("errors are typed and name the request: bad input, rejected operation, expired token")
    func typedErrors() async throws {
        let sim = try await Self.startSimulator()
        let client = DhanRESTClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, logger: Self.quiet("rest"))
        let wrong = DhanRESTClient(
            endpoints: .simulator(port: sim.port),
            credentials: DhanCredentials(clientID: "SIMCLIENT", accessToken: "OLD"),
            logger: Self.quiet("rest"))
        defer {
            Task {
                try? await client.shutdown()
                try? await wrong.shutdown()
            }
        }
        let bad = PlaceOrderRequest(
            dhanClientId: nil, correlationId: nil, transactionType: "BUY", exchangeSegment: "NSE_FNO",
            productType: "INTRADAY", orderType: "MARKET", validity: "DAY", securityId: "35000", quantity: 10)
        await #expect(
            throws: DhanError.badInput(
                request: "POST /v2/orders", code: "DH-905", message: "quantity 10 is not a multiple of the lot size 75")
        ) {
            try await client.placeOrder(bad)
        }
        await #expect(
            throws: DhanError.orderRejected(
                request: "DELETE /v2/orders/42", message: "Incorrect request for order and cannot be processed")
        ) {
            try await client.cancelOrder(id: "42")
        }
        do {
            _ = try await wrong.positions()
            Issue.record("a wrong token must fail")
        } catch {
            guard case .authExpired(let request, _) = error else { throw error }
            #expect(request == "GET /v2/positions")
        }
        await sim.stop()
    }

    @Test("the limiter queues rather than fails: twelve orders in a burst never draw a 429; a 429 storm is waited out")
    func rateLimits() async throws {
        let sim = try await Self.startSimulator()
        let limiter = RateLimiter(scale: 1)
        let client = DhanRESTClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, limiter: limiter, maxAttempts: 8,
            logger: Self.quiet("rest"))
        defer { Task { try? await client.shutdown() } }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<12 {
                group.addTask { _ = try? await client.cancelOrder(id: "burst-\(i)") }
            }
            try await group.waitForAll()
        }
        #expect(ContinuousClock.now - started >= .milliseconds(900))
        #expect(sim.core.withLock { $0.limiter.rejected.values.reduce(0, +) } == 0)
        var storm = SimFaults()
        storm.rateLimitStormClass = "other"
        storm.rateLimitStormSeconds = 1.5
        sim.inject(storm)
        let positions = try await client.positions()
        #expect(positions.isEmpty)
        #expect((await limiter.throttled[.other] ?? 0) >= 1)
        await sim.stop()
    }

    @Test(
        "market feed: decodes ticks, reconnects after a server disconnect, resubscribes, tells the replaced token's refusal from an expiry, and reports 807 on token expiry"
    )
    func marketFeed() async throws {
        let sim = try await Self.startSimulator()
        let tokens = DhanTokenStore(.simulator)
        let feed = MarketFeedClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, policy: Self.fast,
            logger: Self.quiet("feed"), tokens: tokens)
        let rest = DhanRESTClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, logger: Self.quiet("rest"), tokens: tokens)
        defer { Task { try? await rest.shutdown() } }
        let nifty = InstrumentKey(.indexValue, 13)
        await feed.subscribe([nifty], mode: .ticker)
        feed.start()
        // The simulated clock moves one second every 20 ms while the test listens.
        let clock = Task {
            while !Task.isCancelled {
                sim.advance(seconds: 1)
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { clock.cancel() }
        var iterator = feed.updates.makeAsyncIterator()
        var trades: [FeedTrade] = []
        var states: [ConnectionState] = []
        func collect(trades wanted: Int) async {
            var seen = 0
            while seen < wanted, let update = await iterator.next() {
                switch update {
                case .trade(let trade):
                    trades.append(trade)
                    seen += 1
                case .trades(let burst):
                    trades += burst
                    seen += burst.count
                case .state(let state): states.append(state)
                default: break
                }
            }
        }
        await collect(trades: 5)
        let market = sim.core.withLock { $0.market }
        for trade in trades {
            let second = Int(
                FeedPacket.utcEpochSeconds(fromFeedLTT: trade.lastTradeTimeIST)
                    - Timestamp.ist(market.date, 0, 0).epochSeconds)
            #expect(
                trade.instrument == nifty && trade.lastPrice == Float(market.indexLevel(13, atSecondOfDay: second)!))
        }
        var drop = SimFaults()
        drop.disconnectFeedsReason = 800
        sim.inject(drop)
        trades.removeAll()
        await collect(trades: 5)
        #expect(states.contains { if case .reconnecting(_, 800) = $0 { true } else { false } })
        #expect(states.filter { $0 == .connected }.count == 2)
        #expect(feed.counters.connects == 2)
        // A renewal replaces the token the open connection logged in with; the broker ends that connection with
        // 807, which is the old token's refusal, and the feed comes back on the new token.
        _ = try await rest.renewToken()
        #expect(tokens.generation == 1)
        var replaced = SimFaults()
        replaced.disconnectFeedsReason = 807
        sim.inject(replaced)
        var disconnects: [(UInt16, Bool)] = []
        while disconnects.isEmpty, let update = await iterator.next() {
            if case .disconnect(let code, let stale) = update { disconnects.append((code, stale)) }
        }
        trades.removeAll()
        await collect(trades: 5)
        #expect(feed.counters.connects == 3)
        var expire = SimFaults()
        expire.tokenExpired = true
        sim.inject(expire)
        while disconnects.count < 2, let update = await iterator.next() {
            if case .disconnect(let code, let stale) = update { disconnects.append((code, stale)) }
        }
        #expect(disconnects.map(\.0) == [807, 807])
        #expect(disconnects.map(\.1) == [true, false])
        await feed.stop()
        await sim.stop()
    }

    @Test("order updates: login, then one alert per status change and fill with cumulative quantity and correlation id")
    func orderUpdates() async throws {
        let sim = try await Self.startSimulator()
        let updates = OrderUpdateClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, policy: Self.fast,
            logger: Self.quiet("orders"))
        let client = DhanRESTClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, logger: Self.quiet("rest"))
        defer { Task { try? await client.shutdown() } }
        let moments = sim.moments()
        updates.start()
        var iterator = updates.updates.makeAsyncIterator()
        while let update = await iterator.next(), update != .state(.connected) {}
        // The login is processed after the socket opens: alerts reach the client once the simulator has taken it.
        for await moment in moments where moment == .orderStreamLoggedIn { break }
        let contract = sim.core.withLock { SimCoreTests.atmCall($0) }
        _ = try await client.placeOrder(
            PlaceOrderRequest(
                dhanClientId: nil, correlationId: "AS20251104-21-0", transactionType: "BUY", exchangeSegment: "NSE_FNO",
                productType: "INTRADAY", orderType: "MARKET", validity: "DAY",
                securityId: contract.instrument.securityID.description, quantity: 150))
        var alerts: [OrderAlert] = []
        while alerts.count < 3, let update = await iterator.next() {
            if case .alert(let alert) = update { alerts.append(alert) }
        }
        #expect(alerts.map(\.orderStatus) == [.transit, .pending, .traded])
        #expect(alerts.map(\.tradedQty) == [0, 0, 150])
        #expect(alerts.allSatisfy { $0.correlationId == "AS20251104-21-0" })
        await updates.stop()
        await sim.stop()
    }

    @Test("instrument master: downloaded once per trading day, then read from the cache")
    func masterCache() async throws {
        let sim = try await Self.startSimulator()
        let client = DhanRESTClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, logger: Self.quiet("rest"))
        defer { Task { try? await client.shutdown() } }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("master-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await InstrumentMasterStore.load(
            day: CivilDate(2025, 11, 4), directory: directory, underlyings: ["NIFTY"], client: client)
        await sim.stop()
        let second = try await InstrumentMasterStore.load(
            day: CivilDate(2025, 11, 4), directory: directory, underlyings: ["NIFTY"], client: client)
        #expect(!first.fromCache && second.fromCache)
        #expect(first.master.optionCount == second.master.optionCount && first.master.optionCount == 4 * 81 * 2)
    }
}

extension DhanClientTests {
    @Test(
        "access tokens: RenewToken (a GET) installs a new token and ends the old; a PIN and TOTP generate one; a wrong PIN or none is refused"
    )
    func tokenLifecycle() async throws {
        let sim = try await Self.startSimulator(tokenExpiry: 10 * 3600 + 35 * 60)
        let stale = DhanRESTClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, logger: Self.quiet("rest"))
        let client = DhanRESTClient(
            endpoints: .simulator(port: sim.port),
            credentials: DhanCredentials(
                clientID: "SIMCLIENT", accessToken: "SIMTOKEN", pin: "1234", totpSecret: "JBSWY3DPEHPK3PXP"),
            logger: Self.quiet("rest"))
        defer {
            Task {
                try? await client.shutdown()
                try? await stale.shutdown()
            }
        }
        let renewed = try await client.renewToken()
        #expect(renewed.accessToken == "SIMTOKEN-1")
        #expect(renewed.expiry == Timestamp.ist(CivilDate(2025, 11, 5), 10, 30))
        #expect(client.tokens.credentials.accessToken == "SIMTOKEN-1")
        #expect(client.tokens.expiry == renewed.expiry)
        #expect(try await client.fundLimit().availabelBalance > 0)
        // The old token is ended by the new one.
        await #expect(throws: DhanError.self) { try await stale.fundLimit() }
        // A new token from the PIN and the TOTP of the simulator's clock.
        let generated = try await client.generateToken(at: sim.now)
        #expect(generated.accessToken == "SIMTOKEN-2")
        #expect(try await client.fundLimit().availabelBalance > 0)
        let wrongPIN = DhanRESTClient(
            endpoints: .simulator(port: sim.port),
            credentials: DhanCredentials(
                clientID: "SIMCLIENT", accessToken: "x", pin: "9999", totpSecret: "JBSWY3DPEHPK3PXP"),
            logger: Self.quiet("rest"))
        await #expect(throws: DhanError.self) { try await wrongPIN.generateToken(at: sim.now) }
        try? await wrongPIN.shutdown()
        // Without a PIN there is nothing to generate with, and no request is sent.
        await #expect(
            throws: DhanError.badInput(
                request: "POST /app/generateAccessToken", code: "credentials",
                message: "no DHAN_PIN and DHAN_TOTP_SECRET to generate a token with")
        ) { try await stale.generateToken(at: sim.now) }
        await sim.stop()
    }

    @Test("a token past its expiry gets DH-901 on REST")
    func expiredToken() async throws {
        let sim = try await Self.startSimulator(tokenExpiry: 10 * 3600 + 31 * 60)
        let client = DhanRESTClient(
            endpoints: .simulator(port: sim.port), credentials: .simulator, logger: Self.quiet("rest"))
        defer { Task { try? await client.shutdown() } }
        #expect(try await client.fundLimit().availabelBalance > 0)
        sim.advance(seconds: 60)
        await #expect {
            try await client.fundLimit()
        } throws: { error in
            if case .authExpired = error as? DhanError { true } else { false }
        }
        await sim.stop()
    }
}
