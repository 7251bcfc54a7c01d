import ArgumentParser
import BuiltinConfig
import Dhan
import DhanSim
import Domain
import Foundation

extension BenchGroup {
    /// `scalper bench chain`: dhan-sim answering option-chain requests, and the client reading the answers.
    ///
    /// Both ends of the chain path a simulated day takes a few hundred times: dhan-sim prices every strike and
    /// writes the JSON; the client reads it into the snapshot the engine journals.
    struct ChainBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chain",
            abstract: "Answer NIFTY option-chain requests in dhan-sim (pricing, JSON) and read them as the client does."
        )

        @Option(help: "Chains per measurement.")
        var chains: Int = 2_000

        @Option(help: "Trading calendar (default: ./config/calendar.yml, else the user's, else built in).")
        var calendar: String?

        func run() async throws {
            let calendar = try CalendarLoader.load(explicit: calendar).calendar
            var world = SimWorld.running(on: CivilDate(2025, 11, 4), calendar: calendar, until: 10 * 3600)
            let nifty = InstrumentKey(.indexValue, SecurityID(13))
            // dhan-sim allows one chain request per 3 s per underlying: each request comes 3 s after the last.
            var wall = Double(world.now.epochSeconds)
            func post(_ path: String, _ body: Data) throws -> Data {
                wall += 3
                let answer = world.rest(
                    method: "POST", path: path, body: body, accessToken: world.accessToken, virtualSeconds: wall)
                guard answer.status == 200 else {
                    throw ValidationError("dhan-sim answered \(path) with \(answer.status)")
                }
                return answer.body
            }
            let list = try JSONDecoder().decode(
                ExpiryListResponse.self,
                from: try post(
                    "/v2/optionchain/expirylist",
                    OptionChainRequest(underlyingScrip: 13, underlyingSeg: "IDX_I", expiry: nil).jsonBody()))
            guard let expiry = try list.dates(source: "expiry list").first else {
                throw ValidationError("dhan-sim listed no NIFTY expiry")
            }
            let request = OptionChainRequest(underlyingScrip: 13, underlyingSeg: "IDX_I", expiry: expiry.description)
                .jsonBody()
            let body = try post("/v2/optionchain", request)
            let strikes = try OptionChainResponse.parse(body).data.oc.count

            var bytes = 0
            var started = ContinuousClock.now
            for _ in 0..<chains { bytes += try post("/v2/optionchain", request).count }
            let answering = (ContinuousClock.now - started).seconds

            var checksum = 0
            started = ContinuousClock.now
            for _ in 0..<chains {
                // What `DhanRESTClient.optionChain` does with the body.
                let snapshot = try OptionChainResponse.parse(body).snapshot(
                    underlying: nifty, expiry: expiry, source: "bench")
                checksum &+= snapshot.strikes.count
            }
            let reading = (ContinuousClock.now - started).seconds

            print(
                "option chain, NIFTY \(expiry), \(strikes) strikes, \(grouped(body.count)) bytes, \(grouped(chains)) chains each:"
            )
            for (name, key, seconds, size) in [
                ("dhan-sim answers (price every strike, write JSON)", "chain.answers_per_second", answering, bytes),
                ("client reads (parse, snapshot)", "chain.reads_per_second", reading, body.count * chains),
            ] {
                BenchFigures.record(key, Double(chains) / seconds, unit: "chains/s", better: .higher)
                print(
                    "  \(name): \(String(format: "%.0f", Double(chains) / seconds)) chains/s (\(String(format: "%.1f", seconds * 1e6 / Double(chains))) µs each, \(String(format: "%.0f", Double(size) / seconds / 1e6)) MB/s)"
                )
            }
            if checksum != strikes * chains { throw ValidationError("a read lost strikes") }
        }
    }
}
