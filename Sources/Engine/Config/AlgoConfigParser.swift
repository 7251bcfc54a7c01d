import Domain

extension AlgoConfig {
    /// Parses `algo.yml` text with the calendar it names (already read by the caller); errors name file and key.
    public static func parse(yaml text: String, file: String = "config/algo.yml", calendar: TradingCalendar)
        throws(ConfigError)
        -> AlgoConfig
    {
        let root = try ConfigNode.parse(text, file: file)
        _ = try root.entries(allowed: [
            "mode", "calendar", "session", "indices", "signals", "option_chain", "sizing", "risk", "charges", "dhan",
            "paper", "alerts",
        ])
        let modeNode = try root.required("mode")
        let mode: TradingMode
        switch try modeNode.string() {
        case "paper": mode = .paper
        case "live": mode = .live
        case let other: throw modeNode.error("'\(other)' is not paper or live")
        }
        _ = try root.required("calendar").string()
        let session = try root.required("session")
        _ = try session.entries(allowed: ["entry_cutoff"])

        var indices: [IndexConfig] = []
        for (key, node) in try root.required("indices").entries() {
            indices.append(try parseIndex(key, node))
        }
        guard !indices.isEmpty else { throw try root.required("indices").error("no indices configured") }
        for index in indices {
            guard let schedule = calendar.expirySchedules[index.key] else {
                throw try root.required("indices").required(index.key).error(
                    "the calendar has no expiry schedule for \(index.key)")
            }
            // The session, the holidays and the previous trading day come from the index's exchange: one the
            // calendar does not list has no trading day at all, and a search for one would never end.
            guard index.exchange == schedule.exchange else {
                throw try root.required("indices").required(index.key).required("exchange").error(
                    "\(index.exchange), but the calendar lists \(index.key)'s expiries on \(schedule.exchange)")
            }
        }
        // A weekly preference cannot be honoured where the exchange lists only monthly expiries.
        for index in indices where index.expiry == .weekly {
            if case .monthly? = calendar.expirySchedules[index.key]?.rules.last?.cadence,
                let rule = calendar.expirySchedules[index.key]?.rules.last
            {
                throw try root.required("indices").required(index.key).required("expiry").error(
                    "weekly, but the calendar lists only monthly expiries for \(index.key) from \(rule.effectiveFrom); use monthly"
                )
            }
        }

        var config = AlgoConfig(
            mode: mode, entryCutoff: try session.required("entry_cutoff").timeOfDay(), indices: indices,
            signals: try parseSignals(try root.required("signals")),
            optionChain: try parseOptionChain(try root.required("option_chain")),
            sizing: try parseSizing(try root.required("sizing")), risk: try parseRisk(try root.required("risk")),
            charges: try parseCharges(try root.required("charges")), calendar: calendar)
        if let dhan = try root.optional("dhan") {
            _ = try dhan.entries(allowed: ["rest_url", "feed_url", "order_feed_url", "clock"])
            if let node = try dhan.optional("rest_url") { config.broker.restURL = try node.string() }
            if let node = try dhan.optional("feed_url") { config.broker.feedURL = try node.string() }
            if let node = try dhan.optional("order_feed_url") { config.broker.orderFeedURL = try node.string() }
            if let node = try dhan.optional("clock") {
                switch try node.string() {
                case "wall": config.broker.clock = .wall
                case "simulator": config.broker.clock = .simulator
                case let other: throw node.error("'\(other)' is not wall or simulator")
                }
            }
        }
        // Alerts are the runtime's (scalper run reads them); the section is checked here like every other.
        _ = try AlertSettings.parse(try root.optional("alerts"))
        if let paper = try root.optional("paper") {
            _ = try paper.entries(allowed: ["starting_balance", "slippage_ticks"])
            if let node = try paper.optional("starting_balance") {
                config.paper.startingBalance = .rupees(Int64(try node.int(in: 1...1_000_000_000)))
            }
            if let node = try paper.optional("slippage_ticks") {
                config.paper.slippageTicks = try node.int(in: 0...100)
            }
        }
        return config
    }

    private static func fraction(_ node: ConfigNode) throws(ConfigError) -> BasisPoints {
        BasisPoints(fraction: try node.double(in: 0...1))
    }

