import Yams

/// One value put in place of a key of `algo.yml` by its dotted path, as a parameter sweep varies it.
public struct ConfigOverride: Sendable, Equatable {
    /// The dotted key path through mappings, such as `signals.supertrend.multiplier`.
    public var key: String
    /// The value as YAML scalar text (`3.5`, `balanced`, `null`); the config parser reads it like a file's.
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// The YAML text with each override in place, in order; a missing key at the end of a path is added.
    ///
    /// The result still has to pass the config parser, which is where an unknown key or a bad value is
    /// refused with its reason. Errors here name the key and what it runs into (not a mapping, a list).
    public static func apply(_ overrides: [ConfigOverride], to text: String, file: String) throws(ConfigError)
        -> String
    {
        var root = try ConfigNode.parse(text, file: file).node
        for override in overrides {
            let path = override.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
                throw ConfigError(file: file, key: override.key, reason: "not a dotted key path")
            }
            root = try replacing(path[...], in: root, with: override.value, file: file, whole: override.key)
        }
        do {
            return try Yams.serialize(node: root, sortKeys: false)
        } catch {
            throw ConfigError(file: file, key: "", reason: "cannot write the changed YAML: \(error)")
        }
    }

    private static func replacing(
        _ path: ArraySlice<String>, in node: Node, with value: String, file: String, whole: String
    ) throws(ConfigError) -> Node {
        guard let key = path.first else { return Node.scalar(.init(value)) }
        guard var mapping = node.mapping else {
            let kind = node.sequence != nil ? "a list" : "a single value"
            throw ConfigError(
                file: file, key: whole,
                reason: "'\(key)' is looked up in \(kind), not a mapping (sweep keys go through mappings only)")
        }
        let child = mapping[key]
        if child == nil && path.count > 1 {
            throw ConfigError(file: file, key: whole, reason: "'\(key)' is not in the file")
        }
        mapping[key] = try replacing(
            path.dropFirst(), in: child ?? Node.scalar(.init("")), with: value, file: file, whole: whole)
        return Node.mapping(mapping)
    }
}
