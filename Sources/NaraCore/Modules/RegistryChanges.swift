import FluentKit
import Foundation

/// Changes to the base registries that another service's decision causes: an approved move-in
/// report changes the resident's address, an approved business registration creates the
/// business. Provided by the Registries module; the registry keeps its own history and audit.
public protocol RegistryChangeService: Sendable {
    /// Moves the resident into `address` on `movedInOn` (YYYY-MM-DD); returns the address now registered.
    func recordMoveIn(nationalID: NationalID, address: String, postalCode: String, movedInOn: String, reason: String,
                      by actor: AuditActor, on db: any Database) async throws -> String
    /// Registers a new business and returns its business registration number (XXX-XX-XXXXX).
    func registerBusiness(_ registration: BusinessRegistration, by actor: AuditActor, on db: any Database) async throws -> String
}

public struct BusinessRegistration: Sendable, Equatable {
    public var name: String
    public var representativeName: String
    public var representativeNationalID: NationalID
    public var address: String
    public var industryCode: String
    public var openedOn: String

    public init(name: String, representativeName: String, representativeNationalID: NationalID, address: String, industryCode: String, openedOn: String) {
        self.name = name
        self.representativeName = representativeName
        self.representativeNationalID = representativeNationalID
        self.address = address
        self.industryCode = industryCode
        self.openedOn = openedOn
    }
}