    private static func parseIndex(_ key: String, _ node: ConfigNode) throws(ConfigError) -> IndexConfig {
        _ = try node.entries(allowed: [
            "segment", "security_id", "exchange", "option_segment", "strike_step", "lot_size", "freeze_quantity",
            "capital_alloc_pct", "max_same_side", "cooldown_sec", "expiry",
        ])
        func segment(_ name: String) throws(ConfigError) -> ExchangeSegment {
            let field = try node.required(name)
            guard let segment = ExchangeSegment(apiName: try field.string()) else {
                throw field.error("unknown exchange segment")
            }
            return segment
        }
        let exchangeNode = try node.required("exchange")
        guard let exchange = Exchange(rawValue: try exchangeNode.string()) else {
            throw exchangeNode.error("expected NSE or BSE")
        }
        let allocationNode = try node.required("capital_alloc_pct")
        let allocation: BasisPoints? = allocationNode.isNull ? nil : try fraction(allocationNode)
        let expiryNode = try node.required("expiry")
        guard let expiry = IndexConfig.ExpiryPreference(rawValue: try expiryNode.string()) else {
            throw expiryNode.error("expected weekly or monthly")
        }
        return IndexConfig(
            key: key,
            instrument: InstrumentKey(
                try segment("segment"),
                SecurityID(UInt32(try node.required("security_id").int(in: 1...Int(UInt32.max))))),
            exchange: exchange, optionSegment: try segment("option_segment"),
            strikeStep: .rupees(Int64(try node.required("strike_step").int(in: 1...10_000))),
            lotSize: Int64(try node.required("lot_size").int(in: 1...10_000)),
            freezeQuantity: Int64(try node.required("freeze_quantity").int(in: 1...1_000_000)),
            capitalAllocation: allocation, maxSameSide: try node.required("max_same_side").int(in: 1...10),
            cooldownSeconds: Int64(try node.required("cooldown_sec").int(in: 0...86_400)), expiry: expiry)
    }

    private static func parseSignals(_ node: ConfigNode) throws(ConfigError) -> SignalConfig {
        _ = try node.entries(allowed: [
            "primary_timeframe", "confirmation_timeframe", "validation_mode", "supertrend", "adx", "scaling",
            "validation_modes",
        ])
        let primary = try node.required("primary_timeframe").int(in: 1...60)
        let confirmationNode = try node.required("confirmation_timeframe")
        let confirmation = try confirmationNode.int(in: 2...375)
        guard confirmation % primary == 0, confirmation > primary else {
            throw confirmationNode.error("must be a multiple of primary_timeframe (\(primary))")
        }
        let supertrend = try node.required("supertrend")
        _ = try supertrend.entries(allowed: ["mode", "period", "multiplier", "candidates"])
        let modeNode = try supertrend.required("mode")
        guard let supertrendMode = SignalConfig.SupertrendMode(rawValue: try modeNode.string()) else {
            throw modeNode.error("expected standard or adaptive")
        }
        let candidates = try supertrend.required("candidates").items().map { item throws(ConfigError) in
            try item.double(in: 0.5...10)
        }
        guard !candidates.isEmpty else {
            throw try supertrend.required("candidates").error("needs at least one multiplier")
        }
        let adx = try node.required("adx")
        _ = try adx.entries(allowed: ["period", "min_strength", "confirmation_min_strength"])
        let scaling = try node.required("scaling")
        _ = try scaling.entries(allowed: ["max_multiplier", "decay_seconds"])

        var modes: [String: ValidationMode] = [:]
        for (name, mode) in try node.required("validation_modes").entries(allowed: [
            "conservative", "balanced", "aggressive",
        ]) {
            _ = try mode.entries(allowed: [
                "adx_min_strength", "adx_confirmation_min_strength", "theta_cutoff", "iv_rank_min", "iv_rank_max",
                "trend_confirmation_bars", "require_iv_rank_check", "require_theta_risk_check",
                "require_trend_confirmation",
            ])
            let low = try mode.required("iv_rank_min").double(in: 0...100)
            let highNode = try mode.required("iv_rank_max")
            let high = try highNode.double(in: 0...100)
            guard low <= high else { throw highNode.error("iv_rank_max is below iv_rank_min") }
            modes[name] = ValidationMode(
                adxMinStrength: try mode.required("adx_min_strength").double(in: 0...100),
                adxConfirmationMinStrength: try mode.optional("adx_confirmation_min_strength")?.double(in: 0...100),
                thetaCutoff: try mode.required("theta_cutoff").timeOfDay(), ivRankRange: low...high,
                trendConfirmationBars: try mode.required("trend_confirmation_bars").int(in: 1...20),
                requireIVRankCheck: try mode.required("require_iv_rank_check").bool(),
                requireThetaRiskCheck: try mode.required("require_theta_risk_check").bool(),
                requireTrendConfirmation: try mode.required("require_trend_confirmation").bool())
        }
        let modeName = try node.required("validation_mode")
        guard let chosen = modes[try modeName.string()] else {
            throw modeName.error("no such validation mode (defined: \(modes.keys.sorted().joined(separator: ", ")))")
        }
        return SignalConfig(
            primaryMinutes: primary, confirmationMinutes: confirmation, validationModeName: try modeName.string(),
            validationMode: chosen, supertrendMode: supertrendMode,
            supertrendPeriod: try supertrend.required("period").int(in: 2...200),
            supertrendMultiplier: try supertrend.required("multiplier").double(in: 0.5...10),
            adaptiveCandidates: candidates,
            adxPeriod: try adx.required("period").int(in: 2...100),
            adxMinStrength: try adx.required("min_strength").double(in: 0...100),
            adxConfirmationMinStrength: try adx.required("confirmation_min_strength").double(in: 0...100),
            maxScaleMultiplier: try scaling.required("max_multiplier").int(in: 1...10),
            scaleDecaySeconds: Int64(try scaling.required("decay_seconds").int(in: 0...86_400)))
    }

