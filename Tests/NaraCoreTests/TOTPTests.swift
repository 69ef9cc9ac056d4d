import Foundation
import NaraCore
import Testing

@Suite("TOTP (RFC 6238)")
struct TOTPTests {
    static let sha1 = Data("12345678901234567890".utf8)
    static let sha256 = Data("12345678901234567890123456789012".utf8)
    static let sha512 = Data("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    /// RFC 6238 appendix B.
    @Test("the RFC's test vectors", arguments: [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ] as [(Int, String, String, String)])
    func vectors(time: Int, sha1: String, sha256: String, sha512: String) {
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        #expect(TOTP(secret: Self.sha1, digits: 8, algorithm: .sha1).code(at: date) == sha1)
        #expect(TOTP(secret: Self.sha256, digits: 8, algorithm: .sha256).code(at: date) == sha256)
        #expect(TOTP(secret: Self.sha512, digits: 8, algorithm: .sha512).code(at: date) == sha512)
    }

    @Test("a code matches within one step of drift, not two")
    func drift() {
        let totp = TOTP(secret: Self.sha1)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(totp.matchingStep(totp.code(at: now), at: now) == totp.timeStep(at: now))
        #expect(totp.matchingStep(totp.code(at: now.addingTimeInterval(-30)), at: now) != nil)
        #expect(totp.matchingStep(totp.code(at: now.addingTimeInterval(-60)), at: now) == nil)
        #expect(totp.matchingStep("12345", at: now) == nil)
    }

    @Test("base32 secrets round-trip for authenticator apps")
    func base32() {
        #expect(Base32.encode(Data("12345678901234567890".utf8)) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(Base32.decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == Data("12345678901234567890".utf8))
        let uri = TOTP(secret: Self.sha1).provisioningURI(account: "official.one", issuer: "Nara")
        #expect(uri.hasPrefix("otpauth://totp/Nara:official.one?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
    }
}
