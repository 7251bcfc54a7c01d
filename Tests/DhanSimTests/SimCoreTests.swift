import Dhan
import Domain
import Foundation
import MarketModel
import TestSupport
import Testing

@testable import DhanSim

/// The simulator's state machine without sockets: market determinism, feed rules, matching and super orders.
@Suite("dhan-sim core")
struct SimCoreTests {
    static let day = CivilDate(2025, 11, 4)

    static func configuration(seed: UInt64 = 7, start: Int = 10 * 3600 + 30 * 60, scenario: String = "") throws
        -> SimConfiguration
    {
        var configuration = SimConfiguration(date: day, calendar: try ConfigFixtures.calendar())
        configuration.seed = seed
        configuration.startSecondOfDay = start
        configuration.speed = 0
        configuration.scenario = try Scenario.parse(scenario, source: "test")
        return configuration
    }

    static func subscribe(_ core: inout SimCore, _ connection: Int, code: Int, _ keys: [InstrumentKey]) -> Outbox {
        core.feedRequest(connection, text: FeedRequest(requestCode: code, instruments: keys).json)
    }

    static func atmCall(_ core: SimCore, expiryIndex: Int = 0) -> ContractSpec {
        let spot = core.market.indexLevel(13, atSecondOfDay: core.second)!
        let expiry = core.market.universe.expiries(of: "NIFTY")[expiryIndex]
        return core.market.universe.contracts.filter {
            $0.underlying == "NIFTY" && $0.expiry == expiry && $0.type == .call
        }
        .min { abs($0.strike.rupees - spot) < abs($1.strike.rupees - spot) }!
    }

    @Test("same seed and subscriptions give a byte-identical feed; another seed does not")
    func deterministicFeed() throws {
        func feed(seed: UInt64) throws -> [[UInt8]] {
            var core = SimCore(configuration: try Self.configuration(seed: seed))
            let (id, _) = core.openFeed()
            let option = Self.atmCall(core).instrument
            var frames = Self.subscribe(&core, id, code: 21, [option]).feedFrames.map(\.frame)
            frames += Self.subscribe(&core, id, code: 15, [InstrumentKey(.indexValue, 13)]).feedFrames.map(\.frame)
            frames += Self.subscribe(&core, id, code: 17, [InstrumentKey(.indexValue, 25)]).feedFrames.map(\.frame)
            frames += core.advance(toSecondOfDay: core.second + 120, wallNow: 0).feedFrames.map(\.frame)
            return frames
        }
        let first = try feed(seed: 7)
        // Three instruments; the ATM option, being liquid, ticks twice a second.
        #expect(first.count == 3 * 2 + 120 * 4)
        #expect(first == (try feed(seed: 7)))
        #expect(first != (try feed(seed: 8)))
    }

    @Test(
        "a subscription gets previous close then the latest state; each second one packet per mode (+OI for quote on derivatives)"
    )
    func subscriptionPackets() throws {
        var core = SimCore(configuration: try Self.configuration())
        let (id, _) = core.openFeed()
        let option = Self.atmCall(core).instrument
        let out = Self.subscribe(&core, id, code: 17, [option])
        #expect(out.feedFrames.map { $0.frame[0] } == [6, 4, 5])
        let next = core.advance(toSecondOfDay: core.second + 1, wallNow: 0)
        #expect(next.feedFrames.map { $0.frame[0] } == [4, 5, 4, 5])  // ATM: liquid, two trades a second
        let ltt = next.feedFrames[0].frame.withUnsafeBytes { FeedPacketDecoder.decodeTrade($0)!.lastTradeTimeIST }
        #expect(FeedPacket.utcEpochSeconds(fromFeedLTT: ltt) == core.now.epochSeconds)
        _ = core.feedRequest(id, text: FeedRequest(requestCode: 18, instruments: [option]).json)
        #expect(core.advance(toSecondOfDay: core.second + 1, wallNow: 0).feedFrames.isEmpty)
    }

