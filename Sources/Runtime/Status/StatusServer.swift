import Domain
import Engine
import Foundation
import Hummingbird
import Logging
import Recovery
import Synchronization

/// The status and control API on loopback: health, state, Prometheus metrics, the kill switch and the
/// circuit reset (bearer token), and a small self-refreshing HTML page.
public enum StatusServer {
    /// Builds the HTTP application; run it beside the runtime.
    ///
    /// Refuses (`ControlGuard.Refusal`) to listen beyond loopback without a control token.
    public static func application(
        runtime: TradingRuntime, host: String = "127.0.0.1", port: Int, controlToken: String?, logger: Logger,
        onRunning: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws(ControlGuard.Refusal) -> some ApplicationProtocol {
        try ControlGuard.checkBinding(host: host, token: controlToken)
        let router = Router()
        router.add(middleware: ControlGuard.Limits(logger: logger))
        router.get("/livez") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            let (ready, reasons) = await readiness(runtime)
            return text(
                ready ? "ready\n" : "not ready: \(reasons.joined(separator: "; "))\n",
                status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/status") { _, _ -> Response in
            json(await statusJSON(runtime))
        }
        router.get("/metrics") { _, _ -> Response in
            text(await metrics(runtime), contentType: "text/plain; version=0.0.4")
        }
        router.post("/kill-switch") { request, _ -> Response in
            guard authorised(request, controlToken) else {
                return text("bearer token required\n", status: .unauthorized)
            }
            let engage = request.uri.queryParameters["engaged"].map { $0 != "false" } ?? true
            try await runtime.operatorCommand(.killSwitch(engaged: engage))
            return text("kill switch \(engage ? "engaged" : "released")\n")
        }
        router.post("/circuit/reset") { request, _ -> Response in
            guard authorised(request, controlToken) else {
                return text("bearer token required\n", status: .unauthorized)
            }
            try await runtime.operatorCommand(.circuitReset)
            return text("circuit breaker reset\n")
        }
        router.get("/") { _, _ -> Response in
            text(await page(runtime), contentType: "text/html; charset=utf-8")
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "scalper"),
            onServerRunning: { onRunning($0.localAddress?.port ?? 0) }, logger: logger)
    }

    static func authorised(_ request: Request, _ token: String?) -> Bool {
        ControlGuard.authorised(request.headers[.authorization], token: token)
    }

    static func text(
        _ body: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8"
    )
        -> Response
    {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ body: String) -> Response { text(body, contentType: "application/json") }

    static func readiness(_ runtime: TradingRuntime) async -> (Bool, [String]) {
        let health = runtime.healthSnapshot
        var reasons: [String] = []
        if !health.journalHealthy {
            reasons.append("journal cannot be written (no entries until it can): \(health.journalError ?? "")")
        }
        if health.feed != .connected { reasons.append("market feed \(health.feed)") }
        if health.feedStale { reasons.append("feed stale") }
        if health.authExpired { reasons.append("broker session expired (DH-901)") }
        if runtime.options.mode == .live {
            if health.orderStream != .connected { reasons.append("order stream \(health.orderStream)") }
            if let reconciliation = health.reconciliation, !reconciliation.clean {
                reasons.append("reconciliation mismatch: \(reconciliation.notes.joined(separator: ", "))")
            }
        }
        return (reasons.isEmpty, reasons)
    }

    static func statusJSON(_ runtime: TradingRuntime) async -> String {
        let state = await runtime.sequencer.state
        let health = runtime.healthSnapshot
        let (ready, reasons) = await readiness(runtime)
        let reconciliation =
            health.reconciliation.map { "{\"clean\":\($0.clean),\"notes\":\(quoted($0.notes))}" } ?? "null"
        return """
            {"mode":"\(runtime.options.mode)","ready":\(ready),"not_ready":\(quoted(reasons)),\
            "feed":"\(health.feed)","order_stream":"\(health.orderStream)","feed_stale":\(health.feedStale),\
            "auth_expired":\(health.authExpired),"reconciliation":\(reconciliation),\
            "last_seq":\(state.lastSeq),"recovery":{"records":\(health.recoveredRecords),\
            "snapshot_seq":\(health.resumedFromSeq.map(String.init) ?? "null"),"folded_records":\(health.foldedRecords),\
            "rebuild_ms":\(String(format: "%.1f", health.rebuildMilliseconds))},\
            "exiting":\(exiting(state)),"day":\(day(state)),"open":\(open(state)),\
            "engine":\(StateJSON.render(state))}
            """
    }

