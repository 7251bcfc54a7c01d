import Domain
import Engine

/// A simulation narrowed to some of the configured indices (`scalper simulate --index NIFTY,SENSEX`).
public enum IndexSelection {
    /// Why a selection cannot be made.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case unknown(String, configured: [String])
        case empty

        public var description: String {
            switch self {
            case .unknown(let name, let configured):
                "--index \(name) is not configured (the configuration has \(configured.joined(separator: ", ")))"
            case .empty: "--index names no index"
            }
        }
    }

    /// `algo.yml` with only `keep` under `indices:`, the other files as they are.
    ///
    /// The text is what the journal records and the engine parses, so the narrowed session replays as itself.
    /// An index's block is its `  NAME:` line and every line indented deeper after it.
    public static func files(_ files: [ConfigFile], keeping keep: Set<String>, configured: [String]) throws(Refusal)
        -> [ConfigFile]
    {
        guard !keep.isEmpty else { throw .empty }
        for name in keep.sorted() where !configured.contains(name) {
            throw .unknown(name, configured: configured)
        }
        return files.map { file in
            guard file.name == "algo.yml" else { return file }
            var out: [Substring] = []
            var inIndices = false
            var dropping = false
            for line in file.text.split(separator: "\n", omittingEmptySubsequences: false) {
                let indent = line.prefix { $0 == " " }.count
                let blank = line.allSatisfy { $0 == " " }
                if indent == 0 && !blank {
                    inIndices = line.hasPrefix("indices:")
                    dropping = false
                } else if inIndices && indent == 2 && !blank && !line.dropFirst(2).hasPrefix("#") {
                    let name = line.dropFirst(2).prefix { $0 != ":" }
                    dropping = !keep.contains(String(name))
                }
                if !(inIndices && dropping) { out.append(line) }
            }
            return ConfigFile(name: file.name, text: out.joined(separator: "\n"))
        }
    }
}
