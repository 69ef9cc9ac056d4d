import Foundation
import Hummingbird
import Logging
import NaraCore
import ServiceLifecycle

/// Builds the HTTP application around a started platform.
public enum PortalApplication {
    public typealias App = Application<RouterResponder<NaraRequestContext>>

    public static func build(platform: Platform, modules: [any NaraModule], backgroundServices: Bool = true) async throws -> (App, Portal) {
        let router = Router(context: NaraRequestContext.self)
        let registry = RouteRegistry(router: router)
        let renderer = try await PageRenderer(platform: platform, modules: modules)
        let portal = Portal(platform: platform, renderer: renderer, registry: registry, metrics: HTTPMetrics(), modules: modules)

        router.add(middleware: EdgeMiddleware(portal: portal))
        if let publicDirectory = PageRenderer.publicDirectory {
            router.add(middleware: FileMiddleware(publicDirectory, urlBasePath: "/static", cacheControl: .init([(MediaType(type: .any), [.maxAge(3600), .public])]),
                                                  logger: platform.logger))
        }
        router.add(middleware: PlatformContextMiddleware(portal: portal))
        router.add(middleware: CSRFMiddleware(portal: portal))

        OperationsRoutes.register(registry, portal: portal)
        PublicPages.register(registry, portal: portal)
        AuthPages.register(registry, portal: portal)
        MyNaraPages.register(registry, portal: portal)
        WorkspacePages.register(registry, portal: portal)
        ConsolePages.register(registry, portal: portal)
        PlatformAPI.register(registry, portal: portal)
        DocumentPages.register(registry, portal: portal)
        for module in modules { module.registerRoutes(registry, portal: portal) }

        var app = Application(
            router: router,
            configuration: .init(address: .hostname(platform.configuration.host, port: platform.configuration.port), serverName: "Nara"),
            logger: platform.logger
        )
        // Services stop in reverse order: the server first, then these; storage closes last.
        app.addServices(PlatformLifecycleService(platform: platform))
        if backgroundServices {
            // Queued e-mail and SMS, delivered with retries and back-off.
            app.addServices(PeriodicJob(name: "outbox delivery", interval: .seconds(5), logger: platform.logger) {
                try await platform.notifications.deliverDue(on: platform.db)
            })
            // Old sign-in attempts and long-expired sessions.
            app.addServices(PeriodicJob(name: "housekeeping", interval: .seconds(3600), logger: platform.logger) {
                try await platform.identity.purgeExpired(on: platform.db)
            })
            for job in modules.flatMap({ $0.backgroundJobs }) {
                app.addServices(PeriodicJob(name: job.name, interval: .seconds(Int64(job.intervalSeconds)), logger: platform.logger) {
                    try await job.run(platform)
                })
            }
        }
        return (app, portal)
    }
}

/// Keeps the platform open while the server runs; on shutdown signs the final audit checkpoint
/// and closes storage, after the server has finished its in-flight requests.
struct PlatformLifecycleService: Service {
    let platform: Platform

    func run() async throws {
        try? await gracefulShutdown()
        await platform.shutdown(signCheckpoint: true)
    }
}

/// Runs a job every `interval` until shutdown. Sleeping is cancelled by graceful shutdown; a run
/// under way finishes first. Failures are logged and the job runs again at the next interval.
struct PeriodicJob: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await work()
                } catch {
                    logger.warning("\(name) failed: \(error)")
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
