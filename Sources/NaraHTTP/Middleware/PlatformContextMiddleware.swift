import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

/// Establishes who is asking and in which language: the browser session (cookie) for pages, the
/// bearer token for the API, the language preference, and the browser's CSRF secret.
struct PlatformContextMiddleware: RouterMiddleware {
    typealias Context = NaraRequestContext
    let portal: Portal

    static let sessionCookie = "nara_session"
    static let csrfCookie = "nara_csrf"
    static let languageCookie = "nara_lang"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let platform = portal.platform
        let cookies = request.cookies
        let isAPI = LocalPath.isMachinePath(request.uri.path)

        if isAPI {
            if let authorization = request.headers[.authorization] {
                let parts = authorization.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "bearer",
                      let actor = try await platform.identity.actor(bearer: String(parts[1]).trimmingCharacters(in: .whitespaces), on: platform.db)
                else {
                    throw NaraError(.unauthorized, code: .unauthenticated, "The bearer token is missing, expired, revoked or unknown.")
                }
                context.actor = actor
            }
        } else if let token = cookies[Self.sessionCookie]?.value, !token.isEmpty,
                  let session = try await platform.identity.session(token: token, on: platform.db) {
            context.session = session
            context.sessionToken = token
            if !session.awaitingSecondFactor {
                context.actor = platform.identity.actor(for: session.account, secondFactorVerified: session.secondFactorVerified)
            }
        }

        if let chosen = cookies[Self.languageCookie]?.value, let language = Language(rawValue: chosen) {
            context.language = language
        } else if let session = context.session, let language = Language(rawValue: session.account.locale), cookies[Self.languageCookie] == nil,
                  request.headers[.acceptLanguage] == nil {
            context.language = language
        } else {
            context.language = Language.negotiate(request.headers[.acceptLanguage]) ?? .english
        }

        var newCSRFCookie: String?
        if !isAPI {
            if let secret = cookies[Self.csrfCookie]?.value, secret.count == 43, Data(base64URLEncoded: secret) != nil {
                context.csrfSecret = secret
            } else {
                context.csrfSecret = Data.random(count: 32).base64URLEncodedString
                newCSRFCookie = portal.cookieHeader(name: Self.csrfCookie, value: context.csrfSecret, maxAge: nil)
            }
            context.csrfToken = portal.csrfToken(secret: context.csrfSecret, sessionID: context.session?.id)
        }

        var response = try await next(request, context)
        if let newCSRFCookie { response.headers.append(HTTPField(name: .setCookie, value: newCSRFCookie)) }
        return response
    }
}

/// Refuses browser form posts that do not echo the CSRF token; parses the form for handlers.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = NaraRequestContext
    let portal: Portal
    static let formLimit = 1024 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let unsafe: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]
        guard unsafe.contains(request.method), !request.uri.path.hasPrefix("/api/") else {
            return try await next(request, context)
        }
        var context = context
        var request = request
        // Open311 clients post forms with their api_key, never with a browser session: no CSRF token.
        let keyed = LocalPath.isMachinePath(request.uri.path)
        var presented = request.headers[HTTPField.Name("X-CSRF-Token")!]
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            let limit = min(Self.formLimit, context.maxUploadSize)
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: limit)
            } catch {
                throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "The form is larger than \(limit) bytes.")
            }
            context.form = FormFields.parse(String(buffer: buffer))
            presented = context.form["_csrf"] ?? presented
        } else if presented == nil {
            presented = request.uri.queryParameters.get("_csrf")
        }
        if keyed { return try await next(request, context) }
        guard let presented, constantTimeEquals(presented, context.csrfToken) else {
            throw NaraError(.forbidden, code: .csrfRejected, "This form has expired or did not come from Nara. Go back, reload the page and try again.")
        }
        return try await next(request, context)
    }
}
