import Domain
import Testing

/// YAML read without tag resolution: every scalar is text until an accessor converts it, and keys are found
/// by their text whatever YAML 1.1 would have typed them as.
@Suite("configuration nodes")
struct ConfigNodeTests {
    @Test("scalars stay text until asked for a type; keys are matched by text; null only when plain")
    func scalarsAndKeys() throws {
        let node = try ConfigNode.parse(
            """
            count: 0x10
            word: yes
            'true': quoted key
            2026-01-26: a date key
            empty:
            tilde: ~
            quoted: 'null'
            """, file: "t.yml")
        #expect(try node.required("count").string() == "0x10")
        #expect(throws: ConfigError.self) { try node.required("count").int() }
        #expect(try node.required("word").string() == "yes")
        #expect(try node.required("word").bool())
        #expect(try node.required("true").string() == "quoted key")
        #expect(try node.required("2026-01-26").string() == "a date key")
        #expect(try node.required("empty").isNull)
        #expect(try node.required("tilde").isNull)
        #expect(try !node.required("quoted").isNull)
        #expect(try node.optional("absent") == nil)
        #expect(
            try node.entries().map(\.key) == [
                "count", "word", "true", "2026-01-26", "empty", "tilde", "quoted",
            ])
        let missing = #expect(throws: ConfigError.self) { try node.required("absent") }
        #expect(missing?.description == "t.yml: (top level): missing key 'absent'")
    }

    @Test("a key written twice is refused, also when only quoting told the two apart")
    func duplicateKeys() {
        for text in ["a: 1\na: 2\n", "true: 1\n'true': 2\n"] {
            let error = #expect(throws: ConfigError.self) { try ConfigNode.parse(text, file: "t.yml") }
            #expect(error?.reason.contains("duplicated key") == true, "\(String(describing: error))")
        }
    }
}

/// Shapes no configuration file has are refused before Yams composes the document (YAMLShapeCheck).
@Suite("configuration shapes")
struct YAMLShapeTests {
    @Test("a key that is a mapping, a list or an alias is refused with its line and column")
    func collectionAndAliasKeys() {
        let cases: [(String, YAMLShapeCheck.Violation)] = [
            ("? a: 1\n: b\n", .init(kind: .collectionKey, line: 1, column: 3)),
            ("x:\n  ? [1, 2]\n  : y\n", .init(kind: .collectionKey, line: 2, column: 5)),
            ("{[a]: 1}\n", .init(kind: .collectionKey, line: 1, column: 2)),
            ("a: &k b\n*k : c\n", .init(kind: .aliasKey, line: 2, column: 1)),
        ]
        for (text, expected) in cases {
            #expect(YAMLShapeCheck.firstViolation(in: text) == expected, "\(text)")
            let error = #expect(throws: ConfigError.self) { try ConfigNode.parse(text, file: "t.yml") }
            #expect(error?.reason == expected.reason)
        }
    }

    @Test("nesting is refused past 32 levels, and values, lists of mappings and aliases as values pass")
    func depthAndOrdinaryShapes() {
        let deep = (0..<33).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        #expect(YAMLShapeCheck.firstViolation(in: deep) == .init(kind: .tooDeep, line: 33, column: 65))
        let limit = (0..<32).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        #expect(YAMLShapeCheck.firstViolation(in: limit) == nil)
        let ordinary = """
            holidays:
              - date: 2026-01-26
                name: Republic Day
              - {date: 2026-03-03, name: Holi}
            lists: [[1, 2], [3]]
            base: &b {lot: 75}
            copy: *b
            """
        #expect(YAMLShapeCheck.firstViolation(in: ordinary) == nil)
        #expect(YAMLShapeCheck.firstViolation(in: "") == nil)
        #expect(
            YAMLShapeCheck.firstViolation(in: "a: [unclosed\n") == nil, "syntax errors are the composer's to report")
    }
}
