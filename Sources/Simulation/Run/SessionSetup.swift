import Domain
import Engine
import Journal
import MarketModel
import Recovery

/// What one simulated session is: the seed, the day, the faults and the configuration.
public struct SessionSetup: Sendable {
    public var seed: UInt64
    public var date: CivilDate
    public var plan: FaultPlan
    public var config: AlgoConfig
    public var files: [ConfigFile]
    /// Where the session's journal is written (a directory; replaced if present).
    public var journalPath: String
    /// The IST second of the day the market stops moving (15:35 by default; earlier for short fixtures).
    public var endSecondOfDay = 15 * 3600 + 35 * 60
    /// dhan-sim's market script (the demo's trend day); empty: the seeded random market.
    public var scenario = Scenario()

    public init(
        seed: UInt64, date: CivilDate, plan: FaultPlan, config: AlgoConfig, files: [ConfigFile], journalPath: String
    ) {
        self.seed = seed
        self.date = date
        self.plan = plan
        self.config = config
        self.files = files
        self.journalPath = journalPath
    }
}

/// How one simulated session went.
public struct SessionOutcome: Sendable {
    public var seed: UInt64
    public var date: CivilDate
    public var events = 0
    public var commands = 0
    public var orders = 0
    /// Positions the engine opened, and how many of them went out as freeze slices (several orders).
    public var positions = 0
    public var slicedPositions = 0
    public var faults: [FaultKind: Int] = [:]
    public var violations: [Violation] = []
    public var records: UInt64 = 0
    /// The engine's state when the session ended.
    public internal(set) var finalState = EngineState()
    /// Its hash, computed when asked for (it walks the whole state, and `scalper simulate` never prints it).
    public var stateHash: String { finalState.stateHash }
    /// FNV-1a over every journal record (kind, version, time, payload): equal digests, equal journals.
    public var journalDigest: UInt64 = 0
    public var journalPath: String
}
