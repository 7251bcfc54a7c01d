import Dhan
import Domain
import Foundation

/// The detailed scrip master, downloaded once per trading day and cached on disk.
public enum InstrumentMasterStore {
    /// Where `day`'s copy lives in `directory`.
    public static func cachePath(directory: String, day: CivilDate) -> String {
        (directory as NSString).appendingPathComponent("scrip-master-detailed-\(day).csv")
    }

    /// Loads `day`'s master from the cache, or downloads it (written atomically, so a crash never leaves a
    /// half file that a later start would trust) and parses the wanted underlyings.
    public static func load(
        day: CivilDate, directory: String, underlyings: Set<String>, client: DhanRESTClient
    ) async throws -> (master: InstrumentMaster, fromCache: Bool) {
        let path = cachePath(directory: directory, day: day)
        if let cached = FileManager.default.contents(atPath: path) {
            return (try InstrumentMaster.parse(cached, underlyings: underlyings, source: path), true)
        }
        let data = try await client.downloadScripMaster()
        let master = try InstrumentMaster.parse(data, underlyings: underlyings, source: client.endpoints.scripMasterURL)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        return (master, false)
    }
}
