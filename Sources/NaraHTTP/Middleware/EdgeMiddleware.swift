import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NaraCore

/// The outermost layer: request id, access log, metrics, security headers on every response,
/// and the translation of every error into a problem document (API) or an error page (browser).
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = NaraRequestContext
    let portal: Portal

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let start = ContinuousClock.now
        let incoming = request.headers[.init("X-Request-Id")!].flatMap { $0.count <= 64 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } ? $0 : nil }
        context.requestID = incoming ?? UUID().uuidString.lowercased()
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        context.uploadLimit = portal.platform.configuration.maxUploadBytes
        context.clientAddress = Self.clientAddress(request, socket: context.socketAddress, trustedProxies: portal.platform.configuration.trustedProxies)

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errorResponse(error, request: request, context: context)
        }
        applySecurityHeaders(&response, request: request)
        response.headers[.init("X-Request-Id")!] = context.requestID

        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        portal.metrics.record(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        let millis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path), "route": .string(route),
            "status": .stringConvertible(response.status.code), "ms": .string(String(format: "%.1f", millis)),
            "client": .string(context.clientAddress),
        ])
        return response
    }

    static func clientAddress(_ request: Request, socket: String, trustedProxies: Int) -> String {
        guard trustedProxies > 0, let forwarded = request.headers[values: .init("X-Forwarded-For")!].last else { return socket }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard hops.count >= trustedProxies else { return socket }
        return hops[hops.count - trustedProxies]
    }

    func applySecurityHeaders(_ response: inout Response, request: Request) {
        let headers: [(String, String)] = [
            ("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ]
        // A response may bring a stricter policy of its own (downloads are sandboxed); keep it.
        for (name, value) in headers where response.headers[HTTPField.Name(name)!] == nil {
            response.headers[HTTPField.Name(name)!] = value
        }
        if portal.platform.configuration.servesOverTLS {
            response.headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=63072000; includeSubDomains"
        }
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
    }

    func errorResponse(_ error: any Error, request: Request, context: Context) -> Response {
        let problem = Problem(error, path: request.uri.path, allowedMethods: { portal.registry.methods(matching: request.uri.path) },
                              notFoundFromRouter: context.endpointPath == "NotFound" || context.endpointPath == nil)
        if problem.status >= 500 {
            context.logger.error("request failed: \(String(reflecting: error))")
        }
        if request.uri.path.hasPrefix("/api") || request.uri.path.hasPrefix("/healthz") || request.uri.path.hasPrefix("/readyz") {
            return problem.response(requestID: context.requestID)
        }
        return portal.renderer.errorPage(problem, request: request, context: context)
    }
}

/// An RFC 9457 problem, from any error.
struct Problem: Sendable {
    let status: Int
    let code: ErrorCode
    let title: String
    let detail: String
    let fieldErrors: [FieldError]
    let retryAfter: Int?
    let allow: [String]
    let instance: String

    init(_ error: any Error, path: String, allowedMethods: () -> [String], notFoundFromRouter: Bool) {
        instance = path
        var allow: [String] = []
        var retryAfter: Int?
        switch error {
        case let error as NaraError:
            status = Self.status(error.kind)
            code = error.code
            detail = error.message
            fieldErrors = error.fieldErrors
            if case .tooManyRequests(let seconds) = error.kind { retryAfter = seconds }
        case let error as HTTPError:
            if error.status == .notFound && notFoundFromRouter {
                let methods = allowedMethods()
                if !methods.isEmpty {
                    status = 405
                    code = .methodNotAllowed
                    detail = "This address accepts \(methods.joined(separator: ", "))."
                    allow = methods
                    fieldErrors = []
                    break
                }
            }
            status = error.status.code
            code = Self.code(forStatus: error.status.code)
            detail = error.body ?? Self.defaultDetail(error.status.code)
            fieldErrors = []
        case is DecodingError:
            status = 400
            code = .malformedRequest
            detail = "The request body could not be read."
            fieldErrors = []
        default:
            status = 500
            code = .internalError
            detail = "Something went wrong on our side. The request id identifies it for support."
            fieldErrors = []
        }
        self.allow = allow
        self.retryAfter = retryAfter
        title = Self.reasonPhrase(status)
    }

    /// RFC 9110 reason phrases (`HTTPResponse.Status(code:)` leaves the phrase empty).
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        default: return "Internal Server Error"
        }
    }

    static func status(_ kind: NaraError.Kind) -> Int {
        switch kind {
        case .badRequest: return 400
        case .unauthorized: return 401
        case .forbidden: return 403
        case .notFound: return 404
        case .conflict: return 409
        case .unprocessable: return 422
        case .tooManyRequests: return 429
        case .payloadTooLarge: return 413
        case .unsupportedMediaType: return 415
        case .unavailable: return 503
        case .internalError: return 500
        }
    }

    init(status: Int, code: ErrorCode, detail: String, fieldErrors: [FieldError] = [], path: String) {
        self.status = status
        self.code = code
        self.title = Self.reasonPhrase(status)
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.retryAfter = nil
        self.allow = []
        self.instance = path
    }

    static func code(forStatus status: Int) -> ErrorCode {
        switch status {
        case 400: return .malformedRequest
        case 401: return .unauthenticated
        case 403: return .forbidden
        case 404: return .notFound
        case 405: return .methodNotAllowed
        case 413: return .payloadTooLarge
        case 415: return .unsupportedMediaType
        case 429: return .tooManyRequests
        default: return status >= 500 ? .internalError : .malformedRequest
        }
    }

    static func defaultDetail(_ status: Int) -> String {
        switch status {
        case 404: return "There is nothing at this address."
        case 413: return "The request body is too large."
        case 400: return "The request could not be read."
        default: return HTTPResponse.Status(code: status).reasonPhrase
        }
    }

    struct Body: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let code: String
        let instance: String
        let requestId: String
        let errors: [FieldError]?
        let retryAfter: Int?
    }

    func response(requestID: String) -> Response {
        let body = Body(type: "urn:nara:problem:\(code.rawValue)", title: title, status: status, detail: detail, code: code.rawValue,
                        instance: instance, requestId: requestID, errors: fieldErrors.isEmpty ? nil : fieldErrors, retryAfter: retryAfter)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if !allow.isEmpty { headers[.allow] = allow.joined(separator: ", ") }
        let data = (try? NaraJSONEncoder.data(body)) ?? Data()
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
