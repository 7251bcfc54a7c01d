import Foundation

/// A scratch directory under the system temp dir, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ prefix: String = "scalper-test") {
        let base = FileManager.default.temporaryDirectory.path
        let candidate = "\(base)/\(prefix)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try! FileManager.default.createDirectory(atPath: candidate, withIntermediateDirectories: true)
        path = candidate
    }

    public func sub(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
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

    /// Runs `executable` with `arguments` to completion and captures both streams.
    public static func run(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
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
