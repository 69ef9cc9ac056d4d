import FluentKit
import Foundation
import NIOConcurrencyHelpers

/// Who sees a menu entry.
public enum MenuAudience: String, Sendable {
    case everyone
    case citizens
    case officials
    case operators
}

public struct MenuEntry: Sendable {
    public let id: String
    public let title: LocalizedText
    public let summary: LocalizedText
    public let path: String
    public let audience: MenuAudience

    public init(id: String, title: LocalizedText, summary: LocalizedText, path: String, audience: MenuAudience) {
        self.id = id
        self.title = title
        self.summary = summary
        self.path = path
        self.audience = audience
    }
}

public struct PermissionDescriptor: Sendable {
    public let permission: Permission
    public let summary: String

    public init(_ permission: Permission, _ summary: String) {
        self.permission = permission
        self.summary = summary
    }
}

/// A named readiness probe of a module (storage reachable, a reference table loaded, ...).
public struct HealthCheck: Sendable {
    public let name: String
    public let run: @Sendable (Platform) async throws -> Void

    public init(name: String, run: @escaping @Sendable (Platform) async throws -> Void) {
        self.name = name
        self.run = run
    }
}

/// Work a module runs in the background every `intervalSeconds` while the server runs.
public struct BackgroundJob: Sendable {
    public let name: String
    public let intervalSeconds: Int
    public let run: @Sendable (Platform) async throws -> Void

    public init(name: String, intervalSeconds: Int, run: @escaping @Sendable (Platform) async throws -> Void) {
        self.name = name
        self.intervalSeconds = intervalSeconds
        self.run = run
    }
}

/// The platform side of a government-service module. The HTTP side (`NaraModule` in NaraHTTP)
/// adds routes. A module never imports another module: it reaches other services through
/// contracts registered in the `ContractRegistry`.
public protocol PlatformModule: Sendable {
    /// Stable identifier, lower-case: used in table prefixes, URLs (`/api/v1/<id>`) and audit actions.
    var id: String { get }
    var title: LocalizedText { get }
    var migrations: [any Migration] { get }
    /// Roles the module defines, with the permissions each carries.
    var roles: [RoleDefinition] { get }
    var permissions: [PermissionDescriptor] { get }
    var menu: [MenuEntry] { get }
    /// Extra strings for the message catalogue, by language.
    var messages: [Language: [String: String]] { get }
    var healthChecks: [HealthCheck] { get }
    /// Periodic work (purges, reminders), run by the server only.
    var backgroundJobs: [BackgroundJob] { get }
    /// Registers the implementations of the contracts this module provides to others.
    func registerContracts(in registry: ContractRegistry, platform: Platform)
    /// Seeds believable demo data in each of the module's main states.
    func seedDemo(_ seed: DemoSeedContext) async throws
}

extension PlatformModule {
    public var roles: [RoleDefinition] { [] }
    public var permissions: [PermissionDescriptor] { [] }
    public var menu: [MenuEntry] { [] }
    public var messages: [Language: [String: String]] { [:] }
    public var healthChecks: [HealthCheck] { [] }
    public var backgroundJobs: [BackgroundJob] { [] }
    public func registerContracts(in registry: ContractRegistry, platform: Platform) {}
    public func seedDemo(_ seed: DemoSeedContext) async throws {}
}

/// Implementations of NaraCore contracts, registered by modules at start-up and looked up by
/// the contract's protocol type. Several modules may provide the same contract.
public final class ContractRegistry: Sendable {
    private let providers = NIOLockedValueBox<[ObjectIdentifier: [any Sendable]]>([:])

    public init() {}

    public func register<Contract>(_ contract: Contract.Type, _ implementation: any Sendable) {
        providers.withLockedValue { $0[ObjectIdentifier(contract), default: []].append(implementation) }
    }

    public func all<Contract>(_ contract: Contract.Type) -> [Contract] {
        providers.withLockedValue { $0[ObjectIdentifier(contract)] ?? [] }.compactMap { $0 as? Contract }
    }

    public func first<Contract>(_ contract: Contract.Type) -> Contract? { all(contract).first }
}

// MARK: Contracts of the portal shell

/// Something a person has with a module: an application, an issued document.
public struct PersonalRecord: Sendable, Equatable {
    public enum Kind: String, Sendable { case application, document }
    public let kind: Kind
    public let module: String
    public let title: String
    public let reference: String
    public let status: String
    public let updatedAt: Date
    public let link: String?

    public init(kind: Kind, module: String, title: String, reference: String, status: String, updatedAt: Date, link: String?) {
        self.kind = kind
        self.module = module
        self.title = title
        self.reference = reference
        self.status = status
        self.updatedAt = updatedAt
        self.link = link
    }
}

/// Modules that hold applications or documents of a person list them in "My Nara".
public protocol PersonalRecordsProvider: Sendable {
    func records(accountID: UUID, language: Language, on db: any Database) async throws -> [PersonalRecord]
}

/// An item waiting for an agency, for the agency workspace queue.
public struct WorkItem: Sendable, Equatable {
    public let module: String
    public let title: String
    public let reference: String
    public let dueAt: Date?
    public let link: String?

    public init(module: String, title: String, reference: String, dueAt: Date?, link: String?) {
        self.module = module
        self.title = title
        self.reference = reference
        self.dueAt = dueAt
        self.link = link
    }
}

/// Modules with agency work put it into the shared workspace queue.
public protocol WorkQueueProvider: Sendable {
    func workItems(agencyID: UUID, language: Language, on db: any Database) async throws -> [WorkItem]
}
