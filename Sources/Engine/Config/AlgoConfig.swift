import Domain

/// A fraction held exactly as basis points (1 = 0.01 %), so money maths stays in integers.
public struct BasisPoints: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }

    /// Rounds a fraction (0.30) to basis points (3000).
    public init(fraction: Double) { value = Int64((fraction * 10_000).rounded()) }

    /// `amount` × this fraction, rounded down to the paisa.
    public func of(_ amount: Paise) -> Paise { Paise(amount.value * value / 10_000) }

    public var fraction: Double { Double(value) / 10_000 }
    public var description: String { "\(fraction)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// One traded index and its contract facts.
public struct IndexConfig: Equatable, Sendable, Codable {
    /// Which expiry cadence the engine trades for this index.
    public enum ExpiryPreference: String, Sendable, Equatable, Codable {
        case weekly, monthly
    }

    public var key: String
    public var instrument: InstrumentKey
    public var exchange: Exchange
    public var optionSegment: ExchangeSegment
    public var strikeStep: Paise
    public var lotSize: Int64
    public var freezeQuantity: Int64
    public var capitalAllocation: BasisPoints?
    public var maxSameSide: Int
    public var cooldownSeconds: Int64
    public var expiry: ExpiryPreference
}

/// One validation mode's floors and switches.
public struct ValidationMode: Equatable, Sendable, Codable {
    public var adxMinStrength: Double
    public var adxConfirmationMinStrength: Double?
    /// Seconds after IST midnight.
    public var thetaCutoff: Int
    public var ivRankRange: ClosedRange<Double>
    public var trendConfirmationBars: Int
    public var requireIVRankCheck: Bool
    public var requireThetaRiskCheck: Bool
    public var requireTrendConfirmation: Bool
}

/// Signal parameters.
public struct SignalConfig: Equatable, Sendable, Codable {
    /// Fixed or adaptive Supertrend multiplier.
    public enum SupertrendMode: String, Sendable, Equatable, Codable {
        case standard, adaptive
    }

    public var primaryMinutes: Int
    public var confirmationMinutes: Int
    public var validationModeName: String
    public var validationMode: ValidationMode
    public var supertrendMode: SupertrendMode
    public var supertrendPeriod: Int
    public var supertrendMultiplier: Double
    public var adaptiveCandidates: [Double]
    public var adxPeriod: Int
    public var adxMinStrength: Double
    public var adxConfirmationMinStrength: Double
    public var maxScaleMultiplier: Int
    public var scaleDecaySeconds: Int64

    /// The 5m ADX threshold: the validation mode's when it sets one, else `signals.adx.confirmation_min_strength`.
    public var confirmationThreshold: Double { validationMode.adxConfirmationMinStrength ?? adxConfirmationMinStrength }

    /// Closed 1m bars needed before a signal is more than "warming up".
    public var primaryWarmupBars: Int { max(2 * adxPeriod, supertrendPeriod + 1) }
}

/// Option-chain filters for strike selection.
public struct OptionChainConfig: Equatable, Sendable, Codable {
    public var minIV: Double
    public var maxIV: Double
    public var minOI: Int64
    public var maxSpreadPercent: Double
    public var strikesBeyondATM: Int
    public var expirySwitchTime: Int
    public var minRequestIntervalSeconds: Int64
}

/// A capital band: balances up to `upTo` (nil: no limit) allocate and risk these fractions.
public struct CapitalBand: Equatable, Sendable, Codable {
    public var upTo: Paise?
    public var allocation: BasisPoints
    public var risk: BasisPoints
}

/// Position-sizing parameters.
public struct SizingConfig: Equatable, Sendable, Codable {
    public var maxLots: Int64
    public var bands: [CapitalBand]
}

/// Risk and exit parameters (used by the entry guard and the exit rules).
public struct RiskConfig: Equatable, Sendable, Codable {
    /// Where the hard stop lives while a position is open.
    public enum BrokerProtection: String, Sendable, Equatable, Codable {
        case superOrder = "super_order"
        case none
    }

    public var stopLoss: BasisPoints
    public var takeProfit: BasisPoints
    public var breakevenAfterGain: BasisPoints
    public var exitDrop: BasisPoints
    public var minProfitLock: Paise
    public var dailyLossLimit: BasisPoints
    public var timeExit: Int
    public var brokerProtection: BrokerProtection
    /// Seconds a held option may go without a tick before the engine fetches its quote (0.4.3 on).
    public var quoteAfterSeconds: Int64 = 5
    /// Seconds an exit order may stay unfilled before it is cancelled and sent again (0.4.3 on).
    public var exitResendAfterSeconds: Int64 = 20
    /// Times an exit is re-sent before the engine stops and escalates (0.4.3 on).
    public var exitResendLimit = 5
    /// Seconds a partly filled entry may rest without a fill before its remainder is cancelled (0.4.3 on).
    public var entryRemainderCancelSeconds: Int64 = 30
    /// Whether a call and a put may be held on one index at once (0.4.3 on; off by default).
    public var allowCallAndPut = false
    /// The unrealised profit that arms the profit lock (0.4.3 on).
    ///
    /// Once armed, the lock exits at `minProfitLock`. Absent from the file: one and a half times the lock.
    public var profitLockArm: Paise = .zero
}

/// The whole validated trading configuration.
public struct AlgoConfig: Equatable, Sendable, Codable {
    public var mode: TradingMode
    public var entryCutoff: Int
    /// Indices in file order.
    public var indices: [IndexConfig]
    public var signals: SignalConfig
    public var optionChain: OptionChainConfig
    public var sizing: SizingConfig
    public var risk: RiskConfig
    public var charges: ChargesConfig
    public var calendar: TradingCalendar
    /// Where the broker lives and which clock the runtime follows (`dhan:`); the engine itself never reads it.
    public var broker = BrokerSettings()
    /// The paper broker's account (`paper:`).
    public var paper = PaperSettings()
    /// The journaled files this configuration was parsed from: a session that carries the same files
    /// reuses the parse (a backtest or replay of many days parses once).
    public var sourceFiles: [ConfigFile] = []

    public func index(_ key: String) -> IndexConfig? { indices.first { $0.key == key } }
    public func index(for instrument: InstrumentKey) -> IndexConfig? { indices.first { $0.instrument == instrument } }
}

/// The broker endpoints and the runtime's clock, from the optional `dhan:` section.
public struct BrokerSettings: Equatable, Sendable, Codable {
    /// Which clock timers follow: the wall clock in IST, or the simulator's (for accelerated sessions).
    public enum Clock: String, Sendable, Codable {
        case wall, simulator
    }

    public var restURL = "https://api.dhan.co/v2"
    public var feedURL = "wss://api-feed.dhan.co"
    public var orderFeedURL = "wss://api-order-update.dhan.co"
    public var clock = Clock.wall

    public init() {}
}

/// The paper broker's account, from the optional `paper:` section.
public struct PaperSettings: Equatable, Sendable, Codable {
    public var startingBalance: Paise = .rupees(200_000)
    /// Ticks (₹0.05) a paper fill pays beyond the touch.
    public var slippageTicks = 1

    public init() {}
}
