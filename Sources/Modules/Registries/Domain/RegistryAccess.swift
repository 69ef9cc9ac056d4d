import FluentKit
import Foundation
import NaraCore

/// Who may read and keep a registry: an official holding the registrar permission, acting for a
/// keeper agency of that registry or one of its offices.
enum RegistryAccess {
    static func require(_ actor: Actor?, _ kind: RegistryKind, write: Bool, platform: Platform) async throws {
        guard let actor else { throw NaraError(.unauthorized, code: .unauthenticated, "Sign in to continue.") }
        guard let agencyID = actor.agencyID else { throw NaraError.forbidden("Registries are kept by agencies.") }
        try AccessPolicy.require(actor, write ? kind.writePermission : kind.readPermission, on: .agency(agencyID))
        guard try await isKeeper(agencyID: agencyID, of: kind, platform: platform) else {
            throw NaraError.forbidden("Your agency does not keep the \(kind.rawValue) registry.")
        }
    }

    /// Whether the agency, or an agency above it, keeps the registry.
    static func isKeeper(agencyID: UUID, of kind: RegistryKind, platform: Platform) async throws -> Bool {
        var current = try await platform.identity.agency(id: agencyID, on: platform.db)
        var depth = 0
        while let agency = current, depth < 4 {
            if kind.keeperCodes.contains(agency.code) { return true }
            guard let parent = agency.parentID else { return false }
            current = try await platform.identity.agency(id: parent, on: platform.db)
            depth += 1
        }
        return false
    }

    /// The registries an actor keeps (for the workspace menu).
    static func kept(by actor: Actor?, platform: Platform) async throws -> [RegistryKind] {
        guard let actor, let agencyID = actor.agencyID else { return [] }
        var kinds: [RegistryKind] = []
        for kind in RegistryKind.allCases where actor.permissions.contains(kind.readPermission) {
            if try await isKeeper(agencyID: agencyID, of: kind, platform: platform) { kinds.append(kind) }
        }
        return kinds
    }
}
