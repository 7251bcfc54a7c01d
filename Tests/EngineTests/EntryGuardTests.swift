import Domain
import Engine
import TestSupport
import Testing

@Suite("Entry guard: every block records its reason")
struct EntryGuardTests {
    let nifty = EngineScenario.nifty
    let option = RiskFixtures.option
    func t(_ h: Int, _ m: Int, _ s: Int = 0) -> Timestamp { RiskFixtures.time(h, m, s) }

    /// Runs the guard (via a fresh NIFTY tick at `at`) and returns the commands and the verdict.
    func guardVerdict(_ state: inout EngineState, at: Timestamp, seq: UInt64 = 5, freshFunds: Bool = true) -> (
        [Command], String?
    ) {
        if freshFunds { state.funds?.time = at }
        let commands = Engine.reduce(
            &state, .tick(Tick(instrument: nifty, lastPrice: .rupees(25_700), lastTradeTime: at.epochSeconds)),
            seq: seq, at: at)
        guard case .decided(let proposal) = state.indices[0].selection else { return (commands, nil) }
        return (commands, proposal.guardResult?.description)
    }

    func fill(_ state: inout EngineState, _ id: CorrelationID, seq: UInt64, at: Timestamp, price: Paise = .rupees(100))
    {
        _ = Engine.reduce(
            &state,
            .fill(
                Fill(
                    correlationID: id, orderID: "O\(seq)", tradeID: "T\(seq)", instrument: option, side: .buy,
                    quantity: 75, price: price, tradeTime: 0)), seq: seq, at: at)
    }

