import Domain
import Engine

/// The base `algo.yml` a sweep starts from, and each cell's configuration: the base with the cell's values
/// put in, read by the same parser as `scalper run`, so a key it would refuse is refused here with its reason.
public struct SweepConfigs: Sendable {
    public var algoText: String
    public var file: String
    public var calendar: TradingCalendar
    /// The calendar's text, recorded with each engine cell's session like `scalper backtest` does.
    public var calendarText: String

    public init(algoText: String, file: String, calendar: TradingCalendar, calendarText: String) {
        self.algoText = algoText
        self.file = file
        self.calendar = calendar
        self.calendarText = calendarText
    }

    /// The YAML text and parsed configuration of one cell.
    public func config(_ overrides: [ConfigOverride]) throws(ConfigError) -> (text: String, config: AlgoConfig) {
        let text = try ConfigOverride.apply(overrides, to: algoText, file: file)
        return (text, try AlgoConfig.parse(yaml: text, file: file, calendar: calendar))
    }

    /// The study parameters a configuration gives the index proxy.
    public static func proxyParameters(_ config: AlgoConfig) -> ProxyStudy.Parameters {
        let signals = config.signals
        return ProxyStudy.Parameters(
            supertrendPeriod: signals.supertrendPeriod, supertrendMultiplier: signals.supertrendMultiplier,
            adxPeriod: signals.adxPeriod, adx1mThreshold: signals.adxMinStrength,
            adx5mThreshold: signals.confirmationThreshold)
    }

    /// Checks every value of every axis against the config parser, and for a proxy sweep that each key
    /// changes what the study reads (a key it ignores would give identical cells).
    public func validate(_ plan: SweepPlan) throws(ConfigError) {
        for axis in plan.axes {
            var parameters: [ProxyStudy.Parameters] = []
            for value in axis.values {
                let config: AlgoConfig
                do {
                    config = try self.config([ConfigOverride(key: axis.key, value: value)]).config
                } catch {
                    throw ConfigError(
                        file: error.file, key: error.key.isEmpty ? axis.key : error.key,
                        reason: "with \(axis.key) = \(value): \(error.reason)")
                }
                parameters.append(Self.proxyParameters(config))
            }
            if plan.kind == .proxy, axis.values.count > 1, Set(parameters).count == 1 {
                throw ConfigError(
                    file: "sweep", key: axis.key,
                    reason:
                        "the index proxy study does not read it (it reads signals.supertrend.period and multiplier, signals.adx.period, the 1m and 5m ADX thresholds and signals.validation_mode); use kind: engine"
                )
            }
        }
    }

}
