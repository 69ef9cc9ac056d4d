import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import NaraHTTP
import NaraCore
import NaraTesting
import Testing

@Suite("OpenAPI and operations")
struct OpenAPIAndOperationsTests {
    @Test("every registered /api route is in the OpenAPI 3.1 document")
    func everyRouteDocumented() async throws {
        try await withTestApp(fixtures: false) { client, harness in
            let registry = harness.portal.registry
            #expect(registry.undocumentedAPIRoutes.isEmpty, "undocumented: \(registry.undocumentedAPIRoutes)")
            let response = try await client.execute(uri: "/api/openapi.json", method: .get)
            let document = response.jsonObject
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let apiRoutes = registry.routes.filter { $0.path.hasPrefix("/api") }
            #expect(apiRoutes.count >= 15)
            for route in apiRoutes {
                let (path, _) = OpenAPIDocument.convert(route.path)
                #expect(paths[path]?[route.method.lowercased()] != nil, "\(route.method) \(route.path) missing from the document")
            }
        }
    }

    @Test("the consistency check does catch an undocumented API route")
    func checkCanFail() async throws {
        let registry = RouteRegistry(router: Router(context: NaraRequestContext.self))
        registry.api(.get, "/api/v1/documented", APIOperation(summary: "x", tag: "t")) { _, _ in Response(status: .ok) }
        registry.web(.get, "/api/v1/sneaky") { _, _ in Response(status: .ok) }
        registry.web(.get, "/a-page") { _, _ in Response(status: .ok) }
        #expect(registry.undocumentedAPIRoutes == [RegisteredRoute(method: "GET", path: "/api/v1/sneaky")])
    }

    @Test("/healthz, /readyz and /metrics with per-route counts and latency histograms")
    func operations() async throws {
        try await withTestApp(fixtures: false) { client, _ in
            #expect(try await client.execute(uri: "/healthz", method: .get).jsonObject["status"] as? String == "alive")
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok, "\(ready.text)")
            #expect(ready.jsonObject["status"] as? String == "ready")
            _ = try await client.execute(uri: "/agencies", method: .get)
            _ = try await client.execute(uri: "/api/v1/nope", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"nara_http_requests_total{method="GET",route="/agencies",status="200"}"#))
            #expect(metrics.contains("nara_http_request_duration_seconds_bucket"))
            #expect(metrics.contains(#"status="404""#))
        }
    }

    @Test("every message key used by a template exists in English and Korean")
    func catalogue() async throws {
        try await withTestApp(fixtures: false) { _, harness in
            let catalogue = harness.portal.renderer.catalogue
            #expect(catalogue.missingTranslations.isEmpty, "\(catalogue.missingTranslations)")
            let templates = try #require(PageRenderer.resourcesDirectory).appendingPathComponent("Templates")
            var used = Set<String>()
            for file in try FileManager.default.contentsOfDirectory(atPath: templates.path) where file.hasSuffix(".mustache") {
                let text = try String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
                let pattern = try Regex(#"\{\{[#^/]?t\.([a-z0-9_]+)\}\}"#)
                for match in text.matches(of: pattern) {
                    if let key = match.output[1].substring { used.insert(String(key)) }
                }
            }
            #expect(used.count > 100)
            for key in used {
                #expect(catalogue.tables[.english]?[key] != nil, "en missing \(key)")
                #expect(catalogue.tables[.korean]?[key] != nil, "ko missing \(key)")
            }
        }
    }
}