    private static func parseOptionChain(_ node: ConfigNode) throws(ConfigError) -> OptionChainConfig {
        _ = try node.entries(allowed: [
            "min_iv", "max_iv", "min_oi", "max_spread_pct", "strikes_beyond_atm", "expiry_switch_time",
            "min_request_interval_sec",
        ])
        let minIV = try node.required("min_iv").double(in: 0...500)
        let maxNode = try node.required("max_iv")
        let maxIV = try maxNode.double(in: 0...500)
        guard minIV <= maxIV else { throw maxNode.error("max_iv is below min_iv") }
        return OptionChainConfig(
            minIV: minIV, maxIV: maxIV, minOI: Int64(try node.required("min_oi").int(in: 0...1_000_000_000)),
            maxSpreadPercent: try node.required("max_spread_pct").double(in: 0...100),
            strikesBeyondATM: try node.required("strikes_beyond_atm").int(in: 0...10),
            expirySwitchTime: try node.required("expiry_switch_time").timeOfDay(),
            minRequestIntervalSeconds: Int64(try node.required("min_request_interval_sec").int(in: 0...60)))
    }

    private static func parseSizing(_ node: ConfigNode) throws(ConfigError) -> SizingConfig {
        _ = try node.entries(allowed: ["max_lots", "bands"])
        var bands: [CapitalBand] = []
        let bandItems = try node.required("bands").items()
        for (index, item) in bandItems.enumerated() {
            _ = try item.entries(allowed: ["up_to", "allocation", "risk"])
            let limitNode = try item.required("up_to")
            let limit: Paise? = limitNode.isNull ? nil : .rupees(Int64(try limitNode.int(in: 1...1_000_000_000)))
            if limit == nil && index != bandItems.count - 1 {
                throw limitNode.error("only the last band may be unlimited (null)")
            }
            if let limit, let previous = bands.last?.upTo, limit <= previous {
                throw limitNode.error("bands must ascend")
            }
            bands.append(
                CapitalBand(
                    upTo: limit, allocation: try fraction(try item.required("allocation")),
                    risk: try fraction(try item.required("risk"))))
        }
        guard bands.last?.upTo == nil else {
            throw try node.required("bands").error("the last band must have up_to: null")
        }
        return SizingConfig(maxLots: Int64(try node.required("max_lots").int(in: 1...10_000)), bands: bands)
    }

