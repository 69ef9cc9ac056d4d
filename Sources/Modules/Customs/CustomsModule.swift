import FluentKit
import Foundation
import NaraCore
import NaraHTTP

/// e-Customs (UNI-PASS): declarations with risk-based lanes, duty and tax, inspection and
/// release, manifests and cargo tracking; green-lane exports released in the request.
public struct CustomsModule: NaraModule {
    public init() {}

    static let processPermission = Permission(rawValue: "customs.process")
    static let riskPermission = Permission(rawValue: "customs.risk")
    static let referencePermission = Permission(rawValue: "customs.reference")

    public var id: String { "customs" }
    public var title: LocalizedText { LocalizedText(en: "Customs clearance", ko: "전자통관") }
    public var migrations: [any Migration] { [CreateCustomsTables(), SeedCustomsSettings(), CreateCustomsCargoCoverIndex()] }
    public var permissions: [PermissionDescriptor] {
        [PermissionDescriptor(Self.processPermission, "Process declarations: documents, inspection, re-routing, assessment, release"),
         PermissionDescriptor(Self.riskPermission, "Maintain risk criteria and selection rates, AEO status, run the lane simulator"),
         PermissionDescriptor(Self.referencePermission, "Maintain the tariff, duty rates and customs exchange rates")]
    }
    public var roles: [RoleDefinition] {
        [RoleDefinition(name: "customs-officer", title: "Customs officer", permissions: [Self.processPermission, .agencyWorkspace], assignableTo: [.official]),
         RoleDefinition(name: "risk-analyst", title: "Customs risk analyst", permissions: [Self.riskPermission, Self.processPermission, .agencyWorkspace],
                        assignableTo: [.official]),
         RoleDefinition(name: "tariff-officer", title: "Tariff and valuation officer", permissions: [Self.referencePermission, .agencyWorkspace],
                        assignableTo: [.official])]
    }
    public var menu: [MenuEntry] {
        [MenuEntry(id: "customs", title: title,
                   summary: LocalizedText(en: "Track cargo, follow declarations and see clearance times by lane.",
                                          ko: "화물 진행 조회, 수출입 신고와 통관 소요 시간."),
                   path: "/customs", audience: .everyone)]
    }
    public var messages: [Language: [String: String]] { ModuleResources.messages(Bundle.module) }
    public var templatesDirectory: URL? { ModuleResources.templates(Bundle.module) }
    public var backgroundJobs: [BackgroundJob] {
        [BackgroundJob(name: "customs: release declarations whose duty was paid", intervalSeconds: 30) { platform in
            try await Self.service(platform).recordPayments()
        }]
    }

    public func registerContracts(in registry: ContractRegistry, platform: Platform) {
        let service = CustomsService(platform: platform)
        registry.register(CustomsService.self, service)
        registry.register((any WorkQueueProvider).self, CustomsWorkQueue(service: service))
    }

    static func service(_ platform: Platform) -> CustomsService { platform.contracts.first(CustomsService.self)! }

    public func registerRoutes(_ routes: RouteRegistry, portal: Portal) {
        let service = Self.service(portal.platform)
        CustomsAPI.register(routes, portal: portal, service: service)
        CustomsPages.register(routes, portal: portal, service: service)
        ReferencePages.register(routes, portal: portal, service: service)
    }

    public func seedDemo(_ seed: DemoSeedContext) async throws {
        try await DemoCustoms.seed(seed)
    }
}

/// Declarations waiting for the customs service's officers, in the shared workspace.
struct CustomsWorkQueue: WorkQueueProvider {
    let service: CustomsService

    func workItems(agencyID: UUID, language: Language, on db: any Database) async throws -> [WorkItem] {
        guard let agency = try await service.platform.identity.agency(id: agencyID, on: db), agency.code.hasPrefix("1220") else { return [] }
        return try await service.queue(lane: nil).prefix(100).map { m in
            let title = m.state == DeclarationState.underInspection.rawValue
                ? LocalizedText(en: "Inspect", ko: "검사") : LocalizedText(en: "Check the documents", ko: "서류 심사")
            return WorkItem(module: CustomsService.module, title: "\(title.text(language)): \(m.counterpartName) (\(m.lane ?? ""))", reference: m.number,
                            dueAt: m.lanedAt.map { $0.addingTimeInterval(86_400) }, link: "/customs/declarations/\(m.id!.uuidString.lowercased())")
        }
    }
}
