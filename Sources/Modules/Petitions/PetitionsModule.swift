import FluentKit
import Foundation
import NaraCore
import NaraHTTP

/// e-People: civil complaints to every agency, routed and answered within the legal periods.
public struct PetitionsModule: NaraModule {
    public init() {}

    static let handlePermission = Permission(rawValue: "petitions.handle")
    static let approvePermission = Permission(rawValue: "petitions.approve")
    static let adminPermission = Permission(rawValue: "petitions.admin")

    public var id: String { "petitions" }
    public var title: LocalizedText { LocalizedText(en: "e-People", ko: "국민신문고") }
    public var migrations: [any Migration] { [CreatePetitionsTables(), SeedComplaintTypes()] }
    public var permissions: [PermissionDescriptor] {
        [PermissionDescriptor(Self.handlePermission, "Receive, transfer, extend and draft answers to complaints sent to one's agency"),
         PermissionDescriptor(Self.approvePermission, "Approve the answer another official of one's agency drafted"),
         PermissionDescriptor(Self.adminPermission, "Keep the complaint types, their periods and the handling settings")]
    }
    public var roles: [RoleDefinition] {
        [RoleDefinition(name: "complaints-officer", title: "Complaints officer", permissions: [Self.handlePermission, .agencyWorkspace], assignableTo: [.official]),
         RoleDefinition(name: "complaints-approver", title: "Complaints answer approver", permissions: [Self.handlePermission, Self.approvePermission, .agencyWorkspace],
                        assignableTo: [.official]),
         RoleDefinition(name: "complaints-administrator", title: "Complaints administrator", permissions: [Self.adminPermission], assignableTo: [.official, .operator])]
    }
    public var messages: [Language: [String: String]] { ModuleResources.messages(Bundle.module) }
    public var healthChecks: [HealthCheck] {
        [HealthCheck(name: "complaint types") { platform in _ = try await ComplaintTypeModel.query(on: platform.db).count() }]
    }
    public var backgroundJobs: [BackgroundJob] {
        [BackgroundJob(name: "petitions: escalate complaints nobody accepted", intervalSeconds: 60) { platform in
            try await Self.service(platform).escalateUnaccepted()
        }]
    }

    public func registerContracts(in registry: ContractRegistry, platform: Platform) {
        registry.register(PetitionsService.self, PetitionsService(platform: platform))
    }

    static func service(_ platform: Platform) -> PetitionsService {
        platform.contracts.first(PetitionsService.self)!
    }

    public func registerRoutes(_ routes: RouteRegistry, portal: Portal) {
        PetitionsAPI.register(routes, portal: portal, service: Self.service(portal.platform))
    }

    public func seedDemo(_ seed: DemoSeedContext) async throws {
        try await DemoPetitions.seed(seed)
    }
}
