import Foundation
import Hummingbird
import Logging
import NaraCore
import NaraHTTP
import CivilServices
import Customs
import Petitions
import Procurement
import Exchange
import Registries

/// The composition root: the only place that knows every module.
public enum NaraModules {
    /// Government-service modules, in menu order. Each later issue adds its module here.
    public static var all: [any NaraModule] { [RegistriesModule(), ExchangeModule(), CivilServicesModule(), ProcurementModule(), CustomsModule(), PetitionsModule()] }
}

/// How to build an application besides its configuration; tests set the clock and the sender.
public struct ApplicationOptions: Sendable {
    public var clock: any NaraClock
    public var logger: Logger
    public var modules: [any NaraModule]
    /// nil: follow `NARA_DEMO_SEED` (seed an empty database); true/false: force.
    public var seedDemo: Bool?
    public var sender: (any MessageSender)?
    public var backgroundServices: Bool
    public var migrationMode: Platform.MigrationMode

    public init(clock: any NaraClock = SystemClock(), logger: Logger = Logger(label: "nara"), modules: [any NaraModule] = NaraModules.all,
                seedDemo: Bool? = nil, sender: (any MessageSender)? = nil, backgroundServices: Bool = true,
                migrationMode: Platform.MigrationMode = .apply) {
        self.clock = clock
        self.logger = logger
        self.modules = modules
        self.seedDemo = seedDemo
        self.sender = sender
        self.backgroundServices = backgroundServices
        self.migrationMode = migrationMode
    }
}

/// Builds the production application and the test application alike: starts the platform
/// (storage, migrations, PKI, demo seed) and the HTTP portal with every module.
public func buildApplication(_ configuration: NaraConfiguration, options: ApplicationOptions = ApplicationOptions()) async throws -> (PortalApplication.App, Portal) {
    let platform = try await Platform.start(configuration: configuration, modules: options.modules, clock: options.clock, logger: options.logger,
                                            migrationMode: options.migrationMode, seedDemo: options.seedDemo, sender: options.sender)
    do {
        return try await PortalApplication.build(platform: platform, modules: options.modules, backgroundServices: options.backgroundServices)
    } catch {
        await platform.shutdown()
        throw error
    }
}

/// Starts only the platform (CLI commands that need storage but no server).
public func startPlatform(_ configuration: NaraConfiguration, options: ApplicationOptions = ApplicationOptions()) async throws -> Platform {
    try await Platform.start(configuration: configuration, modules: options.modules, clock: options.clock, logger: options.logger,
                             migrationMode: options.migrationMode, seedDemo: options.seedDemo ?? false, sender: options.sender)
}
