import Domain

/// What a restarted engine learns from the broker, as events: the same steps for `scalper run` and for the
/// simulation's restarts, so the crash path the simulation checks is the one that runs live.
///
/// After a crash the journal knows every fill it recorded but not what the broker did while the engine was
/// down: an intent may have reached the broker with its answer lost, fills and cancellations may have been
/// sent on an order stream nobody was reading. The steps: resume the translator from the journaled fills
/// (so no fill is counted twice), look up each intent the journal has no acknowledgement for (found: its
/// acceptance and fills; not found: it never reached the broker and is not sent again), then read the whole
/// order book through the translator.
public enum RestartReconciliation {
    /// A translator that has already counted `fills` (the journal's, in journal order).
    public static func translator(resumingAfter fills: [Fill]) -> OrderAlertTranslator {
        var translator = OrderAlertTranslator()
        for fill in fills {
            translator.traded[OrderAlertTranslator.key(orderID: fill.orderID, leg: fill.leg), default: .init()].add(
                fill)
        }
        return translator
    }

    /// The events one lookup of an unacknowledged intent gives, and the note reconciliation records.
    ///
    /// `record` is the broker's row for the correlation id (its parent row), nil when the broker has none.
    /// An empty book is not yet an answer: a request the killed process had already sent may reach the
    /// broker after the restart's lookup, so the intent stays in flight and is looked up again on
    /// `AmbiguousSubmit.lookupDelays`; `neverReached` resolves it once every lookup came back empty.
    public static func lookupEvents(
        _ id: CorrelationID, record: OrderRecord?, translator: inout OrderAlertTranslator
    ) -> (events: [Event], note: String) {
        guard let record else {
            return (
                [],
                "\(id): not in the broker's book yet; looked up again for \(AmbiguousSubmit.totalWait) s, never resent"
            )
        }
        var events: [Event] = [
            .orderAccepted(
                OrderAccepted(
                    correlationID: id, orderID: record.orderId, status: OrderStatus(apiName: record.orderStatus)))
        ]
        if record.filledQty > 0 { events += translator.events(for: OrderAlert(record: record)) }
        return (events, "\(id): at the broker as \(record.orderId) (\(record.orderStatus))")
    }

    /// The resolution of an intent the broker's book did not hold after the restart nor at any later lookup:
    /// it never reached the broker, and it is not sent again.
    public static func neverReached(_ id: CorrelationID) -> Event {
        .orderRejected(
            OrderRejected(
                correlationID: id, code: notSentCode,
                message:
                    "not in the broker's book by correlation id after a restart and \(AmbiguousSubmit.totalWait) s of lookups"
            ))
    }

    /// The code of an intent a restart found the broker never received.
    public static let notSentCode = "NOT_SENT"

    /// The events the order book gives: every row with a correlation id through the translator, entries
    /// before their super-order legs (a leg's fill only makes sense after its entry's).
    public static func bookEvents(_ orders: [OrderRecord], translator: inout OrderAlertTranslator) -> [Event] {
        let legs: Set<String> = ["TARGET_LEG", "STOP_LOSS_LEG"]
        let ordered = orders.filter { !legs.contains($0.legName) } + orders.filter { legs.contains($0.legName) }
        var events: [Event] = []
        for record in ordered where !record.correlationId.isEmpty {
            events += translator.events(for: OrderAlert(record: record))
        }
        return events
    }
}
