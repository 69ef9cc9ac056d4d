import Foundation
import HTTPTypes
import Hummingbird
import NaraCore
import NaraHTTP

/// `/open311/v2/...` (GeoReport v2, JSON and XML by the path's extension) and the administrators'
/// API that issues the applications' api_keys.
enum Open311Routes {
    static func register(_ routes: RouteRegistry, portal: Portal, service: Open311Service) {
        routes.web(.get, "/open311/v2/:file") { request, context in
            try await answer(context.parameters.get("file") ?? "", context: context) { name, format in
                switch name {
                case "services": return Open311.document(service.services(), root: "services", element: "service", format: format)
                case "requests":
                    var query: [String: String] = [:]
                    for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
                    return Open311.document(try await service.requests(query), root: "service_requests", element: "request", format: format)
                default: throw Open311Refusal(status: 404, descriptions: ["\(name) is not a GeoReport v2 resource"])
                }
            }
        }
        routes.web(.post, "/open311/v2/:file") { _, context in
            try await answer(context.parameters.get("file") ?? "", context: context) { name, format in
                guard name == "requests" else { throw Open311Refusal(status: 404, descriptions: ["\(name) does not take POST"]) }
                return Open311.document([try await service.file(context.form, requestID: context.requestID)], root: "service_requests", element: "request",
                                        format: format)
            }
        }
        routes.web(.get, "/open311/v2/services/:file") { _, context in
            try await answer(context.parameters.get("file") ?? "", context: context) { code, format in
                Open311.single(try service.definition(code), root: "service_definition", format: format)
            }
        }
        routes.web(.get, "/open311/v2/requests/:file") { _, context in
            try await answer(context.parameters.get("file") ?? "", context: context) { number, format in
                Open311.document(try await service.request(number), root: "service_requests", element: "request", format: format)
            }
        }
        routes.web(.get, "/open311/v2/tokens/:file") { _, context in
            try await answer(context.parameters.get("file") ?? "", context: context) { token, format in
                Open311.document(try await service.token(token), root: "service_requests", element: "request", format: format)
            }
        }

        routes.schema("Open311Client", Schema.object([
            "id": Schema.uuid, "name": Schema.string, "createdAt": Schema.dateTime, "revokedAt": Schema.nullable(Schema.dateTime),
            "apiKey": Schema.nullable(Schema.string("Only in the answer that issues it: give it to the application, it is not shown again")),
        ], required: ["id", "name", "createdAt"]))
        // Without a format: the router would take these for the folders of the definitions and requests.
        for (method, name) in [(HTTPRequest.Method.get, "services"), (.get, "requests"), (.post, "requests")] {
            routes.web(method, "/open311/v2/\(name)") { _, context in try await answer(name, context: context) { _, _ in "" } }
        }

        routes.api(.get, "/api/v1/petitions/open311-clients", APIOperation(
            summary: "The applications allowed to file Open311 requests (complaint administrators)", tag: "petitions",
            response: Schema.array(Schema.ref("Open311Client")), errors: [401, 403])) { _, context in
            try .json(try await service.clients(by: try context.requireActor()))
        }
        routes.api(.post, "/api/v1/petitions/open311-clients", APIOperation(
            summary: "Issue an api_key to an application that files Open311 requests (complaint administrators; audited); the key is shown once",
            tag: "petitions", requestBody: Schema.object(["name": Schema.string], required: ["name"]), response: Schema.ref("Open311Client"),
            successStatus: 201, errors: [400, 401, 403, 422])) { request, context in
            struct Body: Decodable { let name: String? }
            let body = try await request.decode(as: Body.self, context: context)
            return try .json(try await service.issueClient(name: body.name ?? "", by: try context.requireActor(), requestID: context.requestID), status: .created)
        }
        routes.api(.post, "/api/v1/petitions/open311-clients/:id/revoke", APIOperation(
            summary: "Revoke an application's api_key (complaint administrators; audited)", tag: "petitions", response: Schema.ref("Open311Client"),
            errors: [401, 403, 404, 409])) { _, context in
            try .json(try await service.revokeClient(try ParticipationAPI.id(context, "The Open311 client"), by: try context.requireActor(),
                                                     requestID: context.requestID))
        }
    }

    /// Splits `name.format`, runs `body`, and answers in that format: errors too, as the
    /// specification's error list with the HTTP status.
    static func answer(_ file: String, context: NaraRequestContext, _ body: (String, Open311.Format) async throws -> String) async throws -> Response {
        guard let (name, format) = Open311.split(file) else {
            return respond(Open311.errors([(404, "add .json or .xml to \(file)")], format: .json), status: 404, format: .json)
        }
        do {
            return respond(try await body(name, format), status: 200, format: format)
        } catch let refusal as Open311Refusal {
            return respond(Open311.errors(refusal.descriptions.map { (refusal.status, $0) }, format: format), status: refusal.status, format: format)
        } catch let error as NaraError {
            let status: Int
            switch error.kind {
            case .badRequest, .unprocessable: status = 400
            case .unauthorized: status = 401
            case .forbidden: status = 403
            case .notFound: status = 404
            case .conflict: status = 409
            case .payloadTooLarge: status = 413
            case .tooManyRequests: status = 429
            default: throw error
            }
            let descriptions = error.fieldErrors.isEmpty ? [error.message] : error.fieldErrors.map(\.message)
            return respond(Open311.errors(descriptions.map { (status, $0) }, format: format), status: status, format: format)
        }
    }

    static func respond(_ text: String, status: Int, format: Open311.Format) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        headers[.cacheControl] = "no-store"
        return Response(status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
