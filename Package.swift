// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .unsafeFlags(["-warnings-as-errors"]),
    // Release builds drop the run-time exclusivity checks on class properties and globals: the per-record
    // paths (the backtest's session and batched appender) spent 5-8 % of their time in them. Debug builds keep
    // them; the test job (tools/test.sh) runs on a release build, warnings are errors in both.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "AlgoScalper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scalper", targets: ["ScalperCLI"]),
        .executable(name: "dhan-sim", targets: ["DhanSimCLI"]),
        .library(name: "Journal", targets: ["Journal"]),
        .library(name: "Domain", targets: ["Domain"]),
        .library(name: "Indicators", targets: ["Indicators"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Replay", targets: ["Replay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Intel's ISA-L: zlib's CRC-32 computed with carry-less multiplies (PCLMULQDQ, or the ARM equivalent).
        .systemLibrary(name: "CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        // The C-level baseline the journal benchmark compares against: raw mdb_put with MDB_APPEND.
        .target(name: "LMDBBaseline", dependencies: ["CLMDB"]),
        .target(
            name: "Journal",
            dependencies: [
                "CLMDB",
                "CISAL",
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
        // The DhanHQ v2 wire: JSON and binary feed types, codecs and their conversion to domain values. No I/O.
        .target(
            name: "Dhan", dependencies: ["Domain", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),
        // The DhanHQ v2 network client: REST on async-http-client, both WebSockets, rate limits, reconnects.
        .target(
            name: "DhanClient",
            dependencies: [
                "Dhan", "Domain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        // The live runtime: sequencer, effect handlers, paper broker, recovery, status API.
        .target(
            name: "Runtime",
            dependencies: [
                "Engine", "Journal", "Domain", "Dhan", "DhanClient", "MarketModel", "Recovery",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings),
        // A seeded market: index paths with regimes, Black–Scholes option prices, scripted scenarios.
        .target(name: "MarketModel", dependencies: ["Domain"], swiftSettings: strictSettings),
        // The DhanHQ v2 simulator as a library, so tests start it in-process on an ephemeral port.
        .target(
            name: "DhanSim",
            dependencies: [
                "Dhan", "Domain", "MarketModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        // The default algo.yml, calendar.yml and demo scenario compiled in, and the lookup that falls back to them.
        .target(name: "BuiltinConfig", dependencies: ["Domain"], swiftSettings: strictSettings),
        .executableTarget(
            name: "DhanSimCLI",
            dependencies: [
                "DhanSim", "Domain", "BuiltinConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings),
        // Seeded sessions of the engine against dhan-sim's broker on virtual time, with fault profiles and invariants.
        .target(
            name: "Simulation",
            dependencies: [
                "Dhan", "DhanClient", "DhanSim", "Domain", "Engine", "Journal", "MarketModel", "Recovery", "Runtime",
            ],
            swiftSettings: strictSettings),
        // The deterministic synthetic session the shipped journal benchmark appends (and tests and fixtures reuse).
        .target(name: "Workloads", dependencies: ["Journal", "Domain"], swiftSettings: strictSettings),
        // Downloaded DhanHQ history (expired options, index candles): the store, the fetch, the CSV export.
        .target(
            name: "History", dependencies: ["Domain", "Dhan", "DhanClient"], swiftSettings: strictSettings),
        // Fixtures and process helpers for tests only; the scalper binary does not link it.
        .target(name: "TestSupport", dependencies: ["Journal", "Domain", "Workloads"], swiftSettings: strictSettings),
        // Folding a journal back into state: the replayer with divergence reports, and state snapshots.
        .target(name: "Recovery", dependencies: ["Engine", "Journal", "Domain"], swiftSettings: strictSettings),
        // Backtests (the paper session, the proxy study) and reports.
        .target(
            name: "Replay",
            dependencies: ["Engine", "Journal", "Domain", "Indicators", "MarketModel", "Recovery", "History"],
            swiftSettings: strictSettings),
        // TCA-style exhaustive reducer tests: send an event, state the exact state change and commands.
        .target(
            name: "EngineTestSupport", dependencies: ["Engine", "Domain", "TestSupport"],
            path: "Tests/EngineTestSupport"),
        .executableTarget(
            name: "ScalperCLI",
            dependencies: [
                "Journal", "Domain", "Indicators", "Engine", "Dhan", "Replay", "LMDBBaseline", "Workloads", "Runtime",
                "History",
                "DhanClient", "DhanSim", "MarketModel", "BuiltinConfig", "Simulation", "Recovery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JournalTests",
            dependencies: ["Journal", "Domain", "TestSupport", "Workloads", "CZlib", "ScalperCLI"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "TestSupport", "Workloads"]),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "EngineTestSupport", "Domain", "Indicators", "Dhan", "TestSupport"]
        ),
        .testTarget(
            name: "ReplayTests",
            dependencies: [
                "Replay", "Recovery", "Engine", "EngineTestSupport", "Journal", "Domain", "Indicators", "TestSupport",
                "History",
                "ScalperCLI",
            ]
        ),
        .testTarget(name: "DhanTests", dependencies: ["Dhan", "Domain", "TestSupport"]),
        .testTarget(
            name: "RuntimeTests",
            dependencies: [
                "Runtime", "DhanSim", "DhanClient", "Dhan", "Domain", "Engine", "Journal", "Replay", "Recovery",
                "MarketModel", "Simulation",
                "TestSupport", "ScalperCLI",
            ]),
        .testTarget(
            name: "DhanSimTests",
            dependencies: [
                "DhanSim", "DhanClient", "Dhan", "Domain", "MarketModel", "TestSupport", "History", "Replay", "Engine",
                "Journal", "Recovery",
            ]),
        .testTarget(
            name: "SimulationTests",
            dependencies: [
                "Simulation", "DhanSim", "Dhan", "DhanClient", "Domain", "Engine", "Journal", "BuiltinConfig",
                "TestSupport", "Recovery", "Runtime", "MarketModel",
            ]),
        .testTarget(name: "IndicatorsTests", dependencies: ["Indicators", "Domain", "TestSupport"]),
        .testTarget(name: "HistoryTests", dependencies: ["History", "Dhan", "Domain", "TestSupport"]),
        .testTarget(
            name: "ScalperCLITests",
            dependencies: [
                "ScalperCLI", "TestSupport", "Workloads", "EngineTestSupport", "BuiltinConfig", "Domain", "Engine",
                "History",
                "Dhan",
            ],
            exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets (Sources/ScalperFuzz) exist only in `tools/fuzz.sh`'s build (SCALPER_FUZZ=1, compiled
// with AddressSanitizer and coverage, linked with libFuzzer's driver): an ordinary build could not link them.
if Context.environment["SCALPER_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "ScalperFuzz", dependencies: ["Dhan", "Domain", "Engine", "Indicators", "Journal", "Recovery"]))
    package.products.append(.executable(name: "scalper-fuzz", targets: ["ScalperFuzz"]))
}
