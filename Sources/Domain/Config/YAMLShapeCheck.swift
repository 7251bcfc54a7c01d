import CYaml

/// Refuses YAML shapes no configuration file has, before Yams composes the document.
///
/// Yams checks every mapping for duplicate keys by sorting them, and its order on a key that is itself a
/// mapping or a list compares the children twice per level: a 2 KB file of explicit `? ` keys nested fifty
/// deep kept it busy for minutes (the config fuzz target's finding, Tests/Fixtures/fuzz/config-hang-d807017f).
/// A configuration key is always plain text, and no file nests deeper than a few levels, so libyaml's events
/// are read once first and a key that is a mapping, a list or an alias, or nesting past `maxDepth`, is an
/// error naming the line and column. The walk is linear in the file and allocates nothing per event.
public enum YAMLShapeCheck {
    /// Deeper than any configuration file goes (the deepest, algo.yml, nests four levels).
    public static let maxDepth = 32

    /// What is wrong with the shape, and where (1-based line and column).
    public struct Violation: Equatable, Sendable {
        public enum Kind: Equatable, Sendable {
            /// A mapping key that is a mapping or a list (`? ` explicit keys, flow collections as keys).
            case collectionKey
            /// A mapping key that is an alias (`*anchor`).
            case aliasKey
            /// Mappings and lists nested deeper than `maxDepth`.
            case tooDeep
        }
        public var kind: Kind
        public var line: Int
        public var column: Int

        public init(kind: Kind, line: Int, column: Int) {
            self.kind = kind
            self.line = line
            self.column = column
        }

        public var reason: String {
            switch kind {
            case .collectionKey:
                "line \(line), column \(column): a mapping key must be plain text, not a mapping or a list"
            case .aliasKey: "line \(line), column \(column): a mapping key must be plain text, not an alias"
            case .tooDeep: "line \(line), column \(column): nested deeper than \(YAMLShapeCheck.maxDepth) levels"
            }
        }
    }

    /// The first shape violation in `text`, or nil.
    ///
    /// A syntax error is left for the composer to report.
    public static func firstViolation(in text: String) -> Violation? {
        var utf8 = Array(text.utf8)
        if utf8.isEmpty { return nil }
        return utf8.withUnsafeMutableBufferPointer { bytes -> Violation? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            // One entry per open collection: a list (nil), or a mapping and whether its next node is a key.
            var open: [Bool?] = []
            open.reserveCapacity(maxDepth + 1)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let type = event.type
                if type == YAML_STREAM_END_EVENT { return nil }
                let mark = event.start_mark
                let here = (line: Int(mark.line) + 1, column: Int(mark.column) + 1)
                let collection = type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT
                if collection || type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT,
                    let innermost = open.last, let expectingKey = innermost
                {
                    if expectingKey && collection {
                        return Violation(kind: .collectionKey, line: here.line, column: here.column)
                    }
                    if expectingKey && type == YAML_ALIAS_EVENT {
                        return Violation(kind: .aliasKey, line: here.line, column: here.column)
                    }
                    // In a mapping, keys and values alternate.
                    open[open.count - 1] = !expectingKey
                }
                switch type {
                case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
                    if open.count >= maxDepth {
                        return Violation(kind: .tooDeep, line: here.line, column: here.column)
                    }
                    open.append(type == YAML_MAPPING_START_EVENT ? true : nil)
                case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                    if !open.isEmpty { open.removeLast() }
                default: break
                }
            }
        }
    }
}
