import Testing

@testable import Runtime

/// The control API's defences, without a server.
@Suite("control API guard")
struct ControlGuardTests {
    @Test("bearer tokens: only the exact header passes, whatever its length; no token configured refuses all")
    func tokens() {
        #expect(ControlGuard.authorised("Bearer sekret", token: "sekret"))
        for header in ["Bearer sekreT", "Bearer sekret ", "Bearer sekre", "bearer sekret", "sekret", ""] {
            #expect(!ControlGuard.authorised(header, token: "sekret"), "\(header)")
        }
        #expect(!ControlGuard.authorised(nil, token: "sekret"))
        #expect(!ControlGuard.authorised("Bearer ", token: ""))
        #expect(!ControlGuard.authorised("Bearer x", token: nil))
        #expect(ControlGuard.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!ControlGuard.constantTimeEqual([1, 2, 3], [1, 2, 3, 0]))
        #expect(!ControlGuard.constantTimeEqual([], [0]))
    }

    @Test("beyond loopback only with a token")
    func binding() throws {
        for host in ["127.0.0.1", "::1", "localhost", "127.0.0.2"] {
            #expect(throws: Never.self) { try ControlGuard.checkBinding(host: host, token: nil) }
        }
        #expect(throws: ControlGuard.Refusal.publicWithoutToken(host: "0.0.0.0")) {
            try ControlGuard.checkBinding(host: "0.0.0.0", token: nil)
        }
        #expect(throws: ControlGuard.Refusal.publicWithoutToken(host: "10.0.0.5")) {
            try ControlGuard.checkBinding(host: "10.0.0.5", token: "")
        }
        #expect(throws: Never.self) { try ControlGuard.checkBinding(host: "0.0.0.0", token: "sekret") }
    }
}
