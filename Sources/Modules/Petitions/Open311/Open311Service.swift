import Crypto
import FluentKit
import Foundation
import NaraCore
import NaraHTTP

/// A civic-issue application allowed to file requests through Open311 with its api_key.
final class Open311ClientModel: Model, @unchecked Sendable {
    static let schema = "petitions_open311_clients"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// HMAC of the key under a platform key; the key itself is shown once, when issued.
    @Field(key: "key_hash") var keyHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

struct CreateOpen311Clients: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Open311ClientModel.schema)
            .id()
            .field("name", .string, .required)
            .field("key_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "key_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Open311ClientModel.schema).delete()
    }
}

public struct Open311ClientView: Sendable, Codable, Equatable {
    public let id: UUID
    public let name: String
    public let createdAt: Date
    public let revokedAt: Date?
    /// Only in the answer that issues it.
    public var apiKey: String?
}

/// A refusal in the terms of Open311: the HTTP status and one description per problem.
struct Open311Refusal: Error {
    let status: Int
    let descriptions: [String]
}

/// Open311 GeoReport v2 over the complaints: the subjects are the services, a public complaint is a
/// service request, answered or closed is "closed". Requests filed by applications are anonymous
/// reports of the type that allows it, published to the feed.
public final class Open311Service: Sendable {
    let platform: Platform
    let complaints: PetitionsService
    /// The complaint type requests filed through Open311 take (anonymous filing allowed).
    static let complaintType = "safety-report"
    /// The longest window of one GET requests (the specification's default is the last 90 days).
    static let defaultDays = 90
    static let maxResults = 1000

    init(platform: Platform, complaints: PetitionsService) {
        self.platform = platform
        self.complaints = complaints
    }

    var db: any Database { platform.db }
    var timeZone: TimeZone { platform.configuration.timeZone }

    // MARK: Clients

    func keyHash(_ key: String) -> String {
        let secret = platform.masterKey.derive("petitions-open311-api-key")
        return HMAC<SHA256>.authenticationCode(for: Data(key.utf8), using: secret).map { String(format: "%02x", $0) }.joined()
    }