    /// The day at a glance: net PnL (realised, unrealised, less charges), the MTM extremes, breaker and kill switch.
    static func day(_ state: EngineState) -> String {
        let risk = state.dayRisk
        return """
            {"net":\(state.dayNetPnL),"max_mtm":\(risk?.maxMTM ?? .zero),"min_mtm":\(risk?.minMTM ?? .zero),\
            "circuit_tripped":\(risk?.circuitTripped ?? false),"kill_switch":\(risk?.killSwitch ?? false)}
            """
    }

    /// Open positions: instrument, phase, quantity, entry average, stop, last price and unrealised PnL.
    static func open(_ state: EngineState) -> String {
        let items = state.openPositions.map { position in
            """
            {"id":"\(position.id)","instrument":"\(position.instrument)","phase":"\(position.phase.rawValue)",\
            "quantity":\(position.quantity),"entry":\(position.entryAverage),\
            "last":\(position.lastPrice.map(\.description) ?? "null"),"stop":\(position.stop),\
            "unrealised":\(position.unrealized)}
            """
        }
        return "[" + items.joined(separator: ",") + "]"
    }

    /// Positions being sold, with how long the broker has been quiet about them and whether the engine has
    /// given up re-sending (`stuck`: sell by hand), so an exit that does not complete is visible at a glance.
    ///
    /// `position` is the first slice's id for an entry split at the freeze quantity (each slice sells apart).
    static func exiting(_ state: EngineState) -> String {
        let items = state.positions.filter { $0.phase == .exiting }.map { position in
            let quiet = position.orderActivityAt.map { String(state.now.epochSeconds - $0.epochSeconds) } ?? "null"
            return """
                {"id":"\(position.id)","position":"\(position.positionID)","instrument":"\(position.instrument)","quantity":\(position.quantity),\
                "attempts":\(position.exitAttempts),"quiet_s":\(quiet),\
                "stuck":\(position.exitStuckReported || position.stallReported)}
                """
        }
        return "[" + items.joined(separator: ",") + "]"
    }

    static func quoted(_ items: [String]) -> String {
        let encoder = JSONEncoder()
        return String(decoding: (try? encoder.encode(items)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func metrics(_ runtime: TradingRuntime) async -> String {
        runtime.metrics.exposition()
    }

    /// The intraday MTM as an inline SVG polyline (no scripts, no network).
    static func chart(_ points: [(time: Timestamp, pnl: Paise)]) -> String {
        let width = 720.0
        let height = 160.0
        guard points.count >= 2, let first = points.first, let last = points.last else {
            return "<svg width=\"\(Int(width))\" height=\"\(Int(height))\"></svg>"
        }
        let low = min(points.map(\.pnl.value).min()!, 0)
        let high = max(points.map(\.pnl.value).max()!, 0)
        let span = Double(max(high - low, 1))
        let duration = Double(max(last.time.epochSeconds - first.time.epochSeconds, 1))
        func y(_ value: Int64) -> Double { height - 10 - (Double(value - low) / span) * (height - 20) }
        let line = points.map { point in
            let x = 10 + Double(point.time.epochSeconds - first.time.epochSeconds) / duration * (width - 20)
            return String(format: "%.1f,%.1f", x, y(point.pnl.value))
        }.joined(separator: " ")
        return """
            <svg width="\(Int(width))" height="\(Int(height))" xmlns="http://www.w3.org/2000/svg">\
            <line x1="10" x2="\(Int(width - 10))" y1="\(String(format: "%.1f", y(0)))" y2="\(String(format: "%.1f", y(0)))" stroke="#bbb"/>\
            <polyline fill="none" stroke="#1565c0" stroke-width="2" points="\(line)"/></svg>
            """
    }

    static func page(_ runtime: TradingRuntime) async -> String {
        let state = await runtime.sequencer.state
        let rows = state.positions.map { position in
            "<tr><td>\(position.entryTag)</td><td>\(position.phase.rawValue)</td><td>\(position.quantity)</td><td>\(position.entryAverage)</td><td>\(position.highWaterMark)</td><td>\(position.lastPrice.map(\.description) ?? "")</td><td>\(position.realized)</td></tr>"
        }.joined()
        return """
            <!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
            <title>AlgoScalper</title><style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse}
            td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>
            <h1>AlgoScalper — \(runtime.options.mode)</h1>
            <p>Time \(state.now.istString) · seq \(state.lastSeq) · day PnL net ₹\(state.dayNetPnL) · breaker \(state.dayRisk?.circuitTripped == true ? "TRIPPED" : "ok")</p>
            \(chart(runtime.healthSnapshot.mtm))
            <table><tr><th>tag</th><th>phase</th><th>qty</th><th>entry</th><th>HWM</th><th>last</th><th>realised</th></tr>\(rows)</table>
            </body></html>
            """
    }
}
