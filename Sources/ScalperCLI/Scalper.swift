import ArgumentParser

/// The `scalper` command: trading, replay and journal audit for AlgoScalper.
@main
struct Scalper: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "scalper",
        abstract: "AlgoScalper: an event-sourced options-scalping engine for NIFTY, BANKNIFTY and SENSEX on DhanHQ.",
        discussion: """
            Exit codes: 0 success; 1 a corrupt journal or malformed input file; 2 a journal or file that cannot be \
            opened; 64 bad arguments.
            """,
        version: version,
        subcommands: [
            Demo.self, InitCommand.self, RunCommand.self, ReplayCommand.self, ReportCommand.self, BacktestCommand.self,
            SimulateCommand.self,
            IndicatorsCommand.self,
            PickCommand.self,
            StatusCommand.self, KillSwitchCommand.self, HistoryGroup.self, JournalGroup.self, BenchGroup.self,
            SweepGroup.self,
        ]
    )
}
