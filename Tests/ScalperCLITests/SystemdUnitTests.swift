import Foundation
import TestSupport
import Testing

@testable import ScalperCLI

/// The shipped systemd unit starts a command `scalper run` accepts: paper, day after day.
@Suite("systemd unit")
struct SystemdUnitTests {
    @Test("ExecStart parses as scalper run: paper, no --until, the day's start-up at 09:00, secrets from files")
    func execStartParses() throws {
        let unit = try String(contentsOfFile: Fixtures.path("tools/systemd/algoscalper.service"), encoding: .utf8)
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        var arguments = line.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        #expect(arguments.removeFirst() == "/usr/local/bin/scalper")
        let run = try #require(try Scalper.parseAsRoot(arguments) as? RunCommand)
        #expect(!run.live && !run.confirmLive)
        #expect(run.until == nil)
        #expect(run.dayStart == "09:00")
        #expect(run.credentials == "/etc/algoscalper/credentials")
        #expect(run.journal == "/var/lib/algoscalper/journal")
        #expect(unit.contains("KillSignal=SIGTERM"))
    }
}