    @Test("more than 100 instruments in one message disconnects with 804; a sixth connection drops the oldest with 805")
    func feedLimits() throws {
        var core = SimCore(configuration: try Self.configuration())
        let (first, _) = core.openFeed()
        let many = core.market.universe.contracts.prefix(101).map(\.instrument)
        let out = Self.subscribe(&core, first, code: 15, Array(many))
        #expect(out.feedFrames.count == 1 && out.closeFeeds == [first])
        #expect(out.feedFrames[0].frame == FeedPacketEncoder.encode(.disconnect(reason: 804)))
        var ids: [Int] = []
        for _ in 0..<5 { ids.append(core.openFeed().id) }
        let (_, sixth) = core.openFeed()
        #expect(sixth.closeFeeds == [ids[0]])
        #expect(sixth.feedFrames.first?.frame == FeedPacketEncoder.encode(.disconnect(reason: 805)))
        #expect(core.feeds.count == 5)
    }

    @Test("a MARKET buy fills at the ask, a sell at the bid; positions and funds move like the broker's")
    func marketOrders() throws {
        var core = SimCore(configuration: try Self.configuration())
        let contract = Self.atmCall(core)
        let quote = core.market.quote(contract.instrument, atSecondOfDay: core.second)!
        let body = try JSONEncoder().encode(
            PlaceOrderRequest(
                dhanClientId: "SIMCLIENT", correlationId: "AS20251104-7-0", transactionType: "BUY",
                exchangeSegment: "NSE_FNO", productType: "INTRADAY", orderType: "MARKET", validity: "DAY",
                securityId: contract.instrument.securityID.description, quantity: 150))
        let (reply, out) = core.handle(
            RESTRequest(method: "POST", path: "/v2/orders", query: [:], accessToken: "SIMTOKEN", body: body),
            wallNow: 0)
        #expect(reply.status == 200)
        #expect(out.alerts.map(\.status) == ["TRANSIT", "PENDING", "TRADED"])
        #expect(out.alerts.last?.avgTradedPrice == quote.ask && out.alerts.last?.tradedQty == 150)
        #expect(out.alerts.last?.correlationId == "AS20251104-7-0")
        let sell = try JSONEncoder().encode(
            PlaceOrderRequest(
                dhanClientId: nil, correlationId: nil, transactionType: "SELL", exchangeSegment: "NSE_FNO",
                productType: "INTRADAY", orderType: "MARKET", validity: "DAY",
                securityId: contract.instrument.securityID.description, quantity: 150))
        _ = core.handle(
            RESTRequest(method: "POST", path: "/v2/orders", query: [:], accessToken: "SIMTOKEN", body: sell),
            wallNow: 0.5)
        let positions = core.broker.positionRecords(market: core.market, second: core.second)
        #expect(positions.count == 1 && positions[0].netQty == 0 && positions[0].positionType == "CLOSED")
        #expect(abs(positions[0].realizedProfit - 150 * (quote.bid - quote.ask)) < 1e-6)
        #expect(core.broker.balance == .rupees(500_000) + Paise(Int64((150 * (quote.bid - quote.ask) * 100).rounded())))
    }

    @Test("GET /orders answers what a fresh write of every order's record gives, as orders come and change")
    func orderBookAnswersStayFresh() throws {
        var core = SimCore(configuration: try Self.configuration())
        let contract = Self.atmCall(core)
        func send(_ method: String, _ path: String, _ body: Data = Data(), at wall: Double) -> Reply {
            core.handle(
                RESTRequest(method: method, path: path, query: [:], accessToken: "SIMTOKEN", body: body),
                wallNow: wall
            ).0
        }
        func place(_ type: String, price: Double?, id: String, at wall: Double) throws {
            let body = try JSONEncoder().encode(
                PlaceOrderRequest(
                    dhanClientId: "SIMCLIENT", correlationId: id, transactionType: "BUY", exchangeSegment: "NSE_FNO",
                    productType: "INTRADAY", orderType: type, validity: "DAY",
                    securityId: contract.instrument.securityID.description, quantity: 75, price: price))
            #expect(send("POST", "/v2/orders", body, at: wall).status == 200)
        }
        func checkBook(_ step: String, at wall: Double) {
            let fresh = OrderRecord.bookBody(core.broker.orders.map { core.broker.record($0, market: core.market) })
            #expect(send("GET", "/v2/orders", at: wall).body == fresh, "\(step)")
        }
        checkBook("empty", at: 0)
        try place("MARKET", price: nil, id: "AS20251104-1-0", at: 0.1)
        try place("LIMIT", price: 0.05, id: "AS20251104-2-0", at: 0.2)
        checkBook("a fill and a resting order", at: 0.3)
        checkBook("the same again", at: 0.4)
        let resting = try #require(core.broker.orders.first { $0.correlationID == "AS20251104-2-0" })
        #expect(send("DELETE", "/v2/orders/\(resting.id)", at: 0.5).status == 200)
        checkBook("the resting order cancelled", at: 0.6)
        try place("MARKET", price: nil, id: "AS20251104-3-0", at: 0.7)
        checkBook("one more", at: 0.8)
        #expect(core.broker.orders.count == 3)
    }

