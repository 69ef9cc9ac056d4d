import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226).
public struct TOTP: Sendable {
    public enum Algorithm: String, Sendable { case sha1 = "SHA1", sha256 = "SHA256", sha512 = "SHA512" }

    public let secret: Data
    public let digits: Int
    public let period: TimeInterval
    public let algorithm: Algorithm

    public init(secret: Data, digits: Int = 6, period: TimeInterval = 30, algorithm: Algorithm = .sha1) {
        self.secret = secret
        self.digits = digits
        self.period = period
        self.algorithm = algorithm
    }

    public func timeStep(at date: Date) -> UInt64 {
        UInt64((date.timeIntervalSince1970 / period).rounded(.down))
    }

    public func code(at date: Date) -> String {
        code(forStep: timeStep(at: date))
    }

    public func code(forStep counter: UInt64) -> String {
        var bigEndian = counter.bigEndian
        let message = withUnsafeBytes(of: &bigEndian) { Data($0) }
        let key = SymmetricKey(data: secret)
        let mac: Data
        switch algorithm {
        case .sha1: mac = Data(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: mac = Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: mac = Data(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
        let bytes = [UInt8](mac)
        let offset = Int(bytes[bytes.count - 1] & 0x0F)
        let binary = (UInt32(bytes[offset] & 0x7F) << 24) | (UInt32(bytes[offset + 1]) << 16)
            | (UInt32(bytes[offset + 2]) << 8) | UInt32(bytes[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = binary % modulus
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The time step a code matches, allowing one step of clock drift either way; `nil` if none.
    public func matchingStep(_ code: String, at date: Date, drift: Int = 1) -> UInt64? {
        let trimmed = code.filter { !$0.isWhitespace }
        guard trimmed.count == digits else { return nil }
        let now = timeStep(at: date)
        for delta in -drift...drift {
            let step = delta < 0 ? now &- UInt64(-delta) : now &+ UInt64(delta)
            if constantTimeEquals(self.code(forStep: step), trimmed) { return step }
        }
        return nil
    }

    public func provisioningURI(account: String, issuer: String) -> String {
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: ":/"))) ?? text }
        let label = encode(issuer) + ":" + encode(account)
        let issuerParam = issuer.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(issuerParam)&algorithm=\(algorithm.rawValue)&digits=\(digits)&period=\(Int(period))"
    }

    public static func generateSecret() -> Data { Data.random(count: 20) }
}

public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}
