import Foundation
import NaraCore

/// Builds the OpenAPI 3.1 description of every registered `/api` route.
enum OpenAPIDocument {
    static func build(registry: RouteRegistry, baseURL: String) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for (route, operation) in registry.operations {
            let (openAPIPath, parameters) = convert(route.path)
            var op: [String: JSONValue] = [
                "summary": .string(operation.summary),
                "tags": [.string(operation.tag)],
                "operationId": .string(operationID(route)),
            ]
            var allParameters: [JSONValue] = parameters.map {
                ["name": .string($0), "in": "path", "required": true, "schema": Schema.string]
            }
            for query in operation.queryParameters {
                allParameters.append(["name": .string(query.name), "in": "query", "required": false, "schema": query.schema,
                                      "description": .string(query.description)])
            }
            if !allParameters.isEmpty { op["parameters"] = .array(allParameters) }
            if let body = operation.requestBody {
                op["requestBody"] = ["required": true, "content": .object([operation.requestContentType: ["schema": body]])]
            }
            var responses: [String: JSONValue] = [:]
            if let schema = operation.responseSchema {
                responses[String(operation.successStatus)] = ["description": "Success", "content": .object([operation.responseContentType: ["schema": schema]])]
            } else {
                responses[String(operation.successStatus)] = ["description": "Success"]
            }
            var errors = Set(operation.errorStatuses)
            if operation.requestBody != nil { errors.formUnion([400, 413, 415, 422]) }
            if operation.auth == .bearer { errors.formUnion([401, 403]) }
            for status in errors.sorted() {
                responses[String(status)] = ["description": .string(reason(status)),
                                             "content": ["application/problem+json": ["schema": Schema.ref("Problem")]]]
            }
            op["responses"] = .object(responses)
            if operation.auth == .bearer {
                op["security"] = [["bearerAuth": []]]
            } else {
                op["security"] = [[:]]
            }
            paths[openAPIPath, default: [:]][route.method.lowercased()] = .object(op)
        }
        var schemas = registry.schemas
        schemas["Problem"] = problemSchema
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Nara e-Government Platform API",
                "version": "1.0.0",
                "description": "JSON API of the Nara platform. Errors are RFC 9457 problem documents with a stable code.",
            ],
            "servers": [["url": .string(baseURL)]],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "description": "Token from POST /api/v1/auth/token"]],
                "schemas": .object(schemas),
            ],
        ]
    }

    static let problemSchema: JSONValue = Schema.object([
        "type": Schema.string, "title": Schema.string, "status": Schema.integer, "detail": Schema.string,
        "code": Schema.string("Stable machine-readable error code"), "instance": Schema.string, "requestId": Schema.string,
        "retryAfter": Schema.integer,
        "errors": Schema.array(Schema.object(["field": Schema.string, "code": Schema.string, "message": Schema.string], required: ["field", "code", "message"])),
    ], required: ["type", "title", "status", "code"])

    /// `/api/v1/files/:id` → `/api/v1/files/{id}` and the parameter names.
    static func convert(_ path: String) -> (String, [String]) {
        var parameters: [String] = []
        let converted = path.split(separator: "/").map { segment -> String in
            if segment.hasPrefix(":") {
                parameters.append(String(segment.dropFirst()))
                return "{\(segment.dropFirst())}"
            }
            return String(segment)
        }.joined(separator: "/")
        return ("/" + converted, parameters)
    }

    static func operationID(_ route: RegisteredRoute) -> String {
        let words = route.path.split(separator: "/").filter { $0 != "api" && $0 != "v1" }.map { segment -> String in
            let clean = segment.hasPrefix(":") ? "by-" + segment.dropFirst() : String(segment)
            return clean.replacingOccurrences(of: ".", with: "-")
        }
        return route.method.lowercased() + "-" + words.joined(separator: "-")
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Malformed request"
        case 401: return "Missing or invalid token"
        case 403: return "Forbidden"
        case 404: return "Not found"
        case 409: return "Conflict"
        case 413: return "Body too large"
        case 415: return "Unsupported media type"
        case 422: return "Validation failed"
        case 429: return "Too many requests"
        case 503: return "Unavailable"
        default: return "Error"
        }
    }
}