    @Test("bad fields get DH-905 naming the field; a bad token DH-901; outside hours the order is REJECTED")
    func rejections() throws {
        var core = SimCore(configuration: try Self.configuration())
        let contract = Self.atmCall(core)
        func place(quantity: Int, token: String = "SIMTOKEN") throws -> (Reply, Outbox) {
            let body = try JSONEncoder().encode(
                PlaceOrderRequest(
                    dhanClientId: nil, correlationId: nil, transactionType: "BUY", exchangeSegment: "NSE_FNO",
                    productType: "INTRADAY", orderType: "MARKET", validity: "DAY",
                    securityId: contract.instrument.securityID.description, quantity: quantity))
            return core.handle(
                RESTRequest(method: "POST", path: "/v2/orders", query: [:], accessToken: token, body: body), wallNow: 0)
        }
        let (bad, _) = try place(quantity: 100)
        let error = try JSONDecoder().decode(DhanErrorBody.self, from: bad.body)
        #expect(bad.status == 400 && error.errorCode == "DH-905" && error.errorMessage.contains("lot size 75"))
        let (unauthorised, _) = try place(quantity: 75, token: "WRONG")
        #expect(unauthorised.status == 401)
        #expect(try JSONDecoder().decode(DhanErrorBody.self, from: unauthorised.body).errorCode == "DH-901")
        _ = core.advance(toSecondOfDay: 15 * 3600 + 31 * 60, wallNow: 1)
        let (late, out) = try place(quantity: 75)
        #expect(late.status == 200 && out.alerts.last?.status == "REJECTED")
        #expect(out.alerts.last?.reasonDescription == "Market is Closed")
    }

    @Test("order class: the eleventh order inside one second gets 429 DH-904")
    func rateLimit() throws {
        var core = SimCore(configuration: try Self.configuration())
        var statuses: [Int] = []
        for i in 0..<11 {
            let (reply, _) = core.handle(
                RESTRequest(
                    method: "DELETE", path: "/v2/orders/\(i)", query: [:], accessToken: "SIMTOKEN", body: Data()),
                wallNow: 0.01 * Double(i))
            statuses.append(reply.status)
        }
        #expect(statuses.filter { $0 == 429 }.count == 1 && statuses.last == 429)
        let (later, _) = core.handle(
            RESTRequest(method: "DELETE", path: "/v2/orders/x", query: [:], accessToken: "SIMTOKEN", body: Data()),
            wallNow: 1.2)
        #expect(later.status == 400)
    }

