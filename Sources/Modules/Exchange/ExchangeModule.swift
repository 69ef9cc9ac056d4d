import FluentKit
import Foundation
import NaraCore
import NaraHTTP

/// Shared administrative information ("once-only"): agencies look each other's records up under
/// a legal basis and a grant, with the subject's consent where the law asks for it; every
/// request and answer is signed, time-stamped and chained in the message log, and citizens see
/// who looked at their data.
public struct ExchangeModule: NaraModule {
    public init() {}

    static let requestPermission = Permission(rawValue: "exchange.request")
    static let grantPermission = Permission(rawValue: "exchange.grant")
    static let logPermission = Permission(rawValue: "exchange.log.read")

    public var id: String { "exchange" }
    public var title: LocalizedText { LocalizedText(en: "Shared information", ko: "행정정보 공동이용") }
    public var migrations: [any Migration] { [CreateExchangeTables()] }
    public var permissions: [PermissionDescriptor] {
        [PermissionDescriptor(Self.requestPermission, "Look up another agency's records through the exchange"),
         PermissionDescriptor(Self.grantPermission, "Grant and revoke other agencies' access to one's own information types"),
         PermissionDescriptor(Self.logPermission, "Read the exchange log of one's own agency")]
    }
    public var roles: [RoleDefinition] {
        [RoleDefinition(name: "exchange-requester", title: "Exchange requester", permissions: [Self.requestPermission, Self.logPermission, .agencyWorkspace],
                        assignableTo: [.official]),
         RoleDefinition(name: "exchange-steward", title: "Exchange steward", permissions: [Self.grantPermission, Self.logPermission, .agencyWorkspace],
                        assignableTo: [.official])]
    }
    public var menu: [MenuEntry] {
        [MenuEntry(id: "exchange", title: title, summary: LocalizedText(en: "Grants, consents and the signed log of look-ups between agencies.",
                                                                          ko: "기관 간 조회 권한, 동의, 서명된 조회 기록."),
                   path: "/exchange", audience: .officials),
         MenuEntry(id: "exchange-lookups", title: LocalizedText(en: "Who looked at my data", ko: "내 정보 조회 내역"),
                   summary: LocalizedText(en: "Every agency look-up of your records, and the consents you gave.",
                                          ko: "기관이 내 정보를 조회한 기록과 내가 한 동의."),
                   path: "/my/lookups", audience: .citizens)]
    }
    public var messages: [Language: [String: String]] { ModuleResources.messages(Bundle.module) }
    public var templatesDirectory: URL? { ModuleResources.templates(Bundle.module) }
    public var healthChecks: [HealthCheck] {
        [HealthCheck(name: "log head") { platform in
            guard try await LogHeadModel.find(1, on: platform.db) != nil else { throw NaraError(.unavailable, code: .unavailable, "exchange log head missing") }
        }]
    }
    public var backgroundJobs: [BackgroundJob] {
        [BackgroundJob(name: "exchange log retention", intervalSeconds: 6 * 3600) { platform in
            try await platform.contracts.first((any ExchangeMessageLog).self)?.purgeExpired()
        }]
    }

    public func registerContracts(in registry: ContractRegistry, platform: Platform) {
        registry.register((any EvidenceService).self, ExchangeService(platform: platform))
        registry.register((any ExchangeMessageLog).self, MessageLog(platform: platform))
    }

    static func service(_ platform: Platform) -> ExchangeService {
        platform.contracts.first((any EvidenceService).self) as! ExchangeService
    }

    public func registerRoutes(_ routes: RouteRegistry, portal: Portal) {
        let service = Self.service(portal.platform)
        ExchangeAPI.register(routes, portal: portal, service: service)
        ExchangePages.register(routes, portal: portal, service: service)
    }

    public func seedDemo(_ seed: DemoSeedContext) async throws {
        try await DemoExchange.seed(seed)
    }
}
