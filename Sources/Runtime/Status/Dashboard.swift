import Domain
import Engine
import Foundation

/// The live dashboard's view of the process: per index, open positions with their exit levels, orders in
/// flight, health, the day and the last events, as one JSON object.
///
/// `/status` carries it under `dashboard` and `GET /events` streams it (Server-Sent Events), so the page and
/// a script read the same numbers. Rupees are plain numbers; times are IST (`YYYY-MM-DD HH:MM:SS`).
enum Dashboard {
    /// What the dashboard reads besides the engine state.
    struct Inputs {
        var mode: TradingMode
        var health: TradingRuntime.Health
        var ready: Bool
        var notReady: [String]
        var lastCommitNanos: Int64
        var events: [RecentEvents.Item]
    }

    static func json(_ state: EngineState, _ inputs: Inputs) -> String {
        let risk = state.config?.risk
        let indices = state.indices.map { index(state, $0) }
        let positions = state.openPositions.map { position(state, $0, risk: risk) }
        let orders = state.positions[state.unsettledPositions].filter { $0.phase != .active }.map { order(state, $0) }
        let health = inputs.health
        let healthJSON = """
            {"ready":\(inputs.ready),"not_ready":\(list(inputs.notReady)),"feed":\(string("\(health.feed)")),\
            "order_stream":\(string("\(health.orderStream)")),"feed_stale":\(health.feedStale),\
            "auth_expired":\(health.authExpired),"journal_healthy":\(health.journalHealthy),\
            "journal_error":\(health.journalError.map(string) ?? "null"),"seq":\(state.lastSeq),\
            "commit_ms":\(number(Double(inputs.lastCommitNanos) / 1e6)),"last_index_tick":\(time(health.lastIndexTick))}
            """
        let dayRisk = state.dayRisk
        let mtm = health.mtm.map { "[\(string($0.time.istString)),\($0.pnl)]" }.joined(separator: ",")
        let day = """
            {"net":\(state.dayNetPnL),"max_mtm":\(dayRisk?.maxMTM ?? .zero),"min_mtm":\(dayRisk?.minMTM ?? .zero),\
            "circuit_tripped":\(dayRisk?.circuitTripped ?? false),"kill_switch":\(dayRisk?.killSwitch ?? false),\
            "mtm":[\(mtm)]}
            """
        let events = inputs.events.map { item in
            """
            {"seq":\(item.seq),"time":\(string(item.time.istString)),"kind":\(string(item.kind)),\
            "text":\(string(item.text))}
            """
        }
        return """
            {"time":\(string(state.now.istString)),"mode":\(string("\(inputs.mode)")),"seq":\(state.lastSeq),\
            "indices":[\(indices.joined(separator: ","))],"positions":[\(positions.joined(separator: ","))],\
            "orders":[\(orders.joined(separator: ","))],"health":\(healthJSON),"day":\(day),\
            "events":[\(events.joined(separator: ","))]}
            """
    }

    /// An index: its last price and how old it is, each timeframe's Supertrend direction and ADX, the latest
    /// signal and, when it did not lead to an entry, why.
    static func index(_ state: EngineState, _ index: IndexState) -> String {
        let age = index.lastPriceTime.map { String(state.now.epochSeconds - $0.epochSeconds) } ?? "null"
        func reading(_ reading: TimeframeReading) -> String {
            """
            {"trend":\(reading.direction.map { string("\($0)") } ?? "null"),"adx":\(reading.adx.map(number) ?? "null"),\
            "supertrend":\(reading.supertrend.map(number) ?? "null"),"bars":\(reading.bars)}
            """
        }
        let signal = index.signal.map { signal in
            """
            {"direction":\(string(signal.direction.rawValue)),"time":\(string(signal.time.istString)),\
            "confidence":\(number(signal.confidence)),"reasons":\(list(signal.reasons))}
            """
        }
        return """
            {"key":\(string(index.key)),"ltp":\(index.lastPrice.map(\.description) ?? "null"),"tick_age_s":\(age),\
            "primary":\(reading(index.primary.reading)),"confirmation":\(reading(index.confirmation.reading)),\
            "signal":\(signal ?? "null"),"selection":\(string(selection(index.selection))),\
            "no_entry":\(noEntry(index).map(string) ?? "null")}
            """
    }

