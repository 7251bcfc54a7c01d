import Domain

/// Starts a session: reads the journaled configuration, sets up indices and the watchlist, and asks
/// for warm-up history and funds.
enum SessionReducer {
    static func start(_ state: inout EngineState, _ started: SessionStarted, seq: UInt64, at time: Timestamp)
        -> [Command]
    {
        state.session = SessionInfo(
            tradingDate: started.tradingDate, mode: started.mode, configHash: started.configHash, startedSeq: seq)
        var config: AlgoConfig
        if let current = state.config, current.sourceFiles == started.configFiles {
            // The same files parse to the same configuration.
            config = current
        } else {
            do {
                guard let algo = started.configText(named: "algo.yml"),
                    let calendarText = started.configText(named: "calendar.yml")
                else {
                    throw ConfigError(
                        file: "session_started", key: "", reason: "needs the files algo.yml and calendar.yml")
                }
                let calendar = try TradingCalendar.parse(yaml: calendarText, file: "calendar.yml")
                config = try AlgoConfig.parse(yaml: algo, file: "algo.yml", calendar: calendar)
                config.sourceFiles = started.configFiles
            } catch {
                state.config = nil
                state.configError = "\(error)"
                state.indices = []
                return []
            }
        }
        state.config = config
        state.configError = nil
        state.rules = EngineRules.recorded(by: started.engineVersion)
        if state.dayRisk?.date != started.tradingDate { state.dayRisk = DayRisk(date: started.tradingDate) }
        state.indices = config.indices.map { IndexState(config: $0, signals: config.signals) }
        state.watchlist = config.indices.map {
            WatchItem(instrument: $0.instrument, kind: .index, label: $0.key, active: true)
        }
        .sorted { $0.instrument < $1.instrument }

        var commands = WatchlistReducer.syncSubscriptions(&state)
        // Warm-up history: the previous trading day and today, 5m first so 1m bars only extend it.
        let today = started.tradingDate
        for index in config.indices {
            let from = config.calendar.previousTradingDay(before: today, exchange: index.exchange)
            commands.append(
                .fetchData(
                    .history(
                        instrument: index.instrument, intervalMinutes: UInt16(config.signals.confirmationMinutes),
                        from: from, to: today)))
            commands.append(
                .fetchData(
                    .history(
                        instrument: index.instrument, intervalMinutes: UInt16(config.signals.primaryMinutes),
                        from: from, to: today)))
        }
        commands.append(.fetchData(.funds))
        return commands
    }
}
