import Engine
import Synchronization

/// The sequencer's state as of its last input, readable without waiting on the sequencer.
///
/// The status API reads this instead of the actor: a request or the dashboard's event stream then never
/// contends with the inputs being folded, and on virtual time nothing the status API does runs off the
/// harness's executor (a stream that awaited the actor could hold it while the harness believed the
/// session idle, so a step's work finished after the step). Off until the status API is built: each
/// update shares the state's storage, so the next fold copies what it changes.
public final class PublishedView: Sendable {
    /// What the status API shows.
    public struct View: Sendable {
        public var state: EngineState
        /// The last commit's duration (nanoseconds).
        public var lastCommitNanos: Int64
    }

    private let current: Mutex<View>
    private let on = Atomic<Bool>(false)

    init(_ view: View) { current = Mutex(view) }

    /// The state as of the sequencer's last input (as of the first one after `enable()`, when enabled late).
    public var view: View { current.withLock { $0 } }

    /// Starts keeping the view current.
    public func enable() { on.store(true, ordering: .releasing) }

    var enabled: Bool { on.load(ordering: .acquiring) }

    func update(_ view: View) { current.withLock { $0 = view } }
}