    /// Where strike selection stands, in a word.
    static func selection(_ selection: Selection) -> String {
        switch selection {
        case .idle: "idle"
        case .awaitingExpiryList: "awaiting_expiry_list"
        case .awaitingChain: "awaiting_chain"
        case .decided(let proposal):
            switch proposal.guardResult {
            case .entered?: "entered"
            case .blocked?: "blocked"
            case nil: "decided"
            }
        }
    }

    /// Why the latest signal did not become an entry: the guard's refusal, the selection's reason, or the
    /// signal's own (an avoid); nil when it entered or nothing is pending.
    static func noEntry(_ index: IndexState) -> String? {
        if case .decided(let proposal) = index.selection {
            if case .blocked(let refusal)? = proposal.guardResult { return refusal.description }
            if let reason = proposal.noTradeReason { return reason }
            return nil
        }
        if let signal = index.signal, signal.direction == .avoid {
            return signal.reasons.isEmpty ? "avoid" : "avoid: " + signal.reasons.joined(separator: "; ")
        }
        return nil
    }

    /// An open position with the levels its exit rules watch (`ExitRules`): the hard stop, the target, where
    /// breakeven arms, and the trailing stop once it has.
    static func position(_ state: EngineState, _ position: Position, risk: RiskConfig?) -> String {
        let entry = position.entryAverage
        let hardStop = risk.map { entry - $0.stopLoss.of(entry) }
        let target = risk.map { entry + $0.takeProfit.of(entry) }
        let breakevenAt = risk.map { entry + $0.breakevenAfterGain.of(entry) }
        let trail =
            position.breakevenArmed
            ? risk.map { position.highWaterMark - $0.exitDrop.of(position.highWaterMark) } : nil
        // The stop the rules hold now: the hard stop, raised to the entry price once breakeven arms.
        let stop = position.stop > .zero ? position.stop : hardStop
        return """
            {"id":\(string(position.id.value)),"index":\(string(position.index)),\
            "instrument":\(string(position.contractLabel)),"phase":\(string(position.phase.rawValue)),\
            "quantity":\(position.quantity),"entry":\(entry),"last":\(position.lastPrice.map(\.description) ?? "null"),\
            "stop":\(paise(stop)),"target":\(paise(target)),"breakeven_at":\(paise(breakevenAt)),\
            "breakeven_armed":\(position.breakevenArmed),"trail_stop":\(paise(trail)),\
            "high_water_mark":\(position.highWaterMark),"profit_lock_armed":\(position.profitLockArmed),\
            "unrealised":\(position.unrealized),"net":\(position.netPnL)}
            """
    }

    /// An order the broker has not settled: an entry not yet filled, or an exit being sold.
    static func order(_ state: EngineState, _ position: Position) -> String {
        let quiet = position.quietSeconds(at: state.now).map(String.init) ?? "null"
        let selling = position.phase == .exiting
        return """
            {"id":\(string(position.id.value)),"instrument":\(string(position.contractLabel)),\
            "side":\(string(selling ? "SELL" : "BUY")),"phase":\(string(position.phase.rawValue)),\
            "quantity":\(selling ? position.quantity : position.orderedQuantity - position.entryFilled),\
            "attempts":\(position.exitAttempts),"quiet_s":\(quiet),\
            "stuck":\(position.orderStuck)}
            """
    }

    static func string(_ value: String) -> String { jsonString(value) }

    static func list(_ values: [String]) -> String { "[" + values.map(jsonString).joined(separator: ",") + "]" }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2f", value) : "null"
    }

    static func paise(_ value: Paise?) -> String { value.map(\.description) ?? "null" }

    static func time(_ value: Timestamp?) -> String { value.map { string($0.istString) } ?? "null" }
}
