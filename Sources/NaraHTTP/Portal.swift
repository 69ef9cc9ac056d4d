import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

/// The HTTP side of a module: a `PlatformModule` that also serves pages and API routes.
public protocol NaraModule: PlatformModule {
    /// Registers the module's routes: API under `/api/v1/<id>/`, pages under `/<id>/`.
    func registerRoutes(_ routes: RouteRegistry, portal: Portal)
    /// A directory of `<page>.mustache` templates, registered under `<id>/<page>`.
    var templatesDirectory: URL? { get }
}

extension NaraModule {
    public var templatesDirectory: URL? { nil }
}

/// Everything the HTTP layer shares: the platform, page rendering, the route registry, metrics
/// and the CSRF key. One per application.
public final class Portal: Sendable {
    public let platform: Platform
    public let renderer: PageRenderer
    public let registry: RouteRegistry
    public let metrics: HTTPMetrics
    public let modules: [any NaraModule]
    private let csrfKey: SymmetricKey

    init(platform: Platform, renderer: PageRenderer, registry: RouteRegistry, metrics: HTTPMetrics, modules: [any NaraModule]) {
        self.platform = platform
        self.renderer = renderer
        self.registry = registry
        self.metrics = metrics
        self.modules = modules
        self.csrfKey = platform.masterKey.derive("csrf")
    }

    /// The token a form must echo: bound to the browser's CSRF secret and to the session.
    public func csrfToken(secret: String, sessionID: UUID?) -> String {
        let message = Data((secret + "|" + (sessionID?.uuidString ?? "-")).utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: csrfKey)).base64URLEncodedString
    }

    /// `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over TLS.
    public func cookieHeader(name: String, value: String, maxAge: Int?, httpOnly: Bool = true) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "SameSite=Lax"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if httpOnly { parts.append("HttpOnly") }
        if platform.configuration.servesOverTLS { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    public func expiredCookieHeader(name: String) -> String {
        cookieHeader(name: name, value: "", maxAge: 0)
    }
}

/// Paths that a redirect may follow: on this site only. Browsers read `/\\host`, `//host` and
/// paths with tabs or line breaks (which they strip) as addresses of another site.
public enum LocalPath {
    /// Paths for programs rather than browsers: the JSON API and Open311, which authenticate each
    /// request (bearer token, api_key) and never use the browser session.
    public static func isMachinePath(_ path: String) -> Bool { path.hasPrefix("/api/") || path.hasPrefix("/open311/") }

    public static func isSafe(_ path: String) -> Bool {
        let scalars = Array(path.unicodeScalars)
        guard scalars.first == "/", scalars.count < 2048 else { return false }
        if scalars.count > 1 && (scalars[1] == "/" || scalars[1] == "\\") { return false }
        return !scalars.contains { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" || ($0.value >= 0x80 && $0.properties.isWhitespace) }
    }
}

extension Response {
    /// 303 See Other to a local path (never to another site).
    public static func redirect(_ location: String, cookies: [String] = []) -> Response {
        let safe = LocalPath.isSafe(location) ? location : "/"
        var headers = HTTPFields()
        headers[.location] = safe
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try NaraJSONEncoder.data(value))))
    }
}

extension NaraRequestContext {
    /// The signed-in actor, or a 401 (API) / sign-in redirect signal (pages).
    public func requireActor() throws -> Actor {
        guard let actor else { throw NaraError(.unauthorized, code: .unauthenticated, "Sign in to continue.") }
        return actor
    }
}
