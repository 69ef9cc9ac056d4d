import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on the blocking thread pool so that it never stalls an event loop.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    public init(cost: Int) { self.cost = UInt8(cost) }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Rules for new passwords: long enough, not trivially weak.
    public static func validateNew(_ password: String, field: String = "password", username: String? = nil) -> [FieldError] {
        var errors: [FieldError] = []
        if password.count < 10 {
            errors.append(FieldError(field: field, code: "too_short", message: "Use at least 10 characters."))
        } else if password.count > 72 {
            errors.append(FieldError(field: field, code: "too_long", message: "Use at most 72 characters."))
        } else if Set(password).count < 4 {
            errors.append(FieldError(field: field, code: "too_simple", message: "Use more varied characters."))
        } else if let username, password.lowercased().contains(username.lowercased()) {
            errors.append(FieldError(field: field, code: "contains_username", message: "The password must not contain your user name."))
        }
        return errors
    }
}
