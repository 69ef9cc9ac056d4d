import Foundation

/// A stable, machine-readable error code. Modules declare their own as static members.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let validationFailed: ErrorCode = "validation_failed"
    public static let malformedRequest: ErrorCode = "malformed_request"
    public static let notFound: ErrorCode = "not_found"
    public static let methodNotAllowed: ErrorCode = "method_not_allowed"
    public static let unauthenticated: ErrorCode = "unauthenticated"
    public static let invalidCredentials: ErrorCode = "invalid_credentials"
    public static let secondFactorRequired: ErrorCode = "second_factor_required"
    public static let forbidden: ErrorCode = "forbidden"
    public static let csrfRejected: ErrorCode = "csrf_rejected"
    public static let conflict: ErrorCode = "conflict"
    public static let tooManyRequests: ErrorCode = "too_many_requests"
    public static let payloadTooLarge: ErrorCode = "payload_too_large"
    public static let unsupportedMediaType: ErrorCode = "unsupported_media_type"
    public static let internalError: ErrorCode = "internal_error"
    public static let unavailable: ErrorCode = "unavailable"
    public static let illegalTransition: ErrorCode = "illegal_transition"
}

public struct FieldError: Sendable, Codable, Equatable {
    /// JSON pointer style field name, e.g. `nationalId` or `items/0/quantity`.
    public let field: String
    public let code: String
    public let message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// An error the platform reports to a user or client. The HTTP layer turns it into an RFC 9457
/// problem document or an error page; nothing else about the failure leaks out.
public struct NaraError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case badRequest
        case unauthorized
        case forbidden
        case notFound
        case conflict
        case unprocessable
        case tooManyRequests(retryAfterSeconds: Int)
        case payloadTooLarge
        case unsupportedMediaType
        case unavailable
        case internalError
    }

    public let kind: Kind
    public let code: ErrorCode
    public let message: String
    public var fieldErrors: [FieldError]

    public init(_ kind: Kind, code: ErrorCode, _ message: String, fieldErrors: [FieldError] = []) {
        self.kind = kind
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
    }

    public var description: String {
        let fields = fieldErrors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        return "\(code): \(message)" + (fields.isEmpty ? "" : " (\(fields))")
    }

    public static func validation(_ errors: [FieldError], message: String = "Some fields are not valid.") -> NaraError {
        NaraError(.unprocessable, code: .validationFailed, message, fieldErrors: errors)
    }

    public static func notFound(_ what: String) -> NaraError {
        NaraError(.notFound, code: .notFound, "\(what) was not found.")
    }

    public static func forbidden(_ message: String = "You are not allowed to do this.") -> NaraError {
        NaraError(.forbidden, code: .forbidden, message)
    }

    public static func conflict(_ message: String, code: ErrorCode = .conflict) -> NaraError {
        NaraError(.conflict, code: code, message)
    }
}

/// Collects field errors while validating input; throws them all at once.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []
    public init() {}

    public mutating func add(_ field: String, _ code: String, _ message: String) {
        errors.append(FieldError(field: field, code: code, message: message))
    }

    public mutating func require(_ value: String?, _ field: String, maxLength: Int = 200) {
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if trimmed.isEmpty {
            add(field, "required", "This field is required.")
        } else if trimmed.count > maxLength {
            add(field, "too_long", "Use at most \(maxLength) characters.")
        } else if Self.hasControlCharacters(trimmed) {
            add(field, "control_characters", "Remove the control characters (only tabs and line breaks are kept).")
        }
    }

    /// Control characters that no text field keeps (and XML 1.0 cannot carry): C0 but tab, line
    /// feed and carriage return, DEL, and the non-characters U+FFFE and U+FFFF.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F, 0xFFFE, 0xFFFF: true
        default: false
        }
    }

    public static func hasControlCharacters(_ text: String) -> Bool { text.unicodeScalars.contains(where: isControl) }

    public func check() throws(NaraError) {
        if !errors.isEmpty { throw NaraError.validation(errors) }
    }
}
