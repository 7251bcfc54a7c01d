import Domain
import Foundation

extension FundLimit {
    /// The `GET /v2/fundlimit` body: what `JSONEncoder` with `.sortedKeys` writes (a client id with a `/` aside,
    /// which it escapes), without its cost: the engine refreshes funds twice a simulated minute.
    public func jsonBody() -> Data {
        var out = JSONOutput(capacity: 256)
        func number(_ value: Double) { out.appendEncoderNumber(value) }
        out.append("{\"availabelBalance\":")
        number(availabelBalance)
        out.append(",\"blockedPayoutAmount\":")
        number(blockedPayoutAmount)
        out.append(",\"collateralAmount\":")
        number(collateralAmount)
        out.append(",\"dhanClientId\":")
        out.appendString(dhanClientId)
        out.append(",\"receiveableAmount\":")
        number(receiveableAmount)
        out.append(",\"sodLimit\":")
        number(sodLimit)
        out.append(",\"utilizedAmount\":")
        number(utilizedAmount)
        out.append(",\"withdrawableBalance\":")
        number(withdrawableBalance)
        out.append("}")
        return out.takeData()
    }

    /// Reads a `GET /v2/fundlimit` body straight from its bytes: the `Decodable` conformance's result and
    /// rules (every field required, keys in any order, unknown keys skipped, a repeated key's first value),
    /// without `JSONDecoder`'s cost.
    public static func parse(_ body: Data) throws(DhanDecodingError) -> FundLimit {
        try JSONScanner.read(body, what: "fund limit") { (scanner) throws(DhanDecodingError) in try parse(&scanner) }
    }

    private static func parse(_ scanner: inout JSONScanner) throws(DhanDecodingError) -> FundLimit {
        var client: String?
        var numbers: [Double?] = Array(repeating: nil, count: numberKeys.count)
        try scanner.beginObject()
        while let key = try scanner.nextKey() {
            // A key that comes twice keeps its first value, as `JSONDecoder` keeps it (the rest-bodies fuzz
            // target found the reader keeping the last).
            if scanner.key(key, is: "dhanClientId"), client == nil {
                client = try scanner.string()
            } else if let index = numberKeys.firstIndex(where: { scanner.key(key, is: $0) }), numbers[index] == nil {
                numbers[index] = try scanner.double()
            } else {
                try scanner.skipValue()
            }
        }
        try scanner.end()
        guard let client else { throw scanner.error("missing 'dhanClientId'") }
        for (index, value) in numbers.enumerated() where value == nil {
            throw scanner.error("missing '\(numberKeys[index])'")
        }
        var funds = FundLimit(
            dhanClientId: client, availableBalance: numbers[0]!, sodLimit: numbers[1]!, utilizedAmount: numbers[4]!)
        funds.collateralAmount = numbers[2]!
        funds.receiveableAmount = numbers[3]!
        funds.blockedPayoutAmount = numbers[5]!
        funds.withdrawableBalance = numbers[6]!
        return funds
    }

    /// The number fields as DhanHQ spells them (its own typos included), in `parse`'s order.
    private static let numberKeys: [StaticString] = [
        "availabelBalance", "sodLimit", "collateralAmount", "receiveableAmount", "utilizedAmount",
        "blockedPayoutAmount", "withdrawableBalance",
    ]
}
