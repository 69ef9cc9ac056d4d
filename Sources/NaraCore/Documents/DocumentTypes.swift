import Foundation

/// One fact printed on a document ("Address: ...").
public struct DocumentFact: Sendable, Codable, Equatable {
    public let key: String
    public let labelEN: String
    public let labelKO: String
    public let value: String
    /// Shown on the public verification page unless the holder hides it.
    public let disclosedByDefault: Bool

    public init(key: String, labelEN: String, labelKO: String, value: String, disclosedByDefault: Bool = false) {
        self.key = key
        self.labelEN = labelEN
        self.labelKO = labelKO
        self.value = value
        self.disclosedByDefault = disclosedByDefault
    }
}

/// What a module asks the issuance service to issue.
public struct DocumentIssueRequest: Sendable {
    public var module: String
    public var documentType: String
    public var titleEN: String
    public var titleKO: String
    public var agencyID: UUID
    public var holderAccountID: UUID?
    public var subjectRef: String?
    /// The person's or business's name as printed.
    public var subjectName: String
    /// A masked identifier as printed (900101-2******, 123-45-*****).
    public var subjectIdentifier: String
    public var facts: [DocumentFact]
    public var validDays: Int
    public var sourceReference: String?
    /// The issue date printed, when it is not now (documents imported from an earlier system,
    /// demo history); the signature and its time are always now.
    public var issuedAt: Date?

    public init(module: String, documentType: String, titleEN: String, titleKO: String, agencyID: UUID, holderAccountID: UUID?,
                subjectRef: String?, subjectName: String, subjectIdentifier: String, facts: [DocumentFact], validDays: Int,
                sourceReference: String? = nil) {
        self.module = module
        self.documentType = documentType
        self.titleEN = titleEN
        self.titleKO = titleKO
        self.agencyID = agencyID
        self.holderAccountID = holderAccountID
        self.subjectRef = subjectRef
        self.subjectName = subjectName
        self.subjectIdentifier = subjectIdentifier
        self.facts = facts
        self.validDays = validDays
        self.sourceReference = sourceReference
    }
}

public enum DocumentStatus: String, Sendable, Codable, CaseIterable {
    case valid
    case revoked
    case expired
}

public struct IssuedDocumentSummary: Sendable, Codable, Equatable {
    public let id: UUID
    public let number: String
    public let module: String
    public let documentType: String
    public let titleEN: String
    public let titleKO: String
    public let agencyCode: String
    public let agencyNameEN: String
    public let agencyNameKO: String
    public let issuedAt: Date
    public let expiresAt: Date
    public let status: DocumentStatus
    public let revokedAt: Date?
    public let revocationReason: String?
    public let sourceReference: String?
    public let holderAccountID: UUID?
}

/// What the holder sees: the summary, the printed content and the sharing settings.
public struct IssuedDocumentDetail: Sendable, Codable, Equatable {
    public let summary: IssuedDocumentSummary
    public let shortCode: String
    public let subjectName: String
    public let subjectIdentifier: String
    public let facts: [DocumentFact]
    public let disclosedKeys: [String]
    public let viewCodes: [DocumentViewCode]
}

public struct DocumentViewCode: Sendable, Codable, Equatable {
    public let id: UUID
    public let label: String
    public let createdAt: Date
    public let expiresAt: Date
    public let revokedAt: Date?
    public let useCount: Int
}

/// The answer of the public verification.
public enum VerificationOutcome: String, Sendable, Codable {
    /// Issued by this platform, unchanged, and valid today.
    case valid
    case revoked
    case expired
    /// Not issued by this platform, or changed since.
    case notGenuine = "not_genuine"
}

public enum VerificationMethod: String, Sendable, Codable {
    case number
    case viewCode = "view_code"
    case pdf
    case token
}

public struct DisclosedFact: Sendable, Codable, Equatable {
    public let key: String
    public let labelEN: String
    public let labelKO: String
    public let value: String
}

public struct DocumentVerification: Sendable, Codable, Equatable {
    public let outcome: VerificationOutcome
    public let method: VerificationMethod
    /// Why a document is not genuine (machine code), for example `unknown_number`, `content_changed`.
    public let reason: String?
    public let number: String?
    public let documentType: String?
    public let titleEN: String?
    public let titleKO: String?
    public let agencyCode: String?
    public let agencyNameEN: String?
    public let agencyNameKO: String?
    public let issuedAt: Date?
    public let expiresAt: Date?
    public let revokedAt: Date?
    public let revocationReason: String?
    /// The signer named by the signature (PDF and token checks).
    public let signer: String?
    public let disclosed: [DisclosedFact]
    /// A view code was presented: the original PDF may be downloaded with it.
    public let originalAvailable: Bool

    static func notGenuine(_ method: VerificationMethod, reason: String, number: String? = nil, signer: String? = nil) -> DocumentVerification {
        DocumentVerification(outcome: .notGenuine, method: method, reason: reason, number: number, documentType: nil, titleEN: nil, titleKO: nil,
                             agencyCode: nil, agencyNameEN: nil, agencyNameKO: nil, issuedAt: nil, expiresAt: nil, revokedAt: nil,
                             revocationReason: nil, signer: signer, disclosed: [], originalAvailable: false)
    }
}

/// Facts carried by the signed token in the QR code, so that a verifier holding the agency
/// certificate can check them offline.
public struct DocumentToken: Codable, Sendable, Equatable {
    /// Issuance number.
    public let no: String
    /// Document type.
    public let typ: String
    /// Issuing agency code.
    public let iss: String
    /// Subject name, masked.
    public let sub: String
    /// Issue and expiry, seconds since 1970.
    public let iat: Int64
    public let exp: Int64
    /// SHA-256 (hex) of the printed content: subject and facts in canonical JSON.
    public let dh: String
}

/// Issuance numbers: 16 digits, the last a Luhn check digit, shown in groups of four.
public enum IssuanceNumber {
    public static func generate() -> String {
        var digits = ""
        var generator = SystemRandomNumberGenerator()
        digits.append(String(Int.random(in: 1...9, using: &generator)))
        for _ in 0..<14 { digits.append(String(Int.random(in: 0...9, using: &generator))) }
        return digits + String(PaymentService.luhnCheckDigit(digits))
    }

    /// Strips spaces and dashes; returns nil unless 16 digits with a correct check digit.
    public static func normalise(_ text: String) -> String? {
        let digits = text.filter { $0 != " " && $0 != "-" }
        guard digits.count == 16, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return PaymentService.luhnCheckDigit(String(digits.prefix(15))) == Int(String(digits.last!)) ? digits : nil
    }

    public static func formatted(_ number: String) -> String { groupsOfFour(number) }
}

/// Short codes printed on documents and view codes given to third parties: Crockford base32
/// (no I, L, O, U), shown in groups of four.
public enum ShortCode {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    public static func generate(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] })
    }

    /// Upper-cases, drops spaces and dashes, and reads O as 0 and I/L as 1 (as Crockford does).
    public static func normalise(_ text: String) -> String {
        String(text.uppercased().compactMap { c -> Character? in
            switch c {
            case " ", "-": return nil
            case "O": return "0"
            case "I", "L": return "1"
            default: return c
            }
        })
    }

    public static func formatted(_ code: String) -> String { groupsOfFour(code) }
}

/// "1234567890" → "1234-5678-90": how numbers and codes are printed and shown.
func groupsOfFour(_ text: String) -> String {
    let characters = Array(text)
    return stride(from: 0, to: characters.count, by: 4).map { String(characters[$0..<min($0 + 4, characters.count)]) }.joined(separator: "-")
}
