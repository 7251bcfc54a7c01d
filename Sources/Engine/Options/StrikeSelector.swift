import Domain

/// Which way a signal points; bullish buys calls, bearish buys puts (the engine never writes options).
public enum SignalDirection: String, Sendable, Equatable, CustomStringConvertible, Codable {
    case bullish, bearish, avoid

    /// The option type a signal buys, nil for avoid.
    public var optionType: OptionType? {
        switch self {
        case .bullish: .call
        case .bearish: .put
        case .avoid: nil
        }
    }

    public var description: String { rawValue }
}

/// One strike considered for an entry: its quote and either a score or the reason it was rejected.
public struct StrikeCandidate: Equatable, Sendable, Codable {
    public var strike: Paise
    public var type: OptionType
    /// Steps from the ATM strike, signed toward out of the money (0, 1, 2).
    public var stepsFromATM: Int
    public var quote: OptionQuote?
    public var score: Double?
    public var rejection: String?
    /// Why the score is lower than the quote alone gives (the in-the-money penalty), for `scalper pick`.
    public var scoreNote: String?

    public init(
        strike: Paise, type: OptionType, stepsFromATM: Int, quote: OptionQuote?, score: Double?, rejection: String?,
        scoreNote: String? = nil
    ) {
        self.strike = strike
        self.type = type
        self.stepsFromATM = stepsFromATM
        self.quote = quote
        self.score = score
        self.rejection = rejection
        self.scoreNote = scoreNote
    }
}

/// The outcome of strike selection on one chain snapshot.
public struct StrikeSelection: Equatable, Sendable, Codable {
    public var spot: Paise
    public var atm: Paise
    public var expiry: CivilDate
    public var candidates: [StrikeCandidate]
    public var chosen: StrikeCandidate?

    public init(spot: Paise, atm: Paise, expiry: CivilDate, candidates: [StrikeCandidate], chosen: StrikeCandidate?) {
        self.spot = spot
        self.atm = atm
        self.expiry = expiry
        self.candidates = candidates
        self.chosen = chosen
    }
}

/// How a candidate's existence as a tradable contract is checked.
public enum ContractCheck: Sendable, Equatable, Codable {
    /// The chain must carry the side's security id (DhanHQ v2.5 and later).
    case chainSecurityID
    /// Not checked (an offline study of a chain without ids); the caller says so in its output.
    case skip
    /// The contract must be in the instrument master (these contracts of the underlying); its security id
    /// comes from there.
    case instrumentMaster([ContractSpec])
}

/// Picks one contract from an option chain for a signal, with the original system's filters and 0–210
/// score, its known defects fixed: ATM from the configured step, one contract per signal.
public enum StrikeSelector {
    /// The minimum |delta| at a time of day: 0.08 before 11:00, 0.10 from 11:00, 0.12 from 13:00, 0.15 from 14:00.
    public static func minimumDelta(secondOfDay: Int) -> Double {
        switch secondOfDay {
        case ..<(11 * 3600): 0.08
        case ..<(13 * 3600): 0.10
        case ..<(14 * 3600): 0.12
        default: 0.15
        }
    }

    /// The spot rounded to the nearest multiple of `step` (halves round up).
    public static func atmStrike(spot: Paise, step: Paise) -> Paise {
        Paise((spot.value + step.value / 2) / step.value * step.value)
    }

    /// Evaluates every candidate strike and picks the best-scoring one (ties: nearest to spot, then lower strike).
    ///
    /// With `itmPenalty` (this build's rules) a strike in the money relative to the spot (a call below it, a
    /// put above it) gets ×0.7 on its ATM-preference points, as the original system's requirements ask
    /// ("ATM+1 for bullish, ATM−1 for bearish" when the rounded ATM is in the money).
    public static func select(
        chain: OptionChainSnapshot, direction: SignalDirection, index: IndexConfig, config: OptionChainConfig,
        at time: Timestamp, contractCheck: ContractCheck = .chainSecurityID, itmPenalty: Bool = true
    ) -> StrikeSelection {
        let spot = chain.underlyingPrice
        let atm = atmStrike(spot: spot, step: index.strikeStep)
        var selection = StrikeSelection(spot: spot, atm: atm, expiry: chain.expiry, candidates: [], chosen: nil)
        guard let type = direction.optionType else { return selection }
        let sign: Int64 = type == .call ? 1 : -1
        let minimumDelta = minimumDelta(secondOfDay: Int(time.istSecondOfDay))
        for steps in 0...config.strikesBeyondATM {
            let strike = atm + index.strikeStep * (sign * Int64(steps))
            let quote = chain.strikes.first { $0.strike == strike }.flatMap { type == .call ? $0.call : $0.put }
            var candidate = StrikeCandidate(
                strike: strike, type: type, stepsFromATM: steps, quote: quote, score: nil, rejection: nil)
            if var quote {
                candidate.rejection = rejection(
                    quote, steps: steps, config: config, minimumDelta: minimumDelta, time: time,
                    contractCheck: contractCheck)
                // The instrument master is the truth for which contracts exist and their ids.
                if candidate.rejection == nil, case .instrumentMaster(let contracts) = contractCheck {
                    if let listed = contracts.first(where: {
                        $0.expiry == chain.expiry && $0.strike == strike && $0.type == type
                    }) {
                        if let id = quote.securityID, id != listed.instrument.securityID {
                            candidate.rejection =
                                "security id \(id) differs from the instrument master's \(listed.instrument.securityID)"
                        }
                        quote.securityID = listed.instrument.securityID
                        candidate.quote = quote
                    } else {
                        candidate.rejection = "not in the instrument master"
                    }
                }
                if candidate.rejection == nil {
                    let inTheMoney = itmPenalty && (type == .call ? strike < spot : strike > spot)
                    candidate.score = score(quote, strike: strike, atm: atm, inTheMoney: inTheMoney)
                    if inTheMoney {
                        candidate.scoreNote =
                            "in the money (spot \(spot)): ATM preference ×\(format(itmPenaltyFactor))"
                    }
                }
            } else {
                candidate.rejection = "no \(type.code) quote at this strike in the chain"
            }
            selection.candidates.append(candidate)
        }
        selection.chosen = selection.candidates.filter { $0.score != nil }.min { lhs, rhs in
            if lhs.score! != rhs.score! { return lhs.score! > rhs.score! }
            let left = abs(lhs.strike.value - spot.value)
            let right = abs(rhs.strike.value - spot.value)
            return left != right ? left < right : lhs.strike < rhs.strike
        }
        return selection
    }

