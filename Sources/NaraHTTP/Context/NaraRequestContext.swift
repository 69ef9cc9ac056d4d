import Foundation
import Hummingbird
import NaraCore
import NIOCore

/// Per-request state: who is asking, in which language, with which CSRF token, and the parsed
/// form of a browser POST. Filled by `PlatformContextMiddleware` and `CSRFMiddleware`.
public struct NaraRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String
    /// The client address: the socket peer, or the X-Forwarded-For entry set by a trusted proxy.
    public var clientAddress: String
    public var socketAddress: String
    public var language: Language = .english
    public var session: SessionInfo?
    public var sessionToken: String?
    public var actor: Actor?
    /// The browser's CSRF secret (cookie), and the token forms must echo.
    public var csrfSecret: String = ""
    public var csrfToken: String = ""
    /// Fields of an `application/x-www-form-urlencoded` body, parsed once by the CSRF check.
    public var form: FormFields = FormFields()
    public var uploadLimit: Int = 10 * 1024 * 1024

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        let address = source.channel.remoteAddress?.ipAddress ?? "unknown"
        self.socketAddress = address
        self.clientAddress = address
    }

    public var maxUploadSize: Int { uploadLimit }

    public var requestDecoder: NaraJSONDecoder { NaraJSONDecoder() }
    public var responseEncoder: NaraJSONEncoder { NaraJSONEncoder() }

    /// The audit identity of this request.
    public var auditActor: AuditActor {
        if let actor { return AuditActor(actor, requestID: requestID) }
        return AuditActor(name: "anonymous", agencyID: nil, requestID: requestID)
    }
}

/// Parsed form fields; repeated names keep every value.
public struct FormFields: Sendable {
    public private(set) var pairs: [(String, String)] = []

    public init(pairs: [(String, String)] = []) { self.pairs = pairs }

    public subscript(_ name: String) -> String? { pairs.first { $0.0 == name }?.1 }

    public func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }

    /// Parses `a=1&b=x+y` (RFC 1866 form encoding).
    public static func parse(_ body: String) -> FormFields {
        var fields = FormFields()
        for part in body.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode: (Substring) -> String = { raw in
                String(raw).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields.pairs.append((decode(kv[0]), kv.count > 1 ? decode(kv[1]) : ""))
        }
        return fields
    }
}

/// JSON decoding that reports malformed bodies and wrong types as 400 problems with the field.
public struct NaraJSONDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/problem+json") || contentType.contains("+json") else {
            throw NaraError(.unsupportedMediaType, code: .unsupportedMediaType, "Send the request body as application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "The request body is larger than \(context.maxUploadSize) bytes.")
        }
        return try Self.decode(type, from: Data(buffer: buffer))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parseISO8601(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected an ISO 8601 date-time"))
            }
            return date
        }
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw NaraError(.badRequest, code: .malformedRequest, "The JSON body could not be read.", fieldErrors: [Self.fieldError(error)])
        } catch let error as NaraError {
            throw error
        } catch {
            throw NaraError(.badRequest, code: .malformedRequest, "The request body is not valid JSON.")
        }
    }

    static func fieldError(_ error: DecodingError) -> FieldError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return FieldError(field: path(context.codingPath), code: "type", message: "Expected \(Self.describe(type)).")
        case .valueNotFound(let type, let context):
            return FieldError(field: path(context.codingPath), code: "required", message: "Expected \(Self.describe(type)), found null.")
        case .keyNotFound(let key, let context):
            return FieldError(field: path(context.codingPath + [key]), code: "required", message: "This field is required.")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return FieldError(field: field.isEmpty ? "body" : field, code: field.isEmpty ? "syntax" : "invalid",
                              message: field.isEmpty ? "The body is not valid JSON." : context.debugDescription)
        @unknown default:
            return FieldError(field: "body", code: "invalid", message: "The body could not be read.")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Bool.Type: return "true or false"
        case is Double.Type: return "a number"
        default: return "a value of another type"
        }
    }
}

public struct NaraJSONEncoder: ResponseEncoder {
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try Self.data(value))))
    }

    public static func data(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.iso8601Millis(date))
        }
        return try encoder.encode(value)
    }
}

extension SocketAddress {
    var ipAddressOrUnknown: String { ipAddress ?? "unknown" }
}
