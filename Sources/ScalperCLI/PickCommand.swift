import ArgumentParser
import Dhan
import Domain
import Engine
import Foundation

/// `scalper pick`: the engine's strike selection and sizing on a saved option chain, as JSON.
struct PickCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pick",
        abstract: "Run strike selection (and sizing) on a DhanHQ option-chain body and print every candidate as JSON.",
        discussion: """
            Shows why each strike was or was not taken: spot, ATM, every candidate with its quote and either its \
            score (0-210) or the reason it was rejected, the chosen contract and, with --balance, the lots. The \
            chain is a DhanHQ /v2/optionchain response body, or a file holding it under "response". A chain \
            without security ids (older DhanHQ responses) is studied without the contract-existence check, \
            which the output says.
            """
    )

    @Option(help: "The option-chain file.")
    var chain: String

    @Option(help: "Index key from the configuration, e.g. NIFTY.")
    var index: String

    @Option(help: "bullish (buys CE) or bearish (buys PE).")
    var direction: String

    @Option(help: "Decision time in IST, 'YYYY-MM-DD HH:MM' (sets the delta floor).")
    var at: String

    @Option(help: "Available balance in rupees, for sizing.")
    var balance: Int64?

    @Option(help: "Lot size (default: the index's configured lot size).")
    var lot: Int64?

    @Option(help: "Expiry of the chain, YYYY-MM-DD (default: from the recorded request, if any).")
    var expiry: String?

    @Option(help: ConfigLoader.optionHelp)
    var config: String?

    func validate() throws {
        guard ["bullish", "bearish"].contains(direction) else {
            throw ValidationError("--direction must be bullish or bearish")
        }
        guard decisionTime() != nil else { throw ValidationError("--at must be 'YYYY-MM-DD HH:MM' (IST)") }
        if let balance, balance <= 0 { throw ValidationError("--balance must be positive") }
        if let lot, lot <= 0 { throw ValidationError("--lot must be positive") }
    }

    private func decisionTime() -> Timestamp? {
        let parts = at.split(separator: " ")
        guard parts.count == 2, let date = CivilDate(iso: parts[0]) else { return nil }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 2, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]) else { return nil }
        return Timestamp.ist(date, clock[0], clock[1])
    }

    func run() async throws {
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try ConfigLoader.load(explicit: config)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        guard let indexConfig = loaded.config.index(index) else {
            printError(
                "error: no index '\(index)' in \(loaded.source.label) (configured: \(loaded.config.indices.map(\.key).joined(separator: ", ")))"
            )
            throw ExitCode(64)
        }
        let body: Data
        do {
            body = try Data(contentsOf: URL(fileURLWithPath: chain))
        } catch {
            printError("error: cannot read \(chain): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let snapshot: OptionChainSnapshot
        do {
            let response = try OptionChainResponse.decode(body, source: chain)
            let expiryDate = expiry.flatMap { CivilDate(iso: $0) } ?? recordedExpiry(body) ?? decisionTime()!.istDate
            snapshot = try response.snapshot(underlying: indexConfig.instrument, expiry: expiryDate, source: chain)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let time = decisionTime()!
        let hasIDs = snapshot.strikes.contains { $0.call?.securityID != nil || $0.put?.securityID != nil }
        let selection = StrikeSelector.select(
            chain: snapshot, direction: direction == "bullish" ? .bullish : .bearish, index: indexConfig,
            config: loaded.config.optionChain, at: time, contractCheck: hasIDs ? .chainSecurityID : .skip)

        func candidateFields(_ candidate: StrikeCandidate) -> [Field] {
            var fields: [Field] = [.paise("strike", candidate.strike), .string("type", candidate.type.code)]
            if let quote = candidate.quote {
                fields += [
                    .paise("ltp", quote.lastPrice), Field("iv", .double(quote.impliedVolatility)),
                    .int("oi", quote.openInterest),
                    Field("delta", .double(quote.delta)), .paise("bid", quote.bestBid), .paise("ask", quote.bestAsk),
                    Field("security_id", quote.securityID.map { .int(Int64($0.value)) } ?? .string("unknown")),
                ]
            }
            if let score = candidate.score { fields.append(Field("score", .double(score))) }
            if let note = candidate.scoreNote { fields.append(.string("score_note", note)) }
            if let rejection = candidate.rejection { fields.append(.string("rejected", rejection)) }
            return fields
        }
        var output: [Field] = [
            .string("index", indexConfig.key), .string("direction", direction), .string("at", time.istString + " IST"),
            .text("expiry", selection.expiry), .paise("spot", selection.spot), .paise("atm", selection.atm),
            Field("min_delta", .double(StrikeSelector.minimumDelta(secondOfDay: Int(time.istSecondOfDay)))),
            .string("contract_check", hasIDs ? "chain security ids" : "skipped: the chain carries no security ids"),
            Field("candidates", .list(selection.candidates.map { .object(candidateFields($0)) })),
            Field("chosen", selection.chosen.map { .object(candidateFields($0)) } ?? .string("none")),
        ]
        if let balance, let chosen = selection.chosen, let premium = chosen.quote?.lastPrice {
            let lotSize = lot ?? indexConfig.lotSize
            let sizing = PositionSizer.size(
                balance: .rupees(balance), premium: premium, lotSize: lotSize, index: indexConfig,
                sizing: loaded.config.sizing,
                stopLoss: loaded.config.risk.stopLoss)
            output += [
                .int("lot_size", lotSize), .paise("balance", .rupees(balance)), .paise("allocation", sizing.allocation),
                .paise("risk_capital", sizing.riskCapital), .int("lots", sizing.lots),
                .int("quantity", sizing.quantity),
                Field("orders", .list(sizing.orderQuantities.map { .int($0) })),
            ]
            if let reason = sizing.zeroReason { output.append(.string("zero_lots", reason)) }
        }
        print(output.json)
    }

    /// The expiry from a recorded exchange's request (`Expiry` per the docs; `expiry` as recorded).
    private func recordedExpiry(_ body: Data) -> CivilDate? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let request = object["request"] as? [String: Any],
            let text = (request["Expiry"] ?? request["expiry"]) as? String
        else { return nil }
        return CivilDate(iso: text)
    }
}
