import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// Talks to a running `scalper run` over its status API.
enum ControlClient {
    /// GET or POST `path` on `base`; the status code and body, or a clear error when nothing answers.
    static func call(_ base: String, _ path: String, method: String = "GET", token: String? = nil) async throws
        -> (status: Int, body: String)
    {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: (base.hasSuffix("/") ? String(base.dropLast()) : base) + path)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        do {
            let response = try await http.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 64 << 20)
            try await http.shutdown()
            return (Int(response.status.code), String(buffer: body))
        } catch {
            try? await http.shutdown()
            printError("error: nothing answered at \(base)\(path) (is scalper run up, with --http-port?): \(error)")
            throw ExitCode(2)
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running scalper run's state: readiness, connections, the day's PnL, open positions.",
        discussion: "Exit 0 when it is ready, 1 when it is not, 2 when nothing answers.")

    @Option(help: "The status API's address.")
    var url = "http://127.0.0.1:8080"

    @Flag(help: "Print /status's JSON as it is.")
    var json = false

    func run() async throws {
        let (code, body) = try await ControlClient.call(url, "/status")
        guard code == 200, let status = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        else {
            printError("error: \(url)/status answered \(code)")
            throw ExitCode(2)
        }
        if json {
            print(body)
        } else {
            print(Self.render(status))
        }
        if status["ready"] as? Bool != true { throw ExitCode(1) }
    }

    /// The status as lines a person reads.
    static func render(_ status: [String: Any]) -> String {
        func text(_ value: Any?) -> String {
            switch value {
            case let number as NSNumber: number.stringValue
            case let string as String: string
            default: "-"
            }
        }
        let ready = status["ready"] as? Bool == true
        let reasons = (status["not_ready"] as? [String]) ?? []
        let day = status["day"] as? [String: Any] ?? [:]
        var lines = [
            "scalper run (\(text(status["mode"]))): "
                + (ready ? "ready" : "NOT READY: \(reasons.joined(separator: "; "))"),
            "feed \(text(status["feed"])) · order stream \(text(status["order_stream"])) · journal seq \(text(status["last_seq"]))",
            "day net ₹\(text(day["net"])) (max ₹\(text(day["max_mtm"])), min ₹\(text(day["min_mtm"]))) · breaker "
                + (day["circuit_tripped"] as? Bool == true ? "TRIPPED" : "ok") + " · kill switch "
                + (day["kill_switch"] as? Bool == true ? "ENGAGED" : "off"),
        ]
        let open = status["open"] as? [[String: Any]] ?? []
        lines.append(open.isEmpty ? "open positions: none" : "open positions:")
        for position in open {
            lines.append(
                "  \(text(position["instrument"])) \(text(position["phase"])) \(text(position["quantity"])) @ ₹\(text(position["entry"])) · last ₹\(text(position["last"])) · stop ₹\(text(position["stop"])) · unrealised ₹\(text(position["unrealised"]))"
            )
        }
        let exiting = status["exiting"] as? [[String: Any]] ?? []
        for position in exiting {
            lines.append(
                "  exiting \(text(position["instrument"])) \(text(position["quantity"])): attempt \(text(position["attempts"])), broker quiet \(text(position["quiet_s"])) s"
                    + (position["stuck"] as? Bool == true ? " — STUCK, sell by hand" : ""))
        }
        return lines.joined(separator: "\n")
    }
}

struct KillSwitchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill-switch",
        abstract: "Engage (or --release) a running scalper run's kill switch: it flattens and opens nothing more.")

    @Option(help: "The status API's address.")
    var url = "http://127.0.0.1:8080"

    @Option(name: .customLong("token-file"), help: "File with the control token (the run's --control-token-file).")
    var tokenFile: String

    @Flag(help: "Release the kill switch instead.")
    var release = false

    func run() async throws {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
        } catch {
            throw ValidationError("--token-file \(tokenFile) cannot be read")
        }
        let (code, body) = try await ControlClient.call(
            url, "/kill-switch" + (release ? "?engaged=false" : ""), method: "POST", token: token)
        guard code == 200 else {
            printError(
                "error: \(url)/kill-switch answered \(code): \(body.trimmingCharacters(in: .whitespacesAndNewlines))")
            throw ExitCode(1)
        }
        print(body.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
