import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

struct RecordRow: Sendable {
    let reference: String
    let title: String
    let status: String
    let updated: String
    let link: String?
}

struct NotificationRow: Sendable {
    let id: String
    let title: String
    let body: String
    let created: String
    let link: String?
    let unread: Bool
}

struct PaymentRow: Sendable {
    let purpose: String
    let amount: String
    let status: String
    let statusCode: String
    let reference: String
    let due: String
}

struct FileRow: Sendable {
    let id: String
    let name: String
    let size: String
    let created: String
}

struct MyNaraPage: Sendable {
    let name: String
    let username: String
    let kind: String
    let nationalID: String?
    let business: String?
    let agency: String?
    let email: String?
    let applications: [RecordRow]
    let hasApplications: Bool
    let documents: [RecordRow]
    let hasDocuments: Bool
    let notifications: [NotificationRow]
    let hasNotifications: Bool
    let unread: Int
    let payments: [PaymentRow]
    let hasPayments: Bool
    let files: [FileRow]
    let hasFiles: Bool
}

struct AccessRow: Sendable {
    let time: String
    let who: String
    let action: String
    let purpose: String
}

struct AccessLogPage: Sendable {
    let entries: [AccessRow]
    let hasEntries: Bool
}

/// "My Nara": a person's own applications, documents, notifications, payments and files, and
/// who has looked at their data.
enum MyNaraPages {
    static func register(_ routes: RouteRegistry, portal: Portal) {
        routes.web(.get, "/my") { request, context in try await my(request, context, portal) }
        routes.web(.get, "/my/access-log") { request, context in try await accessLog(request, context, portal) }
        routes.web(.post, "/my/notifications/:id/read") { request, context in
            let actor = try context.requireActor()
            try AccessPolicy.require(actor, .selfService, on: .ownedBy(accountID: actor.accountID ?? UUID()))
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let accountID = actor.accountID else {
                throw NaraError.notFound("The message")
            }
            try await portal.platform.notifications.markRead(messageID: id, accountID: accountID, on: portal.platform.db)
            return .redirect("/my#notifications")
        }
        routes.web(.get, "/my/files/:id") { request, context in
            let actor = try context.requireActor()
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let file = try await portal.platform.files.file(id: id, on: portal.platform.db),
                  let owner = file.ownerAccountID,
                  AccessPolicy.decide(actor, .selfService, on: .ownedBy(accountID: owner)).isAllowed
            else { throw NaraError.notFound("The file") }
            return try await FileDownload.response(file, portal: portal)
        }
    }

    static func my(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        let actor = try context.requireActor()
        guard let accountID = actor.accountID else { throw NaraError.forbidden() }
        try AccessPolicy.require(actor, .selfService, on: .ownedBy(accountID: accountID))
        let platform = portal.platform
        let db = platform.db
        let r = portal.renderer
        let language = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: language)
        // The session already carries the account; only a bearer-token caller needs a look-up.
        let account: AccountSummary
        if let sessionAccount = context.session?.account, sessionAccount.id == accountID {
            account = sessionAccount
        } else if let fetched = try await platform.identity.account(id: accountID, on: db) {
            account = fetched
        } else {
            throw NaraError.notFound("The account")
        }