    /// Issues an api_key to an application (complaint administrators; audited). `fixedKey` for the demo.
    public func issueClient(name: String, by actor: Actor, requestID: String?, fixedKey: String? = nil, on database: (any Database)? = nil) async throws -> Open311ClientView {
        try AccessPolicy.require(actor, PetitionsModule.adminPermission, on: .platform)
        var v = Validator()
        v.require(name.trimmingCharacters(in: .whitespacesAndNewlines), "name", maxLength: 100)
        try v.check()
        let key = fixedKey ?? "nara_o311_" + Data.random(count: 24).base64URLEncodedString
        let m = Open311ClientModel()
        m.id = UUID()
        m.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        m.keyHash = keyHash(key)
        m.createdAt = platform.clock.now()
        try await (database ?? db).transaction { tx in
            try await m.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.open311.client.issue", objectType: "open311_client", objectID: m.id!.uuidString.lowercased(),
                                                             detail: m.name), by: AuditActor(actor, requestID: requestID), on: tx)
        }
        var view = Self.view(m)
        view.apiKey = key
        return view
    }

    public func clients(by actor: Actor) async throws -> [Open311ClientView] {
        try AccessPolicy.require(actor, PetitionsModule.adminPermission, on: .platform)
        return try await Open311ClientModel.query(on: db).sort(\.$createdAt).all().map(Self.view)
    }

    public func revokeClient(_ id: UUID, by actor: Actor, requestID: String?) async throws -> Open311ClientView {
        try AccessPolicy.require(actor, PetitionsModule.adminPermission, on: .platform)
        return try await db.transaction { tx in
            guard let m = try await Open311ClientModel.find(id, on: tx) else { throw NaraError.notFound("The Open311 client") }
            guard m.revokedAt == nil else { throw NaraError(.conflict, code: .conflict, "The key was revoked already.") }
            m.revokedAt = self.platform.clock.now()
            try await m.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "petitions.open311.client.revoke", objectType: "open311_client", objectID: id.uuidString.lowercased(),
                                                             detail: m.name), by: AuditActor(actor, requestID: requestID), on: tx)
            return Self.view(m)
        }
    }

    static func view(_ m: Open311ClientModel) -> Open311ClientView {
        Open311ClientView(id: m.id!, name: m.name, createdAt: m.createdAt, revokedAt: m.revokedAt, apiKey: nil)
    }

    // MARK: Services

    func services() -> [Open311.Record] {
        ComplaintCatalogue.categories.map { c in
            [("service_code", .text(c.code)), ("service_name", .text(c.nameEN)),
             ("description", .text("\(c.nameEN) (\(c.nameKO)). " + (c.local ? "Answered by the local government of the place, or the agency of the subject." : "Answered by the agency of the subject."))),
             ("metadata", .bool(true)), ("type", .text("realtime")), ("keywords", .text(c.keywords.joined(separator: ","))),
             ("group", .text(c.local ? "Local" : "National"))]
        }
    }

    /// The definition: one optional attribute, a short title for the request.
    func definition(_ code: String) throws -> Open311.Record {
        guard ComplaintCatalogue.categories.contains(where: { $0.code == code }) else {
            throw Open311Refusal(status: 404, descriptions: ["service_code \(code) not found"])
        }
        let title: Open311.Record = [("variable", .bool(true)), ("code", .text("title")), ("datatype", .text("string")), ("required", .bool(false)),
                                     ("datatype_description", .text("5 to 200 characters")), ("order", .integer(1)),
                                     ("description", .text("A short title; the first words of the description otherwise"))]
        return [("service_code", .text(code)), ("attributes", .list(element: "attribute", [.record(title)]))]
    }

    // MARK: Requests

    /// Files a request from an application: checked like any complaint (nothing stored on a
    /// problem), an anonymous report published to the feed; the answer names the request and its token.
    func file(_ form: FormFields, requestID: String?) async throws -> Open311.Record {
        guard let key = PetitionsService.text(form["api_key"]), let client = try await Open311ClientModel.query(on: db).filter(\.$keyHash == keyHash(key)).first(),
              client.revokedAt == nil else {
            throw Open311Refusal(status: 403, descriptions: ["api_key was not provided or is not valid"])
        }
        var problems: [String] = []
        let code = PetitionsService.text(form["service_code"])
        if code == nil { problems.append("service_code was not provided") }
        if let code, !ComplaintCatalogue.categories.contains(where: { $0.code == code }) {
            throw Open311Refusal(status: 404, descriptions: ["service_code \(code) not found"])
        }
        func number(_ name: String) -> Double? {
            guard let text = PetitionsService.text(form[name]) else { return nil }
            guard let value = Double(text), value.isFinite else { problems.append("\(name) is not a number"); return nil }
            return value
        }
        let lat = number("lat"), long = number("long")
        let address = PetitionsService.text(form["address_string"]) ?? PetitionsService.text(form["address_id"])
        if (lat == nil || long == nil) && address == nil { problems.append("a location is required: lat and long, address_string or address_id") }
        let description = PetitionsService.text(form["description"]) ?? ""
        if description.isEmpty { problems.append("description was not provided") }
        if description.count > 4000 { problems.append("description is longer than 4,000 characters") }
        if !problems.isEmpty { throw Open311Refusal(status: 400, descriptions: problems) }
        let title = PetitionsService.text(form["attribute[title]"]) ?? Self.title(from: description)
        let input = NewComplaint(type: Self.complaintType, category: code, title: title, body: description, location: address,
                                 latitude: lat, longitude: long, public: true)
        let view: ComplaintView
        do {
            view = try await complaints.file(input, by: nil, requestID: requestID, channel: "open311:\(client.name)")
        } catch let error as NaraError where !error.fieldErrors.isEmpty {
            throw Open311Refusal(status: 400, descriptions: error.fieldErrors.map { "\(Self.parameter($0.field)): \($0.message)" })
        } catch let error as NaraError where error.kind == .unauthorized {
            throw Open311Refusal(status: 400, descriptions: ["requests of this jurisdiction cannot be filed anonymously at the moment"])
        }
        let notice = "Sent to \(view.agencyName); answer due by \(Open311.dateTime(view.dueAt, timeZone: timeZone)). Access code \(view.accessCode ?? ""): with the request number it lets the reporter rate or object to the answer at /petitions."
        return [("service_request_id", .text(view.number)), ("token", .text(view.id.uuidString.lowercased())), ("service_notice", .text(notice)),
                ("account_id", .null)]
    }

    /// The Open311 name of a complaint field.
    static func parameter(_ field: String) -> String {
        switch field {
        case "body": "description"
        case "location": "address_string"
        case "latitude": "lat"
        case "longitude": "long"
        case "title": "attribute[title]"
        case "category": "service_code"
        default: field
        }
    }

    /// The first words of the description, at most 60 characters, as the complaint's title.
    static func title(from description: String) -> String {
        let line = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? description
        guard line.count > 60 else { return line.count >= 5 ? line : (line + " (Open311)") }
        let cut = line.prefix(60)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + "…"
    }

    /// Public requests by the specification's filters: service_request_id, service_code,
    /// start_date, end_date (90 days by default), status.
    func requests(_ query: [String: String]) async throws -> [Open311.Record] {
        var problems: [String] = []
        func list(_ name: String) -> [String]? {
            guard let text = query[name].flatMap(PetitionsService.text) else { return nil }
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func date(_ name: String) -> Date? {
            guard let text = query[name].flatMap(PetitionsService.text) else { return nil }
            guard let d = Open311.parseDateTime(text) else { problems.append("\(name) is not a W3C date-time such as 2026-11-25T09:00:00+09:00"); return nil }
            return d
        }
        let ids = list("service_request_id")
        let codes = list("service_code")
        if let codes, let unknown = codes.first(where: { c in !ComplaintCatalogue.categories.contains { $0.code == c } }) {
            problems.append("service_code \(unknown) not found")
        }
        let statuses = list("status")
        if let statuses, let bad = statuses.first(where: { !["open", "closed"].contains($0) }) { problems.append("status \(bad) is not open or closed") }
        let now = platform.clock.now()
        let end = date("end_date")
        let start = date("start_date")
        if let start, let end, start > end { problems.append("start_date is after end_date") }
        if !problems.isEmpty { throw Open311Refusal(status: 400, descriptions: problems) }
        var q = ComplaintModel.query(on: db).filter(\.$isPublic == true)
        if let ids {
            q = q.filter(\.$number ~~ ids.map { $0.uppercased() })
        } else {
            let to = end ?? now
            q = q.filter(\.$submittedAt >= (start ?? to.addingTimeInterval(-Double(Self.defaultDays) * 86_400))).filter(\.$submittedAt <= to)
        }
        if let codes { q = q.filter(\.$category ~~ codes) }
        if let statuses, statuses.count == 1 {
            let closed = [ComplaintState.answered.rawValue, ComplaintState.closed.rawValue]
            q = statuses[0] == "closed" ? q.filter(\.$state ~~ closed) : q.filter(\.$state !~ closed)
        }
        return try await records(q.sort(\.$submittedAt, .descending).limit(Self.maxResults).all())
    }

    /// One public request by its number; 404 for a number that is not public.
    func request(_ number: String) async throws -> [Open311.Record] {
        guard let m = try await ComplaintModel.query(on: db).filter(\.$number == number.uppercased()).filter(\.$isPublic == true).first() else {
            throw Open311Refusal(status: 404, descriptions: ["service_request_id \(number) not found"])
        }
        return try await records([m])
    }

    /// The request a token (given when it was filed) stands for.
    func token(_ token: String) async throws -> [Open311.Record] {
        guard let id = UUID(uuidString: token), let m = try await ComplaintModel.find(id, on: db), m.isPublic else {
            throw Open311Refusal(status: 404, descriptions: ["token \(token) not found"])
        }
        return [[("service_request_id", .text(m.number)), ("token", .text(token.lowercased()))]]
    }

    func records(_ models: [ComplaintModel]) async throws -> [Open311.Record] {
        let agencies = Dictionary(uniqueKeysWithValues: try await platform.identity.agencies(on: db).map { ($0.id, $0) })
        let names = Dictionary(uniqueKeysWithValues: ComplaintCatalogue.categories.map { ($0.code, $0.nameEN) })
        return models.map { m in
            let state = ComplaintState(rawValue: m.state) ?? .submitted
            let status = Open311.status(state)
            var notes: Open311.Value = .null
            if status == "closed", let answer = m.answer { notes = .text(answer) } else if state == .transferred || state == .extended || state == .reopened || state == .merged {
                notes = .text(ComplaintState(rawValue: m.state)?.title.en ?? m.state)
            }
            return [
                ("service_request_id", .text(m.number)), ("status", .text(status)), ("status_notes", notes),
                ("service_name", m.category.flatMap { names[$0] }.map { .text($0) } ?? .null), ("service_code", m.category.map { .text($0) } ?? .null),
                ("description", .text(m.body)), ("agency_responsible", .text(agencies[m.agencyID]?.nameEN ?? "")), ("service_notice", .null),
                ("requested_datetime", .text(Open311.dateTime(m.submittedAt, timeZone: timeZone))),
                ("updated_datetime", .text(Open311.dateTime(m.updatedAt, timeZone: timeZone))),
                ("expected_datetime", status == "open" ? .text(Open311.dateTime(m.dueAt, timeZone: timeZone)) : .null),
                ("address", m.location.map { .text($0) } ?? .null), ("address_id", .null), ("zipcode", .null),
                ("lat", m.latitudeMicro.map { .number(Double($0) / 1_000_000) } ?? .null), ("long", m.longitudeMicro.map { .number(Double($0) / 1_000_000) } ?? .null),
                ("media_url", .null),
            ]
        }
    }
}
