// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug))
]

let package = Package(
    name: "AlgoScalper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scalper", targets: ["ScalperCLI"]),
        .library(name: "Journal", targets: ["Journal"]),
        .library(name: "Domain", targets: ["Domain"]),
        .library(name: "Indicators", targets: ["Indicators"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Replay", targets: ["Replay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The C-level baseline the journal benchmark compares against: raw mdb_put with MDB_APPEND.
        .target(name: "LMDBBaseline", dependencies: ["CLMDB"]),
        .target(
            name: "Journal",
            dependencies: [
                "CLMDB",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Domain", dependencies: ["Journal", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings),
        .target(name: "Indicators", dependencies: ["Domain"], swiftSettings: strictSettings),
        // The pure core: state and reducers. No clock, files, network, environment or randomness.
        .target(name: "Engine", dependencies: ["Domain", "Indicators"], swiftSettings: strictSettings),
        // The DhanHQ v2 client edge: wire types and their conversion to domain values.
        .target(name: "Dhan", dependencies: ["Domain"], swiftSettings: strictSettings),
        // Deterministic sample sessions and builders shared by tests, benchmarks and the sample journal.
        .target(name: "TestSupport", dependencies: ["Journal", "Domain"], swiftSettings: strictSettings),
        // Deterministic replay of journals, backtests and reports.
        .target(
            name: "Replay", dependencies: ["Engine", "Journal", "Domain", "Indicators"], swiftSettings: strictSettings),
        // TCA-style exhaustive reducer tests: send an event, state the exact state change and commands.
        .target(
            name: "EngineTestSupport", dependencies: ["Engine", "Domain", "TestSupport"],
            path: "Tests/EngineTestSupport"),
        .executableTarget(
            name: "ScalperCLI",
            dependencies: [
                "Journal", "Domain", "Indicators", "Engine", "Dhan", "Replay", "LMDBBaseline", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "Domain", "TestSupport", "CZlib", "ScalperCLI"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "TestSupport"]),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "EngineTestSupport", "Domain", "Indicators", "Dhan", "TestSupport"]
        ),
        .testTarget(
            name: "ReplayTests",
            dependencies: [
                "Replay", "Engine", "EngineTestSupport", "Journal", "Domain", "Indicators", "TestSupport", "ScalperCLI",
            ]
        ),
        .testTarget(name: "DhanTests", dependencies: ["Dhan", "Domain", "TestSupport"]),
        .testTarget(name: "IndicatorsTests", dependencies: ["Indicators", "Domain", "TestSupport"]),
        .testTarget(
            name: "ScalperCLITests", dependencies: ["ScalperCLI", "TestSupport", "EngineTestSupport"],
            exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
