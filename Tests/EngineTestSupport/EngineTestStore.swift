import Domain
import Engine
import Testing

/// Drives the engine the way TCA's TestStore drives a reducer: each `send` states the exact state change
/// and the exact commands, and anything else that changed or was emitted fails the test.
public final class EngineTestStore {
    public private(set) var state: EngineState
    public private(set) var seq: UInt64

    public init(state: EngineState = EngineState(), seq: UInt64 = 0) {
        self.state = state
        self.seq = seq
    }

    /// Folds `event` at `time` (the next seq) and checks the state change made by `update` and `commands`.
    public func send(
        _ event: Event, at time: Timestamp, commands expected: [Command] = [],
        sourceLocation: SourceLocation = #_sourceLocation,
        _ update: (inout EngineState) -> Void = { _ in }
    ) {
        seq += 1
        var expectedState = state
        expectedState.now = time
        expectedState.lastSeq = seq
        update(&expectedState)
        let commands = Engine.reduce(&state, event, seq: seq, at: time)
        if state != expectedState {
            Issue.record(
                "state after seq \(seq) differs from the expected change:\n\(difference(expectedState, state))",
                sourceLocation: sourceLocation)
        }
        if commands != expected {
            Issue.record(
                "commands after seq \(seq) differ:\n  expected: \(expected.map { "\($0)" })\n  actual:   \(commands.map { "\($0)" })",
                sourceLocation: sourceLocation)
        }
    }

    /// Folds events without assertions (setting the scene); returns the commands of the last one.
    @discardableResult
    public func skip(_ event: Event, at time: Timestamp) -> [Command] {
        seq += 1
        return Engine.reduce(&state, event, seq: seq, at: time)
    }
}

/// The region where two states' dumps differ (common leading and trailing lines trimmed), expected first.
func difference(_ expected: EngineState, _ actual: EngineState) -> String {
    var left = ""
    var right = ""
    dump(expected, to: &left)
    dump(actual, to: &right)
    let a = left.split(separator: "\n").map { $0.trimmingPrefix(while: { $0 == " " }) }
    let b = right.split(separator: "\n").map { $0.trimmingPrefix(while: { $0 == " " }) }
    var prefix = 0
    while prefix < min(a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < min(a.count, b.count) - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
    let context = prefix > 0 ? "  after: \(a[prefix - 1])\n" : ""
    let removed = a[prefix..<(a.count - suffix)].prefix(12).map { "  - \($0)" }
    let added = b[prefix..<(b.count - suffix)].prefix(12).map { "  + \($0)" }
    return context + (removed + added).joined(separator: "\n")
}
