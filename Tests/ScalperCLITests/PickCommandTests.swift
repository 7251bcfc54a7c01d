import EngineTestSupport
import Foundation
import TestSupport
import Testing

@Suite("scalper pick")
struct PickCommandTests {
    @Test(
        "bullish and bearish picks on the real NIFTY chain match their golden JSON", arguments: ["bullish", "bearish"])
    func golden(direction: String) throws {
        let result = try Executables.run(
            Executables.scalper,
            [
                "pick", "--chain", ReferenceData.path("dhan/nifty-optionchain-exp-2025-11-04.json"), "--index", "NIFTY",
                "--direction",
                direction, "--at", "2025-11-03 10:30", "--balance", "200000", "--config",
                Fixtures.path("config/algo.yml"),
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) != nil)
        try expectGolden(result.stdout, "Tests/ScalperCLITests/Golden/pick-nifty-\(direction).json")
    }

    @Test("an unknown index names the configured ones; a bad config names file and key")
    func errors() throws {
        let chain = ReferenceData.path("dhan/nifty-optionchain-exp-2025-11-04.json")
        let config = Fixtures.path("config/algo.yml")
        let unknown = try Executables.scalper(
            "pick", "--chain", chain, "--index", "FINNIFTY", "--direction", "bullish", "--at", "2025-11-03 10:30",
            "--config", config)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no index 'FINNIFTY'") && unknown.stderr.contains("NIFTY, BANKNIFTY, SENSEX"))
        let scratch = TemporaryDirectory()
        try FileManager.default.copyItem(
            atPath: Fixtures.path("config/calendar.yml"), toPath: scratch.sub("calendar.yml"))
        let broken = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
            of: "  min_oi: 50000", with: "  min_oi: lots")
        try broken.write(toFile: scratch.sub("algo.yml"), atomically: true, encoding: .utf8)
        let bad = try Executables.scalper(
            "pick", "--chain", chain, "--index", "NIFTY", "--direction", "bullish", "--at", "2025-11-03 10:30",
            "--config", scratch.sub("algo.yml"))
        #expect(bad.status == 2)
        #expect(bad.stderr == "error: \(scratch.sub("algo.yml")): option_chain.min_oi: expected a whole number\n")
    }
}
