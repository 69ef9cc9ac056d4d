import Crypto
import FluentKit
import Foundation
import JWTKit
import NIOConcurrencyHelpers
import SwiftASN1
import X509

/// A key that can sign, with its certificate.
public struct SigningIdentity: Sendable {
    public let purpose: KeyPurpose
    public let agencyID: UUID?
    public let certificate: Certificate
    public let certificatePEM: String
    public let fingerprint: String
    let privateKey: P256.Signing.PrivateKey
}

/// A detached signature over canonical bytes: ECDSA P-256 with SHA-256, DER-encoded.
public struct DetachedSignature: Sendable, Codable, Equatable {
    public let algorithm: String
    /// SHA-256 fingerprint (hex) of the signer's certificate.
    public let certificateFingerprint: String
    /// Base64 of the DER ECDSA signature.
    public let signature: String

    public init(algorithm: String = "ES256", certificateFingerprint: String, signature: String) {
        self.algorithm = algorithm
        self.certificateFingerprint = certificateFingerprint
        self.signature = signature
    }
}

public struct CertificateInfo: Sendable, Codable {
    public let purpose: String
    public let agencyID: UUID?
    public let subject: String
    public let issuer: String
    public let fingerprint: String
    public let notBefore: Date
    public let notAfter: Date
    public let certificatePEM: String
}

public struct VerifiedSigner: Sendable, Equatable {
    public let subject: String
    public let fingerprint: String
    public let agencyID: UUID?
}

/// The platform's certification authority and signing service: a root CA, the platform's own
/// signing key, and one document-signing certificate per agency (all P-256). Private keys are
/// stored encrypted under a key derived from the master key.
public final class PKIService: Sendable {
    private let cipher: FieldCipher
    private let clock: any NaraClock
    private let cache = NIOLockedValueBox<[String: SigningIdentity]>([:])
    private let rootCache = NIOLockedValueBox<Certificate?>(nil)

    public init(masterKey: MasterKey, clock: any NaraClock) {
        self.cipher = FieldCipher(masterKey: masterKey, purpose: "pki-private-keys")
        self.clock = clock
    }

    // MARK: Key creation

