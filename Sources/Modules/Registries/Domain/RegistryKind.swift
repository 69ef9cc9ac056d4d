import Foundation
import NaraCore

/// The three base registries, each kept by its agency.
public enum RegistryKind: String, Sendable, CaseIterable, Codable {
    case resident
    case business
    case vehicle

    /// Agency codes that keep the registry; their offices keep it too.
    var keeperCodes: [String] {
        switch self {
        case .resident: return ["1741000", "3000000"]  // Interior and Safety, and the Jongno-gu Office registering residents
        case .business: return ["1210000"]  // National Tax Service and its tax offices
        case .vehicle: return ["1613000"]  // Land, Infrastructure and Transport
        }
    }

    var readPermission: Permission { Permission(rawValue: "registries.\(rawValue).read") }
    var writePermission: Permission { Permission(rawValue: "registries.\(rawValue).write") }

    var role: String { "\(rawValue)-registrar" }

    var pathSegment: String {
        switch self {
        case .resident: return "residents"
        case .business: return "businesses"
        case .vehicle: return "vehicles"
        }
    }

    init?(pathSegment: String) {
        guard let kind = RegistryKind.allCases.first(where: { $0.pathSegment == pathSegment }) else { return nil }
        self = kind
    }

    static var roles: [RoleDefinition] {
        allCases.map { kind in
            RoleDefinition(name: kind.role, title: "\(kind.rawValue.capitalized) registrar",
                           permissions: [kind.readPermission, kind.writePermission, .agencyWorkspace], assignableTo: [.official])
        }
    }

    static var permissions: [PermissionDescriptor] {
        allCases.flatMap { kind in
            [PermissionDescriptor(kind.readPermission, "Read the \(kind.rawValue) registry of one's agency"),
             PermissionDescriptor(kind.writePermission, "Create, change and close \(kind.rawValue) registry records")]
        }
    }
}

public enum Relationship: String, Sendable, CaseIterable, Codable {
    case head, spouse, child, parent, sibling, grandchild, other
}

public enum PersonStatus: String, Sendable, Codable {
    case registered
    /// Closed: deceased, emigrated or struck off.
    case closed
}

public enum BusinessStatus: String, Sendable, Codable, CaseIterable {
    case active
    case suspended
    case closed

    /// Allowed changes: active ⇄ suspended, either → closed; closed is final.
    func canMove(to next: BusinessStatus) -> Bool {
        switch (self, next) {
        case (.active, .suspended), (.suspended, .active), (.active, .closed), (.suspended, .closed): return true
        default: return false
        }
    }
}

public enum VehicleStatus: String, Sendable, Codable {
    case registered
    case deregistered
}
