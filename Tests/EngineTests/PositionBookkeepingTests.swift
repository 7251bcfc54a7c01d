import Domain
import Engine
import Testing

@Suite("Position bookkeeping: the settled prefix and the day's PnL over many days")
struct PositionBookkeepingTests {
    static func position(_ date: CivilDate, realized: Int64, phase: PositionPhase) -> Position {
        var position = RiskFixtures.activePosition()
        position.tradingDate = date
        position.realized = Paise(realized)
        position.quantity = 0
        position.stage =
            phase == .exited
            ? .exited(nil) : phase == .rejected ? .rejected : phase == .cancelled ? .cancelled : .active
        return position
    }

    static func naiveDayPnL(_ state: EngineState) -> Paise {
        let date = state.dayRisk!.date
        return state.positions.filter { $0.tradingDate == date }.reduce(.zero) { $0 + $1.netPnL }
    }

    @Test("day PnL counts exactly the day's positions, whether dates ascend (newest run only) or not")
    func dayPnL() {
        let (d1, d2, d3) = (CivilDate(2025, 1, 2), CivilDate(2025, 1, 3), CivilDate(2025, 1, 6))
        var state = EngineState()
        state.dayRisk = DayRisk(date: d2)
        for (date, realized) in [(d1, 100), (d2, 200), (d2, 300)] {
            state.appendPosition(Self.position(date, realized: Int64(realized), phase: .exited))
        }
        #expect(state.positionDatesAscending)
        #expect(state.dayNetPnL == Paise(500))
        #expect(state.dayNetPnL == Self.naiveDayPnL(state))
        // A later-dated position does not count for d2; an earlier date after it ends the ascending run.
        state.appendPosition(Self.position(d3, realized: 7, phase: .exited))
        #expect(state.dayNetPnL == Paise(500))
        state.appendPosition(Self.position(d2, realized: 11, phase: .exited))
        state.appendPosition(Self.position(d1, realized: 13, phase: .exited))
        #expect(!state.positionDatesAscending)
        #expect(state.dayNetPnL == Paise(511))
        #expect(state.dayNetPnL == Self.naiveDayPnL(state))
    }

    @Test("the settled prefix moves only past exited, rejected or cancelled positions, in order")
    func settledPrefix() {
        var state = EngineState()
        let day = CivilDate(2025, 1, 2)
        for phase in [PositionPhase.exited, .active, .rejected, .cancelled] {
            state.appendPosition(Self.position(day, realized: 0, phase: phase))
        }
        state.advanceSettledPositions()
        #expect(state.settledPositions == 1)
        #expect(state.unsettledPositions == 1..<4)
        state.positions[1].stage = .exited(nil)
        state.advanceSettledPositions()
        #expect(state.settledPositions == 4)
        #expect(state.unsettledPositions.isEmpty)
    }

    @Test("a restart's comparison with the broker names a difference on either side, in contract order")
    func quantityMismatches() {
        var state = EngineState()
        state.appendPosition(RiskFixtures.activePosition(quantity: 75))
        let held = RiskFixtures.option
        let other = InstrumentKey(.nseFNO, 99)
        #expect(state.quantityMismatches(broker: [held: 75]) == [])
        #expect(state.quantityMismatches(broker: [held: 75, other: 0]) == [], "a flat contract on both sides")
        #expect(state.quantityMismatches(broker: [held: 150]) == ["MISMATCH \(held): broker 150, engine 75"])
        // Only the engine holds it: its exit would sell what the account does not hold.
        #expect(state.quantityMismatches(broker: [:]) == ["MISMATCH \(held): broker 0, engine 75"])
        #expect(
            state.quantityMismatches(broker: [held: 75, other: 70]) == ["MISMATCH \(other): broker 70, engine 0"])
    }
}
