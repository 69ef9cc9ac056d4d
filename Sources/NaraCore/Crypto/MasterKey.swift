import Crypto
import Foundation

/// The platform master key. Everything secret at rest (private keys, national ID numbers,
/// TOTP secrets) is encrypted under keys derived from it with HKDF, one per purpose.
public struct MasterKey: Sendable {
    let key: SymmetricKey

    public init(bytes: Data) {
        precondition(bytes.count == 32, "a master key has 32 bytes")
        self.key = SymmetricKey(data: bytes)
    }

    /// Accepts 32 bytes as base64 (standard or URL alphabet) or as 64 hexadecimal digits.
    public static func decode(_ text: String) -> Data? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let data = Data(hex: trimmed) { return data }
        if let data = Data(base64Encoded: trimmed), data.count == 32 { return data }
        if let data = Data(base64URLEncoded: trimmed), data.count == 32 { return data }
        return nil
    }

    /// Loads the key from configuration, or from `<dataDirectory>/master.key`, creating that file
    /// (owner read/write only) on first start.
    public static func load(configured: String?, dataDirectory: String) throws -> (MasterKey, source: String) {
        if let configured {
            guard let bytes = decode(configured) else { throw NaraError(.internalError, code: .internalError, "NARA_MASTER_KEY is not a 32-byte key") }
            return (MasterKey(bytes: bytes), "NARA_MASTER_KEY")
        }
        let path = (dataDirectory as NSString).appendingPathComponent("master.key")
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard let bytes = decode(text) else {
                throw NaraError(.internalError, code: .internalError, "\(path) does not hold a 32-byte key (base64 or hex)")
            }
            let attributes = try fm.attributesOfItem(atPath: path)
            if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
                throw NaraError(.internalError, code: .internalError, "\(path) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 on it")
            }
            return (MasterKey(bytes: bytes), path)
        }
        let bytes = Data.random(count: 32)
        let created = fm.createFile(atPath: path, contents: Data((bytes.base64EncodedString() + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw NaraError(.internalError, code: .internalError, "could not create the master key file \(path)") }
        return (MasterKey(bytes: bytes), path + " (generated)")
    }

    /// A sub-key for one purpose; purposes never share keys.
    public func derive(_ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, salt: Data("nara-master-key-v1".utf8), info: Data(purpose.utf8), outputByteCount: 32)
    }

    /// A value stored in the database to detect that a different master key is in use.
    public var checkValue: String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("nara key check".utf8), using: derive("key-check"))
        return Data(mac).hexString
    }
}

/// Authenticated encryption (AES-256-GCM) of small secrets, bound to their purpose.
public struct FieldCipher: Sendable {
    private let key: SymmetricKey
    private let macKey: SymmetricKey

    public init(masterKey: MasterKey, purpose: String) {
        self.key = masterKey.derive("cipher:" + purpose)
        self.macKey = masterKey.derive("lookup:" + purpose)
    }

    public func seal(_ plaintext: Data) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key)
        guard let combined = box.combined else { throw NaraError(.internalError, code: .internalError, "encryption failed") }
        return combined
    }

    public func open(_ ciphertext: Data) throws -> Data {
        try AES.GCM.open(AES.GCM.SealedBox(combined: ciphertext), using: key)
    }

    public func sealString(_ text: String) throws -> String {
        try seal(Data(text.utf8)).base64EncodedString()
    }

    public func openString(_ stored: String) throws -> String {
        guard let data = Data(base64Encoded: stored) else { throw NaraError(.internalError, code: .internalError, "stored ciphertext is not base64") }
        return String(decoding: try open(data), as: UTF8.self)
    }

    /// Keyed hash for equality look-ups of encrypted values (HMAC-SHA256, hex).
    public func lookupHash(_ text: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: macKey)).hexString
    }
}
