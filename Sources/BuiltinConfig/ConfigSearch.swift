import Foundation

/// Where a configuration file was found.
public enum ConfigSource: Equatable, Sendable {
    /// Named on the command line (`--config`, `--calendar`).
    case explicit(path: String)
    /// `./config/<file>` under the working directory.
    case workingDirectory(path: String)
    /// `$XDG_CONFIG_HOME/algoscalper/<file>` (`~/.config/algoscalper/<file>` when the variable is unset).
    case userDirectory(path: String)
    /// The defaults compiled into the binary.
    case builtin

    /// The file read, or nil for the built-in defaults.
    public var path: String? {
        switch self {
        case .explicit(let path), .workingDirectory(let path), .userDirectory(let path): path
        case .builtin: nil
        }
    }

    /// How a command names it: the path, or `built-in defaults`.
    public var label: String { path ?? "built-in defaults" }
}

/// The configuration lookup: `--config`, then `./config/`, then `$XDG_CONFIG_HOME/algoscalper/`, then built in.
///
/// The environment, working directory and file test are values so tests can drive the search.
public struct ConfigSearch: Sendable {
    public var workingDirectory: String
    public var environment: [String: String]
    public var fileExists: @Sendable (String) -> Bool

    public init(
        workingDirectory: String, environment: [String: String], fileExists: @escaping @Sendable (String) -> Bool
    ) {
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.fileExists = fileExists
    }

    /// This process's working directory and environment, and the real file system.
    public static var process: ConfigSearch {
        ConfigSearch(
            workingDirectory: FileManager.default.currentDirectoryPath,
            environment: ProcessInfo.processInfo.environment,
            fileExists: { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            })
    }

    /// The per-user configuration directory: `$XDG_CONFIG_HOME/algoscalper`, else `$HOME/.config/algoscalper`.
    ///
    /// The XDG base-directory spec says a relative `XDG_CONFIG_HOME` is invalid and must be ignored.
    public var userDirectory: String? {
        if let base = environment["XDG_CONFIG_HOME"], base.hasPrefix("/") { return base + "/algoscalper" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.config/algoscalper" }
        return nil
    }

    /// Finds `file` (`algo.yml`, `calendar.yml`): the explicit path if given (it need not exist yet: reading
    /// it reports the error), else the first of `./config/<file>` and the user directory that exists.
    public func locate(_ file: String, explicit: String?) -> ConfigSource {
        if let explicit { return .explicit(path: explicit) }
        let local = "config/" + file
        if fileExists(workingDirectory + "/" + local) { return .workingDirectory(path: local) }
        if let user = userDirectory.map({ $0 + "/" + file }), fileExists(user) { return .userDirectory(path: user) }
        return .builtin
    }
}
