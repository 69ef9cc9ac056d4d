import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NIOConcurrencyHelpers

/// A browser for router tests: keeps cookies, reads the CSRF token from pages, posts forms.
public final class Browser: Sendable {
    let client: any TestClientProtocol
    private let cookies = NIOLockedValueBox<[String: String]>([:])
    private let lastCSRF = NIOLockedValueBox<String?>(nil)
    public let headers: HTTPFields

    public init(_ client: any TestClientProtocol, headers: HTTPFields = [:]) {
        self.client = client
        self.headers = headers
    }

    public var cookieJar: [String: String] { cookies.withLockedValue { $0 } }

    public func cookie(_ name: String) -> String? { cookies.withLockedValue { $0[name] } }

    private func requestHeaders(_ extra: HTTPFields) -> HTTPFields {
        var fields = headers
        let jar = cookies.withLockedValue { $0 }
        if !jar.isEmpty {
            fields[.cookie] = jar.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        fields.append(contentsOf: extra)
        return fields
    }

    private func remember(_ response: TestResponse) {
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let expired = value.contains("Max-Age=0")
            cookies.withLockedValue { jar in
                if expired || parts[1].isEmpty { jar[parts[0]] = nil } else { jar[parts[0]] = parts[1] }
            }
        }
        if let token = Self.csrfToken(in: String(buffer: response.body)) { lastCSRF.withLockedValue { $0 = token } }
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    @discardableResult
    public func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: requestHeaders(extra))
        remember(response)
        return response
    }

    /// Posts a form with the CSRF token of the last page seen (unless `csrf` is given, or `nil` to omit it).
    @discardableResult
    public func post(_ uri: String, form: [(String, String)], csrf: String?? = .none) async throws -> TestResponse {
        var fields = form
        switch csrf {
        case .none: if let token = lastCSRF.withLockedValue({ $0 }) { fields.append(("_csrf", token)) }
        case .some(.some(let token)): fields.append(("_csrf", token))
        case .some(.none): break
        }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var extra = HTTPFields()
        extra[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.execute(uri: uri, method: .post, headers: requestHeaders(extra), body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Posts a multipart form (as a browser sends a form with files): `files` are (field, file name, content type, bytes).
    /// The CSRF token travels in the action's query string, as the pages write it.
    @discardableResult
    public func postMultipart(_ uri: String, fields: [(String, String)], files: [(String, String, String, Data)] = []) async throws -> TestResponse {
        let boundary = "nara-test-\(UUID().uuidString)"
        var body = Data()
        func line(_ text: String) { body.append(Data((text + "\r\n").utf8)) }
        for (name, value) in fields {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(name)\"")
            line("")
            line(value)
        }
        for (name, fileName, type, data) in files {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"")
            line("Content-Type: \(type)")
            line("")
            body.append(data)
            line("")
        }
        line("--\(boundary)--")
        var extra = HTTPFields()
        extra[.contentType] = "multipart/form-data; boundary=\(boundary)"
        let response = try await client.execute(uri: uri, method: .post, headers: requestHeaders(extra), body: ByteBuffer(data: body))
        remember(response)
        return response
    }

    /// The value of the first `attribute="…"` after `marker` in the last page's HTML (an action URL, a hidden key).
    public static func attribute(_ attribute: String, after marker: String, in html: String) -> String? {
        guard let start = html.range(of: marker) else { return nil }
        guard let open = html[start.upperBound...].range(of: "\(attribute)=\"") else { return nil }
        let rest = html[open.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&") }
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// Signs in through the pages, answering the second factor when asked.
    @discardableResult
    public func signIn(_ username: String, password: String = Fixtures.password, totp: (() -> String)? = nil) async throws -> TestResponse {
        try await get("/login")
        var response = try await post("/login", form: [("username", username), ("password", password)])
        if response.headers[.location]?.hasPrefix("/login/second-factor") == true, let totp {
            try await get("/login/second-factor")
            response = try await post("/login/second-factor", form: [("code", totp())])
        }
        return response
    }
}

extension TestResponse {
    public var text: String { String(buffer: body) }

    public func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer: body))
    }

    public var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
}

/// JSON API helpers.
extension TestClientProtocol {
    public func api(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
                    headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// A bearer token for a fixture account (officials and operators add the current code).
    public func token(_ username: String, password: String = Fixtures.password, totp: String? = nil, scope: String? = nil) async throws -> String {
        var body: [String: String] = ["grant_type": "password", "username": username, "password": password]
        if let totp { body["totp"] = totp }
        if let scope { body["scope"] = scope }
        let json = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
        let response = try await api(.post, "/api/v1/auth/token", json: json)
        guard response.status == .ok, let token = response.jsonObject["access_token"] as? String else {
            throw NaraError(.unauthorized, code: .invalidCredentials, "token request failed: \(response.status) \(response.text)")
        }
        return token
    }
}

/// Where a redirect points, without its query (a notice).
public enum Redirect {
    public static func location(_ response: TestResponse) -> String { (response.headers[.location] ?? "").components(separatedBy: "?")[0] }
}
