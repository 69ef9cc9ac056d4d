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
    static let participationPermission = Permission(rawValue: "petitions.participation")
    static let moderatePermission = Permission(rawValue: "petitions.moderate")

    public var id: String { "petitions" }
    public var title: LocalizedText { LocalizedText(en: "e-People", ko: "국민신문고") }
    public var migrations: [any Migration] { [CreatePetitionsTables(), SeedComplaintTypes(), CreateParticipationTables(), CreateOpen311Clients(), CreateComplaintMerges(), CreateComplaintAttachments()] }
    public var permissions: [PermissionDescriptor] {
        [PermissionDescriptor(Self.handlePermission, "Receive, transfer, extend and draft answers to complaints sent to one's agency"),
         PermissionDescriptor(Self.approvePermission, "Approve the answer another official of one's agency drafted"),
         PermissionDescriptor(Self.adminPermission, "Keep the complaint and petition types, their periods, thresholds and the handling settings"),
         PermissionDescriptor(Self.participationPermission, "Answer the proposals and petitions addressed to one's agency and open its public discussions"),
         PermissionDescriptor(Self.moderatePermission, "Hide or restore comments that break the rules, with a reason the public reads")]
    }
    public var roles: [RoleDefinition] {
        [RoleDefinition(name: "complaints-officer", title: "Complaints officer", permissions: [Self.handlePermission, .agencyWorkspace], assignableTo: [.official]),
         RoleDefinition(name: "complaints-approver", title: "Complaints answer approver", permissions: [Self.handlePermission, Self.approvePermission, .agencyWorkspace],
                        assignableTo: [.official]),
         RoleDefinition(name: "complaints-administrator", title: "Complaints administrator", permissions: [Self.adminPermission], assignableTo: [.official, .operator]),
         RoleDefinition(name: "participation-officer", title: "Proposals and petitions officer", permissions: [Self.participationPermission, .agencyWorkspace],
                        assignableTo: [.official]),
         RoleDefinition(name: "participation-moderator", title: "Discussion moderator", permissions: [Self.moderatePermission], assignableTo: [.official, .operator])]
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
                   path: "/petitions/queue", audience: .officials),
         MenuEntry(id: "petitions-proposals", title: LocalizedText(en: "Policy proposals", ko: "국민제안"),
                   summary: LocalizedText(en: "Propose how a policy could work better, support others' proposals and read the agencies' answers.",
                                          ko: "정책을 제안하고 다른 사람의 제안에 공감하며 기관의 답변을 확인합니다."),
                   path: "/petitions/proposals", audience: .everyone),
         MenuEntry(id: "petitions-e-petitions", title: LocalizedText(en: "Petitions", ko: "국민청원"),
                   summary: LocalizedText(en: "Sign petitions; with enough signatures in time, the agency answers officially.",
                                          ko: "청원에 동의하세요. 기간 안에 요건을 채우면 기관이 공식 답변합니다."),
                   path: "/petitions/e-petitions", audience: .everyone),
         MenuEntry(id: "petitions-debates", title: LocalizedText(en: "Public discussions", ko: "정책 토론"),
                   summary: LocalizedText(en: "Discuss the topics agencies put to the public.", ko: "기관이 제시한 주제로 토론합니다."),
                   path: "/petitions/debates", audience: .everyone)]
    }
    public var healthChecks: [HealthCheck] {
        [HealthCheck(name: "complaint types") { platform in _ = try await ComplaintTypeModel.query(on: platform.db).count() }]
    }
    public var backgroundJobs: [BackgroundJob] {
        [BackgroundJob(name: "petitions: escalate complaints nobody accepted", intervalSeconds: 60) { platform in
            try await Self.service(platform).escalateUnaccepted()
        },
         BackgroundJob(name: "petitions: close the signing windows that ended", intervalSeconds: 60) { platform in
            try await Self.participation(platform).closeSigningWindows()
        }]
    }

    public func registerContracts(in registry: ContractRegistry, platform: Platform) {
        registry.register(PetitionsService.self, PetitionsService(platform: platform))
        registry.register((any WorkQueueProvider).self, ComplaintWork())
        registry.register(ParticipationService.self, ParticipationService(platform: platform))
        registry.register((any WorkQueueProvider).self, ParticipationWork())
        registry.register(Open311Service.self, Open311Service(platform: platform, complaints: platform.contracts.first(PetitionsService.self)!))
    }

    static func participation(_ platform: Platform) -> ParticipationService {
        platform.contracts.first(ParticipationService.self)!
    }

    static func service(_ platform: Platform) -> PetitionsService {
        platform.contracts.first(PetitionsService.self)!
    }

    public func registerRoutes(_ routes: RouteRegistry, portal: Portal) {
        PetitionsAPI.register(routes, portal: portal, service: Self.service(portal.platform))
        PetitionsPages.register(routes, portal: portal, service: Self.service(portal.platform))
        ParticipationAPI.register(routes, portal: portal, service: Self.participation(portal.platform))
        ParticipationPages.register(routes, portal: portal, service: Self.participation(portal.platform))
        Open311Routes.register(routes, portal: portal, service: portal.platform.contracts.first(Open311Service.self)!)
    }

    public func seedDemo(_ seed: DemoSeedContext) async throws {
        try await DemoPetitions.seed(seed)
        try await DemoParticipation.seed(seed)
        try await DemoOpen311.seed(seed)
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

/// Petitions whose answer is due and proposals not yet answered, in the agency workspace.
struct ParticipationWork: WorkQueueProvider {
    func workItems(agencyID: UUID, language: Language, on db: any Database) async throws -> [WorkItem] {
        let petitions = try await PetitionModel.query(on: db).filter(\.$agencyID == agencyID).filter(\.$state == PetitionState.awaitingAnswer.rawValue)
            .sort(\.$answerDueAt).limit(100).all().map { m in
                WorkItem(module: "petitions", title: language == .korean ? "청원 답변" : "Petition to answer", reference: m.number, dueAt: m.answerDueAt,
                         link: "/petitions/e-petitions/\(m.id!.uuidString.lowercased())")
            }
        let proposals = try await ProposalModel.query(on: db).filter(\.$agencyID == agencyID)
            .filter(\.$state ~~ [ProposalState.open.rawValue, ProposalState.underEvaluation.rawValue]).sort(\.$createdAt).limit(100).all().map { m in
                WorkItem(module: "petitions", title: language == .korean ? "국민제안" : "Proposal", reference: m.number, dueAt: nil,
                         link: "/petitions/proposals/\(m.id!.uuidString.lowercased())")
            }
        return petitions + proposals
    }
}
