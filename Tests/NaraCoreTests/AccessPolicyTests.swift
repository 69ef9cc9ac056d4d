import Foundation
import NaraCore
import Testing

@Suite("Access policy")
struct AccessPolicyTests {
    let agencyA = UUID(), agencyB = UUID(), alice = UUID(), bob = UUID(), clerk = UUID()

    func citizen(_ id: UUID) -> Actor {
        Actor(principal: .account(id: id, kind: .citizen), agencyID: nil, displayName: "c", permissions: [.selfService], secondFactorVerified: false)
    }

    func official(agency: UUID, verified: Bool = true, permissions: Set<Permission> = [.agencyWorkspace, .selfService]) -> Actor {
        Actor(principal: .account(id: clerk, kind: .official), agencyID: agency, displayName: "o", permissions: permissions, secondFactorVerified: verified)
    }

    @Test("deny by default: nobody signed in, or a permission not held")
    func denyByDefault() {
        #expect(!AccessPolicy.decide(nil, .selfService, on: .platform).isAllowed)
        #expect(!AccessPolicy.decide(citizen(alice), .adminAccounts, on: .platform).isAllowed)
    }

    @Test("a citizen sees only their own records")
    func ownRecords() {
        #expect(AccessPolicy.decide(citizen(alice), .selfService, on: .ownedBy(accountID: alice)).isAllowed)
        #expect(!AccessPolicy.decide(citizen(alice), .selfService, on: .ownedBy(accountID: bob)).isAllowed)
        #expect(!AccessPolicy.decide(citizen(bob), .selfService, on: .ownedBy(accountID: alice)).isAllowed)
    }

    @Test("an official acts for their own agency only, and only after the second factor")
    func officials() {
        #expect(AccessPolicy.decide(official(agency: agencyA), .agencyWorkspace, on: .agency(agencyA)).isAllowed)
        #expect(!AccessPolicy.decide(official(agency: agencyA), .agencyWorkspace, on: .agency(agencyB)).isAllowed)
        #expect(!AccessPolicy.decide(official(agency: agencyA, verified: false), .agencyWorkspace, on: .agency(agencyA)).isAllowed)
        // A case of alice handled by agency A: alice and agency A see it, agency B does not.
        let aCase = Resource.case_(ownerAccountID: alice, agencyID: agencyA)
        #expect(AccessPolicy.decide(citizen(alice), .selfService, on: aCase).isAllowed)
        #expect(!AccessPolicy.decide(citizen(bob), .selfService, on: aCase).isAllowed)
        #expect(AccessPolicy.decide(official(agency: agencyA), .agencyWorkspace, on: aCase).isAllowed)
        #expect(!AccessPolicy.decide(official(agency: agencyB), .agencyWorkspace, on: aCase).isAllowed)
    }

    @Test("require throws 401 without an actor and 403 with one")
    func require() {
        do { try AccessPolicy.require(nil, .selfService, on: .platform) } catch { #expect(error.kind == .unauthorized) }
        do { try AccessPolicy.require(citizen(alice), .adminAgencies, on: .platform) } catch { #expect(error.kind == .forbidden) }
    }
}
