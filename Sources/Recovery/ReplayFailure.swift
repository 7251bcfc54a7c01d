import Engine

/// A journal that does not replay, so a session cannot be recovered from it.
public struct ReplayFailure: Error, CustomStringConvertible {
    public var divergence: Divergence

    public init(divergence: Divergence) { self.divergence = divergence }

    public var description: String { "the journal does not replay: seq \(divergence.seq): \(divergence.explanation)" }
}
