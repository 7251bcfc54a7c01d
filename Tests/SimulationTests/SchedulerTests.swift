import Testing

@testable import Simulation

@Suite("virtual-time scheduler")
struct SchedulerTests {
    @Test("items come out by time, then by insertion; nothing before its time")
    func order() {
        var scheduler = Scheduler<String>()
        scheduler.schedule("c", at: 30)
        scheduler.schedule("a1", at: 10)
        scheduler.schedule("b", at: 20)
        scheduler.schedule("a2", at: 10)
        scheduler.schedule("a3", at: 10)
        #expect(scheduler.next(dueBy: 9) == nil)
        var out: [String] = []
        while let (_, item) = scheduler.next(dueBy: 25) { out.append(item) }
        #expect(out == ["a1", "a2", "a3", "b"])
        #expect(scheduler.nextTime == 30)
    }
}
