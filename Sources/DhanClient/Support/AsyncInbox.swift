import Synchronization

/// An unbounded queue with one reader: `send` never waits; the reader waits for the next element, and gets
/// nil once the queue is finished and read to the end.
///
/// It gives one reader what `AsyncStream(bufferingPolicy: .unbounded)` gives it, with the same order of
/// wake-ups, and it exists for speed. `AsyncStream`'s storage is compiled once for all element types, so every
/// yield and every read looks up generic type metadata. This queue is inlinable and so specialised where it
/// is used. On a manual executor, an element handed to a waiting reader costs 0.4 µs here against 1.1 µs for
/// `AsyncStream`. Two queues carry every simulated second (the feed's updates and the runtime's folded
/// bursts); through `AsyncStream` they were 8 % of a simulated day with trading switched off.
///
/// Cancelling the reading task finishes the queue, as it does an `AsyncStream`: what is buffered is still
/// read, then nil.
public final class AsyncInbox<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = Never

    @usableFromInline
    struct State {
        /// Elements not yet read, from `head` on (read ones are dropped when the reader catches up).
        @usableFromInline var buffer: [Element] = []
        @usableFromInline var head = 0
        @usableFromInline var reader: UnsafeContinuation<Element?, Never>?
        @usableFromInline var finished = false

        @inlinable init() {}

        /// The next buffered element, or nil.
        @inlinable
        mutating func take() -> Element? {
            guard head < buffer.count else { return nil }
            let element = buffer[head]
            head += 1
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                head = 0
            }
            return element
        }
    }

    @usableFromInline let state = Mutex(State())

    @inlinable public init() {}

    /// Hands `element` to the waiting reader, or buffers it; dropped once the queue is finished.
    @inlinable
    public func send(_ element: Element) {
        let reader = state.withLock { state -> UnsafeContinuation<Element?, Never>? in
            guard !state.finished else { return nil }
            guard let reader = state.reader else {
                state.buffer.append(element)
                return nil
            }
            state.reader = nil
            return reader
        }
        reader?.resume(returning: element)
    }

    /// Ends the queue: later sends are dropped; the reader gets what is buffered, then nil.
    @inlinable
    public func finish() {
        let reader = state.withLock { state -> UnsafeContinuation<Element?, Never>? in
            state.finished = true
            defer { state.reader = nil }
            return state.reader
        }
        reader?.resume(returning: nil)
    }

    /// The next element; nil once the queue is finished and read to the end.
    @inlinable
    public func next() async -> Element? {
        if let element = state.withLock({ $0.take() }) { return element }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (reader: UnsafeContinuation<Element?, Never>) in
                // Looked at again under the lock: a send or finish may have come since.
                let now = state.withLock { state -> Element?? in
                    if let element = state.take() { return .some(element) }
                    if state.finished { return .some(nil) }
                    state.reader = reader
                    return nil
                }
                if let now { reader.resume(returning: now) }
            }
        } onCancel: {
            // Also when the task was cancelled before it waited: the handler runs at once, and finish then finds
            // the reader or, if it is not stored yet, leaves `finished` for the lookup under the lock above.
            finish()
        }
    }

    /// Reads the queue; there is one reader, so one iterator.
    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let inbox: AsyncInbox

        @inlinable init(inbox: AsyncInbox) { self.inbox = inbox }

        @inlinable
        public mutating func next() async -> Element? { await inbox.next() }
    }

    @inlinable
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inbox: self) }
}
