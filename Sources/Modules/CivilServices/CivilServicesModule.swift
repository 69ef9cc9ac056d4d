import FluentKit
import Foundation
import NaraCore
import NaraHTTP

/// Government24: the catalogue of civil services, online applications with legal deadlines,
/// and certificates issued through the platform's document service.
public struct CivilServicesModule: NaraModule {
    public init() {}

    static let processPermission = Permission(rawValue: "civil.process")
    static let cataloguePermission = Permission(rawValue: "civil.catalogue")

    public var id: String { "civil" }
    public var title: LocalizedText { LocalizedText(en: "Civil services", ko: "민원 서비스") }
    public var migrations: [any Migration] { [CreateCivilServicesTables()] }
    public var permissions: [PermissionDescriptor] {
        [PermissionDescriptor(Self.processPermission, "Receive, review and decide civil applications made to one's agency"),
         PermissionDescriptor(Self.cataloguePermission, "Publish and retire services in the civil-service catalogue")]
    }
    public var roles: [RoleDefinition] {
        [RoleDefinition(name: "civil-officer", title: "Civil service officer",
                        permissions: [Self.processPermission, .agencyWorkspace, .agencySign], assignableTo: [.official]),
         RoleDefinition(name: "catalogue-editor", title: "Civil-service catalogue editor", permissions: [Self.cataloguePermission],
                        assignableTo: [.official, .operator])]
    }
    public var menu: [MenuEntry] {
        [MenuEntry(id: "civil-services", title: LocalizedText(en: "Apply for a service", ko: "민원 신청"),
                   summary: LocalizedText(en: "Certificates issued at once, reports and permits, by life event or agency.",
                                          ko: "즉시 발급 증명서, 신고와 허가를 생애 사건이나 기관별로 찾아 신청합니다."),
                   path: "/services", audience: .everyone),
         MenuEntry(id: "civil-applications", title: LocalizedText(en: "My applications", ko: "나의 민원"),
                   summary: LocalizedText(en: "Progress, due dates and every message about your applications.",
                                          ko: "신청한 민원의 진행 상황, 처리 기한, 모든 안내."),
                   path: "/civil/applications", audience: .citizens),
         MenuEntry(id: "civil-queue", title: LocalizedText(en: "Civil applications queue", ko: "민원 처리함"),
                   summary: LocalizedText(en: "Applications to your agency by due date, overdue ones first.",
                                          ko: "기관에 접수된 민원을 처리 기한 순으로, 기한 초과 건을 먼저 보여 줍니다."),
                   path: "/civil/queue", audience: .officials),
         MenuEntry(id: "documents-verify", title: LocalizedText(en: "Verify a document", ko: "문서 진위 확인"),
                   summary: LocalizedText(en: "Check a certificate by its number and code, its QR code or the PDF file.",
                                          ko: "발급번호와 확인코드, QR 코드 또는 PDF 파일로 증명서의 진위를 확인합니다."),
                   path: "/verify", audience: .everyone)]
    }
    public var messages: [Language: [String: String]] { ModuleResources.messages(Bundle.module) }
    public var templatesDirectory: URL? { ModuleResources.templates(Bundle.module) }
    public var healthChecks: [HealthCheck] {
        [HealthCheck(name: "catalogue") { platform in _ = try await CivilServiceModel.query(on: platform.db).count() }]
    }
    public var backgroundJobs: [BackgroundJob] {
        [BackgroundJob(name: "civil: submit paid applications", intervalSeconds: 60) { platform in
            try await Self.service(platform).completePaidSubmissions()
        },
         BackgroundJob(name: "civil: issue certificates of approved applications", intervalSeconds: 60) { platform in
            try await Self.service(platform).issuePendingCertificates()
        }]
    }

    public func registerContracts(in registry: ContractRegistry, platform: Platform) {
        let service = CivilService(platform: platform)
        registry.register(CivilService.self, service)
        registry.register((any PersonalRecordsProvider).self, CivilRecords())
        registry.register((any WorkQueueProvider).self, CivilRecords())
    }

    static func service(_ platform: Platform) -> CivilService {
        platform.contracts.first(CivilService.self)!
    }

    public func registerRoutes(_ routes: RouteRegistry, portal: Portal) {
        let service = Self.service(portal.platform)
        CivilAPI.register(routes, portal: portal, service: service)
        CivilPages.register(routes, portal: portal, service: service)
    }

    public func seedDemo(_ seed: DemoSeedContext) async throws {
        try await DemoCivil.seed(seed)
    }
}

/// Applications and certificates in My Nara; applications waiting in the agency workspace.
struct CivilRecords: PersonalRecordsProvider, WorkQueueProvider {
    func records(accountID: UUID, language: Language, on db: any Database) async throws -> [PersonalRecord] {
        let applications = try await CivilApplicationModel.query(on: db).filter(\.$applicantAccountID == accountID).sort(\.$updatedAt, .descending).all()
        let services = Dictionary(uniqueKeysWithValues: try await CivilServiceModel.query(on: db).all().map { ($0.id!, $0) })
        return applications.map { a in
            PersonalRecord(kind: .application, module: "civil", title: (language == .korean ? services[a.serviceID]?.nameKO : services[a.serviceID]?.nameEN) ?? "",
                           reference: a.receiptNumber ?? "—", status: (ApplicationState(rawValue: a.state) ?? .draft).title.text(language),
                           updatedAt: a.updatedAt, link: "/civil/applications/\(a.id!.uuidString.lowercased())")
        }
    }

    func workItems(agencyID: UUID, language: Language, on db: any Database) async throws -> [WorkItem] {
        let waiting = ApplicationState.allCases.filter { $0.waitsForAgency || $0 == .objectionDecided }.map(\.rawValue)
        let models = try await CivilApplicationModel.query(on: db).filter(\.$agencyID == agencyID).filter(\.$state ~~ waiting).all()
            .filter { CivilService.waitsForAgency($0) && $0.state != ApplicationState.supplementRequested.rawValue }
        let services = Dictionary(uniqueKeysWithValues: try await CivilServiceModel.query(on: db).all().map { ($0.id!, $0) })
        return models.map { a in
            WorkItem(module: "civil", title: (language == .korean ? services[a.serviceID]?.nameKO : services[a.serviceID]?.nameEN) ?? "",
                     reference: a.receiptNumber ?? "", dueAt: a.dueAt, link: "/civil/applications/\(a.id!.uuidString.lowercased())")
        }.sorted { ($0.dueAt ?? .distantFuture) < ($1.dueAt ?? .distantFuture) }
    }
}
