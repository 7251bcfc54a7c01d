import Domain
import Engine

/// A parameter sweep read from its YAML file: what to backtest, on which data, and the grid of `algo.yml`
/// values to try, one backtest (a cell) per combination.
///
/// ```yaml
/// kind: proxy                      # proxy | engine
/// data: [NIFTY_1m.csv]             # relative to this file
/// vary:
///   signals.supertrend.multiplier: [2.0, 3.0, 4.0]
///   signals.adx.min_strength: { from: 15, to: 25, step: 5 }
/// ```
public struct SweepPlan: Sendable, Equatable {
    /// Which backtest each cell runs.
    public enum Kind: String, Sendable, Equatable {
        /// The index signal study (`scalper backtest --proxy index`): points of the index, no costs.
        case proxy
        /// The full engine trading options against the paper broker (`scalper backtest`), rupees after charges.
        case engine
    }

    /// One varied key and the values it takes, as YAML scalar text.
    public struct Axis: Sendable, Equatable {
        public var key: String
        public var values: [String]
    }

    /// One backtest of the grid.
    public struct Cell: Sendable, Equatable {
        /// Stable across runs and machines: a hash of the sorted `key=value` pairs.
        public var id: String
        /// The overrides in the plan's key order.
        public var overrides: [ConfigOverride]
    }

    /// Where an engine cell's option prices come from.
    public enum Premiums: Sendable, Equatable {
        /// Black-Scholes on the index path (`scalper backtest --options model`).
        case model
        /// What DhanHQ recorded, from a history store (`scalper backtest --options history`); nil store: the
        /// default one.
        case history(store: String?, spreadPercent: Double, slippageTicks: Int)
    }

    public var kind: Kind
    public var premiums: Premiums
    /// Candle files (CSV or DhanHQ chart JSON), resolved against the sweep file's folder; empty with recorded
    /// premiums, whose index candles come from the store.
    public var data: [String]
    /// Only these symbols (empty: all in the data).
    public var indices: [String]
    public var from: CivilDate?
    public var to: CivilDate?
    /// Paper starting balance of an engine cell.
    public var balanceRupees: Int64
    public var axes: [Axis]

    /// Every combination, the last axis varying fastest.
    public var cells: [Cell] {
        var combos: [[ConfigOverride]] = [[]]
        for axis in axes {
            combos = combos.flatMap { combo in axis.values.map { combo + [ConfigOverride(key: axis.key, value: $0)] } }
        }
        return combos.map { Cell(id: Self.id(of: $0), overrides: $0) }
    }

