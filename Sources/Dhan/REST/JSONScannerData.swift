import Domain
import Foundation

extension JSONScanner {
    /// Runs `read` over `data`'s bytes; an error it throws has `what` put before its context
    /// (`fund limit the top level: missing 'sodLimit' at byte 2`).
    ///
    /// `withUnsafeBytes` rethrows untyped, so the typed error travels out in a `Result`.
    public static func read<Value>(
        _ data: Data, what: String, _ read: (inout JSONScanner) throws(JSONDecodingError) -> Value
    ) throws(JSONDecodingError) -> Value {
        let outcome: Result<Value, JSONDecodingError> = data.withUnsafeBytes { raw in
            var scanner = JSONScanner(raw)
            do throws(JSONDecodingError) { return .success(try read(&scanner)) } catch { return .failure(error) }
        }
        switch outcome {
        case .success(let value): return value
        case .failure(let error): throw JSONDecodingError(context: "\(what) \(error.context)", reason: error.reason)
        }
    }
}
