import Domain
import Engine
import Foundation

/// Something a trader away from the screen should hear about, with the journal seq that caused it.
public struct Alert: Sendable, Equatable {
    /// What happened; each kind renders its own message.
    public enum Kind: Sendable, Equatable {
        case entry(index: String, instrument: String, quantity: Int64, ordered: Int64, price: Paise, tag: String)
        case exit(index: String, instrument: String, quantity: Int64, reason: String, net: Paise, dayNet: Paise)
        case circuitBreaker(dayNet: Paise, openPositions: Int)
        case killSwitch(on: Bool)
        case feedDown(seconds: Int64, detail: String)
        case feedRestored(downSeconds: Int64)
        case sessionExpired
        case tokenRenewed(until: Timestamp)
        case tokenRenewalFailed(expires: Timestamp, reason: String)
        case reconciliationMismatch(notes: [String])
        case reconciliationClean
        case daySummary(DaySummary)

        /// The kind's name in the webhook's JSON (`kind`).
        public var name: String {
            switch self {
            case .entry: "entry"
            case .exit: "exit"
            case .circuitBreaker: "circuit_breaker"
            case .killSwitch: "kill_switch"
            case .feedDown: "feed_down"
            case .feedRestored: "feed_restored"
            case .sessionExpired: "session_expired"
            case .tokenRenewed: "token_renewed"
            case .tokenRenewalFailed: "token_renewal_failed"
            case .reconciliationMismatch: "reconciliation_mismatch"
            case .reconciliationClean: "reconciliation_clean"
            case .daySummary: "day_summary"
            }
        }
    }

    /// A trading day's result, sent once after the close: the report's day totals and the day's risk.
    @dynamicMemberLookup
    public struct DaySummary: Sendable, Equatable {
        public var totals: DayTotals
        public var maxMTM: Paise
        public var minMTM: Paise
        public var circuitTripped: Bool
        public var openPositions: Int

        public init(totals: DayTotals, maxMTM: Paise, minMTM: Paise, circuitTripped: Bool, openPositions: Int) {
            self.totals = totals
            self.maxMTM = maxMTM
            self.minMTM = minMTM
            self.circuitTripped = circuitTripped
            self.openPositions = openPositions
        }

        /// The day's totals (`date`, `trades`, `winners`, `gross`, `charges`, `net`).
        public subscript<Value>(dynamicMember keyPath: KeyPath<DayTotals, Value>) -> Value { totals[keyPath: keyPath] }
    }

    public var kind: Kind
    public var time: Timestamp
    /// The journal record that caused it (0 when the runtime, not a fold, raised it).
    public var seq: UInt64

    public init(_ kind: Kind, time: Timestamp, seq: UInt64) {
        self.kind = kind
        self.time = time
        self.seq = seq
    }

