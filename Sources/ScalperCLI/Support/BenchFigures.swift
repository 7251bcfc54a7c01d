import Foundation
import Synchronization

/// One benchmark figure, beside the baseline it is judged against when it has one.
struct BenchFigure: Codable, Equatable, Sendable {
    /// Which way is an improvement.
    enum Better: String, Codable, Sendable {
        case higher
        case lower
    }

    /// What the figure is compared with in the same run (a C loop, a bare scan, a CPython script).
    struct Baseline: Codable, Equatable, Sendable {
        var name: String
        var value: Double
    }

    /// A stable key (`replay.events_per_second`): `bench compare` matches figures by it.
    var name: String
    var value: Double
    var unit: String
    var better: Better
    var baseline: Baseline?

    init(_ name: String, _ value: Double, unit: String, better: Better, baseline: Baseline? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.better = better
        self.baseline = baseline
    }
}

/// What `scalper bench all --json` writes: every figure of one run, and where it was measured.
struct BenchReport: Codable, Equatable, Sendable {
    var format = 1
    var scalperVersion: String
    /// When the run began (UTC, ISO 8601).
    var date: String
    var host: String
    var cores: Int
    var figures: [BenchFigure]
    /// Benchmarks that could not run here, and why (a missing tool, a failed step).
    var skipped: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case format
        case scalperVersion = "scalper_version"
        case date, host, cores, figures, skipped
    }
}

/// The figures the benchmarks of this process measured, in the order they were measured.
///
/// Each `scalper bench …` prints its figures for a person and records them here as well; `bench all` writes
/// what was recorded.
enum BenchFigures {
    private static let recorded = Mutex<[BenchFigure]>([])

    static func record(
        _ name: String, _ value: Double, unit: String, better: BenchFigure.Better, baseline: BenchFigure.Baseline? = nil
    ) {
        guard value.isFinite else { return }
        recorded.withLock { $0.append(BenchFigure(name, value, unit: unit, better: better, baseline: baseline)) }
    }

    /// Everything recorded so far, and no more.
    static func take() -> [BenchFigure] {
        recorded.withLock { figures in
            defer { figures.removeAll() }
            return figures
        }
    }
}