    @Test(
        "super order: the scripted premium hits the target; the target leg fills, the stop leg is cancelled, and a late cancel fails"
    )
    func superOrderTarget() throws {
        var probe = SimCore(configuration: try Self.configuration())
        let contract = Self.atmCall(probe)
        let id = contract.instrument.securityID
        probe = SimCore(
            configuration: try Self.configuration(
                scenario: "option:\(id) 10:30 100\noption:\(id) 10:40 130\noption:\(id) 10:50 80"))
        var core = probe
        let body = try JSONEncoder().encode(
            SuperOrderRequest(
                correlationId: "AS20251104-9-0", transactionType: "BUY", exchangeSegment: "NSE_FNO",
                productType: "INTRADAY", orderType: "MARKET", securityId: id.description, quantity: 75, price: 0,
                targetPrice: 120, stopLossPrice: 85, trailingJump: 0))
        let (reply, placed) = core.handle(
            RESTRequest(method: "POST", path: "/v2/super/orders", query: [:], accessToken: "SIMTOKEN", body: body),
            wallNow: 0)
        #expect(reply.status == 200)
        #expect(placed.alerts.allSatisfy { $0.remarks == "Super Order" })
        let entryID = try JSONDecoder().decode(OrderAck.self, from: reply.body).orderId
        // 100 → 130 over ten minutes: 120 is reached at 10:36:40.
        let out = core.advance(toSecondOfDay: 10 * 3600 + 40 * 60, wallNow: 1)
        let fills = out.alerts.filter { $0.status == "TRADED" }
        #expect(fills.count == 1 && fills[0].legNo == 3 && fills[0].txnType == "S" && fills[0].tradedQty == 75)
        #expect(out.alerts.contains { $0.status == "CANCELLED" && $0.legNo == 2 && $0.remarks == "Super Order" })
        let records = core.broker.superRecords(market: core.market, second: core.second)
        #expect(records[0].orderStatus == "CLOSED")
        #expect(records[0].legDetails.map(\.orderStatus) == ["TRIGGERED", "CANCELLED"])
        // The engine's own exit arriving after the leg fired must not close the position a second time.
        let (cancel, _) = core.handle(
            RESTRequest(
                method: "DELETE", path: "/v2/super/orders/\(entryID)/ENTRY_LEG", query: [:], accessToken: "SIMTOKEN",
                body: Data()), wallNow: 2)
        #expect(cancel.status == 400)
        #expect(core.broker.positions[contract.instrument]?.net == 0)
    }

    @Test("super order: trailing jump lifts the stop as the premium rises; the stop leg then fires on the way down")
    func superOrderTrailing() throws {
        let probe = SimCore(configuration: try Self.configuration())
        let id = Self.atmCall(probe).instrument.securityID
        var core = SimCore(
            configuration: try Self.configuration(
                scenario: "option:\(id) 10:30 100\noption:\(id) 10:40 120\noption:\(id) 10:50 100"))
        let body = try JSONEncoder().encode(
            SuperOrderRequest(
                correlationId: nil, transactionType: "BUY", exchangeSegment: "NSE_FNO", productType: "INTRADAY",
                orderType: "MARKET", securityId: id.description, quantity: 75, price: 0, targetPrice: 150,
                stopLossPrice: 90, trailingJump: 5))
        _ = core.handle(
            RESTRequest(method: "POST", path: "/v2/super/orders", query: [:], accessToken: "SIMTOKEN", body: body),
            wallNow: 0)
        let entry = core.broker.orders[0].averagePrice
        _ = core.advance(toSecondOfDay: 10 * 3600 + 40 * 60, wallNow: 1)
        let stop = core.broker.superRecords(market: core.market, second: core.second)[0].legDetails[1].price
        #expect(stop == 90 + ((120 - entry) / 5).rounded(.down) * 5)
        let out = core.advance(toSecondOfDay: 10 * 3600 + 50 * 60, wallNow: 2)
        let fill = out.alerts.first { $0.status == "TRADED" }
        #expect(fill?.legNo == 2)
        #expect(core.broker.positions.values.first?.net == 0)
    }

