import Foundation

/// The summary table `scalper simulate` prints after its per-seed lines.
public enum SimulationReport {
    public static func table(
        _ summary: SimulationRunner.Summary, profile: BrokerProfile, seeds: ClosedRange<UInt64>, days: Int
    ) -> String {
        var lines: [String] = []
        lines.append("profile \(profile): seeds \(seeds.lowerBound)-\(seeds.upperBound), \(days) day(s) each")
        lines.append("sessions   \(summary.sessions)")
        lines.append("events     \(summary.events)")
        lines.append("orders     \(summary.orders)")
        lines.append("positions  \(summary.positions) (\(summary.slicedPositions) entered in freeze slices)")
        lines.append("faults injected:")
        if summary.faults.isEmpty { lines.append("  none") }
        for kind in FaultKind.allCases where summary.faults[kind] != nil {
            lines.append(
                "  \(kind.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0)) \(summary.faults[kind]!)")
        }
        lines.append("violations by invariant (sessions):")
        for invariant in Invariant.allCases {
            lines.append(
                "  \(invariant.rawValue.padding(toLength: 30, withPad: " ", startingAt: 0)) \(summary.violations[invariant] ?? 0)"
            )
        }
        let failing = summary.failures.count
        lines.append(
            failing == 0
                ? "every invariant held in \(summary.sessions) session(s)"
                : "\(failing) of \(summary.sessions) session(s) broke an invariant")
        return lines.joined(separator: "\n")
    }
}
