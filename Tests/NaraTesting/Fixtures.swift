import FluentKit
import Foundation
import NaraCore

/// A small government for tests: a ministry with an agency under it, two citizens, a business
/// representative, an official in each agency and an operator. Every password is `password`.
public struct Fixtures: Sendable {
    public static let password = "correct horse battery"
    public static let totpSecret = Data("12345678901234567890".utf8)

    public let ministry: AgencySummary?
    public let agency: AgencySummary?
    public let alice: AccountSummary?
    public let bob: AccountSummary?
    public let business: AccountSummary?
    public let official: AccountSummary?
    public let otherOfficial: AccountSummary?
    public let operatorAccount: AccountSummary?
    public let aliceNationalID = "900101-2345678"
    public let bobNationalID = "850505-1234561"

    public static let empty = Fixtures(ministry: nil, agency: nil, alice: nil, bob: nil, business: nil, official: nil, otherOfficial: nil, operatorAccount: nil)

    static func create(_ platform: Platform) async throws -> Fixtures {
        let identity = platform.identity
        let db = platform.db
        let actor = AuditActor.system("test-fixtures")
        let ministry = try await identity.createAgency(NewAgency(code: "1000000", nameEN: "Ministry of Testing", nameKO: "시험부", kind: .ministry, parentCode: nil),
                                                       by: actor, on: db)
        let agency = try await identity.createAgency(NewAgency(code: "1000100", nameEN: "Testing Agency", nameKO: "시험청", kind: .agency, parentCode: "1000000"),
                                                     by: actor, on: db)
        func make(_ username: String, _ kind: AccountKind, agency: String? = nil, nationalID: String? = nil, business: String? = nil,
                  roles: [String] = [], email: String? = nil) async throws -> AccountSummary {
            try await identity.createAccount(
                NewAccount(username: username, password: password, displayName: username.capitalized, kind: kind, agencyCode: agency,
                           nationalID: nationalID, businessNumber: business, businessName: business == nil ? nil : "Test Trading Co.",
                           email: email ?? "\(username)@example.kr", extraRoles: roles, fixedTOTPSecret: totpSecret),
                by: actor, on: db).account
        }
        return Fixtures(
            ministry: ministry,
            agency: agency,
            alice: try await make("alice", .citizen, nationalID: "900101-2345678"),
            bob: try await make("bob", .citizen, nationalID: "850505-1234561"),
            business: try await make("acme", .business, business: "1018150670"),
            official: try await make("official.one", .official, agency: "1000000", roles: ["privacy-officer", "signer"]),
            otherOfficial: try await make("official.two", .official, agency: "1000100"),
            operatorAccount: try await make("ops", .operator, roles: ["auditor"]))
    }

    /// The current one-time code of every fixture official and operator.
    public func totp(at date: Date) -> String { TOTP(secret: Self.totpSecret).code(at: date) }
}
