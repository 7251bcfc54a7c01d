import Dhan
import Domain
import Engine
import Foundation
import Indicators
import Recovery

/// The decoders a hostile byte reaches, one fuzz target each, with what must hold of whatever they accept.
///
/// A target returns normally when the input is refused with a typed error or decodes to something sane;
/// it traps (`check`) when a decoder accepts the input and yields a value the engine must never see: a
/// negative or non-finite price, a quantity out of bounds, or an encoding that does not survive a round trip.
enum FuzzTargets {
    /// Every target by name (`tools/fuzz.sh --list`).
    static let all: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
        "feed": feed, "order-alert": orderAlert, "option-chain": optionChain, "rest-bodies": restBodies,
        "scrip-master": scripMaster, "candles": candles, "config": config, "journal": journal,
        "snapshot": snapshot,
    ]

    static func check(_ condition: @autoclosure () -> Bool, _ what: @autoclosure () -> String) {
        if !condition() { fatalError("fuzz invariant broken: \(what())") }
    }

    static func sane(_ price: Paise, _ field: String) {
        check(price.value >= 0, "\(field) is negative: \(price)")
    }

    /// Binary market-feed packets: the general decoder and the hot path agree, every accepted price becomes
    /// a non-negative paise value or a typed error, and an accepted packet re-encodes to bytes that decode
    /// to the same packet.
    static func feed(_ bytes: UnsafeRawBufferPointer) {
        guard case .success(let packet) = FeedPacketDecoder.decode(bytes) else { return }
        let encoded = FeedPacketEncoder.encode(packet)
        let again = encoded.withUnsafeBytes { FeedPacketDecoder.decode($0) }
        guard case .success(let second) = again else { return check(false, "re-encoded packet does not decode") }
        check(FeedPacketEncoder.encode(second) == encoded, "feed packet encoding is not stable")
        if let trade = FeedPacketDecoder.decodeTrade(bytes), let tick = try? trade.tick() {
            sane(tick.lastPrice, "feed LTP")
            sane(tick.bestBid, "feed best bid")
            sane(tick.bestAsk, "feed best ask")
            check(tick.lastQuantity >= 0 && tick.volume >= 0, "feed quantity out of bounds")
        }
    }

    /// Order-update JSON: the byte reader reads what JSONDecoder reads or declines, and a decoded alert
    /// becomes fills with positive quantity and a non-negative price.
    static func orderAlert(_ bytes: UnsafeRawBufferPointer) {
        let plain = OrderAlertMessage.plain(Data(bytes))
        guard let message = try? JSONDecoder().decode(OrderAlertMessage.self, from: Data(bytes)) else {
            check(plain == nil, "the byte reader took an order alert JSONDecoder refuses")
            return
        }
        if let plain { check(plain == message, "the byte reader read an order alert differently from JSONDecoder") }
        var translator = OrderAlertTranslator()
        for _ in 0..<2 {
            // Twice: a repeated alert must not fill again.
            for event in translator.events(for: message.data) {
                guard case .fill(let fill) = event else { continue }
                check(fill.quantity > 0, "fill quantity \(fill.quantity)")
                sane(fill.price, "fill price")
            }
        }
    }

    /// The option chain body (byte-level scanner): an accepted chain has non-negative, finite quotes.
    static func optionChain(_ bytes: UnsafeRawBufferPointer) {
        guard let chain = try? OptionChainResponse.decode(Data(bytes), source: "fuzz"),
            let snapshot = try? chain.snapshot(
                underlying: InstrumentKey(.indexValue, 13), expiry: CivilDate(2025, 11, 4), source: "fuzz")
        else { return }
        sane(snapshot.underlyingPrice, "spot")
        for strike in snapshot.strikes {
            sane(strike.strike, "strike")
            for quote in [strike.call, strike.put].compactMap({ $0 }) {
                sane(quote.lastPrice, "ltp")
                sane(quote.bestBid, "bid")
                sane(quote.bestAsk, "ask")
                check(quote.impliedVolatility.isFinite && quote.delta.isFinite, "non-finite greek")
                check(quote.openInterest >= 0 && quote.volume >= 0, "negative oi or volume")
            }
        }
    }

    /// Every other REST body the client decodes, chosen by the first byte.
    static func restBodies(_ bytes: UnsafeRawBufferPointer) {
        guard let selector = bytes.first else { return }
        let body = Data(bytes.dropFirst())
        let decoder = JSONDecoder()
        switch selector % 6 {
        case 0:
            // The byte reader reads what JSONDecoder reads, or declines.
            let plain = OrderRecord.plainBook(body)
            guard let book = try? decoder.decode([OrderRecord].self, from: body) else {
                check(plain == nil, "the byte reader took an order book JSONDecoder refuses")
                return
            }
            if let plain { check(plain == book, "the byte reader read an order book differently from JSONDecoder") }
            var translator = OrderAlertTranslator()
            for record in book {
                for event in translator.events(for: OrderAlert(record: record)) {
                    guard case .fill(let fill) = event else { continue }
                    check(fill.quantity > 0, "order-book fill quantity \(fill.quantity)")
                    sane(fill.price, "order-book fill price")
                }
            }
        case 1:
            guard let positions = try? decoder.decode([PositionRecord].self, from: body) else { return }
            for record in positions {
                guard let position = try? record.brokerPosition() else { continue }
                sane(position.buyAverage, "position buy average")
                sane(position.sellAverage, "position sell average")
            }
        case 2:
            let plain = try? decoder.decode(FundLimit.self, from: body)
            let read = try? FundLimit.parse(body)
            if let plain, let read {
                // The amounts, not the client id: the byte reader unescapes only the escapes DhanHQ sends.
                let amounts: (FundLimit) -> [Double] = {
                    [
                        $0.availabelBalance, $0.sodLimit, $0.collateralAmount, $0.receiveableAmount, $0.utilizedAmount,
                        $0.blockedPayoutAmount, $0.withdrawableBalance,
                    ]
                }
                check(amounts(plain) == amounts(read), "the byte reader read a fund limit differently from JSONDecoder")
            }
        case 3:
            guard let chart = try? decoder.decode(ChartResponse.self, from: body),
                let candles = try? chart.candles(source: "fuzz")
            else { return }
            for candle in candles {
                for price in [candle.open, candle.high, candle.low, candle.close] { sane(price, "candle price") }
            }
        case 4:
            guard let list = try? decoder.decode(ExpiryListResponse.self, from: body) else { return }
            _ = try? list.dates(source: "fuzz")
        default:
            guard let response = try? decoder.decode(RollingOptionResponse.self, from: body) else { return }
            for type in OptionType.allCases {
                guard let bars = try? response.columns(type).bars(source: "fuzz") else { continue }
                for bar in bars {
                    for price in [bar.open, bar.high, bar.low, bar.close, bar.strike, bar.spot] {
                        sane(price, "recorded option price")
                    }
                }
            }
        }
    }

    /// The detailed scrip-master CSV: every contract has a positive lot and a non-negative strike.
    static func scripMaster(_ bytes: UnsafeRawBufferPointer) {
        guard
            let master = try? InstrumentMaster.parse(
                Data(bytes), underlyings: ["NIFTY", "BANKNIFTY", "SENSEX"], source: "fuzz")
        else { return }
        for underlying in ["NIFTY", "BANKNIFTY", "SENSEX"] {
            for contract in master.contracts(of: underlying).contracts {
                check(contract.lotSize > 0, "lot size \(contract.lotSize)")
                sane(contract.strike, "strike")
                sane(contract.tickSize, "tick size")
            }
        }
    }

    /// Candle CSV and chart JSON: accepted bars have finite, non-negative prices that become paise or a
    /// typed error.
    static func candles(_ bytes: UnsafeRawBufferPointer) {
        guard let bars = try? CandleFile.parse(Data(bytes), source: "fuzz") else { return }
        for bar in bars {
            check(
                [bar.open, bar.high, bar.low, bar.close].allSatisfy { $0.isFinite && $0 >= 0 },
                "bar price not finite or negative: \(bar)")
            if let candle = try? bar.candle() {
                for price in [candle.open, candle.high, candle.low, candle.close] { sane(price, "candle price") }
            }
        }
    }

    /// `calendar.yml` then `algo.yml` (split at the first NUL byte): refused with a ConfigError or parsed.
    static func config(_ bytes: UnsafeRawBufferPointer) {
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        let calendarText = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<split]), as: UTF8.self)
        let algoText = String(
            decoding: UnsafeRawBufferPointer(rebasing: bytes[min(split + 1, bytes.endIndex)...]), as: UTF8.self)
        guard let calendar = try? TradingCalendar.parse(yaml: calendarText, file: "fuzz/calendar.yml") else { return }
        guard let config = try? AlgoConfig.parse(yaml: algoText, file: "fuzz/algo.yml", calendar: calendar) else {
            return
        }
        for index in config.indices {
            check(index.lotSize > 0 && index.strikeStep.value > 0, "index \(index.key) lot or step not positive")
        }
    }

    /// Journal payloads of every kind and version (kind and version from the first four bytes): an accepted
    /// payload re-encodes to bytes that decode to the same bytes again.
    static func journal(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 4 else { return }
        let kind = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        let version = UInt16(bytes[2]) | UInt16(bytes[3]) << 8
        guard
            let entry = try? JournalEntry.decode(
                kind: kind, version: version, payload: UnsafeRawBufferPointer(rebasing: bytes[4...]))
        else { return }
        let encoded = entry.encodedPayload()
        let current = entry.kind.currentVersion
        guard
            let again = try? encoded.withUnsafeBytes({
                try JournalEntry.decode(kind: entry.kind.rawValue, version: current, payload: $0)
            })
        else { return check(false, "re-encoded \(entry.kind) does not decode") }
        check(again.encodedPayload() == encoded, "\(entry.kind) encoding is not stable")
    }

    /// A state snapshot's JSON payload (behind its magic, length and CRC, which a mutation would not pass):
    /// decoded or refused, never a trap; an accepted state hashes, and its positions hold no negative
    /// quantity.
    static func snapshot(_ bytes: UnsafeRawBufferPointer) {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let snapshot = try? decoder.decode(StateSnapshot.self, from: Data(bytes)) else { return }
        _ = snapshot.state.stateHash
        guard snapshot.state.stateHash == snapshot.stateHash else { return }
        for position in snapshot.state.positions {
            check(position.quantity >= 0, "snapshot position \(position.id) holds \(position.quantity)")
        }
    }
}
