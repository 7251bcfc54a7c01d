import Domain
import Engine
import Foundation

/// Many seeded sessions: each seed runs `days` trading days; failures keep their journal and are shrunk to
/// the fewest fault kinds that still break the same invariant.
public struct SimulationRunner: Sendable {
    public var seeds: ClosedRange<UInt64>
    public var profile: BrokerProfile
    /// Fault kinds to inject (default: the profile's).
    public var kinds: Set<FaultKind>?
    public var days: Int
    public var firstDay: CivilDate
    public var config: AlgoConfig
    public var files: [ConfigFile]
    /// Where journals go: a failing session's stays there, a passing one's is removed.
    public var outDirectory: String
    public var shrink = true
    /// Keep every session's journal, not only the failing ones'.
    public var keepJournals = false
    /// Kills of the engine per day in place of the profile's (when `engine_restart` is injected).
    public var restartsPerDay: Int?
    /// Sessions run at once, each on its own thread; outcomes are still reported in seed order.
    public var jobs = 1

    public init(
        seeds: ClosedRange<UInt64>, profile: BrokerProfile, days: Int, firstDay: CivilDate, config: AlgoConfig,
        files: [ConfigFile], outDirectory: String
    ) {
        self.seeds = seeds
        self.profile = profile
        self.days = days
        self.firstDay = firstDay
        self.config = config
        self.files = files
        self.outDirectory = outDirectory
    }

    /// One failing session, with the smallest set of fault kinds found that still fails the same way.
    public struct Failure: Sendable {
        public var outcome: SessionOutcome
        public var violation: Violation
        /// Nil when shrinking was off.
        public var minimalFaults: Set<FaultKind>?
    }

    /// Every session's totals and every failure.
    public struct Summary: Sendable {
        public var sessions = 0
        public var events = 0
        public var orders = 0
        public var positions = 0
        public var slicedPositions = 0
        public var faults: [FaultKind: Int] = [:]
        public var violations: [Invariant: Int] = [:]
        public var failures: [Failure] = []
        /// Sessions per second of wall time, for the benchmark line.
        public var wallSeconds = 0.0
    }

    /// The trading days the sessions run on, from `firstDay`.
    public var tradingDays: [CivilDate] {
        var out: [CivilDate] = []
        var day = firstDay
        while out.count < days {
            if config.calendar.isTradingDay(day, exchange: .nse) { out.append(day) }
            day = day.adding(days: 1)
        }
        return out
    }

    /// Runs every seed and day; `progress` hears of each session as it ends, in seed and day order whatever
    /// `jobs` is.
    public func run(progress: (SessionOutcome) -> Void = { _ in }) throws -> Summary {
        var summary = Summary()
        let started = Date()
        try FileManager.default.createDirectory(atPath: outDirectory, withIntermediateDirectories: true)
        let work = seeds.flatMap { seed in tradingDays.map { (seed: seed, day: $0) } }
        let runner = self
        try OrderedWorkers(threads: jobs).run(count: work.count) { index in
            try runner.complete(seed: work[index].seed, day: work[index].day)
        } deliver: { _, completed in
            let outcome = completed.outcome
            summary.sessions += 1
            summary.events += outcome.events
            summary.orders += outcome.orders
            summary.positions += outcome.positions
            summary.slicedPositions += outcome.slicedPositions
            for (kind, count) in outcome.faults { summary.faults[kind, default: 0] += count }
            for violation in outcome.violations { summary.violations[violation.invariant, default: 0] += 1 }
            if let failure = completed.failure { summary.failures.append(failure) }
            progress(outcome)
        }
        summary.wallSeconds = Date().timeIntervalSince(started)
        return summary
    }

    /// One session run to its end: a failing one shrunk and its journal kept, a passing one's journal removed
    /// (unless `keepJournals`).
    struct Completed: Sendable {
        var outcome: SessionOutcome
        var failure: Failure?
    }

    func complete(seed: UInt64, day: CivilDate) throws -> Completed {
        let outcome = try session(seed: seed, day: day, kinds: kinds ?? profile.faults)
        if let first = outcome.violations.first {
            let minimal = shrink ? try shrunk(seed: seed, day: day, invariant: first.invariant) : nil
            return Completed(
                outcome: outcome, failure: Failure(outcome: outcome, violation: first, minimalFaults: minimal))
        }
        if !keepJournals { try? FileManager.default.removeItem(atPath: outcome.journalPath) }
        return Completed(outcome: outcome, failure: nil)
    }

    /// Runs one session and returns its outcome; its journal is at `journalPath(seed:day:)`.
    public func session(seed: UInt64, day: CivilDate, kinds: Set<FaultKind>, journalPath: String? = nil) throws
        -> SessionOutcome
    {
        let setup = SessionSetup(
            seed: seed, date: day, plan: FaultPlan(profile: profile, kinds: kinds, restartsPerDay: restartsPerDay),
            config: config,
            files: Self.files(files, seed: seed), journalPath: journalPath ?? self.journalPath(seed: seed, day: day))
        return try RuntimeSession(setup).run()
    }

    /// The freeze quantity every third seed trades with (units per order), so entries are split into slices.
    public static let slicingFreezeQuantity = 300

    /// The configuration files seed `seed` trades with: every third seed (3, 6, 9, …) caps each order at
    /// `slicingFreezeQuantity` units, so its entries go out in freeze slices and the harness checks the sliced
    /// lifecycle too (the real caps, 1,800 NIFTY units, are far above what the simulated account buys).
    static func files(_ files: [ConfigFile], seed: UInt64) -> [ConfigFile] {
        guard seed % 3 == 0 else { return files }
        return files.map { file in
            guard file.name == "algo.yml" else { return file }
            let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                guard let colon = line.firstIndex(of: ":"),
                    line[..<colon].trimmingCharacters(in: .whitespaces) == "freeze_quantity"
                else { return String(line) }
                let comment = line.firstIndex(of: "#").map { "   " + line[$0...] } ?? ""
                return "\(line[...colon]) \(slicingFreezeQuantity)\(comment)"
            }
            return ConfigFile(name: file.name, text: lines.joined(separator: "\n"))
        }
    }

    public func journalPath(seed: UInt64, day: CivilDate) -> String {
        "\(outDirectory)/\(profile)-seed-\(seed)-\(day)"
    }

    /// Drops fault kinds one at a time while the session still breaks `invariant` (scratch journals).
    func shrunk(seed: UInt64, day: CivilDate, invariant: Invariant) throws -> Set<FaultKind> {
        var kinds = self.kinds ?? profile.faults
        let scratch = journalPath(seed: seed, day: day) + "-shrinking"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var changed = true
        while changed {
            changed = false
            for kind in kinds.sorted() {
                var fewer = kinds
                fewer.remove(kind)
                let outcome = try session(seed: seed, day: day, kinds: fewer, journalPath: scratch)
                if outcome.violations.contains(where: { $0.invariant == invariant }) {
                    kinds = fewer
                    changed = true
                    break
                }
            }
        }
        return kinds
    }
}
