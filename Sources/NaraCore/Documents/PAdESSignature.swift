import Crypto
import Foundation
@_spi(CMS) import X509
import SwiftASN1

/// CMS (RFC 5652) detached signatures in the form PAdES baseline B-B asks of a PDF signature
/// (ETSI EN 319 142-1): SignedData over the PDF's byte ranges, with the signed attributes
/// content-type, message-digest and signing-certificate-v2 (RFC 5035), and no signing-time
/// attribute (the time is the signature dictionary's /M). swift-certificates signs CMS only with
/// a fixed attribute set, so the structure is written here; verification uses its verifier.
public enum PAdESSignature {
    private static let idData: [UInt64] = [1, 2, 840, 113549, 1, 7, 1]
    private static let idSignedData: [UInt64] = [1, 2, 840, 113549, 1, 7, 2]
    private static let idContentType: [UInt64] = [1, 2, 840, 113549, 1, 9, 3]
    private static let idMessageDigest: [UInt64] = [1, 2, 840, 113549, 1, 9, 4]
    private static let idSigningCertificateV2: [UInt64] = [1, 2, 840, 113549, 1, 9, 16, 2, 47]
    private static let idSHA256: [UInt64] = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    private static let idECDSAWithSHA256: [UInt64] = [1, 2, 840, 10045, 4, 3, 2]

    /// A DER SignedData (wrapped in ContentInfo) over `content`, signed by `identity`; the
    /// certificates set carries the signer's certificate and `chain` (normally the root).
    public static func sign(_ content: some DataProtocol, certificate: Certificate, privateKey: P256.Signing.PrivateKey,
                            chain: [Certificate] = []) throws -> [UInt8] {
        let certificateDER = try der(certificate)
        let digest = Array(SHA256.hash(data: Array(content)))
        let certHash = Array(SHA256.hash(data: certificateDER))

        let sha256 = DERWriter.sequence(DERWriter.oid(idSHA256))
        let contentTypeAttr = DERWriter.sequence(DERWriter.oid(idContentType) + DERWriter.set([DERWriter.oid(idData)]))
        let digestAttr = DERWriter.sequence(DERWriter.oid(idMessageDigest) + DERWriter.set([DERWriter.octetString(digest)]))
        // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 with the
        // default SHA-256 omits hashAlgorithm; issuerSerial names the certificate unambiguously.
        let issuerSerial = DERWriter.sequence(DERWriter.sequence(DERWriter.contextConstructed(4, try der(certificate.issuer)))
                                        + DERWriter.integer(Array(certificate.serialNumber.bytes)))
        let essCertID = DERWriter.sequence(DERWriter.octetString(certHash) + issuerSerial)
        let signingCertAttr = DERWriter.sequence(DERWriter.oid(idSigningCertificateV2) + DERWriter.set([DERWriter.sequence(DERWriter.sequence(essCertID))]))
        let attributes = [contentTypeAttr, digestAttr, signingCertAttr]

        // The signature covers the DER SET OF the attributes (tag 0x31); the SignerInfo carries the
        // same content under [0] IMPLICIT.
        let signedAttrsSet = DERWriter.set(attributes)
        let signature = try privateKey.signature(for: Data(signedAttrsSet)).derRepresentation
        let signedAttrsImplicit = [0xA0] + Array(signedAttrsSet.dropFirst())

        let sid = DERWriter.sequence(try der(certificate.issuer) + DERWriter.integer(Array(certificate.serialNumber.bytes)))
        let signerInfo = DERWriter.sequence(DERWriter.integer([1]) + sid + sha256 + signedAttrsImplicit
                                      + DERWriter.sequence(DERWriter.oid(idECDSAWithSHA256)) + DERWriter.octetString(Array(signature)))
        var certificates = [certificateDER]
        for extra in chain { certificates.append(try der(extra)) }
        let signedData = DERWriter.sequence(DERWriter.integer([1]) + DERWriter.set([sha256]) + DERWriter.sequence(DERWriter.oid(idData))
                                      // [0] IMPLICIT SET OF Certificate: in DER order, as strict parsers require.
                                      + DERWriter.contextConstructed(0, certificates.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
                                      + DERWriter.set([signerInfo]))
        return DERWriter.sequence(DERWriter.oid(idSignedData) + DERWriter.contextConstructed(0, signedData))
    }

    /// Checks a DER or BER CMS detached signature over `content`: the message digest, the
    /// signature of the signed attributes, and an RFC 5280 path from the signer to one of `roots`
    /// at `time`. Returns the signer's certificate.
    public static func verify(_ content: some DataProtocol, signature: [UInt8], roots: [Certificate], at time: Date) async -> Result<Certificate, PAdESVerificationFailure> {
        let result = await CMS.isValidSignature(dataBytes: Array(content), signatureBytes: signature, trustRoots: CertificateStore(roots)) {
            RFC5280Policy(fixedValidationTime: time)
        }
        switch result {
        case .success(let valid):
            return .success(valid.signer)
        case .failure(.unableToValidateSigner(let failure)):
            return .failure(.untrustedSigner(failure.signer.subject.description))
        case .failure(let other):
            return .failure(.invalidSignature(String(describing: other)))
        }
    }

    /// The length of the DER element at the start of `bytes` (a /Contents value is zero-padded).
    public static func derLength(of bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let first = Int(bytes[1])
        if first < 0x80 { return 2 + first <= bytes.count ? 2 + first : nil }
        let count = first & 0x7F
        guard count >= 1, count <= 3, bytes.count >= 2 + count else { return nil }
        var length = 0
        for i in 0..<count { length = length << 8 | Int(bytes[2 + i]) }
        return 2 + count + length <= bytes.count ? 2 + count + length : nil
    }

    private static func der(_ value: some DERSerializable) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(value)
        return serializer.serializedBytes
    }
}

public enum PAdESVerificationFailure: Error, Sendable, Equatable {
    case invalidSignature(String)
    case untrustedSigner(String)
}

/// Minimal DER writing for the structures above.
private enum DERWriter {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        let n = content.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var lengthBytes: [UInt8] = []
            var value = n
            while value > 0 { lengthBytes.insert(UInt8(value & 0xFF), at: 0); value >>= 8 }
            out.append(0x80 | UInt8(lengthBytes.count))
            out += lengthBytes
        }
        return out + content
    }
    static func sequence(_ content: [UInt8]) -> [UInt8] { tlv(0x30, content) }
    /// SET OF with its elements in DER order (sorted by their encodings).
    static func set(_ elements: [[UInt8]]) -> [UInt8] {
        tlv(0x31, elements.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
    }
    static func contextConstructed(_ number: UInt8, _ content: [UInt8]) -> [UInt8] { tlv(0xA0 | number, content) }
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { tlv(0x04, bytes) }
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tlv(0x02, bytes)
    }
    static func oid(_ arcs: [UInt64]) -> [UInt8] {
        var body: [UInt8] = [UInt8(arcs[0] * 40 + arcs[1])]
        for arc in arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7F)]
            var value = arc >> 7
            while value > 0 { chunk.insert(UInt8(value & 0x7F) | 0x80, at: 0); value >>= 7 }
            body += chunk
        }
        return tlv(0x06, body)
    }
}
