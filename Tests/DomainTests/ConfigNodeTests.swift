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
