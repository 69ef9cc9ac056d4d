import Crypto
import FluentKit
import Foundation
import NaraCore
import NaraTesting
import Testing
import X509

@Suite("Document issuance and verification")
struct DocumentIssuanceTests {
    static func request(_ fixtures: Fixtures, validDays: Int = 90) throws -> DocumentIssueRequest {
        DocumentIssueRequest(
            module: "test", documentType: "resident.abstract", titleEN: "Resident Registration Abstract", titleKO: "주민등록표 초본",
            agencyID: try #require(fixtures.ministry).id, holderAccountID: try #require(fixtures.alice).id, subjectRef: "account:test",
            subjectName: "김앨리스", subjectIdentifier: "900101-2******",
            facts: [DocumentFact(key: "address", labelEN: "Address", labelKO: "주소", value: "서울특별시 종로구 자하문로 45 (03044)"),
                    DocumentFact(key: "movedIn", labelEN: "Moved in", labelKO: "전입일", value: "2024-03-01", disclosedByDefault: true)],
            validDays: validDays, sourceReference: "CS-2026-0000001")
    }

    static func issue(_ platform: Platform, _ fixtures: Fixtures, validDays: Int = 90) async throws -> (IssuedDocumentDetail, [UInt8]) {
        let summary = try await platform.db.transaction { tx in
            try await platform.documents.issue(try request(fixtures, validDays: validDays), by: .system("test"), on: tx)
        }
        let alice = try #require(fixtures.alice).id
        let detail = try await platform.documents.detail(documentID: summary.id, holderAccountID: alice, on: platform.db)
        let pdf = try await platform.documents.pdf(documentID: summary.id, holderAccountID: alice, on: platform.db).pdf
        return (detail, pdf)
    }

    @Test("issuance numbers have 16 digits and a Luhn check digit that catches a changed digit")
    func numbers() {
        for _ in 0..<200 {
            let number = IssuanceNumber.generate()
            #expect(number.count == 16 && IssuanceNumber.normalise(number) == number)
            #expect(IssuanceNumber.normalise(IssuanceNumber.formatted(number)) == number)
            var digits = Array(number)
            digits[5] = digits[5] == "9" ? "0" : Character(String(digits[5].wholeNumberValue! + 1))
            #expect(IssuanceNumber.normalise(String(digits)) == nil)
        }
        #expect(IssuanceNumber.normalise("1234") == nil && IssuanceNumber.normalise("abcd-efgh-ijkl-mnop") == nil)
    }