    /// A cell's id: FNV-1a over its pairs sorted by key, so reordering the file's keys keeps every id.
    static func id(of overrides: [ConfigOverride]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for pair in overrides.sorted(by: { $0.key < $1.key }) {
            for byte in "\(pair.key)=\(pair.value)\n".utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return "c" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Reads a sweep file's text; `folder` is where relative data paths start.
    public static func parse(_ text: String, file: String, folder: String) throws(ConfigError) -> SweepPlan {
        let root = try ConfigNode.parse(text, file: file)
        let allowed: Set<String> = [
            "kind", "options", "store", "spread_pct", "slippage_ticks", "data", "indices", "from", "to", "balance",
            "vary",
        ]
        _ = try root.entries(allowed: allowed)
        let kindNode = try root.required("kind")
        guard let kind = Kind(rawValue: try kindNode.string()) else {
            throw kindNode.error("must be proxy or engine")
        }
        func resolve(_ path: String) -> String { path.hasPrefix("/") || folder.isEmpty ? path : folder + "/" + path }
        var premiums = Premiums.model
        if let optionsNode = try root.optional("options") {
            switch try optionsNode.string() {
            case "model": break
            case "history":
                guard kind == .engine else { throw optionsNode.error("recorded premiums need kind: engine") }
                premiums = .history(
                    store: try root.optional("store").map { node throws(ConfigError) in resolve(try node.string()) },
                    spreadPercent: try root.optional("spread_pct")?.double(in: 0...50) ?? 0.5,
                    slippageTicks: try root.optional("slippage_ticks")?.int(in: 0...100) ?? 1)
            default: throw optionsNode.error("must be model or history")
            }
        }
        if premiums == .model {
            for key in ["store", "spread_pct", "slippage_ticks"] where try root.optional(key) != nil {
                throw try root.required(key).error("only with options: history")
            }
        }
        var data: [String] = []
        if premiums == .model {
            let dataNode = try root.required("data")
            data = try dataNode.items().map { node throws(ConfigError) in resolve(try node.string()) }
            guard !data.isEmpty else { throw dataNode.error("give at least one candle file") }
        } else if let dataNode = try root.optional("data") {
            throw dataNode.error("recorded premiums read the index candles from the store; drop data")
        }
        let indices = try root.optional("indices")?.items().map { node throws(ConfigError) in try node.string() } ?? []
        let from = try root.optional("from").map { node throws(ConfigError) in try node.date() }
        let to = try root.optional("to").map { node throws(ConfigError) in try node.date() }
        if let from, let to, from > to { throw root.error("from \(from) is after to \(to)") }
        if premiums != .model && (from == nil || to == nil) { throw root.error("options: history needs from and to") }
        let balance = try root.optional("balance")?.int(in: 1_000...1_000_000_000) ?? 200_000
        let varyNode = try root.required("vary")
        var axes: [Axis] = []
        for (key, node) in try varyNode.entries() {
            axes.append(Axis(key: key, values: try values(node)))
        }
        guard !axes.isEmpty else { throw varyNode.error("vary at least one key") }
        let plan = SweepPlan(
            kind: kind, premiums: premiums, data: data, indices: indices, from: from, to: to,
            balanceRupees: Int64(balance), axes: axes)
        let count = axes.reduce(1) { $0 * $1.values.count }
        guard count <= 1_000_000 else { throw varyNode.error("\(count) cells; at most 1,000,000") }
        return plan
    }

    /// A list of scalars, or a range `{from, to, step}` written with the step's decimals.
    private static func values(_ node: ConfigNode) throws(ConfigError) -> [String] {
        if node.node.sequence != nil {
            let values = try node.items().map { item throws(ConfigError) in
                guard let text = item.node.scalar?.string else { throw item.error("expected a single value") }
                guard !text.contains(","), !text.contains("\n") else {
                    throw item.error("a swept value cannot hold a comma or a line break")
                }
                return text
            }
            guard !values.isEmpty else { throw node.error("give at least one value") }
            guard Set(values).count == values.count else { throw node.error("a value is listed twice") }
            return values
        }
        guard node.node.mapping != nil else { throw node.error("expected a list of values or {from, to, step}") }
        _ = try node.entries(allowed: ["from", "to", "step"])
        let from = try node.required("from").double()
        let to = try node.required("to").double()
        let stepNode = try node.required("step")
        let step = try stepNode.double()
        guard step > 0 else { throw stepNode.error("must be above 0") }
        guard to >= from else { throw node.error("to is below from") }
        let count = Int(((to - from) / step + 1e-9).rounded(.down)) + 1
        guard count <= 10_000 else { throw node.error("\(count) values; at most 10,000") }
        let stepText = try stepNode.string()
        let fromText = try node.required("from").string()
        let decimals = max(decimalPlaces(stepText), decimalPlaces(fromText))
        return (0..<count).map { format(from + Double($0) * step, decimals: decimals) }
    }

    private static func decimalPlaces(_ text: String) -> Int {
        guard let dot = text.firstIndex(of: ".") else { return 0 }
        return text.distance(from: text.index(after: dot), to: text.endIndex)
    }

    /// Fixed decimals without Foundation: rounds half away from zero.
    static func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(scaled) }
        let whole = scaled / Int64(scale)
        let fraction = String(scaled % Int64(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
