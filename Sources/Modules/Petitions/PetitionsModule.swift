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
    public var templatesDirectory: URL? { ModuleResources.templates(Bundle.module) }
    public var menu: [MenuEntry] {
        [MenuEntry(id: "petitions", title: LocalizedText(en: "Complaints and proposals", ko: "민원·제안"),
                   summary: LocalizedText(en: "Tell any agency what is wrong; routed to the one that answers, within the legal period.",
                                          ko: "어느 기관에든 불편을 알리세요. 처리 기관으로 보내져 법정 기간 안에 답변합니다."),
                   path: "/petitions", audience: .everyone),
         MenuEntry(id: "petitions-mine", title: LocalizedText(en: "My complaints", ko: "나의 민원 신청"),
                   summary: LocalizedText(en: "Follow, rate or object to the answers to your complaints.", ko: "신청한 민원의 처리를 확인하고 답변을 평가하거나 이의를 신청합니다."),
                   path: "/petitions/complaints", audience: .citizens),
         MenuEntry(id: "petitions-queue", title: LocalizedText(en: "Complaints queue", ko: "민원 처리함 (국민신문고)"),
                   summary: LocalizedText(en: "Complaints sent to your agency by due date, overdue ones first.", ko: "기관에 온 민원을 처리 기한 순으로 보여 줍니다."),
                   path: "/petitions/queue", audience: .officials)]
    }
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
        registry.register((any WorkQueueProvider).self, ComplaintWork())
    }

    static func service(_ platform: Platform) -> PetitionsService {
        platform.contracts.first(PetitionsService.self)!
    }

    public func registerRoutes(_ routes: RouteRegistry, portal: Portal) {
        PetitionsAPI.register(routes, portal: portal, service: Self.service(portal.platform))
        PetitionsPages.register(routes, portal: portal, service: Self.service(portal.platform))
    }

    public func seedDemo(_ seed: DemoSeedContext) async throws {
        try await DemoPetitions.seed(seed)
    }
}

/// Complaints waiting for an agency, in the shared agency workspace. Every official of the agency
/// sees the workspace, so an item names the kind of complaint, never its title or text: those are
/// for the complaints officers, who open it.
struct ComplaintWork: WorkQueueProvider {
    func workItems(agencyID: UUID, language: Language, on db: any Database) async throws -> [WorkItem] {
        let waiting = ComplaintState.allCases.filter(\.waitsForAgency).map(\.rawValue)
        let types = Dictionary(uniqueKeysWithValues: try await ComplaintTypeModel.query(on: db).all().map { ($0.id ?? "", $0) })
        return try await ComplaintModel.query(on: db).filter(\.$agencyID == agencyID).filter(\.$state ~~ waiting).sort(\.$dueAt).limit(200).all().map { m in
            let type = types[m.typeCode].map { language == .korean ? $0.nameKO : $0.nameEN } ?? m.typeCode
            return WorkItem(module: "petitions", title: type, reference: m.number, dueAt: m.dueAt, link: "/petitions/complaints/\(m.id!.uuidString.lowercased())")
        }
    }
}
