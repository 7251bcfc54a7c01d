import Domain
import Engine
import TestSupport
import Testing

@Suite("Exit rules at their boundaries (entry ₹100.00)")
struct ExitRuleTests {
    let risk: RiskConfig
    let morning = 10 * 3600

    init() throws { risk = try RiskFixtures.config().risk }

    func run(
        _ prices: [Int64], quantity: Int64 = 75, risk: RiskConfig? = nil, second: Int? = nil,
        distinctLock: Bool = false
    ) -> (ExitReason?, Position) {
        var position = RiskFixtures.activePosition(quantity: quantity)
        var reason: ExitReason?
        for (offset, price) in prices.enumerated() where reason == nil {
            reason = ExitRules.evaluate(
                &position, price: Paise(price), at: Timestamp(epochSeconds: Int64(offset)), risk: risk ?? self.risk,
                secondOfDay: second ?? morning, distinctLock: distinctLock)
        }
        return (reason, position)
    }

    @Test("stop loss at entry × 0.70: ₹70.01 holds, ₹70.00 exits")
    func stopLoss() {
        #expect(run([7_001]).0 == nil)
        #expect(run([7_000]).0 == .stopLoss)
        #expect(ExitReason.stopLoss.tag(risk, dailyLossLimit: risk.dailyLossLimit) == "stop_loss_30pct")
    }

    @Test("take profit at entry × 1.60: ₹159.99 holds, ₹160.00 exits")
    func takeProfit() {
        #expect(run([15_999]).0 == nil)
        #expect(run([16_000]).0 == .takeProfit)
        #expect(ExitReason.takeProfit.tag(risk, dailyLossLimit: risk.dailyLossLimit) == "take_profit_60pct")
    }

    @Test("breakeven arms at entry × 1.10 and moves the stop to the entry price")
    func breakeven() {
        let (_, below) = run([10_999])
        #expect(!below.breakevenArmed && below.stop == Paise(7_000))
        let (_, at) = run([11_000])
        #expect(at.breakevenArmed && at.stop == Paise(10_000))
    }

    @Test("trailing stop at HWM × 0.97: with HWM ₹120, ₹116.41 holds and ₹116.40 exits")
    func trailing() {
        #expect(run([12_000, 11_641]).0 == nil)
        let (reason, position) = run([12_000, 11_640])
        #expect(reason == .trailingStop && position.highWaterMark == Paise(12_000))
        #expect(ExitReason.trailingStop.tag(risk, dailyLossLimit: risk.dailyLossLimit) == "trailing_stop_3pct")
    }

    @Test("the breakeven stop is a real stop: with a 15 % trail, ₹100.01 holds and ₹100.00 exits")
    func breakevenStop() {
        var wide = risk
        wide.exitDrop = BasisPoints(1500)
        #expect(run([11_000, 10_001], risk: wide).0 == nil)
        #expect(run([11_000, 10_000], risk: wide).0 == .breakevenStop)
    }

    @Test("profit lock (100 units): armed at ₹1,000 unrealized, ₹1,001 holds, falling back to ₹1,000 exits")
    func profitLock() {
        #expect(run([10_999, 10_999], quantity: 100).1.profitLockArmed == false)  // ₹999 never arms
        #expect(run([11_000, 11_001], quantity: 100).0 == nil)
        #expect(run([11_000, 11_001, 11_000], quantity: 100).0 == .profitLock)
    }

    @Test(
        "item 14 (0.4.3): the profit lock arms at ₹1,500 (profit_lock_arm_rupees) and exits at ₹1,000, not at one level"
    )
    func distinctProfitLock() {
        #expect(risk.profitLockArm == .rupees(1_500) && risk.minProfitLock == .rupees(1_000))
        // A wide trail, so only the lock can sell on these dips.
        var wide = risk
        wide.exitDrop = BasisPoints(2000)
        // ₹1,000 no longer arms, so falling back to it does not sell.
        #expect(run([11_000, 10_999, 11_000], quantity: 100, risk: wide, distinctLock: true).0 == nil)
        #expect(run([11_499], quantity: 100, risk: wide, distinctLock: true).1.profitLockArmed == false)
        #expect(run([11_500], quantity: 100, risk: wide, distinctLock: true).1.profitLockArmed)
        // Armed at ₹1,500: a dip to ₹1,001 holds, ₹1,000 exits.
        #expect(run([11_500, 11_001], quantity: 100, risk: wide, distinctLock: true).0 == nil)
        #expect(run([11_500, 11_001, 11_000], quantity: 100, risk: wide, distinctLock: true).0 == .profitLock)
    }

    @Test("time exit at 15:20:00 IST, not at 15:19:59")
    func timeExit() {
        #expect(run([10_000], second: 15 * 3600 + 19 * 60 + 59).0 == nil)
        #expect(run([10_000], second: 15 * 3600 + 20 * 60).0 == .timeExit)
        #expect(ExitReason.timeExit.tag(risk, dailyLossLimit: risk.dailyLossLimit) == "time_exit_1520")
        #expect(ExitReason.circuitBreaker.tag(risk, dailyLossLimit: risk.dailyLossLimit) == "circuit_breaker_6pct")
    }

    @Test("the first matching rule wins: a gap down through the stop exits as stop loss even when armed")
    func ruleOrder() {
        #expect(run([11_000, 6_900]).0 == .stopLoss)
    }
}
