import Foundation
import Hummingbird
import NaraCore

struct WorkRow: Sendable {
    let reference: String
    let title: String
    let due: String
    let overdue: Bool
    let link: String?
}

struct CertificateModel: Sendable {
    let subject: String
    let fingerprint: String
    let notAfter: String
}

struct ColleagueRow: Sendable {
    let name: String
    let username: String
}

struct WorkspacePage: Sendable {
    let agency: String
    let agencyCode: String
    let items: [WorkRow]
    let hasItems: Bool
    let certificate: CertificateModel?
    let colleagues: [ColleagueRow]
}

/// The agency workspace: the work queue that modules fill, the agency certificate, colleagues.
enum WorkspacePages {
    static func register(_ routes: RouteRegistry, portal: Portal) {
        routes.web(.get, "/workspace") { request, context in
            let actor = try context.requireActor()
            guard let agencyID = actor.agencyID else { throw NaraError.forbidden("The agency workspace is for officials of an agency.") }
            try AccessPolicy.require(actor, .agencyWorkspace, on: .agency(agencyID))
            let platform = portal.platform
            let db = platform.db
            let language = context.language
            let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: language)
            guard let agency = try await platform.identity.agency(id: agencyID, on: db) else { throw NaraError.notFound("The agency") }
            var items: [WorkItem] = []
            for provider in platform.contracts.all(WorkQueueProvider.self) {
                items += try await provider.workItems(agencyID: agencyID, language: language, on: db)
            }
            let now = platform.clock.now()
            items.sort { ($0.dueAt ?? .distantFuture) < ($1.dueAt ?? .distantFuture) }
            let rows = items.map {
                WorkRow(reference: $0.reference, title: $0.title, due: $0.dueAt.map(display.deadline) ?? "—", overdue: ($0.dueAt ?? .distantFuture) < now, link: $0.link)
            }
            let certificate = try? await platform.pki.identity(purpose: .agency, agencyID: agencyID, on: db)
            let colleagues = try await platform.identity.accounts(kind: .official, agencyID: agencyID, on: db).map {
                ColleagueRow(name: $0.displayName, username: $0.username)
            }
            let page = WorkspacePage(
                agency: agency.name(for: language), agencyCode: agency.code, items: rows, hasItems: !rows.isEmpty,
                certificate: certificate.map { CertificateModel(subject: $0.certificate.subject.description, fingerprint: $0.fingerprint,
                                                                notAfter: display.date($0.certificate.notValidAfter)) },
                colleagues: colleagues)
            return portal.renderer.render(Page("workspace", title: portal.renderer.text("workspace_title", language), model: page), request: request, context: context)
        }
    }
}
