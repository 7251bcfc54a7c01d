import Dhan
import DhanClient
import Domain

/// Looks an order up in the broker's book by correlation id while its fate is unknown.
///
/// After a place request that got no definitive answer, and after a restart that did not find an intent the
/// killed process may have sent, the broker may still take the order later. Both wait the same growing
/// intervals (`AmbiguousSubmit.lookupDelays`, 63 s in all) in the runtime clock's seconds, so dhan-sim's
/// accelerated clock and virtual time wait as long in market time as the live broker would.
enum OrderLookup {
    /// The order's record once a lookup finds it; nil when every lookup missed, the task was cancelled, or
    /// `stillWanted` said the answer came another way (the order stream) meanwhile.
    static func find(
        _ id: CorrelationID, client: DhanRESTClient, clock: any RuntimeClock,
        stillWanted: () async -> Bool = { true }
    ) async -> OrderRecord? {
        for delay in AmbiguousSubmit.lookupDelays {
            try? await clock.sleep(for: clock.secondDuration * Int(delay))
            if Task.isCancelled { return nil }
            guard await stillWanted() else { return nil }
            if let record = try? await client.order(correlationID: id.value) { return record }
        }
        return nil
    }
}
