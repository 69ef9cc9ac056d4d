import FluentKit
import Foundation
import NaraCore
import NaraHTTP

/// The base registries (residents, businesses, vehicles), kept by their agencies and served to
/// other agencies through the exchange.
public struct RegistriesModule: NaraModule {
    public init() {}

    public var id: String { "registries" }
    public var title: LocalizedText { LocalizedText(en: "Base registries", ko: "기본 공부") }
    public var migrations: [any Migration] { [CreateRegistryTables()] }
    public var roles: [RoleDefinition] { RegistryKind.roles }
    public var permissions: [PermissionDescriptor] { RegistryKind.permissions }
    public var menu: [MenuEntry] {
        [MenuEntry(id: "registries", title: title, summary: LocalizedText(en: "Resident, business and vehicle registration, kept by their agencies.",
                                                                           ko: "주민·사업자·자동차 등록을 담당 기관이 관리합니다."),
                   path: "/registries", audience: .officials)]
    }
    public var messages: [Language: [String: String]] { ModuleResources.messages(Bundle.module) }
    public var templatesDirectory: URL? { ModuleResources.templates(Bundle.module) }
    public var healthChecks: [HealthCheck] {
        [HealthCheck(name: "tables") { platform in _ = try await PersonModel.query(on: platform.db).limit(1).all() }]
    }

    public func registerContracts(in registry: ContractRegistry, platform: Platform) {
        let service = RegistryService(platform: platform)
        registry.register((any RegistryImporter).self, CSVImporter(service: service, platform: platform))
        registry.register((any InformationProvider).self, RegistryInformationProvider(service: service))
        registry.register((any RegistryChangeService).self, RegistryChangeProvider(service: service))
    }

    public func registerRoutes(_ routes: RouteRegistry, portal: Portal) {
        let service = RegistryService(platform: portal.platform)
        RegistriesAPI.register(routes, portal: portal, service: service)
        RegistriesPages.register(routes, portal: portal, service: service)
    }

    public func seedDemo(_ seed: DemoSeedContext) async throws {
        try await DemoRegistries.seed(seed, service: RegistryService(platform: seed.platform))
    }
}