    private static func parseCharges(_ node: ConfigNode) throws(ConfigError) -> ChargesConfig {
        _ = try node.entries(allowed: [
            "brokerage_per_order", "gst_pct", "sebi_pct", "stamp_buy_pct", "exchanges", "stt_sell",
        ])
        var exchanges: [Exchange: ChargesConfig.ExchangeRates] = [:]
        for (name, rates) in try node.required("exchanges").entries(allowed: Set(Exchange.allCases.map(\.rawValue))) {
            _ = try rates.entries(allowed: ["txn_pct", "ipft_pct"])
            exchanges[Exchange(rawValue: name)!] = .init(
                transaction: try rates.required("txn_pct").double(in: 0...0.01),
                ipft: try rates.required("ipft_pct").double(in: 0...0.01))
        }
        var stt: [ChargesConfig.DatedRate] = []
        for item in try node.required("stt_sell").items() {
            _ = try item.entries(allowed: ["from", "pct"])
            let from = try item.required("from").date()
            if let last = stt.last, from <= last.from { throw item.error("dates must ascend") }
            stt.append(.init(from: from, rate: try item.required("pct").double(in: 0...0.01)))
        }
        return ChargesConfig(
            brokeragePerOrder: .rupees(Int64(try node.required("brokerage_per_order").int(in: 0...1000))),
            gst: try node.required("gst_pct").double(in: 0...1),
            sebi: try node.required("sebi_pct").double(in: 0...0.01),
            stampOnBuy: try node.required("stamp_buy_pct").double(in: 0...0.01), exchanges: exchanges, sttOnSell: stt)
    }

    private static func parseRisk(_ node: ConfigNode) throws(ConfigError) -> RiskConfig {
        _ = try node.entries(allowed: [
            "sl_pct", "tp_pct", "breakeven_after_gain", "exit_drop_pct", "min_profit_lock_rupees",
            "daily_loss_limit_pct",
            "time_exit", "broker_protection", "quote_after_sec", "exit_resend_after_sec", "exit_resend_limit",
            "allow_call_and_put", "profit_lock_arm_rupees", "entry_remainder_cancel_sec",
        ])
        let protectionNode = try node.required("broker_protection")
        guard let protection = RiskConfig.BrokerProtection(rawValue: try protectionNode.string()) else {
            throw protectionNode.error("expected super_order or none")
        }
        var risk = RiskConfig(
            stopLoss: BasisPoints(fraction: try node.required("sl_pct").double(in: 0.01...0.99)),
            takeProfit: BasisPoints(fraction: try node.required("tp_pct").double(in: 0.01...10)),
            breakevenAfterGain: BasisPoints(fraction: try node.required("breakeven_after_gain").double(in: 0...10)),
            exitDrop: BasisPoints(fraction: try node.required("exit_drop_pct").double(in: 0.001...0.99)),
            minProfitLock: .rupees(Int64(try node.required("min_profit_lock_rupees").int(in: 0...100_000_000))),
            dailyLossLimit: BasisPoints(fraction: try node.required("daily_loss_limit_pct").double(in: 0.001...1)),
            timeExit: try node.required("time_exit").timeOfDay(), brokerProtection: protection)
        if let value = try node.optional("quote_after_sec") {
            risk.quoteAfterSeconds = Int64(try value.int(in: 1...300))
        }
        if let value = try node.optional("exit_resend_after_sec") {
            risk.exitResendAfterSeconds = Int64(try value.int(in: 5...600))
        }
        if let value = try node.optional("entry_remainder_cancel_sec") {
            risk.entryRemainderCancelSeconds = Int64(try value.int(in: 5...600))
        }
        if let value = try node.optional("exit_resend_limit") { risk.exitResendLimit = try value.int(in: 0...50) }
        if let value = try node.optional("allow_call_and_put") { risk.allowCallAndPut = try value.bool() }
        risk.profitLockArm = Paise(risk.minProfitLock.value * 3 / 2)
        if let value = try node.optional("profit_lock_arm_rupees") {
            risk.profitLockArm = .rupees(Int64(try value.int(in: 0...100_000_000)))
            guard risk.profitLockArm > risk.minProfitLock || risk.minProfitLock == .zero else {
                throw value.error("must be above min_profit_lock_rupees (\(risk.minProfitLock)): the lock exits there")
            }
        }
        return risk
    }
}
