import Foundation

/// A scratch directory under the system temp dir, removed when the value is released.
///
/// `SCALPER_KEEP_SCRATCH=1` keeps it (journals and logs of a failed acceptance test, to read afterwards).
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ prefix: String = "scalper-test") {
        let base = FileManager.default.temporaryDirectory.path
        let candidate = "\(base)/\(prefix)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try! FileManager.default.createDirectory(atPath: candidate, withIntermediateDirectories: true)
        path = candidate
    }

    public func sub(_ name: String) -> String { path + "/" + name }

    deinit {
        if ProcessInfo.processInfo.environment["SCALPER_KEEP_SCRATCH"] == "1" { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// What a finished child process produced.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the project's own executables as real child processes.
public enum Executables {
    /// The directory holding the built products (next to the test bundle).
    public static var productsDirectory: String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("scalper").path) {
                return url.path
            }
        }
        fatalError(
            "cannot find the built 'scalper' next to \(CommandLine.arguments[0]); run the tests with 'swift test'")
    }

    /// The built `scalper` binary.
    public static var scalper: String { productsDirectory + "/scalper" }

    /// The built `dhan-sim` binary.
    public static var dhanSim: String { productsDirectory + "/dhan-sim" }

    /// Runs `executable` with `arguments` to completion and captures both streams; `directory` and `environment`
    /// replace the working directory and the whole environment when given.
    public static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, directory: String? = nil,
        environment: [String: String]? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if stdin == nil { process.standardInput = FileHandle.nullDevice }
        try process.run()
        // Read both pipes while the child runs so a large output cannot fill a pipe and stall it.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        group.wait()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs the built `scalper` with `arguments`.
    public static func scalper(_ arguments: String...) throws -> ProcessResult {
        try run(scalper, arguments)
    }
}

/// An empty working directory with an empty home, as on a machine that has only the binaries: no `./config`,
/// no per-user configuration, nothing beside it.
public struct EmptyFolder {
    public let scratch = TemporaryDirectory("scalper-empty")

    public init() {
        try! FileManager.default.createDirectory(atPath: scratch.sub("work"), withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(atPath: scratch.sub("home"), withIntermediateDirectories: true)
    }

    /// The working directory.
    public var path: String { scratch.sub("work") }

    /// An environment whose HOME is empty and that names no XDG folder.
    public var environment: [String: String] {
        var environment = ["HOME": scratch.sub("home"), "LANG": "C.UTF-8"]
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        return environment
    }

    /// Runs `executable` here with this environment.
    public func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
        try Executables.run(executable, arguments, directory: path, environment: environment)
    }
}