    /// The first filter a quote fails, or nil when it passes them all.
    static func rejection(
        _ quote: OptionQuote, steps: Int, config: OptionChainConfig, minimumDelta: Double, time: Timestamp,
        contractCheck: ContractCheck
    ) -> String? {
        guard quote.lastPrice > .zero else { return "ltp is 0" }
        // Real NIFTY IV often sits below 10 % near the money, so the floor is lower there.
        let floor: Double
        let floorName: String
        switch steps {
        case 0:
            floor = max(5, 0.6 * config.minIV)
            floorName = "ATM floor"
        case 1:
            floor = max(7, 0.8 * config.minIV)
            floorName = "ATM±1 floor"
        default:
            floor = config.minIV
            floorName = "min_iv"
        }
        if quote.impliedVolatility < floor {
            return "iv \(format(quote.impliedVolatility)) below the \(floorName) \(format(floor))"
        }
        if quote.impliedVolatility > config.maxIV {
            return "iv \(format(quote.impliedVolatility)) above max_iv \(format(config.maxIV))"
        }
        if quote.openInterest < config.minOI { return "oi \(quote.openInterest) below min_oi \(config.minOI)" }
        guard quote.bestBid > .zero, quote.bestAsk >= quote.bestBid else {
            return "no two-sided quote (bid \(quote.bestBid), ask \(quote.bestAsk))"
        }
        let spreadPercent = Double((quote.bestAsk - quote.bestBid).value) / Double(quote.bestBid.value) * 100
        if spreadPercent > config.maxSpreadPercent {
            return "spread \(format(spreadPercent))% above max_spread_pct \(format(config.maxSpreadPercent))%"
        }
        if abs(quote.delta) < minimumDelta {
            return "|delta| \(format(abs(quote.delta))) below \(format(minimumDelta)) at this hour"
        }
        if case .chainSecurityID = contractCheck, quote.securityID == nil {
            return "no security id: not in the instrument master"
        }
        return nil
    }

    /// What an in-the-money strike's ATM-preference points are multiplied by.
    public static let itmPenaltyFactor = 0.7

    /// The original's 0–210 score: ATM preference (×0.7 in the money), liquidity, delta, IV and price efficiency.
    public static func score(_ quote: OptionQuote, strike: Paise, atm: Paise, inTheMoney: Bool = false) -> Double {
        // ATM preference 0–100 with R = 1.5 % of the ATM strike and d the distance from ATM.
        let range = Double(atm.value) * 0.015
        let distance = Double(abs(strike.value - atm.value))
        let atmPoints: Double =
            distance <= 0.1 * range ? 100 : distance <= 0.3 * range ? 80 : distance <= 0.6 * range ? 50 : 20
        let atmScore = inTheMoney ? atmPoints * itmPenaltyFactor : atmPoints
        // Liquidity 0–50 by OI, reduced for a wide spread relative to the LTP.
        var liquidity: Double =
            quote.openInterest >= 1_000_000
            ? 50 : quote.openInterest >= 500_000 ? 40 : quote.openInterest >= 100_000 ? 30 : 20
        let spreadOfLTP = Double((quote.bestAsk - quote.bestBid).value) / Double(quote.lastPrice.value)
        if spreadOfLTP > 0.02 { liquidity *= 0.8 } else if spreadOfLTP > 0.01 { liquidity *= 0.9 }
        let delta = abs(quote.delta)
        let deltaScore: Double = delta >= 0.5 ? 30 : delta >= 0.4 ? 25 : delta >= 0.3 ? 20 : 10
        let iv = quote.impliedVolatility
        let ivScore: Double = (15...25).contains(iv) ? 20 : (10...30).contains(iv) ? 15 : (5...40).contains(iv) ? 10 : 5
        let perDelta = delta > 0 ? quote.lastPrice.rupees / delta : .infinity
        let efficiency: Double = perDelta <= 200 ? 10 : perDelta <= 300 ? 8 : perDelta <= 500 ? 6 : 4
        return atmScore + liquidity + deltaScore + ivScore + efficiency
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) + ".0" : "\(rounded)"
    }
}
