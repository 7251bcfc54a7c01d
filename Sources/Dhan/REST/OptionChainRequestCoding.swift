import Domain
import Foundation

extension OptionChainRequest {
    /// The request body as JSON bytes, keys in the order declared, without `JSONEncoder`'s cost (a few hundred
    /// chain requests a simulated day).
    public func jsonBody() -> Data {
        var out = JSONOutput(capacity: 96)
        out.append("{\"UnderlyingScrip\":")
        out.appendInteger(Int64(underlyingScrip))
        out.append(",\"UnderlyingSeg\":")
        out.appendString(underlyingSeg)
        if let expiry {
            out.append(",\"Expiry\":")
            out.appendString(expiry)
        }
        out.append("}")
        return out.takeData()
    }

    /// Reads a request body from its bytes, keys in any order, an absent or null `Expiry` as none; nil when it
    /// is not one (what `JSONDecoder` refuses).
    public static func parse(_ body: Data) -> OptionChainRequest? {
        try? JSONScanner.read(body, what: "option chain request") {
            (scanner) throws(JSONDecodingError) -> OptionChainRequest in
            var scrip: Int64?
            var segment: String?
            var expiry: String?
            try scanner.beginObject()
            while let key = try scanner.nextKey() {
                if scanner.key(key, is: "UnderlyingScrip") {
                    scrip = try scanner.int64()
                } else if scanner.key(key, is: "UnderlyingSeg") {
                    segment = try scanner.string()
                } else if scanner.key(key, is: "Expiry") {
                    expiry = scanner.null() ? nil : try scanner.string()
                } else {
                    try scanner.skipValue()
                }
            }
            try scanner.end()
            guard let scrip, let value = Int(exactly: scrip) else { throw scanner.error("no whole 'UnderlyingScrip'") }
            guard let segment else { throw scanner.error("missing 'UnderlyingSeg'") }
            return OptionChainRequest(underlyingScrip: value, underlyingSeg: segment, expiry: expiry)
        }
    }
}