    @Test("an issued document verifies by number and code; a wrong code or an unknown number does not, and says the same")
    func byNumber() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let (doc, _) = try await Self.issue(platform, fixtures)
            let good = try await platform.documents.verify(number: doc.summary.number, code: doc.shortCode, on: platform.db)
            #expect(good.outcome == .valid && good.agencyCode == "1000000" && good.method == .number)
            // Only the masked name and the fact disclosed by default are shown.
            #expect(good.disclosed.map(\.key) == ["subject", "movedIn"] && good.disclosed[0].value == "김**스")
            let lowerDashed = try await platform.documents.verify(number: IssuanceNumber.formatted(doc.summary.number),
                                                                  code: ShortCode.formatted(doc.shortCode).lowercased(), on: platform.db)
            #expect(lowerDashed.outcome == .valid)
            var wrongCode = Array(doc.shortCode)
            wrongCode[0] = wrongCode[0] == "A" ? "B" : "A"
            let wrong = try await platform.documents.verify(number: doc.summary.number, code: String(wrongCode), on: platform.db)
            #expect(wrong.outcome == .notGenuine && wrong.reason == "unknown_number_or_code" && wrong.titleEN == nil)
            let unknown = try await platform.documents.verify(number: IssuanceNumber.generate(), code: doc.shortCode, on: platform.db)
            #expect(unknown.outcome == .notGenuine && unknown.reason == "unknown_number_or_code")
            // The holder widens the disclosure; an unknown key is refused and changes nothing.
            let alice = try #require(fixtures.alice).id
            await #expect(throws: NaraError.self) {
                try await platform.documents.setDisclosure(documentID: doc.summary.id, holderAccountID: alice, keys: ["salary"], by: .system("t"), on: platform.db)
            }
            try await platform.documents.setDisclosure(documentID: doc.summary.id, holderAccountID: alice, keys: ["address"], by: .system("t"), on: platform.db)
            let wider = try await platform.documents.verify(number: doc.summary.number, code: doc.shortCode, on: platform.db)
            #expect(wider.disclosed.map(\.key) == ["subject", "address"])
            // Another person cannot read or share it.
            let bob = try #require(fixtures.bob).id
            await #expect(throws: NaraError.self) { _ = try await platform.documents.pdf(documentID: doc.summary.id, holderAccountID: bob, on: platform.db) }
        }
    }

    @Test("the PDF verifies; one changed byte, bytes appended after signing, and a re-signature by a key outside the platform CA do not")
    func byPDF() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let (doc, pdf) = try await Self.issue(platform, fixtures)
            #expect(pdf.starts(with: Array("%PDF-1.7".utf8)))
            let good = try await platform.documents.verify(pdf: pdf, on: platform.db)
            #expect(good.outcome == .valid && good.number == doc.summary.number && good.signer?.contains("Ministry of Testing") == true, "\(good)")

            // One byte changed inside the signed range (in the title of the info dictionary).
            let reader = try #require(PDFSignatureReader.read(pdf))
            #expect(reader.coversWholeFile && reader.byteRange[0] == 0)
            var changed = pdf
            let target = try #require(Self.find(Array("Resident Registration Abstract".utf8), in: pdf))
            changed[target] = UInt8(ascii: "r")
            #expect(changed != pdf)
            let tampered = try await platform.documents.verify(pdf: changed, on: platform.db)
            #expect(tampered.outcome == .notGenuine && tampered.reason == "signature_invalid")

            // An incremental update appended after the signature.
            let appended = pdf + Array("\n1 0 obj << >> endobj\n%%EOF\n".utf8)
            let updated = try await platform.documents.verify(pdf: appended, on: platform.db)
            #expect(updated.outcome == .notGenuine && updated.reason == "changed_after_signing")

            // Re-signed with a self-made CA's key: a valid CMS signature, but not the platform's.
            let outsider = try Self.outsideIdentity()
            let forged = try Self.resign(pdf, certificate: outsider.0, key: outsider.1)
            let forgedReader = try #require(PDFSignatureReader.read(forged))
            #expect(forgedReader.signature != reader.signature)
            let foreign = try await platform.documents.verify(pdf: forged, on: platform.db)
            #expect(foreign.outcome == .notGenuine && foreign.reason == "untrusted_signer")

            // A file without a signature.
            let plain = try await platform.documents.verify(pdf: Array("%PDF-1.7\n%%EOF\n".utf8), on: platform.db)
            #expect(plain.outcome == .notGenuine && plain.reason == "no_signature")
        }
    }

    @Test("the CMS signature is PAdES baseline: signing-certificate-v2 signed, no signing-time attribute, /M in the dictionary")
    func padesProfile() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let (_, pdf) = try await Self.issue(platform, fixtures)
            let reader = try #require(PDFSignatureReader.read(pdf))
            // id-aa-signingCertificateV2 1.2.840.113549.1.9.16.2.47 and id-signingTime 1.2.840.113549.1.9.5
            let signingCertificateV2: [UInt8] = [0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x02, 0x2F]
            let signingTime: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05]
            #expect(Self.find(signingCertificateV2, in: reader.signature) != nil)
            #expect(Self.find(signingTime, in: reader.signature) == nil)
            let text = String(decoding: pdf, as: UTF8.self)
            #expect(text.contains("/SubFilter /ETSI.CAdES.detached") && text.contains("/M (D:"))
        }
    }

    @Test("the QR code in the PDF decodes to the verification address, whose signed token verifies")
    func qrCode() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let (doc, pdf) = try await Self.issue(platform, fixtures)
            let matrix = try #require(PDFInspection.qrMatrix(in: pdf))
            let url = String(decoding: try QRMatrixReader.decode(modules: matrix), as: UTF8.self)
            let prefix = "\(platform.configuration.effectiveBaseURL)/verify?n=\(doc.summary.number)&c=\(doc.shortCode)&t="
            #expect(url.hasPrefix(prefix))
            let token = String(url.dropFirst(prefix.count))
            let verified = try await platform.documents.verify(token: token, on: platform.db)
            #expect(verified.outcome == .valid && verified.method == .token)
            // A token with a changed payload no longer verifies.
            let parts = token.split(separator: ".").map(String.init)
            var claims = try JSONSerialization.jsonObject(with: try #require(Data(base64URLEncoded: parts[1]))) as! [String: Any]
            claims["sub"] = "이*동"
            let forged = parts[0] + "." + (try JSONSerialization.data(withJSONObject: claims)).base64URLEncodedString + "." + parts[2]
            #expect(try await platform.documents.verify(token: forged, on: platform.db).outcome == .notGenuine)
        }
    }

    @Test("a revoked document says revoked with the reason; an expired one says expired; the reason is mandatory")
    func revokedAndExpired() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let ministry = try #require(fixtures.ministry).id
            let (revoked, revokedPDF) = try await Self.issue(platform, fixtures)
            await #expect(throws: NaraError.self) {
                _ = try await platform.documents.revoke(number: revoked.summary.number, agencyID: ministry, reason: "  ", by: .system("t"), on: platform.db)
            }
            // Another agency cannot revoke it.
            await #expect(throws: NaraError.self) {
                _ = try await platform.documents.revoke(number: revoked.summary.number, agencyID: try #require(fixtures.agency).id, reason: "x",
                                                       by: .system("t"), on: platform.db)
            }
            _ = try await platform.documents.revoke(number: revoked.summary.number, agencyID: ministry, reason: "Issued in error", by: .system("t"), on: platform.db)
            let byNumber = try await platform.documents.verify(number: revoked.summary.number, code: revoked.shortCode, on: platform.db)
            #expect(byNumber.outcome == .revoked && byNumber.revocationReason == "Issued in error")
            #expect(try await platform.documents.verify(pdf: revokedPDF, on: platform.db).outcome == .revoked)

            let (short, shortPDF) = try await Self.issue(platform, fixtures, validDays: 1)
            #expect(try await platform.documents.verify(pdf: shortPDF, on: platform.db).outcome == .valid)
            clock.advance(by: 86_400 + 1)
            let expired = try await platform.documents.verify(number: short.summary.number, code: short.shortCode, on: platform.db)
            #expect(expired.outcome == .expired)
            #expect(try await platform.documents.verify(pdf: shortPDF, on: platform.db).outcome == .expired)
        }
    }

    @Test("a view code shows the original until it is revoked or expires")
    func viewCodes() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let (doc, pdf) = try await Self.issue(platform, fixtures)
            let alice = try #require(fixtures.alice).id
            await #expect(throws: NaraError.self) {
                _ = try await platform.documents.createViewCode(documentID: doc.summary.id, holderAccountID: alice, label: "Bank", days: 91, by: .system("t"), on: platform.db)
            }
            let created = try await platform.documents.createViewCode(documentID: doc.summary.id, holderAccountID: alice, label: "Hana Bank loan desk", days: 7,
                                                                      by: .system("t"), on: platform.db)
            let seen = try await platform.documents.verify(number: doc.summary.number, code: created.code, on: platform.db)
            #expect(seen.outcome == .valid && seen.method == .viewCode && seen.originalAvailable && seen.disclosed.count == 3)
            let original = try await platform.documents.original(number: doc.summary.number, viewCode: created.code, by: .anonymous, on: platform.db)
            #expect(original == pdf)
            try await platform.documents.revokeViewCode(documentID: doc.summary.id, viewCodeID: created.viewCode.id, holderAccountID: alice, by: .system("t"), on: platform.db)
            #expect(try await platform.documents.verify(number: doc.summary.number, code: created.code, on: platform.db).outcome == .notGenuine)
            #expect(try await platform.documents.original(number: doc.summary.number, viewCode: created.code, by: .anonymous, on: platform.db) == nil)
            let second = try await platform.documents.createViewCode(documentID: doc.summary.id, holderAccountID: alice, label: "Landlord", days: 1,
                                                                     by: .system("t"), on: platform.db)
            clock.advance(by: 86_400 + 1)
            #expect(try await platform.documents.verify(number: doc.summary.number, code: second.code, on: platform.db).outcome == .notGenuine)
        }
    }

    @Test("content and file are stored encrypted")
    func encryptedAtRest() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let (doc, pdf) = try await Self.issue(platform, fixtures)
            let model = try #require(try await IssuedDocumentModel.query(on: platform.db).filter(\.$number == doc.summary.number).first())
            #expect(!model.contentCipher.contains("앨리스") && !model.contentCipher.contains("자하문로"))
            let file = try #require(try await IssuedDocumentFileModel.query(on: platform.db).first())
            #expect(Self.find(Array("%PDF".utf8), in: Array(file.pdfCipher)) == nil && file.pdfCipher.count >= pdf.count)
        }
    }

    @Test("crafted byte ranges are refused, never read outside the file")
    func craftedByteRanges() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let (_, pdf) = try await Self.issue(platform, fixtures)
            let reader = try #require(PDFSignatureReader.read(pdf))
            let original = "/ByteRange [" + reader.byteRange.map(String.init).joined(separator: " ") + "]"
            let n = pdf.count
            let crafted = ["[0 1 2 9223372036854775807]", "[1 \(n - 1) \(n) 0]", "[0 10 15 \(n - 15)]", "[0 \(n) \(n + 2) 0]",
                           "[-5 10 20 30]", "[0 99999999999999999999 1 1]", "[0 1 2]", "[a b c d]"]
            for range in crafted {
                // Same length as the original so that offsets elsewhere stay put; the check must not trap.
                let text = String(decoding: pdf, as: UTF8.self).replacingOccurrences(of: original, with: "/ByteRange " + range)
                let answer = try await platform.documents.verify(pdf: Array(text.utf8), on: platform.db)
                #expect(answer.outcome == .notGenuine, "\(range)")
            }
            #expect(PDFSignatureReader.read(Array("/ByteRange [0 1 2 3]".utf8)) == nil)
            #expect(PAdESSignature.derLength(of: [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]) == nil)
        }
    }

    @Test("failed verifications are limited per address, counted before the work and forgiven on success; IPv6 per /64")
    func attemptsAndPrefixes() {
        let limiter = FailureLimiter(limit: 2, window: 60)
        let now = Date(timeIntervalSince1970: 2_000_000)
        #expect(limiter.attempt("2001:db8:1:2:aaaa::1", now: now) == nil)
        #expect(limiter.attempt("2001:db8:1:2:bbbb::2", now: now) == nil)
        #expect(limiter.attempt("2001:db8:1:2::3", now: now) != nil)  // the same /64
        #expect(limiter.attempt("2001:db8:1:3::1", now: now) == nil)  // another /64
        let ok = now.addingTimeInterval(1)
        #expect(limiter.attempt("192.0.2.7", now: ok) == nil)
        limiter.forgive("192.0.2.7", at: ok)
        #expect(limiter.attempt("192.0.2.7", now: ok) == nil)
        limiter.forgive("192.0.2.7", at: ok)
        #expect(limiter.attempt("192.0.2.7", now: ok) == nil && limiter.attempt("192.0.2.7", now: ok) == nil)
        #expect(limiter.attempt("192.0.2.7", now: ok) != nil)
        #expect(FailureLimiter.key("::1") == "0:0:0:0::/64" && FailureLimiter.key("10.1.2.3") == "10.1.2.3")
    }

    @Test("failed verifications are limited per address")
    func limiter() {
        let limiter = FailureLimiter(limit: 3, window: 60)
        let now = Date(timeIntervalSince1970: 1_000_000)
        for i in 0..<3 {
            // Each attempt is counted as a failure (nothing forgives it here).
            #expect(limiter.attempt("10.0.0.1", now: now.addingTimeInterval(Double(i))) == nil)
        }
        #expect(limiter.attempt("10.0.0.1", now: now.addingTimeInterval(3)) == 57)
        #expect(limiter.attempt("10.0.0.2", now: now.addingTimeInterval(3)) == nil)
        #expect(limiter.attempt("10.0.0.1", now: now.addingTimeInterval(61)) == nil)
    }

    // MARK: Helpers

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    /// A self-signed CA of our own (not the platform's) and its key.
    static func outsideIdentity() throws -> (Certificate, P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("Forger Root"); OrganizationName("Not the Government") }
        let certificate = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                                          notValidBefore: Date(timeIntervalSince1970: 1_700_000_000), notValidAfter: Date(timeIntervalSince1970: 1_900_000_000),
                                          issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                                          extensions: try Certificate.Extensions { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil)) },
                                          issuerPrivateKey: .init(key))
        return (certificate, key)
    }

    /// The same file with its /Contents replaced by a signature of the same byte ranges by another key.
    static func resign(_ pdf: [UInt8], certificate: Certificate, key: P256.Signing.PrivateKey) throws -> [UInt8] {
        let reader = try #require(PDFSignatureReader.read(pdf))
        let cms = try PAdESSignature.sign(reader.signedBytes, certificate: certificate, privateKey: key)
        let start = reader.byteRange[1] + 1, end = reader.byteRange[2] - 1
        var hex = Array(cms.map { String(format: "%02x", $0) }.joined().utf8)
        hex += Array(repeating: UInt8(ascii: "0"), count: (end - start) - hex.count)
        var out = pdf
        out.replaceSubrange(start..<end, with: hex)
        return out
    }
}
