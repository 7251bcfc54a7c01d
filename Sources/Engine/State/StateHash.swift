import Domain

extension EngineState {
    /// A fingerprint of the whole state: FNV-1a 64 over its structural dump, with the configuration
    /// represented by its journaled hash (the parsed configuration holds dictionaries, whose order is not
    /// stable across processes).
    public var stateHash: String {
        var copy = self
        copy.config = nil
        var text = ""
        dump(copy, to: &text)
        return StableHash.hex(of: Array(text.utf8))
    }
}
