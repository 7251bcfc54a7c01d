import Domain
import Engine
import TestSupport
import Testing

@Suite("Daily circuit breaker, kill switch and the property test")
struct CircuitBreakerTests {
    let option = RiskFixtures.option
    func t(_ h: Int, _ m: Int, _ s: Int = 0) -> Timestamp { RiskFixtures.time(h, m, s) }

    /// Ready state with one active position of 75 bought at ₹100 (charges included in the day's PnL).
    func holding() throws -> EngineState {
        var state = try RiskFixtures.readyState()
        _ = Engine.reduce(
            &state, .tick(Tick(instrument: EngineScenario.nifty, lastPrice: .rupees(25_700), lastTradeTime: 0)), seq: 5,
            at: t(10, 30, 1))
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: state.positions[0].id, orderID: "O1", tradeID: "T1", instrument: option, side: .buy,
                    quantity: 75, price: .rupees(100), tradeTime: 0)), seq: 6, at: t(10, 30, 2))
        return state
    }

    @Test(
        "the breaker trips at −6 % of the day's starting balance (₹12,000 of ₹2,00,000) net of charges, not one paisa before"
    )
    func breakerBoundary() throws {
        var state = try holding()
        let charges = state.positions[0].charges
        // The open position is flat at ₹100; the day's loss is carried as realized PnL.
        var probe = state
        probe.positions[0].realized = .zero - (Paise.rupees(12_000) - charges) + Paise(1)
        #expect(Engine.reduce(&probe, .timer(TimerFired(kind: .second)), seq: 7, at: t(10, 31)).isEmpty)
        #expect(probe.dayNetPnL == .zero - Paise(1_199_999))
        #expect(probe.dayRisk?.circuitTripped == false)
        // Put the day exactly at −₹12,000.00 with a realized loss and re-check on a timer.
        state.positions[0].realized = .zero - (Paise.rupees(12_000) - charges)
        state.positions[0].lastPrice = .rupees(100)
        let commands = Engine.reduce(&state, .timer(TimerFired(kind: .second)), seq: 7, at: t(10, 31))
        #expect(state.dayNetPnL == .zero - .rupees(12_000))
        #expect(state.dayRisk?.circuitTripped == true && state.dayRisk?.circuitTrippedAt == t(10, 31))
        #expect(commands.count == 1)
        if case .placeOrder(let exit) = commands.first {
            #expect(exit.tag == "circuit_breaker_6pct" && exit.side == .sell && exit.quantity == 75)
        }
        // Entries stay blocked until a reset (an operator command) or the next trading day.
        _ = Engine.reduce(&state, .operatorCommand(.circuitReset), seq: 8, at: t(10, 32))
        #expect(state.dayRisk?.circuitTripped == false)
    }

    @Test("the kill switch flattens everything and blocks entries; releasing it does not re-enter")
    func killSwitch() throws {
        var state = try holding()
        let commands = Engine.reduce(&state, .operatorCommand(.killSwitch(engaged: true)), seq: 7, at: t(10, 31))
        #expect(
            commands.count == 1 && state.positions[0].phase == .exiting
                && state.positions[0].exit?.reason == .killSwitch)
        #expect(state.dayRisk?.entryBlock == .killSwitch)
        #expect(Engine.reduce(&state, .operatorCommand(.killSwitch(engaged: false)), seq: 8, at: t(10, 32)).isEmpty)
    }

    @Test("a new trading day resets the breaker")
    func dayRoll() throws {
        var state = try holding()
        state.dayRisk?.circuitTripped = true
        var next = state
        let started = SessionStarted(
            engineVersion: "test", mode: .paper, tradingDate: CivilDate(2025, 11, 4),
            configFiles: [
                ConfigFile(name: "algo.yml", text: try ConfigFixtures.algoText()),
                ConfigFile(name: "calendar.yml", text: try ConfigFixtures.calendarText()),
            ])
        _ = Engine.reduce(&next, .sessionStarted(started), seq: 9, at: Timestamp.ist(CivilDate(2025, 11, 4), 9, 0))
        #expect(next.dayRisk == DayRisk(date: CivilDate(2025, 11, 4)))
    }

    /// SplitMix64, seeded per case: the property test is random but reproducible.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(
        "property: over random tick paths, no position is exited twice, no entry while breaker or kill switch is on, quantities never go negative",
        arguments: 0..<40)
    func randomPaths(seed: Int) throws {
        var random = Seeded(state: UInt64(seed) &* 7919)
        var state = try holding()
        var seq: UInt64 = 7
        var price = Paise.rupees(100)
        var exitsSent: [CorrelationID: Int] = [:]
        var second = 10 * 3600 + 31 * 60
        for _ in 0..<400 {
            seq += 1
            second += Int.random(in: 1...20, using: &random)
            let time = Timestamp(epochSeconds: Timestamp.ist(RiskFixtures.day, 0, 0).epochSeconds + Int64(second))
            let event: Event
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<70:
                price = max(Paise(5), price + Paise(Int64.random(in: -600...600, using: &random)))
                event = .tick(Tick(instrument: option, lastPrice: price, lastTradeTime: 0))
            case 70..<78:
                event = .timer(TimerFired(kind: .second))
            case 78..<82:
                event = .operatorCommand(.killSwitch(engaged: Bool.random(using: &random)))
            default:
                // Answer an exit in flight: fill it, or reject it.
                guard let position = state.positions.firstIndex(where: { $0.phase == .exiting }),
                    let exit = state.positions[position].exit
                else {
                    event = .timer(TimerFired(kind: .second))
                    break
                }
                if Bool.random(using: &random) {
                    event = .fill(
                        Fill(
                            correlationID: exit.correlationID, orderID: "X", tradeID: "T\(seq)", instrument: option,
                            side: .sell, quantity: exit.quantity, price: price, tradeTime: 0))
                } else {
                    event = .orderRejected(
                        OrderRejected(correlationID: exit.correlationID, code: "DH-906", message: "rejected"))
                }
            }
            let blockedBefore = state.dayRisk?.entryBlock != nil
            let commands = Engine.reduce(&state, event, seq: seq, at: time)
            for command in commands {
                guard case .placeOrder(let intent) = command else { continue }
                if intent.side == .buy { #expect(!blockedBefore, "an entry while blocked at seq \(seq)") }
                if intent.side == .sell { exitsSent[intent.correlationID, default: 0] += 1 }
            }
            for position in state.positions {
                #expect(position.quantity >= 0 && position.quantity <= position.entryFilled)
                #expect(position.phase != .exiting || position.exit != nil)
            }
        }
        #expect(exitsSent.values.allSatisfy { $0 == 1 })
        let exited = state.positions.filter { $0.phase == .exited }
        #expect(exited.allSatisfy { $0.quantity == 0 && $0.exitReason != nil })
        #expect(state.positions.filter { $0.phase == .exiting }.count <= 1)
    }
}
