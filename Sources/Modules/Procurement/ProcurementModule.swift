import FluentKit
import Foundation
import NaraCore
import NaraHTTP

/// e-Procurement (KONEPS): suppliers register once for every agency; agencies publish tenders;
/// bids are sealed to the tender's key at submission and opened only at the deadline.
public struct ProcurementModule: NaraModule {
    public init() {}

    static let managePermission = Permission(rawValue: "procurement.manage")
    static let reviewPermission = Permission(rawValue: "procurement.review")

    public var id: String { "procurement" }
    public var title: LocalizedText { LocalizedText(en: "Public procurement", ko: "나라장터 조달") }
    public var migrations: [any Migration] { [CreateProcurementTables(), AddProcurementLifecycle(), AddShoppingMall()] }
    public var permissions: [PermissionDescriptor] {
        [PermissionDescriptor(Self.managePermission, "Run the tenders of one's agency: plan, publish, amend, answer, open, award, contract, approve invoices"),
         PermissionDescriptor(Self.reviewPermission, "Decide complaints about tenders as the review body")]
    }
    public var roles: [RoleDefinition] {
        [RoleDefinition(name: "procurement-officer", title: "Procurement officer", permissions: [Self.managePermission, .agencyWorkspace],
                        assignableTo: [.official]),
         RoleDefinition(name: "procurement-review-body", title: "Procurement review body", permissions: [Self.reviewPermission, .agencyWorkspace],
                        assignableTo: [.official])]
    }
    public var menu: [MenuEntry] {
        [MenuEntry(id: "procurement", title: title,
                   summary: LocalizedText(en: "Tender notices, sealed bids opened at the deadline, and their results.",
                                          ko: "입찰 공고, 마감 시각에 개찰되는 밀봉 입찰과 그 결과."),
                   path: "/procurement", audience: .everyone)]
    }
    public var messages: [Language: [String: String]] { ModuleResources.messages(Bundle.module) }
    public var templatesDirectory: URL? { ModuleResources.templates(Bundle.module) }
    public var backgroundJobs: [BackgroundJob] {
        [BackgroundJob(name: "procurement: open tenders at their deadline", intervalSeconds: 15) { platform in
            try await Self.service(platform).openDue()
        },
         BackgroundJob(name: "procurement: record paid invoices and orders", intervalSeconds: 60) { platform in
            try await Self.service(platform).recordPayments()
        }]
    }

    public func registerContracts(in registry: ContractRegistry, platform: Platform) {
        let service = ProcurementService(platform: platform)
        registry.register(ProcurementService.self, service)
        registry.register((any WorkQueueProvider).self, ProcurementWorkQueue(service: service))
    }

    static func service(_ platform: Platform) -> ProcurementService { platform.contracts.first(ProcurementService.self)! }

    public func registerRoutes(_ routes: RouteRegistry, portal: Portal) {
        let service = Self.service(portal.platform)
        ProcurementAPI.register(routes, portal: portal, service: service)
        ProcurementPages.register(routes, portal: portal, service: service)
        TenderPages.register(routes, portal: portal, service: service)
        OfficePages.register(routes, portal: portal, service: service)
        SupplierPages.register(routes, portal: portal, service: service)
    }

    public func seedDemo(_ seed: DemoSeedContext) async throws {
        try await DemoProcurement.seed(seed)
    }
}
