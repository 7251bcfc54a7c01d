import Dhan
import Domain
import Foundation
import MarketModel

extension SimCore {
    /// `POST /v2/charts/rollingoption`: expired options by strike relative to the spot, from the market model
    /// (the premiums its option chain would have shown on those days), with the service's validation.
    func rollingOption(_ body: Data) -> Reply {
        let request: RollingOptionRequest
        do { request = try JSONDecoder().decode(RollingOptionRequest.self, from: body) } catch {
            return .badInput("Missing required fields, bad values for parameters etc.")
        }
        guard let id = SecurityID(request.securityId),
            let spec = market.universe.indices.first(where: { $0.securityID == id })
        else { return .badInput("Invalid securityId \(request.securityId)") }
        guard request.exchangeSegment == spec.optionSegment.apiName else {
            return .badInput("exchangeSegment \(request.exchangeSegment) does not trade \(spec.symbol) options")
        }
        guard request.instrument == "OPTIDX" else { return .badInput("instrument must be OPTIDX for an index") }
        guard RollingOptionRequest.intervals.contains(request.interval) else {
            return .badInput("interval must be 1, 5, 15, 25 or 60")
        }
        guard let kind = ExpiryKind(apiName: request.expiryFlag) else {
            return .badInput("expiryFlag must be WEEK or MONTH")
        }
        // The portal numbers expiries 1 (near), 2 (next), 3 (far); 0, which older docs used for the near one,
        // is read as near too.
        guard (0...3).contains(request.expiryCode) else { return .badInput("expiryCode must be 1, 2 or 3") }
        let code = max(request.expiryCode, 1)
        guard let offset = StrikeOffset(label: request.strike), code == 1 || abs(offset.steps) <= 3 else {
            return .badInput("strike must be ATM or ATM±n (n up to 10 for the near expiry, 3 otherwise)")
        }
        let type: OptionType
        switch request.drvOptionType {
        case "CALL": type = .call
        case "PUT": type = .put
        default: return .badInput("drvOptionType must be CALL or PUT")
        }
        guard !request.requiredData.isEmpty,
            request.requiredData.allSatisfy({ RollingOptionRequest.allData.contains($0) })
        else {
            return .badInput("requiredData must list some of \(RollingOptionRequest.allData.joined(separator: ", "))")
        }
        guard let from = CivilDate(iso: request.fromDate), let to = CivilDate(iso: request.toDate) else {
            return .error(400, "Data_Error", "DH-907", "fromDate/toDate must be YYYY-MM-DD")
        }
        guard from < to else { return .badInput("toDate must be after fromDate (it is not included)") }
        guard to.daysSinceEpoch - from.daysSinceEpoch <= RollingOptionRequest.maximumDays + 1 else {
            return .badInput("Expired options data can be fetched for 30 days at a time")
        }
        var bars: [RecordedOptionBar] = []
        for day in market.tradingDays(from: from, through: to.adding(days: -1), exchange: spec.exchange) {
            let listed = market.calendar.expiries(of: spec.symbol, onOrAfter: day, count: 4 * code + 4)
            let candidates = kind == .week ? listed : listed.filter { $0.adding(days: 7).month != $0.month }
            guard candidates.count >= code else { continue }
            bars += market.recordedOptionBars(
                spec, on: day, expiry: candidates[code - 1], offset: offset.steps, type: type,
                interval: request.interval)
        }
        let wanted = Set(request.requiredData)
        var columns = RollingOptionResponse.Columns()
        func fill(_ name: String, _ values: [Double]) -> [Double] { wanted.contains(name) ? values : [] }
        columns.open = fill("open", bars.map(\.open.rupees))
        columns.high = fill("high", bars.map(\.high.rupees))
        columns.low = fill("low", bars.map(\.low.rupees))
        columns.close = fill("close", bars.map(\.close.rupees))
        columns.iv = fill("iv", bars.map(\.impliedVolatility))
        columns.volume = fill("volume", bars.map { Double($0.volume) })
        columns.oi = fill("oi", bars.map { Double($0.openInterest) })
        columns.strike = fill("strike", bars.map(\.strike.rupees))
        columns.spot = fill("spot", bars.map(\.spot.rupees))
        columns.timestamp = bars.map { Double($0.start) }
        let sides =
            type == .call
            ? RollingOptionResponse.Sides(ce: columns, pe: nil) : RollingOptionResponse.Sides(ce: nil, pe: columns)
        return .json(RollingOptionResponse(data: sides))
    }
}
