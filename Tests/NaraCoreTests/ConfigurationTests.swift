import Foundation
import NaraCore
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test("defaults serve 127.0.0.1:8080 from ./data in Asia/Seoul")
    func defaults() throws {
        let c = try NaraConfiguration.load(environment: [:])
        #expect(c.host == "127.0.0.1")
        #expect(c.port == 8080)
        #expect(c.dataDirectory == "./data")
        #expect(c.databaseURL == nil)
        #expect(c.timeZone.identifier == "Asia/Seoul")
        #expect(c.effectiveBaseURL == "http://127.0.0.1:8080")
        #expect(c.sqlitePath == "./data/nara.sqlite")
    }

    @Test("environment variables are read and flags override them")
    func environmentAndFlags() throws {
        let c = try NaraConfiguration.load(
            environment: ["NARA_PORT": "9000", "NARA_HOST": "0.0.0.0", "NARA_TIMEZONE": "Europe/Tallinn", "NARA_BASE_URL": "https://nara.example.kr/"],
            overrides: ["NARA_PORT": "9100"])
        #expect(c.port == 9100)
        #expect(c.host == "0.0.0.0")
        #expect(c.timeZone.identifier == "Europe/Tallinn")
        #expect(c.effectiveBaseURL == "https://nara.example.kr")
        #expect(c.servesOverTLS)
    }

    @Test("an unknown NARA_ setting stops start-up and suggests the near one")
    func unknownSetting() {
        #expect(throws: ConfigurationError.self) { try NaraConfiguration.load(environment: ["NARA_PROT": "8080"]) }
        do {
            _ = try NaraConfiguration.load(environment: ["NARA_PROT": "8080"])
        } catch {
            #expect(error.setting == "NARA_PROT")
            #expect(error.message.contains("NARA_PORT"))
        }
        // Variables of other programs are not Nara's business.
        #expect(throws: Never.self) { try NaraConfiguration.load(environment: ["PORT": "1", "NARA_TEST_DATABASE_URL": "postgres://x@y/z"]) }
    }

    @Test("invalid values are refused with the setting named", arguments: [
        ("NARA_PORT", "eighty"), ("NARA_PORT", "70000"), ("NARA_TIMEZONE", "Mars/Olympus"), ("NARA_DATABASE_URL", "mysql://x@y/z"),
        ("NARA_MASTER_KEY", "too-short"), ("NARA_BCRYPT_COST", "3"), ("NARA_LOG_LEVEL", "loud"), ("NARA_BASE_URL", "ftp://x"),
        ("NARA_SMTP_URL", "smtp://mail.example.kr"), ("NARA_DEMO_SEED", "sometimes"),
    ])
    func invalidValues(name: String, value: String) {
        do {
            _ = try NaraConfiguration.load(environment: [name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.setting == name)
        }
    }

    @Test("a master key is 32 bytes as base64 or hex")
    func masterKeyFormats() {
        #expect(MasterKey.decode(Data(repeating: 1, count: 32).base64EncodedString()) != nil)
        #expect(MasterKey.decode(String(repeating: "ab", count: 32)) != nil)
        #expect(MasterKey.decode(Data(repeating: 1, count: 16).base64EncodedString()) == nil)
    }
}
