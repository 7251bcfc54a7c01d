import DhanSim
import Domain
import Engine
import Foundation
import Journal
import Recovery
import Runtime
import Synchronization
import TestSupport
import Testing

@testable import Simulation

/// A restart compares the broker's positions with the engine's; a read that fails is not a clean answer.
@Suite("Reconciliation when the broker's positions cannot be read")
struct ReconciliationReadTests {
    /// Kills a live process at 10:03, loses the answers to the restart's first `lost` position reads, and
    /// returns the restart's reconciliation and whether entries were blocked after it.
    static func restart(losing lost: Int) throws -> (result: ReconciliationResult, blocked: Bool, reads: Int) {
        let scratch = TemporaryDirectory("reconcile-read")
        let path = scratch.sub("journal")
        let harness = VirtualRuntime(world: try VirtualRuntimeTests.world(start: 10 * 3600))
        let invariants = RuntimeInvariants(harness.transport)
        var current = try VirtualRuntimeTests.process(
            harness, invariants, journal: path, master: scratch.sub("master"))
        harness.start(current)
        try harness.advance(through: 10 * 3600 + 3 * 60)
        harness.kill(current)
        let remaining = Mutex(lost)
        let reads = Mutex(0)
        harness.transport.loseAnswers { request in
            guard request.method == "GET", request.url.hasSuffix("/positions") else { return false }
            reads.withLock { $0 += 1 }
            return remaining.withLock { left in
                defer { left = max(left - 1, 0) }
                return left > 0
            }
        }
        harness.down(for: 1)
        current = try VirtualRuntimeTests.process(harness, invariants, journal: path, master: scratch.sub("master"))
        harness.start(current)
        try harness.advance(through: 10 * 3600 + 5 * 60)
        let blocked = harness.perform { [current] in await current.sequencer.state.reconciliationBlock != nil }
        _ = try harness.finish(current)
        let journal = try Journal.openForReading(at: path)
        defer { journal.close() }
        var results: [ReconciliationResult] = []
        try journal.reader.forEach(verifyChecksums: false) { view in
            if case .event(.reconciliation(let result)) = try JournalEntry.decode(view) { results.append(result) }
            return true
        }
        #expect(remaining.withLock { $0 } == 0, "every lost read was asked for")
        #expect(blocked != nil, "the state was read after the restart")
        return (try #require(results.last), blocked ?? false, reads.withLock { $0 })
    }

    @Test("one failed read is read again and the restart is clean")
    func readAgain() throws {
        let (result, blocked, reads) = try Self.restart(losing: 1)
        #expect(result.clean, "\(result.notes)")
        #expect(!blocked)
        #expect(reads >= 2, "read again after the failure")
    }

    @Test("no read succeeds: the positions are unknown, the reconciliation is not clean and entries stay blocked")
    func neverRead() throws {
        let (result, blocked, reads) = try Self.restart(losing: TradingRuntime.reconcileAttempts)
        #expect(reads >= TradingRuntime.reconcileAttempts)
        #expect(!result.clean)
        #expect(result.notes.contains { $0.hasPrefix("broker positions could not be read: ") }, "\(result.notes)")
        #expect(blocked)
    }
}
