import Dhan
import DhanClient
import Domain

/// Looks an order up in the broker's book by correlation id while its fate is unknown.
///
/// After a place request that got no definitive answer, and after a restart that did not find an intent the
/// killed process may have sent, the broker may still take the order later. Both wait the same growing
/// intervals (`AmbiguousSubmit.lookupDelays`, 63 s in all) in the runtime clock's seconds, so dhan-sim's
/// accelerated clock and virtual time wait as long in market time as the live broker would.
///
/// Only an answer is evidence: a lookup that failed (a 429 the client's retries did not outlast, a network
/// error) says nothing about the order, so the intent is never called absent on it. The socket crash test
/// met this: a restart into dhan-sim's rate limit saw every lookup refused, resolved an intent the broker had
/// filled as never sent, and nothing ever sold the position.
enum OrderLookup {
    /// What the lookups learned.
    enum Answer: Sendable {
        /// The broker holds the order (its parent row).
        case found(OrderRecord)
        /// The broker answered, at the last lookup after the whole wait, that it holds no such order.
        case absent
        /// No definitive answer: the lookups kept failing, the task was cancelled, or `stillWanted` said the
        /// answer came another way (the order stream) meanwhile. The intent stays in flight.
        case unknown
    }

    /// Lookups after the wait that may follow one another while the last one failed, at the wait's longest
    /// interval (about four more minutes); past them the order watch keeps asking and escalates.
    static let retriesAfterFailure = 8

    static func find(
        _ id: CorrelationID, client: DhanRESTClient, clock: any RuntimeClock,
        stillWanted: () async -> Bool = { true }
    ) async -> Answer {
        let longest = AmbiguousSubmit.lookupDelays.last ?? 32
        var delays = AmbiguousSubmit.lookupDelays[...]
        var retries = 0
        while true {
            let delay: Int64
            if let next = delays.popFirst() {
                delay = next
            } else if retries < retriesAfterFailure {
                // The wait is over but the last lookup failed: only an answer can say the order is absent.
                retries += 1
                delay = longest
            } else {
                return .unknown
            }
            try? await clock.sleep(for: clock.secondDuration * Int(delay))
            if Task.isCancelled { return .unknown }
            guard await stillWanted() else { return .unknown }
            do {
                if let record = try await client.order(correlationID: id.value) { return .found(record) }
                if delays.isEmpty { return .absent }
            } catch {
                continue
            }
        }
    }
}
