import Foundation
import NaraCore
import NaraTesting
import Testing
import X509

@Suite("PKI and signatures")
struct PKITests {
    @Test("first start creates a root CA, a platform key and one certificate per agency")
    func keysCreated() async throws {
        try await withTestPlatform { platform, _, fixtures in
            let certificates = try await platform.pki.certificates(on: platform.db)
            #expect(certificates.filter { $0.purpose == "root" }.count == 1)
            #expect(certificates.filter { $0.purpose == "platform" }.count == 1)
            #expect(certificates.filter { $0.purpose == "agency" }.count == 2)
            let agency = try await platform.pki.identity(purpose: .agency, agencyID: fixtures.ministry!.id, on: platform.db)
            #expect(agency.certificate.subject.description.contains("Ministry of Testing"))
            #expect(agency.certificate.notValidBefore < platform.clock.now())
            // Private keys are stored encrypted, never as PEM text.
            let stored = try await platform.database.sql.raw("SELECT private_key_cipher FROM pki_keys").all()
            for row in stored {
                let text = try row.decode(column: "private_key_cipher", as: String.self)
                #expect(!text.contains("PRIVATE KEY"))
            }
        }
    }

    @Test("detached signatures verify; a changed byte, a wrong key and an expired certificate are refused")
    func detachedSignatures() async throws {
        try await withTestPlatform { platform, clock, fixtures in
            let signer = try await platform.pki.identity(purpose: .agency, agencyID: fixtures.ministry!.id, on: platform.db)
            let other = try await platform.pki.identity(purpose: .agency, agencyID: fixtures.agency!.id, on: platform.db)
            let content = Data(#"{"certificate":"resident registration abstract","subject":"900101-2******"}"#.utf8)
            let signature = try platform.pki.sign(content, with: signer)
            let verified = try await platform.pki.verify(content, signature: signature, on: platform.db)
            #expect(verified.agencyID == fixtures.ministry!.id)

            var tampered = content
            tampered[tampered.startIndex + 5] ^= 0x01
            await #expect(throws: NaraError.self) { try await platform.pki.verify(tampered, signature: signature, on: platform.db) }

            // Signed with another agency's key but claiming the first agency's certificate.
            let wrongKey = try platform.pki.sign(content, with: other)
            let forged = DetachedSignature(certificateFingerprint: signer.fingerprint, signature: wrongKey.signature)
            await #expect(throws: NaraError.self) { try await platform.pki.verify(content, signature: forged, on: platform.db) }

            // A certificate valid for one hour, used now and checked two hours later.
            let signedAt = clock.now()
            let expired = try await platform.pki.issueTestCertificate(commonName: "Short-lived signer", notBefore: signedAt.addingTimeInterval(-60),
                                                                      notAfter: signedAt.addingTimeInterval(3600), on: platform.db)
            let late = try platform.pki.sign(content, with: expired)
            clock.advance(by: 2 * 3600)
            do {
                _ = try await platform.pki.verify(content, signature: late, on: platform.db)
                Issue.record("an expired certificate was accepted")
            } catch let error as NaraError {
                #expect(error.code == "certificate_expired")
            }
            // The same certificate was valid when it was used.
            #expect(try await platform.pki.verify(content, signature: late, at: signedAt, on: platform.db).fingerprint == expired.fingerprint)
        }
    }

    @Test("JWS (ES256) documents verify and a changed payload is refused")
    func jws() async throws {
        try await withTestPlatform { platform, _, fixtures in
            struct Document: Codable, Sendable, Equatable { let number: String; let holder: String }
            let signer = try await platform.pki.identity(purpose: .agency, agencyID: fixtures.ministry!.id, on: platform.db)
            let token = try await platform.pki.signJWS(Document(number: "2026-000123", holder: "Alice"), with: signer)
            #expect(token.split(separator: ".").count == 3)
            let (body, who) = try await platform.pki.verifyJWS(token, as: Document.self, on: platform.db)
            #expect(body == Document(number: "2026-000123", holder: "Alice"))
            #expect(who.agencyID == fixtures.ministry!.id)

            let parts = token.split(separator: ".").map(String.init)
            let otherPayload = Data(#"{"holder":"Mallory","number":"2026-000123"}"#.utf8).base64URLEncodedString
            let tampered = [parts[0], otherPayload, parts[2]].joined(separator: ".")
            await #expect(throws: NaraError.self) { try await platform.pki.verifyJWS(tampered, as: Document.self, on: platform.db) }
            await #expect(throws: NaraError.self) { try await platform.pki.verifyJWS("not.a-jws", as: Document.self, on: platform.db) }
        }
    }

    @Test("exported certificates verify with openssl verify -CAfile, and a foreign root does not vouch for them")
    func opensslVerifies() async throws {
        let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try #require(openssl, "openssl is needed for this check (Debian package openssl)")
        let (rootA, agencyA) = try await withTestPlatform { platform, _, fixtures in
            let certificates = try await platform.pki.certificates(on: platform.db)
            let root = try #require(certificates.first { $0.purpose == "root" }).certificatePEM
            let agency = try #require(certificates.first { $0.purpose == "agency" && $0.agencyID == fixtures.ministry!.id }).certificatePEM
            return (root, agency)
        }
        let rootB = try await withTestPlatform(fixtures: false) { platform, _, _ in
            try #require(try await platform.pki.certificates(on: platform.db).first { $0.purpose == "root" }).certificatePEM
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nara-openssl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try rootA.write(to: dir.appendingPathComponent("root.pem"), atomically: true, encoding: .utf8)
        try rootB.write(to: dir.appendingPathComponent("other-root.pem"), atomically: true, encoding: .utf8)
        try agencyA.write(to: dir.appendingPathComponent("agency.pem"), atomically: true, encoding: .utf8)

        func run(_ arguments: [String]) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        let good = try run(["verify", "-CAfile", dir.appendingPathComponent("root.pem").path, dir.appendingPathComponent("agency.pem").path])
        #expect(good.0 == 0, "openssl said: \(good.1)")
        #expect(good.1.contains("OK"))
        let bad = try run(["verify", "-CAfile", dir.appendingPathComponent("other-root.pem").path, dir.appendingPathComponent("agency.pem").path])
        #expect(bad.0 != 0)
    }
}
