import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

/// How an API route is described in the OpenAPI document.
public struct APIOperation: Sendable {
    public enum Auth: Sendable { case none, bearer }

    public let summary: String
    public let tag: String
    public let auth: Auth
    public let requestBody: JSONValue?
    public let requestContentType: String
    public let responseSchema: JSONValue?
    public let responseContentType: String
    public let successStatus: Int
    public let errorStatuses: [Int]
    public let queryParameters: [(name: String, schema: JSONValue, description: String)]

    public init(summary: String, tag: String, auth: Auth = .bearer, requestBody: JSONValue? = nil,
                requestContentType: String = "application/json", response: JSONValue? = nil,
                responseContentType: String = "application/json", successStatus: Int = 200, errors: [Int] = [],
                query: [(name: String, schema: JSONValue, description: String)] = []) {
        self.summary = summary
        self.tag = tag
        self.auth = auth
        self.requestBody = requestBody
        self.requestContentType = requestContentType
        self.responseSchema = response
        self.responseContentType = responseContentType
        self.successStatus = successStatus
        self.errorStatuses = errors
        self.queryParameters = query
    }
}

public struct RegisteredRoute: Sendable, Hashable {
    public let method: String
    public let path: String
}

/// Every route goes through here: it records method and path (for 405 answers and the OpenAPI
/// consistency test) and, for `/api` routes, the operation description.
public final class RouteRegistry: @unchecked Sendable {
    public typealias Handler = @Sendable (Request, NaraRequestContext) async throws -> Response

    let router: Router<NaraRequestContext>
    public private(set) var routes: [RegisteredRoute] = []
    public private(set) var operations: [RegisteredRoute: APIOperation] = [:]
    public private(set) var schemas: [String: JSONValue] = [:]

    init(router: Router<NaraRequestContext>) {
        self.router = router
    }

    /// An API route: it must be described, or the OpenAPI test fails.
    public func api(_ method: HTTPRequest.Method, _ path: String, _ operation: APIOperation, _ handler: @escaping Handler) {
        let route = RegisteredRoute(method: method.rawValue, path: path)
        routes.append(route)
        operations[route] = operation
        router.on(RouterPath(path), method: method) { request, context in try await handler(request, context) }
    }

    /// A browser route (HTML pages and form posts).
    public func web(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        routes.append(RegisteredRoute(method: method.rawValue, path: path))
        router.on(RouterPath(path), method: method) { request, context in try await handler(request, context) }
    }

    public func schema(_ name: String, _ value: JSONValue) { schemas[name] = value }

    /// Methods registered for paths matching `path`, for 405 answers.
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            let pattern = route.path.split(separator: "/", omittingEmptySubsequences: true)
            if pattern.last == "**" { return segments.count >= pattern.count - 1 && zip(pattern, segments).allSatisfy { $0 == $1 || $0.hasPrefix(":") || $0 == "*" || $0 == "**" } }
            guard pattern.count == segments.count else { return false }
            return zip(pattern, segments).allSatisfy { $0 == $1 || $0.hasPrefix(":") || $0 == "*" }
        }.map(\.method).sorted()
    }

    /// Routes under `/api` that have no operation description.
    public var undocumentedAPIRoutes: [RegisteredRoute] {
        routes.filter { $0.path.hasPrefix("/api") && operations[$0] == nil }
    }
}
