import Domain

/// What to do when a place request got no definitive answer (a timeout, a 5xx, an undecodable body).
///
/// The broker may have the order (LIVE-BEHAVIOUR.md #10): sending it again could buy twice, and calling it
/// rejected could leave a live order the engine does not know about. So the intent stays in flight while the
/// order is looked up by correlation id, at growing intervals, for a little over a minute (the issue asks for
/// at least 30 s); an alert from the order stream resolves it sooner. Only when the broker's book still does
/// not hold it after every lookup is it resolved as never received (`NOT_RECEIVED`), never sent twice.
public enum AmbiguousSubmit {
    /// Seconds to wait before each lookup (63 s in all).
    public static let lookupDelays: [Int64] = [1, 2, 4, 8, 16, 32]

    /// Seconds from the first wait to the last lookup.
    public static let totalWait = lookupDelays.reduce(0, +)

    /// The code of an intent the broker's book never held.
    public static let notReceivedCode = "NOT_RECEIVED"

    /// The resolution once every lookup came back empty.
    public static func notReceived(_ id: CorrelationID, request: String, detail: String) -> Event {
        .orderRejected(
            OrderRejected(
                correlationID: id, code: notReceivedCode,
                message: "\(request): \(detail); not in the broker's book by correlation id after \(totalWait) s"))
    }
}
