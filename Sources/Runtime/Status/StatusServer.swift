import Domain
import Engine
import Foundation
import Hummingbird
import Logging
import Recovery
import Synchronization

/// The status and control API on loopback: health, state, Prometheus metrics, the kill switch and the
/// circuit reset (bearer token), and the live dashboard (`/`, fed by Server-Sent Events on `/events`).
public enum StatusServer {
    /// Builds the HTTP application; run it beside the runtime.
    ///
    /// Refuses (`ControlGuard.Refusal`) to listen beyond loopback without a control token.
    public static func application(
        runtime: TradingRuntime, host: String = "127.0.0.1", port: Int, controlToken: String?, logger: Logger,
        onRunning: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws(ControlGuard.Refusal) -> some ApplicationProtocol {
        try ControlGuard.checkBinding(host: host, token: controlToken)
        runtime.sequencer.published.enable()
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
        router.get("/events") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await stream(runtime, to: &writer)
                })
        }
        router.get("/") { _, _ -> Response in
            text(DashboardPage.html, contentType: "text/html; charset=utf-8")
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
        let view = runtime.sequencer.published.view
        let state = view.state
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
            "dashboard":\(await dashboard(runtime, view)),"engine":\(StateJSON.render(state))}
            """
    }

    /// The dashboard's object for `view` (`Dashboard`).
    static func dashboard(_ runtime: TradingRuntime, _ view: PublishedView.View) async -> String {
        let (ready, reasons) = await readiness(runtime)
        return Dashboard.json(
            view.state,
            Dashboard.Inputs(
                mode: runtime.options.mode, health: runtime.healthSnapshot, ready: ready, notReady: reasons,
                lastCommitNanos: view.lastCommitNanos, events: runtime.recentEvents.newestFirst))
    }

    /// Server-Sent Events: the dashboard's object at once, then again whenever the journal has moved.
    ///
    /// Checked every half clock second; a comment line every 15 quiet checks keeps proxies from closing the
    /// stream. Ends when the client goes away or the runtime stops.
    static func stream(_ runtime: TradingRuntime, to writer: inout any ResponseBodyWriter) async throws {
        var sentSeq: UInt64?
        var quiet = 0
        while !Task.isCancelled && !runtime.healthSnapshot.stopping {
            let view = runtime.sequencer.published.view
            if view.state.lastSeq != sentSeq {
                sentSeq = view.state.lastSeq
                quiet = 0
                let payload = await dashboard(runtime, view)
                try await writer.write(ByteBuffer(string: "id: \(view.state.lastSeq)\ndata: \(payload)\n\n"))
            } else {
                quiet += 1
                if quiet % 15 == 0 { try await writer.write(ByteBuffer(string: ": idle\n\n")) }
            }
            try await runtime.clock.sleep(untilElapsed: runtime.clock.elapsed() + runtime.clock.secondDuration / 2)
        }
        try await writer.finish(nil)
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
            let quiet = position.quietSeconds(at: state.now).map(String.init) ?? "null"
            return """
                {"id":"\(position.id)","position":"\(position.positionID)","instrument":"\(position.instrument)","quantity":\(position.quantity),\
                "attempts":\(position.exitAttempts),"quiet_s":\(quiet),\
                "stuck":\(position.orderStuck)}
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
}
