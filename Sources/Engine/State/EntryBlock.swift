import Domain

/// Why entries are blocked for the whole engine (exits never wait); the guard records its description.
public enum EntryBlock: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The operator's kill switch is on.
    case killSwitch
    /// The daily loss limit tripped the circuit breaker.
    case circuitBreaker
    /// The market feed went quiet; ticks resuming lift it.
    case marketFeedStale(detail: String)
    /// The broker session expired (DH-901 on REST, 807 on the feeds); only a new session lifts it.
    case sessionExpired
    /// The engine's positions and the broker's disagree; a clean reconciliation lifts it.
    case reconciliationNotClean(notes: [String])

    public var description: String {
        switch self {
        case .killSwitch: "kill switch is on"
        case .circuitBreaker: "daily circuit breaker tripped"
        case .marketFeedStale(let detail): "market feed stale: \(detail)"
        case .sessionExpired: "broker session expired (DH-901): trading paused"
        case .reconciliationNotClean(let notes):
            "reconciliation with the broker not clean: \(notes.joined(separator: "; "))"
        }
    }
}
