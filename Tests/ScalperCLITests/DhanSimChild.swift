import Foundation
import TestSupport
import Testing

/// `dhan-sim` as a child process in a folder, on a free port read from its banner; terminated on `stop()`.
final class DhanSimChild {
    let process = Process()
    let port: Int
    let banner: String
    private let errors = Pipe()

    init(in folder: EmptyFolder, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Executables.dhanSim)
        process.arguments = ["--port", "0"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        process.environment = folder.environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The banner is written straight to the descriptor once the port is bound.
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        banner = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        let afterHost = banner.components(separatedBy: "127.0.0.1:").dropFirst().first ?? ""
        guard let port = Int(afterHost.prefix { $0.isNumber }) else {
            process.terminate()
            process.waitUntilExit()
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "dhan-sim banner: \(banner)"])
        }
        self.port = port
    }

    /// Terminates the child and returns what it wrote to standard error.
    @discardableResult
    func stop() -> String {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    deinit { if process.isRunning { process.terminate() } }
}