    /// Creates the root CA and the platform signing key on first start.
    public func ensurePlatformKeys(on db: any Database) async throws {
        if try await activeKey(purpose: .root, agencyID: nil, on: db) == nil {
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName {
                CountryName("KR")
                OrganizationName("Nara e-Government Platform")
                CommonName("Nara Root CA")
            }
            let now = clock.now()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-600),
                notValidAfter: now.addingTimeInterval(20 * 365 * 86400),
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: .init(key.publicKey))
                },
                issuerPrivateKey: .init(key)
            )
            try await store(certificate: certificate, key: key, purpose: .root, agencyID: nil, on: db)
        }
        if try await activeKey(purpose: .platform, agencyID: nil, on: db) == nil {
            _ = try await issueLeaf(commonName: "Nara Platform Signing", organization: "Nara e-Government Platform", unit: nil,
                                    purpose: .platform, agencyID: nil, on: db)
        }
    }

    /// Issues the agency's document-signing certificate if it has none.
    public func ensureAgencyCertificate(agencyID: UUID, code: String, nameEN: String, on db: any Database) async throws {
        if try await activeKey(purpose: .agency, agencyID: agencyID, on: db) != nil { return }
        _ = try await issueLeaf(commonName: nameEN, organization: "Government of the Republic of Korea", unit: "Agency \(code)",
                                purpose: .agency, agencyID: agencyID, on: db)
    }

    /// The business account's signing identity, issued on first use (O = the business, OU = its
    /// business registration number).
    public func businessIdentity(accountID: UUID, businessNumber: String, name: String, on db: any Database) async throws -> SigningIdentity {
        let key = "business:" + accountID.uuidString
        if let cached = cache.withLockedValue({ $0[key] }) { return cached }
        let identity: SigningIdentity
        if let model = try await PKIKeyModel.query(on: db).filter(\.$purpose == KeyPurpose.business.rawValue).filter(\.$accountID == accountID)
            .filter(\.$status == "active").sort(\.$createdAt, .descending).first() {
            identity = try decode(model, purpose: .business)
        } else {
            identity = try await issueLeaf(commonName: name, organization: name, unit: "BRN \(businessNumber)", purpose: .business, agencyID: nil,
                                           accountID: accountID, on: db)
        }
        cache.withLockedValue { $0[key] = identity }
        return identity
    }

    private func issueLeaf(commonName: String, organization: String, unit: String?, purpose: KeyPurpose, agencyID: UUID?, accountID: UUID? = nil,
                           validity: TimeInterval = 3 * 365 * 86400, on db: any Database) async throws -> SigningIdentity {
        let root = try await identity(purpose: .root, agencyID: nil, on: db)
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            CountryName("KR")
            OrganizationName(organization)
            if let unit { OrganizationalUnitName(unit) }
            CommonName(commonName)
        }
        let now = clock.now()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-600),
            notValidAfter: now.addingTimeInterval(validity),
            issuer: root.certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, nonRepudiation: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
                AuthorityKeyIdentifier(keyIdentifier: try root.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: .init(root.privateKey)
        )
        return try await store(certificate: certificate, key: key, purpose: purpose, agencyID: agencyID, accountID: accountID, on: db)
    }

    /// Test support and key rotation: issue a certificate with an explicit validity window.
    public func issueTestCertificate(commonName: String, notBefore: Date, notAfter: Date, on db: any Database) async throws -> SigningIdentity {
        let root = try await identity(purpose: .root, agencyID: nil, on: db)
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CountryName("KR"); CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: root.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
            },
            issuerPrivateKey: .init(root.privateKey)
        )
        let model = PKIKeyModel()
        model.id = UUID()
        model.purpose = "test"
        model.subject = certificate.subject.description
        model.certificatePEM = try certificate.serializeAsPEM().pemString
        model.privateKeyCipher = try cipher.sealString(key.pemRepresentation)
        model.fingerprint = try Self.fingerprint(certificate)
        model.notBefore = notBefore
        model.notAfter = notAfter
        model.status = "active"
        model.createdAt = clock.now()
        try await model.create(on: db)
        return SigningIdentity(purpose: .agency, agencyID: nil, certificate: certificate, certificatePEM: model.certificatePEM,
                               fingerprint: model.fingerprint, privateKey: key)
    }

    @discardableResult
    private func store(certificate: Certificate, key: P256.Signing.PrivateKey, purpose: KeyPurpose, agencyID: UUID?, accountID: UUID? = nil,
                       on db: any Database) async throws -> SigningIdentity {
        let model = PKIKeyModel()
        model.id = UUID()
        model.purpose = purpose.rawValue
        model.$agency.id = agencyID
        model.accountID = accountID
        model.subject = certificate.subject.description
        model.certificatePEM = try certificate.serializeAsPEM().pemString
        model.privateKeyCipher = try cipher.sealString(key.pemRepresentation)
        model.fingerprint = try Self.fingerprint(certificate)
        model.notBefore = certificate.notValidBefore
        model.notAfter = certificate.notValidAfter
        model.status = "active"
        model.createdAt = clock.now()
        try await model.create(on: db)
        return SigningIdentity(purpose: purpose, agencyID: agencyID, certificate: certificate, certificatePEM: model.certificatePEM,
                               fingerprint: model.fingerprint, privateKey: key)
    }

    // MARK: Look-up

    private func activeKey(purpose: KeyPurpose, agencyID: UUID?, on db: any Database) async throws -> PKIKeyModel? {
        var query = PKIKeyModel.query(on: db).filter(\.$purpose == purpose.rawValue).filter(\.$status == "active")
        if let agencyID { query = query.filter(\.$agency.$id == agencyID) }
        return try await query.sort(\.$createdAt, .descending).first()
    }

    private static func cacheKey(_ purpose: KeyPurpose, _ agencyID: UUID?) -> String {
        purpose.rawValue + ":" + (agencyID?.uuidString ?? "-")
    }

    /// The signing identity for a purpose (and agency), decrypted once and cached.
    public func identity(purpose: KeyPurpose, agencyID: UUID?, on db: any Database) async throws -> SigningIdentity {
        let key = Self.cacheKey(purpose, agencyID)
        if let cached = cache.withLockedValue({ $0[key] }) { return cached }
        guard let model = try await activeKey(purpose: purpose, agencyID: agencyID, on: db) else {
            throw NaraError(.notFound, code: .notFound, "No \(purpose.rawValue) signing key exists\(agencyID.map { " for agency \($0)" } ?? "").")
        }
        let identity = try decode(model, purpose: purpose)
        cache.withLockedValue { $0[key] = identity }
        return identity
    }

    private func decode(_ model: PKIKeyModel, purpose: KeyPurpose) throws -> SigningIdentity {
        let certificate = try Certificate(pemEncoded: model.certificatePEM)
        let privateKey = try P256.Signing.PrivateKey(pemRepresentation: try cipher.openString(model.privateKeyCipher))
        return SigningIdentity(purpose: purpose, agencyID: model.$agency.id, certificate: certificate,
                               certificatePEM: model.certificatePEM, fingerprint: model.fingerprint, privateKey: privateKey)
    }

    public func rootCertificate(on db: any Database) async throws -> Certificate {
        if let root = rootCache.withLockedValue({ $0 }) { return root }
        let root = try await identity(purpose: .root, agencyID: nil, on: db).certificate
        rootCache.withLockedValue { $0 = root }
        return root
    }

    public func certificates(on db: any Database) async throws -> [CertificateInfo] {
        let models = try await PKIKeyModel.query(on: db).sort(\.$createdAt).all()
        return try models.map { model in
            let certificate = try Certificate(pemEncoded: model.certificatePEM)
            return CertificateInfo(purpose: model.purpose, agencyID: model.$agency.id, subject: certificate.subject.description,
                                   issuer: certificate.issuer.description, fingerprint: model.fingerprint,
                                   notBefore: model.notBefore, notAfter: model.notAfter, certificatePEM: model.certificatePEM)
        }
    }

    public func certificate(fingerprint: String, on db: any Database) async throws -> (Certificate, PKIKeyModel)? {
        guard let model = try await PKIKeyModel.query(on: db).filter(\.$fingerprint == fingerprint.lowercased()).first() else { return nil }
        return (try Certificate(pemEncoded: model.certificatePEM), model)
    }

    public static func fingerprint(_ certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return Digest.sha256Hex(serializer.serializedBytes)
    }

    // MARK: Detached signatures

    public func sign(_ bytes: Data, with identity: SigningIdentity) throws -> DetachedSignature {
        let signature = try identity.privateKey.signature(for: bytes)
        return DetachedSignature(certificateFingerprint: identity.fingerprint, signature: signature.derRepresentation.base64EncodedString())
    }

    /// Checks the signature, that the certificate chains to the platform root and that it is
    /// valid at `time` (now by default). Throws a `NaraError` saying which check failed.
    public func verify(_ bytes: Data, signature: DetachedSignature, at time: Date? = nil, on db: any Database) async throws -> VerifiedSigner {
        guard signature.algorithm == "ES256" else {
            throw NaraError(.unprocessable, code: "signature_algorithm", "Only ES256 signatures are accepted.")
        }
        guard let (certificate, model) = try await self.certificate(fingerprint: signature.certificateFingerprint, on: db) else {
            throw NaraError(.unprocessable, code: "unknown_certificate", "The signing certificate is not known to this platform.")
        }
        try await validateChain(certificate, at: time ?? clock.now(), on: db)
        guard let publicKey = P256.Signing.PublicKey(certificate.publicKey),
              let der = Data(base64Encoded: signature.signature),
              let ecdsa = try? P256.Signing.ECDSASignature(derRepresentation: der),
              publicKey.isValidSignature(ecdsa, for: bytes)
        else {
            throw NaraError(.unprocessable, code: "signature_invalid", "The signature does not match the content.")
        }
        return VerifiedSigner(subject: certificate.subject.description, fingerprint: model.fingerprint, agencyID: model.$agency.id)
    }

    /// RFC 5280 path validation to the platform root at the given time.
    public func validateChain(_ certificate: Certificate, at time: Date, on db: any Database) async throws {
        let root = try await rootCertificate(on: db)
        var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            RFC5280Policy(fixedValidationTime: time)
        }
        switch await verifier.validate(leaf: certificate, intermediates: CertificateStore()) {
        case .validCertificate:
            return
        case .couldNotValidate(let failures):
            let expired = time > certificate.notValidAfter || time < certificate.notValidBefore
            if expired {
                throw NaraError(.unprocessable, code: "certificate_expired", "The signing certificate is not valid at \(Timestamp.iso8601Millis(time)).")
            }
            throw NaraError(.unprocessable, code: "certificate_untrusted",
                            "The signing certificate does not chain to the platform root (\(failures.first.map { "\($0.policyFailureReason)" } ?? "no path")).")
        }
    }

    // MARK: JWS (ES256) for JSON documents

    public func signJWS<Body: Codable & Sendable>(_ body: Body, with identity: SigningIdentity) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(backing: identity.privateKey), kid: JWKIdentifier(string: identity.fingerprint))
        var header = JWTHeader()
        header.typ = "JOSE"
        return try await keys.sign(JWSDocument(body: body), kid: JWKIdentifier(string: identity.fingerprint), header: header)
    }

    /// Verifies a compact JWS signed by a platform certificate (named by `kid`) and returns its body.
    public func verifyJWS<Body: Codable & Sendable>(_ token: String, as: Body.Type, at time: Date? = nil, on db: any Database) async throws -> (Body, VerifiedSigner) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Data(base64URLEncoded: String(parts[0])),
              let header = try? JSONDecoder().decode(JWSHeaderFields.self, from: headerData)
        else {
            throw NaraError(.badRequest, code: "jws_malformed", "The JWS is not in compact serialisation.")
        }
        guard header.alg == "ES256", let kid = header.kid else {
            throw NaraError(.unprocessable, code: "signature_algorithm", "Only ES256 signatures with a key id are accepted.")
        }
        guard let (certificate, model) = try await self.certificate(fingerprint: kid, on: db) else {
            throw NaraError(.unprocessable, code: "unknown_certificate", "The signing certificate is not known to this platform.")
        }
        try await validateChain(certificate, at: time ?? clock.now(), on: db)
        guard let publicKey = P256.Signing.PublicKey(certificate.publicKey) else {
            throw NaraError(.unprocessable, code: "unknown_certificate", "The certificate does not hold a P-256 key.")
        }
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PublicKey(backing: publicKey), kid: JWKIdentifier(string: kid))
        do {
            let document = try await keys.verify(token, as: JWSDocument<Body>.self)
            return (document.body, VerifiedSigner(subject: certificate.subject.description, fingerprint: model.fingerprint, agencyID: model.$agency.id))
        } catch {
            throw NaraError(.unprocessable, code: "signature_invalid", "The signature does not match the content.")
        }
    }
}

private struct JWSHeaderFields: Decodable {
    let alg: String
    let kid: String?
}

/// A JSON document carried as a JWS payload, encoded flat (no wrapper object).
struct JWSDocument<Body: Codable & Sendable>: JWTPayload {
    let body: Body

    init(body: Body) { self.body = body }
    init(from decoder: any Decoder) throws { self.body = try Body(from: decoder) }
    func encode(to encoder: any Encoder) throws { try body.encode(to: encoder) }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
