import Domain

/// Walk-forward testing of a finished sweep: on each training window pick the best cell by an objective,
/// then report what that cell made on the next, unseen window.
///
/// Windows count trading days of the data. They start at the first day and move on by the test length, so
/// the test windows follow each other without a gap or an overlap; a last test window shorter than asked is
/// left out. Ties go to the cell first in plan order.
public struct WalkForward: Sendable, Equatable {
    /// One training window and the test window after it.
    public struct Window: Sendable, Equatable {
        public var trainFirst: CivilDate
        public var trainLast: CivilDate
        public var testFirst: CivilDate
        public var testLast: CivilDate
        public var cell: String
        public var inSample: SweepResult
        public var outOfSample: SweepResult
    }

    public var trainDays: Int
    public var testDays: Int
    public var objective: SweepMetric
    public var windows: [Window]

    /// Parses `TRAIN:TEST` such as `120d:20d` (trading days; the `d` is optional).
    public static func lengths(_ text: String) -> (train: Int, test: Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2 else { return nil }
        func days(_ part: Substring) -> Int? {
            Int(part.hasSuffix("d") ? part.dropLast() : part).flatMap { $0 > 0 ? $0 : nil }
        }
        guard let train = days(parts[0]), let test = days(parts[1]) else { return nil }
        return (train, test)
    }

    /// Walks forward over `results` (every cell of `cells` present, each over the same days).
    public init(
        cells: [SweepPlan.Cell], results: [String: SweepResult], trainDays: Int, testDays: Int,
        objective: SweepMetric
    ) {
        self.trainDays = trainDays
        self.testDays = testDays
        self.objective = objective
        let ordered = cells.compactMap { results[$0.id] }
        let dates = ordered.first?.days.map(\.date) ?? []
        var windows: [Window] = []
        var start = 0
        while start + trainDays + testDays <= dates.count {
            let trainFirst = dates[start]
            let trainLast = dates[start + trainDays - 1]
            let testFirst = dates[start + trainDays]
            let testLast = dates[start + trainDays + testDays - 1]
            var best: SweepResult?
            var bestScore = 0.0
            for result in ordered {
                let inSample = result.window(trainFirst, trainLast)
                let score = inSample.metric(objective)
                let better = objective.higherIsBetter ? score > bestScore : score < bestScore
                if best == nil || better {
                    best = inSample
                    bestScore = score
                }
            }
            if let best, let full = results[best.cell] {
                windows.append(
                    Window(
                        trainFirst: trainFirst, trainLast: trainLast, testFirst: testFirst, testLast: testLast,
                        cell: best.cell, inSample: best, outOfSample: full.window(testFirst, testLast)))
            }
            start += testDays
        }
        self.windows = windows
    }

    /// Net per trading day in the training windows and in the test windows: far apart means overfitted.
    public var netPerDay: (inSample: Double, outOfSample: Double) {
        guard !windows.isEmpty else { return (0, 0) }
        let inSample = windows.reduce(0) { $0 + $1.inSample.net } / Double(windows.count * trainDays)
        let outOfSample = windows.reduce(0) { $0 + $1.outOfSample.net } / Double(windows.count * testDays)
        return (inSample, outOfSample)
    }

    /// `walk_forward.csv`: a row per window with the chosen cell's parameters.
    public func csv(plan: SweepPlan) -> String {
        let byID = Dictionary(uniqueKeysWithValues: plan.cells.map { ($0.id, $0) })
        var out =
            "train_from,train_to,test_from,test_to,cell," + plan.axes.map(\.key).joined(separator: ",")
            + ",in_sample_net,in_sample_sharpe,out_of_sample_net,out_of_sample_sharpe\n"
        for window in windows {
            let values = byID[window.cell]?.overrides.map(\.value).joined(separator: ",") ?? ""
            out +=
                [
                    "\(window.trainFirst)", "\(window.trainLast)", "\(window.testFirst)", "\(window.testLast)",
                    window.cell, values, SweepFiles.fixed(window.inSample.net, 2),
                    SweepFiles.fixed(window.inSample.sharpe, 4), SweepFiles.fixed(window.outOfSample.net, 2),
                    SweepFiles.fixed(window.outOfSample.sharpe, 4),
                ].joined(separator: ",") + "\n"
        }
        return out
    }
}