    /// The message a person reads (Telegram's text, the webhook's `text`).
    public var text: String {
        let clock = String(time.istString.dropFirst(11).prefix(8))
        func rupees(_ value: Paise) -> String {
            (value >= .zero ? "₹" : "-₹") + "\(value >= .zero ? value : .zero - value)"
        }
        switch kind {
        case .entry(let index, let instrument, let quantity, let ordered, let price, let tag):
            let part = quantity < ordered ? " (\(quantity) of \(ordered) filled so far)" : ""
            return "🟢 \(index) entry \(clock): bought \(quantity) \(instrument) @ ₹\(price)\(part) [\(tag)]"
        case .exit(let index, let instrument, let quantity, let reason, let net, let dayNet):
            return
                "\(net >= .zero ? "✅" : "🔻") \(index) exit \(clock): sold \(quantity) \(instrument), \(reason), net \(rupees(net)); day \(rupees(dayNet))"
        case .circuitBreaker(let dayNet, let open):
            return
                "⛔ CIRCUIT BREAKER \(clock): day net \(rupees(dayNet)) reached the daily loss limit; flattening \(open) open position(s), no more entries today"
        case .killSwitch(let on):
            return on
                ? "⛔ KILL SWITCH ON \(clock): flattening, no entries until it is released"
                : "Kill switch released \(clock): entries allowed again"
        case .feedDown(let seconds, let detail):
            return "⚠️ MARKET FEED DOWN \(seconds) s at \(clock): \(detail); entries blocked, exits still managed"
        case .feedRestored(let seconds):
            return "Market feed back \(clock) after \(seconds) s"
        case .sessionExpired:
            return "⛔ ACCESS TOKEN REJECTED \(clock) (DH-901/807): trading paused until a new token is supplied"
        case .tokenRenewed(let until):
            return "Access token renewed \(clock): valid until \(until.istString.prefix(16)) IST"
        case .tokenRenewalFailed(let expires, let reason):
            return
                "⛔ ACCESS TOKEN NOT RENEWED \(clock): it expires \(expires.istString.prefix(16)) IST and trading pauses then; \(reason)"
        case .reconciliationMismatch(let notes):
            return "⚠️ RECONCILIATION MISMATCH \(clock): \(notes.joined(separator: "; ")); entries blocked"
        case .reconciliationClean:
            return "Reconciliation clean again \(clock): entries allowed"
        case .daySummary(let day):
            let rate = day.trades > 0 ? " (\(day.winners * 100 / day.trades)% won)" : ""
            var text =
                "📊 \(day.date): \(day.trades) trade(s), \(day.winners) winner(s)\(rate); gross \(rupees(day.gross)), charges ₹\(day.charges), net \(rupees(day.net)); MTM high \(rupees(day.maxMTM)), low \(rupees(day.minMTM))"
            if day.circuitTripped { text += "; circuit breaker tripped" }
            if day.openPositions > 0 { text += "; \(day.openPositions) position(s) still open" }
            return text
        }
    }

    /// The webhook's body: `kind`, `time` (IST ISO 8601), `seq`, `text` and the kind's fields, rupees as plain
    /// numbers; keys sorted.
    public var json: [UInt8] {
        var fields: [String: Any] = ["kind": kind.name, "time": time.iso8601IST, "seq": seq, "text": text]
        func rupees(_ value: Paise) -> Double { Double(value.value) / 100 }
        switch kind {
        case .entry(let index, let instrument, let quantity, let ordered, let price, let tag):
            fields.merge(
                [
                    "index": index, "instrument": instrument, "quantity": quantity, "ordered": ordered,
                    "price": rupees(price), "tag": tag,
                ]
            ) { $1 }
        case .exit(let index, let instrument, let quantity, let reason, let net, let dayNet):
            fields.merge(
                [
                    "index": index, "instrument": instrument, "quantity": quantity, "reason": reason,
                    "net": rupees(net), "day_net": rupees(dayNet),
                ]
            ) { $1 }
        case .circuitBreaker(let dayNet, let open):
            fields.merge(["day_net": rupees(dayNet), "open_positions": open]) { $1 }
        case .killSwitch(let on):
            fields["on"] = on
        case .feedDown(let seconds, let detail):
            fields.merge(["seconds": seconds, "detail": detail]) { $1 }
        case .feedRestored(let seconds):
            fields["down_seconds"] = seconds
        case .sessionExpired, .reconciliationClean:
            break
        case .tokenRenewed(let until):
            fields["until"] = until.iso8601IST
        case .tokenRenewalFailed(let expires, let reason):
            fields.merge(["expires": expires.iso8601IST, "reason": reason]) { $1 }
        case .reconciliationMismatch(let notes):
            fields["notes"] = notes
        case .daySummary(let day):
            fields.merge(
                [
                    "date": day.date.description, "trades": day.trades, "winners": day.winners,
                    "gross": rupees(day.gross), "charges": rupees(day.charges), "net": rupees(day.net),
                    "max_mtm": rupees(day.maxMTM), "min_mtm": rupees(day.minMTM),
                    "circuit_tripped": day.circuitTripped, "open_positions": day.openPositions,
                ]
            ) { $1 }
        }
        // Every value above is a string, number, bool or list of strings: this cannot throw.
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }
}
