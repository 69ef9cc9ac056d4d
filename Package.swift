// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "nara",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nara", targets: ["nara"]),
        .library(name: "NaraCore", targets: ["NaraCore"]),
        .library(name: "NaraHTTP", targets: ["NaraHTTP"]),
        .library(name: "NaraApp", targets: ["NaraApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "NaraCore",
            dependencies: [
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NaraHTTP",
            dependencies: [
                "NaraCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Registries",
            dependencies: ["NaraCore", "NaraHTTP"],
            path: "Sources/Modules/Registries",
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Exchange",
            dependencies: ["NaraCore", "NaraHTTP"],
            path: "Sources/Modules/Exchange",
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CivilServices",
            dependencies: ["NaraCore", "NaraHTTP"],
            path: "Sources/Modules/CivilServices",
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Procurement",
            dependencies: ["NaraCore", "NaraHTTP", .product(name: "Crypto", package: "swift-crypto"), .product(name: "SQLKit", package: "sql-kit")],
            path: "Sources/Modules/Procurement",
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Customs",
            dependencies: ["NaraCore", "NaraHTTP", .product(name: "Crypto", package: "swift-crypto"), .product(name: "SQLKit", package: "sql-kit")],
            path: "Sources/Modules/Customs",
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Petitions",
            dependencies: ["NaraCore", "NaraHTTP", .product(name: "Crypto", package: "swift-crypto"), .product(name: "SQLKit", package: "sql-kit")],
            path: "Sources/Modules/Petitions",
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NaraApp",
            dependencies: ["NaraCore", "NaraHTTP", "Registries", "Exchange", "CivilServices", "Procurement", "Customs", "Petitions"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nara",
            dependencies: [
                "NaraApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                "NaraCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/Support",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nara-rush",
            dependencies: [
                "NaraApp",
                "BenchmarkSupport",
                "Procurement",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            path: "Benchmarks/Rush",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nara-clearance",
            dependencies: [
                "NaraApp",
                "BenchmarkSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/Clearance",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nara-epeople",
            dependencies: [
                "NaraApp",
                "BenchmarkSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/EPeople",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NaraTesting",
            dependencies: [
                "NaraApp",
                "Registries",
                "Exchange",
                "NaraCore",
                "NaraHTTP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Tests/NaraTesting",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NaraCoreTests",
            dependencies: [
                "NaraTesting",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NaraHTTPTests",
            dependencies: ["NaraTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistriesTests",
            dependencies: ["Registries", "NaraTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExchangeTests",
            dependencies: ["Exchange", "Registries", "NaraTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProcurementTests",
            dependencies: ["Procurement", "Exchange", "Registries", "NaraTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustomsTests",
            dependencies: ["Customs", "Exchange", "Registries", "NaraTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PetitionsTests",
            dependencies: ["Petitions", "NaraTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CivilServicesTests",
            dependencies: ["CivilServices", "Exchange", "Registries", "NaraTesting"],
            swiftSettings: swiftSettings
        ),
    ]
)
