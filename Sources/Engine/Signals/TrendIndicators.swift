import Indicators

/// One timeframe's Supertrend (fixed or adaptive) and ADX, fed bar by bar.
public struct TrendIndicators: Sendable, Equatable, Codable {
    /// Which Supertrend runs.
    public enum Trend: Sendable, Equatable, Codable {
        case standard(Supertrend)
        case adaptive(AdaptiveSupertrend)
    }

    public private(set) var trend: Trend
    public private(set) var adx: DirectionalMovement
    public private(set) var bars = 0
    /// Start of the last bar fed (epoch seconds), so history and live bars are never fed twice.
    public private(set) var lastBarStart: Int64?
    /// The latest readings.
    public private(set) var reading = TimeframeReading(supertrend: nil, direction: nil, adx: nil, bars: 0)
    /// Supertrend directions of the most recent bars, newest last (for trend confirmation).
    public private(set) var recentDirections: [TrendDirection] = []

    public init(config: SignalConfig) {
        switch config.supertrendMode {
        case .standard:
            trend = .standard(Supertrend(period: config.supertrendPeriod, multiplier: config.supertrendMultiplier))
        case .adaptive:
            trend = .adaptive(
                AdaptiveSupertrend(period: config.supertrendPeriod, candidates: config.adaptiveCandidates))
        }
        adx = DirectionalMovement(period: config.adxPeriod)
    }

    static let directionMemory = 20

    /// Feeds one closed bar (prices in rupees); bars not newer than the last one fed are ignored.
    public mutating func feed(start: Int64, high: Double, low: Double, close: Double) {
        if let last = lastBarStart, start <= last { return }
        lastBarStart = start
        bars += 1
        let value: SupertrendValue?
        switch trend {
        case .standard(var supertrend):
            value = supertrend.update(high: high, low: low, close: close)
            trend = .standard(supertrend)
        case .adaptive(var supertrend):
            value = supertrend.update(high: high, low: low, close: close)?.supertrend
            trend = .adaptive(supertrend)
        }
        let values = adx.update(high: high, low: low, close: close)
        reading = TimeframeReading(supertrend: value?.value, direction: value?.direction, adx: values.adx, bars: bars)
        if let direction = value?.direction {
            recentDirections.append(direction)
            if recentDirections.count > Self.directionMemory { recentDirections.removeFirst() }
        }
    }
}

/// What one timeframe says at a bar.
public struct TimeframeReading: Sendable, Equatable, Codable {
    public var supertrend: Double?
    public var direction: TrendDirection?
    public var adx: Double?
    public var bars: Int

    public init(supertrend: Double?, direction: TrendDirection?, adx: Double?, bars: Int) {
        self.supertrend = supertrend
        self.direction = direction
        self.adx = adx
        self.bars = bars
    }
}
