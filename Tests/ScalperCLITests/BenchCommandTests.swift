import EngineTestSupport
import Foundation
import TestSupport
import Testing

@Suite("scalper bench all and compare")
struct BenchCommandTests {
    @Test("bench all writes each chosen step's figures as JSON; a run compared with itself has no regression")
    func allThenCompare() throws {
        let scratch = TemporaryDirectory("bench-all")
        let json = scratch.sub("run.json")
        let result = try Executables.scalper(
            "bench", "all", "--quick", "--only", "indicators,engine,master,help", "--json", json)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))
        let figures = (report as? [String: Any])?["figures"] as? [[String: Any]] ?? []
        let names = figures.compactMap { $0["name"] as? String }
        for name in [
            "indicators.atr_ns_per_bar", "indicators.supertrend_ns_per_bar", "candles.ticks_per_second",
            "engine.tick_us", "engine.bar_close_p99_us", "master.parse_ms", "process.help_seconds",
        ] {
            #expect(names.contains(name), "\(name) missing from \(names)")
        }
        #expect(figures.allSatisfy { ($0["value"] as? Double).map { $0 > 0 } ?? false })
        #expect(result.stdout.contains("\(figures.count) figures written to \(json)"))

        let same = try Executables.scalper("bench", "compare", json, json)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.hasSuffix("no figure worse by more than 10 %\n"))
    }

    @Test("compare prints each figure's change beside its baseline and exits 1 on a regression (golden)")
    func compareGolden() throws {
        let result = try Executables.scalper(
            "bench", "compare", Fixtures.path("Tests/Fixtures/bench/old.json"),
            Fixtures.path("Tests/Fixtures/bench/new.json"))
        #expect(result.status == 1)
        try expectGolden(result.stdout, "Tests/ScalperCLITests/Golden/bench-compare.txt")
        let lenient = try Executables.scalper(
            "bench", "compare", "--threshold", "30", Fixtures.path("Tests/Fixtures/bench/old.json"),
            Fixtures.path("Tests/Fixtures/bench/new.json"))
        #expect(lenient.status == 0)
    }

    @Test("an unknown step, and a file that is not a benchmark run, are named")
    func errors() throws {
        let scratch = TemporaryDirectory("bench-errors")
        let unknown = try Executables.scalper("bench", "all", "--only", "engine,warp", "--json", scratch.sub("x.json"))
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no step 'warp'"))
        let other = Fixtures.path("config/algo.yml")
        let bad = try Executables.scalper("bench", "compare", other, Fixtures.path("Tests/Fixtures/bench/new.json"))
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("\(other): not a 'scalper bench all --json' file"))
        let missing = try Executables.scalper("bench", "compare", scratch.sub("none.json"), scratch.sub("none.json"))
        #expect(missing.stderr.contains("none.json: cannot read"))
    }
}
