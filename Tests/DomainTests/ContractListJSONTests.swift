import Domain
import Foundation
import Testing

@Suite("contract lists in JSON")
struct ContractListJSONTests {
    static let list = ContractList(
        underlying: "NIFTY",
        contracts: (0..<40).map { step in
            ContractSpec(
                underlying: "NIFTY", instrument: InstrumentKey(.nseFNO, SecurityID(40_000 + UInt32(step))),
                expiry: CivilDate(2025, 11, 4 + 7 * (step % 3)), strike: .rupees(25_000 + 50 * Int64(step / 2)),
                type: step % 2 == 0 ? .call : .put, lotSize: 75, tickSize: Paise(5))
        })

    @Test("hex gives two lowercase digits a byte and reads either case back; odd lengths and other letters are refused")
    func hexRoundTrip() {
        let bytes: [UInt8] = (0...255).map { UInt8($0) }
        let text = HexBytes.encode(bytes)
        #expect(text.count == 512)
        #expect(text.hasPrefix("000102") && text.hasSuffix("fdfeff"))
        #expect(HexBytes.decode(text) == bytes)
        #expect(HexBytes.decode(text.uppercased()) == bytes)
        #expect(HexBytes.decode("") == [])
        #expect(HexBytes.decode("abc") == nil)
        #expect(HexBytes.decode("0g") == nil)
        #expect(HexBytes.decode("0 ") == nil)
    }

    @Test("a list goes through JSON as its journal payload in hex and comes back equal")
    func roundTrip() throws {
        let data = try JSONEncoder().encode(Self.list)
        let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(object.keys.sorted() == ["payload", "underlying"])
        #expect(object["underlying"] == "NIFTY")
        var writer = BinaryWriter()
        Self.list.encode(to: &writer)
        #expect(object["payload"] == HexBytes.encode(writer.bytes))
        #expect(try JSONDecoder().decode(ContractList.self, from: data) == Self.list)
    }

    @Test("a payload that is not hex, is cut short, runs on, or names another underlying is refused, saying which")
    func refusals() throws {
        var writer = BinaryWriter()
        Self.list.encode(to: &writer)
        let payload = HexBytes.encode(writer.bytes)
        let cases: [(underlying: String, payload: String, says: String)] = [
            ("NIFTY", "zz", "not hex"),
            ("NIFTY", String(payload.dropLast(4)), "the contracts payload"),
            ("NIFTY", payload + "00", "bytes after the list"),
            ("BANKNIFTY", payload, "lists NIFTY's contracts under BANKNIFTY"),
        ]
        for item in cases {
            let json = Data(#"{"underlying":"\#(item.underlying)","payload":"\#(item.payload)"}"#.utf8)
            do {
                _ = try JSONDecoder().decode(ContractList.self, from: json)
                Issue.record("decoded \(item.says)")
            } catch {
                #expect("\(error)".contains(item.says), "\(error)")
            }
        }
    }
}
