/// Reads `config/calendar.yml` into a `TradingCalendar`, refusing unknown keys and bad values with the
/// file, key and reason.
extension TradingCalendar {
    static let weekdays = ["monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5]

    /// Parses calendar YAML; `file` names it in errors.
    public static func parse(yaml text: String, file: String = "config/calendar.yml") throws(ConfigError)
        -> TradingCalendar
    {
        let root = try ConfigNode.parse(text, file: file)
        _ = try root.entries(allowed: ["coverage", "session", "exchanges", "expiries"])
        let coverageNode = try root.required("coverage")
        _ = try coverageNode.entries(allowed: ["from", "through"])
        let coverageStart = try coverageNode.required("from").date()
        let coverageEnd = try coverageNode.required("through").date()
        guard coverageStart <= coverageEnd else { throw coverageNode.error("'from' is after 'through'") }

        let regular = try hours(try root.required("session"))
        var exchanges: [Exchange: ExchangeCalendar] = [:]
        for (name, node) in try root.required("exchanges").entries(allowed: Set(Exchange.allCases.map(\.rawValue))) {
            _ = try node.entries(allowed: ["holidays", "special_sessions", "muhurat"])
            var calendar = ExchangeCalendar(regular: regular, holidays: [:])
            for (key, holiday) in try node.required("holidays").entries() {
                let date = try holiday.dateKey(key)
                guard date.weekday <= 5 else {
                    throw holiday.error("\(key) is a weekend day; list only weekday holidays")
                }
                calendar.holidays[date] = try holiday.string()
            }
            for (key, session) in try node.optional("special_sessions")?.entries() ?? [] {
                calendar.specialSessions[try session.dateKey(key)] = try hours(session, note: true)
            }
            for (key, session) in try node.optional("muhurat")?.entries() ?? [] {
                calendar.muhurat[try session.dateKey(key)] = try hours(session, note: true)
            }
            exchanges[Exchange(rawValue: name)!] = calendar
        }

        var schedules: [String: ExpirySchedule] = [:]
        for (underlying, node) in try root.required("expiries").entries() {
            _ = try node.entries(allowed: ["exchange", "schedule"])
            let exchangeNode = try node.required("exchange")
            guard let exchange = Exchange(rawValue: try exchangeNode.string()), exchanges[exchange] != nil else {
                throw exchangeNode.error(
                    "unknown exchange (known: \(exchanges.keys.map(\.rawValue).sorted().joined(separator: ", ")))")
            }
            var rules: [ExpiryRule] = []
            for item in try node.required("schedule").items() {
                let keys = try item.entries(allowed: ["from", "weekly", "monthly"]).map(\.key)
                let from = try item.required("from").date()
                guard keys.contains("weekly") != keys.contains("monthly") else {
                    throw item.error("give exactly one of 'weekly' or 'monthly' (a weekday)")
                }
                let cadenceNode: ConfigNode
                if let weekly = try item.optional("weekly") {
                    cadenceNode = weekly
                } else {
                    cadenceNode = try item.required("monthly")
                }
                guard let weekday = weekdays[try cadenceNode.string().lowercased()] else {
                    throw cadenceNode.error("expected a weekday monday…friday")
                }
                rules.append(
                    ExpiryRule(
                        effectiveFrom: from,
                        cadence: keys.contains("weekly") ? .weekly(weekday: weekday) : .monthly(weekday: weekday)))
            }
            guard !rules.isEmpty else { throw node.error("schedule is empty") }
            schedules[underlying] = ExpirySchedule(exchange: exchange, rules: rules)
        }
        return TradingCalendar(coverage: coverageStart...coverageEnd, exchanges: exchanges, expirySchedules: schedules)
    }

    private static func hours(_ node: ConfigNode, note: Bool = false) throws(ConfigError) -> SessionHours {
        _ = try node.entries(allowed: note ? ["open", "close", "note"] : ["open", "close"])
        let hours = SessionHours(
            open: try node.required("open").timeOfDay(), close: try node.required("close").timeOfDay())
        guard hours.open < hours.close else { throw node.error("'open' must be before 'close'") }
        return hours
    }
}
