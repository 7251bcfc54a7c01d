import Domain

/// What the order book says about one correlation id, as the events a lost alert would have carried.
///
/// The engine asks when the broker has gone quiet about an intent (`OrderWatch`). The parent's row alone is
/// not enough: a super order's legs have rows of their own, and their cancellations and fills are exactly
/// what a lost alert hides (a TARGET_LEG cancel confirmation that never came leaves the exit waiting). So the
/// whole book is read and every row of the intent goes through the same translator as the order stream,
/// which counts each fill once however often it is seen.
public enum OrderBookLookup {
    /// The book's rows for `id`: the parent first, then its target and stop-loss legs.
    ///
    /// A leg row is the intent's when it carries the correlation id, or, without one, the parent's order id
    /// (the docs' `legDetails` example shares it; LIVE-BEHAVIOUR.md #5).
    public static func rows(for id: CorrelationID, in book: [OrderRecord]) -> [OrderRecord] {
        // By index, copying only the rows returned: filtering the book copied every record (a score of strings)
        // to read two of its fields, for every quiet intent every 10 s.
        guard let parent = book.firstIndex(where: { $0.correlationId == id.value && $0.isParent }) else { return [] }
        let parentID = book[parent].orderId
        let legs = book.indices.filter { index in
            !book[index].isParent
                && (book[index].correlationId == id.value
                    || (book[index].correlationId.isEmpty && book[index].orderId == parentID))
        }
        let sorted = legs.sorted {
            (book[$0].legName, book[$0].orderId) < (book[$1].legName, book[$1].orderId)
        }
        return [book[parent]] + sorted.map { book[$0] }
    }

    /// The events for `id`: the parent's acceptance, then each row's fills and terminal status.
    ///
    /// The rows go through `translator`, so a fill already counted is not counted again. Nothing when the
    /// book does not hold the intent.
    public static func events(for id: CorrelationID, book: [OrderRecord], translator: inout OrderAlertTranslator)
        -> [Event]
    {
        let rows = rows(for: id, in: book)
        guard let parent = rows.first else { return [] }
        var events: [Event] = [
            .orderAccepted(
                OrderAccepted(
                    correlationID: id, orderID: parent.orderId, status: OrderStatus(apiName: parent.orderStatus)))
        ]
        for row in rows {
            var alert = OrderAlert(record: row)
            alert.correlationId = id.value
            if alert.orderNo.isEmpty { alert.orderNo = parent.orderId }
            events += translator.events(for: alert)
        }
        return events
    }
}
