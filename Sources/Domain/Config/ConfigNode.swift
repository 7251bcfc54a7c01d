import Yams

/// A configuration value that is wrong: the file, the key path and the reason.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var reason: String

    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(file): \(key.isEmpty ? "(top level)" : key): \(reason)" }
}

/// A YAML node with its file and key path, so every validation error says exactly where it is.
public struct ConfigNode {
    public let node: Node
    public let file: String
    public let path: String

    /// Parses YAML text; a syntax error names the file.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
        if let violation = YAMLShapeCheck.firstViolation(in: text) {
            throw ConfigError(file: file, key: "", reason: violation.reason)
        }
        do {
            // The basic resolver: every scalar is read as text and converted by the accessors below, so
            // resolving YAML 1.1 tags (seven regular expressions tried on every scalar, and again on each
            // key lookup and duplicate check) would only cost time: it was most of a file's parse. UTF-8
            // named, because the default reads the whole process environment on every parse.
            guard let node = try Yams.compose(yaml: text, .basic, .default, .utf8) else {
                throw ConfigError(file: file, key: "", reason: "the file is empty")
            }
            return ConfigNode(node: node, file: file, path: "")
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, key: "", reason: "not valid YAML: \(error)")
        }
    }

    /// Whether the value is YAML null (`null`, `~` or empty).
    public var isNull: Bool { node.null != nil }

    public func error(_ reason: String) -> ConfigError { ConfigError(file: file, key: path, reason: reason) }

    private func child(_ node: Node, _ key: String) -> ConfigNode {
        ConfigNode(node: node, file: file, path: path.isEmpty ? key : path + "." + key)
    }

    /// The entries of a mapping in file order, refusing keys outside `allowed` (when given).
    public func entries(allowed: Set<String>? = nil) throws(ConfigError) -> [(key: String, value: ConfigNode)] {
        guard let mapping = node.mapping else { throw error("expected a mapping") }
        var result: [(String, ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw error("a key is not a string") }
            if let allowed, !allowed.contains(key) {
                throw child(valueNode, key).error("unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            result.append((key, child(valueNode, key)))
        }
        return result
    }

    /// A required key of a mapping.
    public func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let value = try optional(key) else { throw error("missing key '\(key)'") }
        return value
    }

    /// An optional key of a mapping (the last one of that text, as Yams's own lookup reads it).
    public func optional(_ key: String) throws(ConfigError) -> ConfigNode? {
        guard let mapping = node.mapping else { throw error("expected a mapping") }
        var found: Node?
        for (keyNode, value) in mapping where keyNode.scalar?.string == key { found = value }
        return found.map { child($0, key) }
    }

    /// The items of a sequence.
    public func items() throws(ConfigError) -> [ConfigNode] {
        guard let sequence = node.sequence else { throw error("expected a list") }
        return sequence.enumerated().map { ConfigNode(node: $1, file: file, path: "\(path)[\($0)]") }
    }

    public func string() throws(ConfigError) -> String {
        guard let scalar = node.scalar else { throw error("expected a string") }
        return scalar.string
    }

    public func int(in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string) }) else { throw error("expected a whole number") }
        if let range, !range.contains(value) {
            throw error("\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    public func double(in range: ClosedRange<Double>? = nil) throws(ConfigError) -> Double {
        guard let value = node.scalar.flatMap({ Double($0.string) }), value.isFinite else {
            throw error("expected a number")
        }
        if let range, !range.contains(value) {
            throw error("\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    public func bool() throws(ConfigError) -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw error("expected true or false")
        }
    }

    /// A `YYYY-MM-DD` date.
    public func date() throws(ConfigError) -> CivilDate {
        guard let text = node.scalar?.string, text.count == 10, let date = CivilDate(iso: text) else {
            throw error("expected a date YYYY-MM-DD")
        }
        return date
    }

    /// An `HH:MM` time of day, as seconds after midnight.
    public func timeOfDay() throws(ConfigError) -> Int {
        guard let text = node.scalar?.string else { throw error("expected a time HH:MM") }
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]),
            let minute = Int(parts[1]),
            (0..<24).contains(hour), (0..<60).contains(minute)
        else { throw error("expected a time HH:MM, got '\(text)'") }
        return hour * 3600 + minute * 60
    }

    /// Parses a date used as a mapping key (in `entries`), naming this node on error.
    public func dateKey(_ key: String) throws(ConfigError) -> CivilDate {
        guard key.count == 10, let date = CivilDate(iso: key) else { throw error("'\(key)' is not a date YYYY-MM-DD") }
        return date
    }
}