    @Test("charts: 30+ trading days of history before the date, today's bars up to now, closes equal the ticks sent")
    func charts() throws {
        var core = SimCore(configuration: try Self.configuration())
        let body =
            #"{"securityId":"13","exchangeSegment":"IDX_I","instrument":"INDEX","interval":1,"fromDate":"2025-09-01","toDate":"2025-11-05"}"#
        let (reply, _) = core.handle(
            RESTRequest(
                method: "POST", path: "/v2/charts/intraday", query: [:], accessToken: "SIMTOKEN", body: Data(body.utf8)),
            wallNow: 0)
        let candles = try JSONDecoder().decode(ChartResponse.self, from: reply.body).candles(source: "test")
        let days = Set(candles.map { Timestamp(epochSeconds: $0.start).istDate })
        #expect(days.filter { $0 < Self.day }.count >= 30)
        let today = candles.filter { Timestamp(epochSeconds: $0.start).istDate == Self.day }
        #expect(today.count == 75)  // 09:15 … 10:29
        let lastClose = today.last!.close
        let tickAt1030 = core.market.indexLevel(13, atSecondOfDay: 10 * 3600 + 30 * 60)!
        #expect(lastClose == Paise(Int64((tickAt1030 * 100).rounded())))
        let interval5 =
            #"{"securityId":"13","exchangeSegment":"IDX_I","instrument":"INDEX","interval":"5","fromDate":"2025-11-04 09:15:00","toDate":"2025-11-04 10:30:00"}"#
        let (five, _) = core.handle(
            RESTRequest(
                method: "POST", path: "/v2/charts/intraday", query: [:], accessToken: "SIMTOKEN",
                body: Data(interval5.utf8)),
            wallNow: 0.5)
        #expect(try JSONDecoder().decode(ChartResponse.self, from: five.body).timestamp.count == 15)
    }

    @Test("the instrument master lists the real expiry calendar and lot sizes, and our parser reads it")
    func instrumentMaster() throws {
        var configuration = try Self.configuration()
        configuration.date = CivilDate(2025, 12, 22)
        let core = SimCore(configuration: configuration)
        let csv = core.market.universe.detailedScripMasterCSV()
        let master = try InstrumentMaster.parse(
            Data(csv.utf8), underlyings: ["NIFTY", "BANKNIFTY", "SENSEX"], source: "sim")
        #expect(master.indices["NIFTY"] == InstrumentKey(.indexValue, 13))
        #expect(master.indices["INDIA VIX"] == InstrumentKey(.indexValue, 21))
        let nifty = core.market.universe.expiries(of: "NIFTY")
        #expect(nifty.map(\.description) == ["2025-12-23", "2025-12-30", "2026-01-06", "2026-01-13"])
        // SENSEX weekly Thursday; holidays on 2025-12-25 and 2026-01-15 move those contracts a day earlier.
        #expect(
            core.market.universe.expiries(of: "SENSEX").map(\.description) == [
                "2025-12-24", "2026-01-01", "2026-01-08", "2026-01-14",
            ])
        #expect(
            core.market.universe.expiries(of: "BANKNIFTY").prefix(2).map(\.description) == ["2025-12-30", "2026-01-27"])
        let december = core.market.universe.contracts.first { $0.underlying == "NIFTY" && $0.expiry == nifty[1] }!
        let january = core.market.universe.contracts.first { $0.underlying == "NIFTY" && $0.expiry == nifty[2] }!
        #expect(
            master.contract(underlying: "NIFTY", expiry: december.expiry, strike: december.strike, type: december.type)?
                .lotSize == 75)
        #expect(
            master.contract(underlying: "NIFTY", expiry: january.expiry, strike: january.strike, type: january.type)?
                .lotSize == 65)
    }

    @Test("scenario files: levels, returns, interpolation, and errors naming the line")
    func scenarios() throws {
        let scenario = try Scenario.parse("# flat then up\nNIFTY 09:15 25000\nNIFTY 09:25 +1%\n", source: "s.txt")
        let points = scenario.indexPaths["NIFTY"]!
        #expect(points.map(\.level) == [25_000, 25_250])
        #expect(Scenario.level(points, atSecondOfDay: 9 * 3600 + 20 * 60) == 25_125)
        #expect(
            throws: Scenario.FormatError(source: "s.txt", line: 2, reason: "the first point of NIFTY must be a level")
        ) {
            try Scenario.parse("\nNIFTY 09:15 +1%", source: "s.txt")
        }
        #expect(throws: Scenario.FormatError(source: "s.txt", line: 1, reason: "'9h15' is not a time HH:MM")) {
            try Scenario.parse("NIFTY 9h15 100", source: "s.txt")
        }
    }
}
