import Foundation
import TestSupport
import Testing

/// docs/architecture.md's module table is the import rule: every project module a source file imports must be
/// listed in its module's "may import" cell.
@Suite("module graph")
struct ModuleGraphTests {
    /// module → the project modules it may import, from the table.
    static func table() throws -> [String: Set<String>] {
        let text = try String(contentsOfFile: Fixtures.path("docs/architecture.md"), encoding: .utf8)
        var rows: [(names: [String], cell: String)] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 4 else { continue }
            let names = cells[1].split(separator: ",").map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: " `"))
            }
            rows.append((names, cells[3]))
        }
        let modules = Set(rows.flatMap(\.names))
        var table: [String: Set<String>] = [:]
        for (index, row) in rows.enumerated() {
            let allowed: Set<String>
            if row.cell.hasPrefix("every module above") {
                // "every module above except A, B": the rows above, less the named ones.
                let excepted =
                    row.cell.components(separatedBy: " except ").dropFirst().first.map {
                        Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    } ?? []
                allowed = Set(rows[..<index].flatMap(\.names)).subtracting(excepted)
            } else {
                allowed = Set(row.cell.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    .intersection(modules)
            }
            for name in row.names { table[name] = allowed }
        }
        return table
    }

    @Test("every module's imports are the ones docs/architecture.md allows, and every module is in the table")
    func importsFollowTheTable() throws {
        let table = try Self.table()
        let modules = Set(table.keys)
        let sources = Fixtures.path("Sources")
        let folders = try FileManager.default.contentsOfDirectory(atPath: sources).sorted()
        var violations: [String] = []
        for module in folders {
            guard let allowed = table[module] else {
                violations.append("\(module) is not in docs/architecture.md")
                continue
            }
            let files = FileManager.default.enumerator(atPath: sources + "/" + module)?.allObjects as? [String] ?? []
            for file in files.sorted() where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: "\(sources)/\(module)/\(file)", encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard let at = words.firstIndex(of: "import"), at + 1 < words.count else { continue }
                    guard words[..<at].allSatisfy({ $0.hasPrefix("@") }) else { continue }
                    let imported = String(words[at + 1])
                    if modules.contains(imported), imported != module, !allowed.contains(imported) {
                        violations.append("\(module)/\(file) imports \(imported)")
                    }
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
    }

    @Test("inside the engine no reducer or risk policy calls back into one that calls it (no cycles)")
    func engineCallsHaveNoCycles() throws {
        // Nodes: each enum in Engine/Reducers and Engine/Risk named after its file; an edge: a call `Name.`
        // outside comments. The watch list's subscription sync is not exempt: it calls nothing back.
        var sources: [String: String] = [:]
        for folder in ["Sources/Engine/Reducers", "Sources/Engine/Risk"] {
            let path = Fixtures.path(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: path) where file.hasSuffix(".swift") {
                let name = String(file.dropLast(6))
                let text = try String(contentsOfFile: "\(path)/\(file)", encoding: .utf8)
                guard text.contains("enum \(name) ") else { continue }
                sources[name] = text.split(separator: "\n").filter {
                    !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//")
                }.joined(separator: "\n")
            }
        }
        #expect(sources.keys.contains("RiskReducer") && sources.keys.contains("PositionLifecycle"))
        var calls: [String: [String]] = [:]
        for (name, text) in sources {
            calls[name] = sources.keys.filter { $0 != name && text.contains("\($0).") }.sorted()
        }
        // Depth-first search for a path that comes back to where it started.
        var cycles: [String] = []
        func visit(_ node: String, _ path: [String]) {
            for next in calls[node] ?? [] {
                if let at = path.firstIndex(of: next) {
                    cycles.append((path[at...] + [next]).joined(separator: " → "))
                } else if path.count < sources.count {
                    visit(next, path + [next])
                }
            }
        }
        for node in sources.keys.sorted() { visit(node, [node]) }
        #expect(cycles.isEmpty, "\(Set(cycles).sorted().joined(separator: "\n"))")
    }

    /// Architecture invariant 14: what runs on virtual time waits only on a clock seam, and starts no task that
    /// would leave its executor.
    @Test("the runtime, the REST client and the simulation never sleep on the wall clock or start a detached task")
    func waitsGoThroughTheClockSeam() throws {
        // The wall clock's own implementation, the background snapshot write that inline commits bypass, the
        // threads `scalper simulate --jobs` runs whole sessions on (each on its own virtual clock inside), and
        // the harness's own two tasks, started only where it routes the thread's global jobs to its executor.
        let found = try Self.lines(
            matching: #"Task\.sleep|Task\s*\{|Task\.detached|Task\(priority|Thread\s*\{|DispatchQueue|usleep\("#,
            allowed: [
                "DhanClient/Support/ElapsedClock.swift", "Runtime/Loop/SnapshotWriter.swift",
                "Simulation/Run/OrderedWorkers.swift", "Simulation/Kernel/VirtualRuntime.swift",
            ])
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// Architecture invariant 14: what runs on virtual time reads time only from a clock seam (`RuntimeClock`
    /// for the time of day, `ElapsedClock` for waits and measured durations).
    @Test("the runtime, the REST client and the simulation never read the wall clock outside the clock seams")
    func timeComesFromTheClockSeam() throws {
        // The wall and dhan-sim clocks themselves, and the simulation command's own run time (its figures).
        let found = try Self.lines(
            matching: #"ContinuousClock|SuspendingClock|Date\(\)|DispatchTime|clock_gettime|gettimeofday"#,
            allowed: [
                "DhanClient/Support/ElapsedClock.swift", "Runtime/Clock/RuntimeClock.swift",
                "Simulation/Run/SimulationRunner.swift",
            ])
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// Lines of the runtime, the REST client and the simulation that match `pattern`, outside `allowed` files
    /// and comments, as `folder/file:line: text`.
    static func lines(matching pattern: String, allowed: Set<String>) throws -> [String] {
        let sources = Fixtures.path("Sources")
        let pattern = try NSRegularExpression(pattern: pattern)
        var found: [String] = []
        for folder in ["Runtime", "DhanClient/REST", "DhanClient/Support", "Simulation"] {
            let files = FileManager.default.enumerator(atPath: "\(sources)/\(folder)")?.allObjects as? [String] ?? []
            for file in files.sorted() where file.hasSuffix(".swift") && !allowed.contains("\(folder)/\(file)") {
                let text = try String(contentsOfFile: "\(sources)/\(folder)/\(file)", encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                    let text = String(line)
                    if pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
                        found.append("\(folder)/\(file):\(number + 1): \(text.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        return found
    }

    @Test("the table parses: the engine may import only the domain and the indicators")
    func tableParses() throws {
        let table = try Self.table()
        #expect(table["Engine"] == ["Domain", "Indicators"])
        #expect(table["Journal"] == ["CLMDB", "CISAL"])
        #expect(table["Runtime"]?.contains("Replay") == false)
        #expect(table["ScalperCLI"]?.contains("Simulation") == true)
    }
}
