import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NaraApp
import NaraCore
import NaraHTTP
import NIOConcurrencyHelpers
import SQLKit

/// The fixed start of every test: Wednesday 25 November 2026, 10:00 in Seoul.
public let testEpoch = Date(timeIntervalSince1970: 1_795_568_400)  // 2026-11-25T01:00:00Z

/// A fixed master key so that tests are reproducible.
public let testMasterKey = Data(repeating: 0x42, count: 32).base64EncodedString()

/// Records outgoing messages; can be told to fail, to exercise retries.
public final class RecordingSender: MessageSender {
    private let state = NIOLockedValueBox<(sent: [OutgoingMessage], failuresLeft: Int)>(([], 0))

    public init() {}

    public func failNext(_ count: Int) { state.withLockedValue { $0.failuresLeft = count } }

    public var sent: [OutgoingMessage] { state.withLockedValue { $0.sent } }

    public func send(_ message: OutgoingMessage) async throws {
        let fail = state.withLockedValue { state -> Bool in
            if state.failuresLeft > 0 { state.failuresLeft -= 1; return true }
            state.sent.append(message)
            return false
        }
        if fail { throw SMTPError(description: "test gateway refused the message") }
    }
}

/// What a test gets: the platform, the clock it controls, the recorded outbox and the fixtures.
public struct TestHarness: Sendable {
    public let platform: Platform
    public let portal: Portal
    public let clock: ManualClock
    public let sender: RecordingSender
    public let fixtures: Fixtures

    public var db: any Database { platform.db }
}

/// Whether the suite runs against PostgreSQL (`NARA_TEST_DATABASE_URL`).
public var testDatabaseURL: String? {
    ProcessInfo.processInfo.environment["NARA_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

/// A configuration for one test: its own temporary data directory, its own SQLite file or
/// PostgreSQL schema, bcrypt cost 4, demo seed off.
public func testConfiguration() -> NaraConfiguration {
    var configuration = NaraConfiguration()
    configuration.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("nara-test-\(UUID().uuidString.lowercased())").path
    configuration.masterKey = testMasterKey
    configuration.bcryptCost = 4
    configuration.demoSeed = .off
    configuration.logLevel = .warning
    configuration.port = 0
    if let url = testDatabaseURL {
        configuration.databaseURL = url
        configuration.databaseSchema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        configuration.databasePoolSize = 2
    }
    return configuration
}

var testLogger: Logger {
    var logger = Logger(label: "nara-test")
    logger.logLevel = .warning
    return logger
}

/// Builds the application as production does, seeds the fixtures, runs `body` against the router,
/// then removes the test's database.
public func withTestApp<T: Sendable>(
    configure: (inout NaraConfiguration) -> Void = { _ in },
    fixtures: Bool = true,
    modules: [any NaraModule] = NaraModules.all,
    _ body: @Sendable (any TestClientProtocol, TestHarness) async throws -> T
) async throws -> T {
    var configuration = testConfiguration()
    configure(&configuration)
    let clock = ManualClock(testEpoch)
    let sender = RecordingSender()
    let (app, portal) = try await buildApplication(configuration, options: ApplicationOptions(
        clock: clock, logger: testLogger, modules: modules, seedDemo: false, sender: sender, backgroundServices: false))
    let harness = TestHarness(platform: portal.platform, portal: portal, clock: clock, sender: sender,
                              fixtures: fixtures ? try await Fixtures.create(portal.platform) : Fixtures.empty)
    do {
        let result = try await app.test(.router) { client in try await body(client, harness) }
        await removeTestStorage(configuration)
        return result
    } catch {
        await removeTestStorage(configuration)
        throw error
    }
}

/// Starts only the platform (no HTTP), for core tests.
public func withTestPlatform<T: Sendable>(
    configure: (inout NaraConfiguration) -> Void = { _ in },
    fixtures: Bool = true,
    _ body: @Sendable (Platform, ManualClock, Fixtures) async throws -> T
) async throws -> T {
    var configuration = testConfiguration()
    configure(&configuration)
    let clock = ManualClock(testEpoch)
    let platform = try await Platform.start(configuration: configuration, modules: NaraModules.all, clock: clock, logger: testLogger, seedDemo: false,
                                            sender: RecordingSender())
    return try await stopping(platform, configuration) {
        let made = fixtures ? try await Fixtures.create(platform) : Fixtures.empty
        return try await body(platform, clock, made)
    }
}

/// Runs `body`, then shuts the platform down and removes its storage, whether `body` threw or not.
func stopping<T: Sendable>(_ platform: Platform, _ configuration: NaraConfiguration, _ body: () async throws -> T) async throws -> T {
    do {
        let result = try await body()
        await platform.shutdown()
        await removeTestStorage(configuration)
        return result
    } catch {
        await platform.shutdown()
        await removeTestStorage(configuration)
        throw error
    }
}

/// Starts the platform with the demo government seeded (no fixtures) at the test epoch, for the
/// tests that check a module's demo data.
public func withDemoPlatform<T: Sendable>(_ body: @Sendable (Platform) async throws -> T) async throws -> T {
    var configuration = testConfiguration()
    configuration.demoSeed = .on
    let platform = try await Platform.start(configuration: configuration, modules: NaraModules.all, clock: ManualClock(testEpoch), logger: testLogger,
                                            sender: RecordingSender())
    return try await stopping(platform, configuration) { try await body(platform) }
}

/// Drops the test's PostgreSQL schema or deletes its data directory.
public func removeTestStorage(_ configuration: NaraConfiguration) async {
    if let schema = configuration.databaseSchema, configuration.databaseURL != nil {
        var admin = configuration
        admin.databaseSchema = nil
        if let database = try? await NaraDatabase.open(admin, logger: testLogger) {
            try? await database.sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
            await database.shutdown()
        }
    }
    try? FileManager.default.removeItem(atPath: configuration.dataDirectory)
}
