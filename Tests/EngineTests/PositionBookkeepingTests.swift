import Domain
import Engine
import Foundation
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

    @Test("the day check's PnL reuses the settled sum, and starts over on a new day or a position taken back")
    func dayPnLReusingSettled() throws {
        let (d1, d2) = (CivilDate(2025, 1, 2), CivilDate(2025, 1, 3))
        var state = EngineState()
        state.dayRisk = DayRisk(date: d1)
        state.appendPosition(Self.position(d1, realized: 100, phase: .exited))
        state.appendPosition(Self.position(d1, realized: 20, phase: .active))
        state.positions[1].quantity = 10
        state.positions[1].entryAverage = Paise(1_000)
        state.positions[1].lastPrice = Paise(1_003)
        state.advanceSettledPositions()
        #expect(state.dayNetPnLReusingSettled() == Paise(150))
        #expect(state.settledDayNet.value.date == d1)
        #expect(state.settledDayNet.value.through == 1)
        #expect(state.settledDayNet.value.sum == Paise(100))
        // An unsettled position's price moves: only the unsettled part is added again.
        state.positions[1].lastPrice = Paise(990)
        #expect(state.dayNetPnLReusingSettled() == Paise(20))
        // It settles: the sum takes it in.
        state.positions[1].quantity = 0
        state.positions[1].stage = .exited(nil)
        state.advanceSettledPositions()
        #expect(state.dayNetPnLReusingSettled() == Paise(120))
        #expect(state.settledDayNet.value.through == 2)
        #expect(state.settledDayNet.value.sum == Paise(120))
        // Taken back (a late entry fill): the settled prefix moves below the sum's end, which is thrown away.
        state.settledPositions = 1
        state.positions[1].stage = .active
        state.positions[1].realized = Paise(-500)
        #expect(state.dayNetPnLReusingSettled() == Paise(-400))
        #expect(state.settledDayNet.value.through == 1)
        // A new day counts only its own positions.
        state.dayRisk = DayRisk(date: d2)
        state.positions[1].stage = .exited(nil)
        state.advanceSettledPositions()
        state.appendPosition(Self.position(d2, realized: 7, phase: .exited))
        state.advanceSettledPositions()
        #expect(state.dayNetPnLReusingSettled() == Paise(7))
        #expect(state.settledDayNet.value.sum == Paise(7))
        #expect(state.dayNetPnLReusingSettled() == state.dayNetPnL)
        // Derived: not in the state's JSON, and no state differs by it.
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        #expect(!json.contains("settledDayNet"))
        var fresh = try JSONDecoder().decode(EngineState.self, from: Data(json.utf8))
        #expect(fresh.settledDayNet.value.date == nil)
        #expect(fresh == state)
        #expect(fresh.dayNetPnLReusingSettled() == Paise(7))
    }

    @Test("the newest position's price time per contract: the index catches up, and is rebuilt on replacement")
    func newestPositionPriceTime() throws {
        let (nifty, bank) = (InstrumentKey(.nseFNO, 40_100), InstrumentKey(.nseFNO, 40_200))
        func held(_ instrument: InstrumentKey, priced second: Int64?) -> Position {
            var position = RiskFixtures.activePosition()
            position.instrument = instrument
            position.lastPriceTime = second.map { Timestamp(epochSeconds: $0) }
            return position
        }
        var state = EngineState()
        #expect(state.lastPriceTime(ofNewestPositionIn: nifty) == nil)
        state.appendPosition(held(nifty, priced: 100))
        state.appendPosition(held(bank, priced: 200))
        #expect(state.lastPriceTime(ofNewestPositionIn: nifty) == Timestamp(epochSeconds: 100))
        #expect(state.newestPositions.value.through == 2)
        // A newer position in the same contract answers, even with no price yet.
        state.appendPosition(held(nifty, priced: nil))
        #expect(state.lastPriceTime(ofNewestPositionIn: nifty) == nil)
        #expect(state.lastPriceTime(ofNewestPositionIn: bank) == Timestamp(epochSeconds: 200))
        // Its price arriving is read from the position itself.
        state.positions[2].lastPriceTime = Timestamp(epochSeconds: 300)
        #expect(state.lastPriceTime(ofNewestPositionIn: nifty) == Timestamp(epochSeconds: 300))
        #expect(state.newestPositions.value.through == 3)
        // Fewer positions than indexed (a state built anew): the index starts over.
        state.positions = [held(bank, priced: 400)]
        #expect(state.lastPriceTime(ofNewestPositionIn: nifty) == nil)
        #expect(state.lastPriceTime(ofNewestPositionIn: bank) == Timestamp(epochSeconds: 400))
        // Derived: not in the state's JSON; a decoded state builds it again.
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        #expect(!json.contains("newestPositions"))
        var fresh = try JSONDecoder().decode(EngineState.self, from: Data(json.utf8))
        #expect(fresh.newestPositions.value.through == 0)
        #expect(fresh.lastPriceTime(ofNewestPositionIn: bank) == Timestamp(epochSeconds: 400))
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
