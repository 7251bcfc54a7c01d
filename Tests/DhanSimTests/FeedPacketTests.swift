import Dhan
import Domain
import Testing

/// Byte vectors worked out by hand from PROTOCOL.md §4 (offsets 0-based, little-endian).
@Suite("Market-feed packet encoders and the zero-copy decoder")
struct FeedPacketTests {
    let nifty = InstrumentKey(.indexValue, 13)
    let option = InstrumentKey(.nseFNO, 55_796)

    @Test("ticker: 16 bytes, code 2, float32 LTP at 8, uint32 LTT at 12")
    func ticker() {
        let bytes = FeedPacketEncoder.encode(.ticker(nifty, lastPrice: 25_812.5, lastTradeTimeIST: 1_762_248_600))
        // 25812.5 as float32 = 0x46C9A900; 1762248600 = 0x6909C798.
        #expect(
            bytes == [0x02, 0x10, 0x00, 0x00, 0x0D, 0x00, 0x00, 0x00, 0x00, 0xA9, 0xC9, 0x46, 0x98, 0xC7, 0x09, 0x69])
        #expect(decode(bytes) == .ticker(nifty, lastPrice: 25_812.5, lastTradeTimeIST: 1_762_248_600))
    }

    @Test("full: 162 bytes with the header the real feed shows (08 a2 00 02 f4 d9 00 00)")
    func full() {
        let trade = TradeSnapshot(
            lastPrice: 247.8, lastQuantity: 75, lastTradeTimeIST: 1_762_248_600, averagePrice: 240.25,
            volume: 1_000_000,
            totalSellQuantity: 30_000, totalBuyQuantity: 40_000, open: 230, close: 228.5, high: 250, low: 226)
        var depth: [DepthLevel] = []
        for level in 0..<5 {
            let offset = Float(level) * 0.05
            depth.append(
                DepthLevel(
                    bidQuantity: UInt32(100 + level), askQuantity: UInt32(200 + level), bidOrders: UInt16(3 + level),
                    askOrders: UInt16(4 + level), bidPrice: 247.75 - offset, askPrice: 247.85 + offset))
        }
        let packet = FeedPacket.full(
            option, trade, openInterest: 4_500_000, oiDayHigh: 4_600_000, oiDayLow: 4_400_000, depth: depth)
        let bytes = FeedPacketEncoder.encode(packet)
        #expect(bytes.count == 162)
        #expect(Array(bytes[0..<8]) == [0x08, 0xA2, 0x00, 0x02, 0xF4, 0xD9, 0x00, 0x00])
        #expect(Array(bytes[12..<14]) == [75, 0])  // LTQ uint16
        #expect(Array(bytes[34..<38]) == [0x20, 0xAA, 0x44, 0x00])  // OI 4,500,000 = 0x0044AA20
        #expect(Array(bytes[62..<66]) == [100, 0, 0, 0])  // level 0 bid quantity
        #expect(Array(bytes[70..<72]) == [3, 0])  // level 0 bid orders
        #expect(decode(bytes) == packet)
        let fast = bytes.withUnsafeBytes { FeedPacketDecoder.decodeTrade($0) }
        #expect(fast?.bestBid == 247.75 && fast?.bestAsk == 247.85 && fast?.openInterest == 4_500_000)
    }

    @Test("quote 50, OI 12, previous close 16 and disconnect 10 bytes round-trip")
    func others() {
        let trade = TradeSnapshot(
            lastPrice: 25_800, lastQuantity: 0, lastTradeTimeIST: 7, averagePrice: 25_790, volume: 0,
            totalSellQuantity: 0, totalBuyQuantity: 0, open: 25_700, close: 25_650, high: 25_850, low: 25_690)
        for (packet, size, code): (FeedPacket, Int, UInt8) in [
            (.quote(nifty, trade), 50, 4), (.openInterest(option, 1234), 12, 5),
            (.previousClose(nifty, price: 25_650.5, openInterest: 0), 16, 6), (.disconnect(reason: 805), 10, 50),
        ] {
            let bytes = FeedPacketEncoder.encode(packet)
            #expect(bytes.count == size && bytes[0] == code)
            #expect(Int(bytes[1]) | Int(bytes[2]) << 8 == size)
            #expect(decode(bytes) == packet)
        }
        #expect(Array(FeedPacketEncoder.encode(.disconnect(reason: 805))[8..<10]) == [0x25, 0x03])
    }

    @Test("malformed input is reported, never trapped on")
    func malformed() {
        #expect(decode([]) == nil)
        #expect(
            FeedPacketEncoder.encode(.ticker(nifty, lastPrice: 1, lastTradeTimeIST: 1)).dropLast().withUnsafeBytes {
                FeedPacketDecoder.decode($0)
            } == .failure(.short(code: 2, expected: 16, got: 15)))
        #expect([UInt8(99), 0, 0].withUnsafeBytes { FeedPacketDecoder.decode($0) } == .failure(.unknownCode(99)))
        var bad = FeedPacketEncoder.encode(.ticker(nifty, lastPrice: 1, lastTradeTimeIST: 1))
        bad[3] = 6
        #expect(bad.withUnsafeBytes { FeedPacketDecoder.decode($0) } == .failure(.unknownSegment(6)))
    }

    @Test("LTT is IST wall-clock seconds: subtract 19,800 for true UTC")
    func lttShift() throws {
        let utc = Timestamp.ist(CivilDate(2025, 11, 4), 10, 30).epochSeconds
        let ltt = FeedPacket.feedLTT(fromUTCEpochSeconds: utc)
        #expect(Int64(ltt) == utc + 19_800)
        let trade = FeedTrade(
            instrument: nifty, lastPrice: 25_812.35, lastTradeTimeIST: ltt, lastQuantity: 0, volume: 0,
            openInterest: 0, bestBid: 0, bestAsk: 0)
        let tick = try trade.tick()
        #expect(tick.lastTradeTime == utc && tick.lastPrice == Paise(2_581_235))
    }

    private func decode(_ bytes: [UInt8]) -> FeedPacket? {
        bytes.withUnsafeBytes { try? FeedPacketDecoder.decode($0).get() }
    }
}