    @Test("a clean proposal enters: one BUY MARKET INTRADAY DAY order tagged entry_NIFTY_CE_25700")
    func enters() throws {
        var state = try RiskFixtures.readyState()
        let (commands, verdict) = guardVerdict(&state, at: t(10, 30, 1))
        #expect(verdict == "entered: AS20251103-5-1")
        #expect(
            commands == [
                .placeOrder(
                    OrderIntent(
                        correlationID: CorrelationID(session: RiskFixtures.day, causeSeq: 5, slot: 1),
                        instrument: option, side: .buy, quantity: 75, orderType: .market, productType: .intraday,
                        validity: .day, tag: "entry_NIFTY_CE_25700"))
            ])
    }

    @Test("kill switch, circuit breaker, session and cutoff")
    func dayBlocks() throws {
        var state = try RiskFixtures.readyState()
        state.dayRisk?.killSwitch = true
        #expect(guardVerdict(&state, at: t(10, 30, 1)).1 == "blocked: kill switch is on")
        state = try RiskFixtures.readyState()
        state.dayRisk?.circuitTripped = true
        #expect(guardVerdict(&state, at: t(10, 30, 1)).1 == "blocked: daily circuit breaker tripped")
        state = try RiskFixtures.readyState(at: t(15, 0))
        #expect(guardVerdict(&state, at: t(15, 0)).1 == "blocked: after the entry cutoff")
        state = try RiskFixtures.readyState(at: t(14, 59, 59))
        #expect(guardVerdict(&state, at: t(14, 59, 59)).1?.hasPrefix("entered") == true)
        state = try RiskFixtures.readyState(lots: 0)
        #expect(guardVerdict(&state, at: t(10, 30, 1)).1 == "blocked: zero lots: risk capital buys no lot")
    }

    @Test("an index price older than 5 s asks for a quote and decides on its answer")
    func staleIndex() throws {
        var state = try RiskFixtures.readyState()
        // The guard runs on an option tick's timer path only through the index; emulate: the index is quiet.
        state.indices[0].lastPriceTime = t(10, 29, 55)
        let commands = EngineTestingGuard.run(&state, seq: 5, at: t(10, 30, 1))
        #expect(commands == [.fetchData(.quote([nifty]))])
        guard case .decided(let waiting) = state.indices[0].selection else { return }
        #expect(waiting.awaitingQuote && waiting.guardResult == nil)
        #expect(EngineTestingGuard.run(&state, seq: 6, at: t(10, 30, 1)).isEmpty)  // asked once
        let (answer, verdict) = guardVerdict(&state, at: t(10, 30, 2), seq: 7)
        #expect(verdict == "entered: AS20251103-7-1" && answer.count == 1)
        // Exactly 5 s old is still fresh.
        var fresh = try RiskFixtures.readyState()
        fresh.indices[0].lastPriceTime = t(10, 29, 56)
        #expect(EngineTestingGuard.run(&fresh, seq: 5, at: t(10, 30, 1)).count == 1)
        guard case .decided(let entered) = fresh.indices[0].selection else { return }
        #expect(entered.guardResult?.description.hasPrefix("entered") == true)
    }

    @Test("the last-quote sanity check: an index that moved to another ATM blocks")
    func movedIndex() throws {
        var state = try RiskFixtures.readyState()
        let commands = Engine.reduce(
            &state, .tick(Tick(instrument: nifty, lastPrice: .rupees(25_730), lastTradeTime: 0)), seq: 5,
            at: t(10, 30, 1))
        #expect(commands.isEmpty)
        guard case .decided(let proposal) = state.indices[0].selection else { return }
        #expect(proposal.guardResult == .blocked(.indexMoved(atm: .rupees(25_750), chainATM: .rupees(25_700))))
        #expect(
            proposal.guardResult?.description
                == "blocked: the index moved: ATM is now 25750.00, the chain's was 25700.00")
    }

    @Test("option quote older than 2 s, funds older than 60 s")
    func staleQuotes() throws {
        var state = try RiskFixtures.readyState(at: t(10, 30))
        #expect(guardVerdict(&state, at: t(10, 30, 3)).1 == "blocked: the option quote is 3 s old")
        state = try RiskFixtures.readyState(at: t(10, 30))
        #expect(guardVerdict(&state, at: t(10, 30, 2)).1?.hasPrefix("entered") == true)
        state = try RiskFixtures.readyState(at: t(10, 30))
        state.funds?.time = t(10, 28, 59)
        let (commands, verdict) = guardVerdict(&state, at: t(10, 30), freshFunds: false)
        #expect(verdict == "blocked: funds are 61 s old" && commands == [.fetchData(.funds)])
    }

    @Test("pending entry, max_same_side, pyramiding (profit and 5 minutes), the 3-position limit and the cooldown")
    func positionLimits() throws {
        // A pending entry blocks the next one.
        var state = try RiskFixtures.readyState()
        _ = guardVerdict(&state, at: t(10, 30, 1))
        let first = state.positions[0].id
        state.indices[0].selection = try RiskFixtures.readyState(at: t(10, 31)).indices[0].selection
        #expect(guardVerdict(&state, at: t(10, 31), seq: 6).1 == "blocked: an entry for NIFTY is already pending")

        // Filled at 100 and not in profit: pyramiding refused.
        fill(&state, first, seq: 7, at: t(10, 31))
        state.indices[0].selection = try RiskFixtures.readyState(at: t(10, 32)).indices[0].selection
        #expect(
            guardVerdict(&state, at: t(10, 32), seq: 8).1
                == "blocked: pyramiding needs the open AS20251103-5-1 in profit")

        // In profit but only 4 minutes old: refused; at 5 minutes: allowed.
        _ = Engine.reduce(
            &state, .tick(Tick(instrument: option, lastPrice: Paise(10_500), lastTradeTime: 0)), seq: 9, at: t(10, 35))
        state.indices[0].selection = try RiskFixtures.readyState(at: t(10, 35)).indices[0].selection
        #expect(
            guardVerdict(&state, at: t(10, 35), seq: 10).1
                == "blocked: pyramiding needs the open AS20251103-5-1 at least 5 minutes old (240 s)")
        state.indices[0].selection = try RiskFixtures.readyState(at: t(10, 36)).indices[0].selection
        #expect(guardVerdict(&state, at: t(10, 36), seq: 11).1 == "entered: AS20251103-11-1")
        fill(&state, state.positions[1].id, seq: 12, at: t(10, 36))

        // Two bullish positions open on NIFTY: max_same_side (2) blocks a third.
        state.indices[0].selection = try RiskFixtures.readyState(at: t(10, 37)).indices[0].selection
        #expect(
            guardVerdict(&state, at: t(10, 37), seq: 13).1
                == "blocked: 2 bullish positions already open on NIFTY (max_same_side 2)")

        // Three positions open anywhere: the pyramiding limit blocks a fourth.
        var crowded = try RiskFixtures.readyState()
        for (offset, index) in ["BANKNIFTY", "SENSEX", "BANKNIFTY"].enumerated() {
            var other = RiskFixtures.activePosition()
            other.id = CorrelationID("OTHER-\(offset)")!
            other.index = index
            other.direction = offset == 2 ? .bearish : .bullish
            crowded.positions.append(other)
        }
        #expect(guardVerdict(&crowded, at: t(10, 30, 1)).1 == "blocked: 3 positions open (the pyramiding limit is 3)")

        // Cooldown: after an exit, the same contract waits 180 s.
        var cooled = try RiskFixtures.readyState()
        cooled.cooldowns = [Cooldown(instrument: option, until: t(10, 30, 2))]
        #expect(
            guardVerdict(&cooled, at: t(10, 30, 1)).1?.hasPrefix("blocked: re-entry cooldown on NSE_FNO:49081") == true)
        cooled = try RiskFixtures.readyState(at: t(10, 30, 2))
        cooled.cooldowns = [Cooldown(instrument: option, until: t(10, 30, 2))]
        #expect(guardVerdict(&cooled, at: t(10, 30, 2)).1?.hasPrefix("entered") == true)
    }
}
