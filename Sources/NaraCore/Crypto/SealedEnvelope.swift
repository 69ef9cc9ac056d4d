import Crypto
import Foundation

/// Envelopes sealed to a key pair whose private half stays encrypted under the master key until
/// the owner of the process decides to open them (sealed bids until the tender's opening).
/// HPKE (RFC 9180) base mode, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.
public struct SealedEnvelope: Sendable, Codable, Equatable {
    public let encapsulatedKey: Data
    public let ciphertext: Data

    static let suite = HPKE.Ciphersuite.P256_SHA256_AES_GCM_256

    /// A new key pair: the public key (raw representation) and the private key encrypted under
    /// `cipher` (a master-key sub-key), as stored.
    public static func newKeyPair(cipher: FieldCipher) throws -> (publicKey: Data, sealedPrivateKey: Data) {
        let key = P256.KeyAgreement.PrivateKey()
        return (key.publicKey.rawRepresentation, try cipher.seal(key.rawRepresentation))
    }

    /// Seals `plaintext` to the public key; `context` binds it to its purpose (e.g. the tender and bidder).
    public static func seal(_ plaintext: Data, to publicKey: Data, context: Data) throws -> SealedEnvelope {
        let recipient = try P256.KeyAgreement.PublicKey(rawRepresentation: publicKey)
        var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: suite, info: context)
        let ciphertext = try sender.seal(plaintext)
        return SealedEnvelope(encapsulatedKey: sender.encapsulatedKey, ciphertext: ciphertext)
    }

    /// Opens the envelope with the sealed private key; throws when the key, context or bytes do not match.
    public func open(sealedPrivateKey: Data, cipher: FieldCipher, context: Data) throws -> Data {
        let key = try P256.KeyAgreement.PrivateKey(rawRepresentation: try cipher.open(sealedPrivateKey))
        var recipient = try HPKE.Recipient(privateKey: key, ciphersuite: Self.suite, info: context, encapsulatedKey: encapsulatedKey)
        return try recipient.open(ciphertext)
    }

    /// SHA-256 (hex) over the encapsulated key and the ciphertext: what a receipt names.
    public var digest: String {
        Digest.sha256Hex(encapsulatedKey + ciphertext)
    }

    public init(encapsulatedKey: Data, ciphertext: Data) {
        self.encapsulatedKey = encapsulatedKey
        self.ciphertext = ciphertext
    }
}