        var records: [PersonalRecord] = []
        for provider in platform.contracts.all(PersonalRecordsProvider.self) {
            records += try await provider.records(accountID: accountID, language: language, on: db)
        }
        // Issued documents come from the platform's issuance service, whichever module issued them.
        for d in try await platform.documents.documents(holderAccountID: accountID, on: db) {
            records.append(PersonalRecord(kind: .document, module: d.module, title: language == .korean ? d.titleKO : d.titleEN,
                                          reference: IssuanceNumber.formatted(d.number), status: r.text("documents_status_\(d.status.rawValue)", language),
                                          updatedAt: d.issuedAt, link: "/my/documents/\(d.id.uuidString.lowercased())"))
        }
        records.sort { $0.updatedAt > $1.updatedAt }
        let row = { (record: PersonalRecord) in
            RecordRow(reference: record.reference, title: record.title, status: record.status, updated: display.dateTime(record.updatedAt), link: record.link)
        }
        let applications = records.filter { $0.kind == .application }.map(row)
        let documents = records.filter { $0.kind == .document }.map(row)
        let inbox = try await platform.notifications.inbox(accountID: accountID, on: db)
        let notifications = inbox.map {
            NotificationRow(id: $0.id.uuidString, title: $0.title, body: $0.body, created: display.dateTime($0.createdAt), link: $0.link, unread: $0.readAt == nil)
        }
        let payments = try await platform.payments.payments(accountID: accountID, on: db).map {
            PaymentRow(purpose: $0.purpose, amount: Money.format($0.amountMinor, currency: $0.currency),
                       status: r.text("payment_\($0.status.rawValue)", language), statusCode: $0.status.rawValue, reference: $0.reference,
                       due: $0.status == .pending ? display.dateTime($0.dueAt) : ($0.paidAt.map(display.dateTime) ?? ""))
        }
        let files = try await platform.files.files(ownerAccountID: accountID, on: db).map {
            FileRow(id: $0.id.uuidString, name: $0.name, size: display.bytes($0.size), created: display.dateTime($0.createdAt))
        }
        var agencyName: String?
        if let agencyID = account.agencyID { agencyName = try await platform.identity.agency(id: agencyID, on: db)?.name(for: language) }
        let page = MyNaraPage(
            name: account.displayName, username: account.username, kind: r.text("kind_\(account.kind.rawValue)", language),
            nationalID: account.nationalIDMasked,
            business: account.businessNumber.flatMap { try? BusinessNumber($0) }.map { "\($0.formatted) \(account.businessName ?? "")" },
            agency: agencyName, email: account.email,
            applications: applications, hasApplications: !applications.isEmpty, documents: documents, hasDocuments: !documents.isEmpty,
            notifications: notifications, hasNotifications: !notifications.isEmpty, unread: inbox.filter { $0.readAt == nil }.count,
            payments: payments, hasPayments: !payments.isEmpty, files: files, hasFiles: !files.isEmpty)
        return r.render(Page("my", title: r.text("my_title", language), model: page), request: request, context: context)
    }

    static func accessLog(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        let actor = try context.requireActor()
        guard let accountID = actor.accountID else { throw NaraError.forbidden() }
        try AccessPolicy.require(actor, .selfService, on: .ownedBy(accountID: accountID))
        let platform = portal.platform
        let language = context.language
        let display = DisplayFormat(timeZone: platform.configuration.timeZone, language: language)
        let refs = try await platform.identity.subjectRefs(accountID: accountID, on: platform.db)
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: platform.db).map { ($0.id.uuidString.lowercased(), $0) })
        let entries = try await platform.audit.entries(aboutSubjects: refs, on: platform.db).map { entry in
            AccessRow(time: display.dateTime(entry.at),
                      who: entry.agencyID.flatMap { agencies[$0]?.name(for: language) } ?? portal.renderer.text("access_platform", language),
                      action: portal.renderer.text("audit_action_" + entry.action.replacingOccurrences(of: ".", with: "_"), language),
                      purpose: [entry.purpose, entry.legalBasis].compactMap { $0 }.joined(separator: " · "))
        }
        let r = portal.renderer
        return r.render(Page("access-log", title: r.text("access_title", language), model: AccessLogPage(entries: entries, hasEntries: !entries.isEmpty)),
                        request: request, context: context)
    }
}

/// A stored file as a download: its checked type, a safe name (RFC 6266/5987 for non-ASCII) and a
/// sandboxing CSP. Every module that hands out uploads uses it.
public enum FileDownload {
    public static func response(_ file: StoredFile, portal: Portal) async throws -> Response {
        let data = try await portal.platform.files.content(of: file, on: portal.platform.db)
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        let ascii = file.name.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" } ? file.name : "download." + (FileService.allowedTypes[file.contentType] ?? "bin")
        let encoded = file.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        headers[.contentDisposition] = "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; sandbox"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
