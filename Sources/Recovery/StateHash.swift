import Domain
import Engine
import Foundation

extension EngineState {
    /// A fingerprint of the whole state: FNV-1a 64 over its JSON with sorted keys, with the configuration
    /// represented by its journaled hash (the parsed configuration holds dictionaries, whose order is not
    /// stable across processes).
    ///
    /// The state holds arrays, not dictionaries, so the encoding is the same in every process. It was once
    /// the structural `dump` of the state, which reflects over every value and cost a simulated day a tenth
    /// of its time in snapshots alone.
    public var stateHash: String {
        var copy = self
        copy.config = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Indicators not yet warmed up may hold NaN, which plain JSON cannot carry.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return StableHash.hex(of: Array(try encoder.encode(copy)))
        } catch {
            // Encoding the engine's own value types cannot fail; if it ever did, no two states would compare equal.
            preconditionFailure("the engine state does not encode: \(error)")
        }
    }
}
