import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

/// `/healthz`, `/readyz`, `/metrics` and the OpenAPI document.
enum OperationsRoutes {
    struct Health: Encodable {
        let status: String
        let checks: [Check]?
        struct Check: Encodable {
            let name: String
            let ok: Bool
            let detail: String
        }
    }

    static func register(_ routes: RouteRegistry, portal: Portal) {
        // The smallest answer through the whole stack, in plain text: load balancers poll it, and
        // the benchmarks measure the server's ceiling with it.
        routes.web(.get, "/ping") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        routes.web(.get, "/healthz") { _, _ in
            try .json(Health(status: "alive", checks: nil))
        }
        routes.web(.get, "/readyz") { _, _ in
            let results = await portal.platform.readiness()
            let ok = results.allSatisfy(\.ok)
            return try .json(Health(status: ok ? "ready" : "not ready", checks: results.map { .init(name: $0.name, ok: $0.ok, detail: $0.detail) }),
                             status: ok ? .ok : .serviceUnavailable)
        }
        routes.web(.get, "/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: portal.metrics.exposition())))
        }
        routes.api(.get, "/api/openapi.json", APIOperation(summary: "This OpenAPI 3.1 description", tag: "platform", auth: .none,
                                                           response: ["type": "object"])) { _, _ in
            var response = try Response.json(OpenAPIDocument.build(registry: portal.registry, baseURL: portal.platform.configuration.effectiveBaseURL))
            response.headers[.cacheControl] = "public, max-age=300"
            return response
        }
    }
}
