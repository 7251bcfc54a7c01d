import AsyncHTTPClient
import DhanClient
import Domain
import Foundation
import NIOCore
import Synchronization

/// Where the runtime's time comes from: the wall clock, dhan-sim's accelerated clock, or a virtual clock.
///
/// Its waits (`ElapsedClock`) are the runtime's only ones: timers, back-offs and rate limits all sleep on it.
public protocol RuntimeClock: ElapsedClock {
    /// The time now.
    func now() async -> Timestamp
    /// How long one clock second lasts on this clock's waits.
    var secondDuration: Duration { get }
}

/// Real time.
public struct WallClock: RuntimeClock {
    private let monotonic = MonotonicClock()

    public init() {}

    public func now() async -> Timestamp {
        Timestamp(nanos: Int64(Date().timeIntervalSince1970 * 1_000_000_000))
    }

    public var secondDuration: Duration { .seconds(1) }

    public func elapsed() -> Duration { monotonic.elapsed() }

    public func sleep(untilElapsed deadline: Duration) async throws {
        try await monotonic.sleep(untilElapsed: deadline)
    }
}

/// dhan-sim's clock, learned from `GET /sim/clock` and advanced locally at the reported speed between polls.
public final class SimulatorClock: RuntimeClock {
    private struct Report: Decodable {
        var epochSeconds: Int64
        var speed: Double
    }

    private let url: String
    private let http: HTTPClient
    private let monotonic = MonotonicClock()
    private let anchor: Mutex<(sim: Int64, wall: ContinuousClock.Instant, speed: Double, last: Int64)>

    /// Reads the simulator's clock once; `restURL` is its `…/v2` base.
    public init(restURL: String, http: HTTPClient) async throws {
        url = (restURL.hasSuffix("/v2") ? String(restURL.dropLast(3)) : restURL) + "/sim/clock"
        self.http = http
        let report = try await Self.fetch(url, http)
        anchor = Mutex((report.epochSeconds * 1_000_000_000, ContinuousClock.now, report.speed, 0))
    }

    private static func fetch(_ url: String, _ http: HTTPClient) async throws -> Report {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        return try JSONDecoder().decode(Report.self, from: Data(body.readableBytesView))
    }

    public func elapsed() -> Duration { monotonic.elapsed() }

    public func sleep(untilElapsed deadline: Duration) async throws {
        try await monotonic.sleep(untilElapsed: deadline)
    }

    public var secondDuration: Duration {
        let speed = anchor.withLock { $0.speed }
        return speed > 0 ? .nanoseconds(Int64(1_000_000_000 / speed)) : .seconds(1)
    }

    /// Re-reads the simulator's clock (call every few wall seconds to stay in step).
    public func resync() async {
        guard let report = try? await Self.fetch(url, http) else { return }
        anchor.withLock { $0 = (report.epochSeconds * 1_000_000_000, ContinuousClock.now, report.speed, $0.last) }
    }

    public func now() async -> Timestamp {
        anchor.withLock { anchor in
            let elapsed = ContinuousClock.now - anchor.wall
            let wallNanos = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            let value = max(anchor.sim + Int64(wallNanos * anchor.speed), anchor.last)
            anchor.last = value
            return Timestamp(nanos: value)
        }
    }
}
