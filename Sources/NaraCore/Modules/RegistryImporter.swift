import Foundation

/// The result of a bulk import: what was imported and, row by row, what was refused and why.
public struct ImportReport: Sendable {
    public struct Rejection: Sendable {
        /// 1-based line number in the file (the header is line 1).
        public let line: Int
        public let reasons: [String]

        public init(line: Int, reasons: [String]) {
            self.line = line
            self.reasons = reasons
        }
    }

    public let imported: Int
    public let rejected: [Rejection]

    public init(imported: Int, rejected: [Rejection]) {
        self.imported = imported
        self.rejected = rejected
    }
}

/// Bulk loading of registry data from CSV, provided by the registries module and used by the
/// command line (`nara registries import`). Each row is imported whole or not at all.
public protocol RegistryImporter: Sendable {
    /// The registry names accepted (`resident`, `business`, `vehicle`).
    var registries: [String] { get }
    /// The header the file must start with, for a registry.
    func expectedHeader(registry: String) -> [String]?
    func importCSV(registry: String, data: Data, by actor: AuditActor,
                   progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?) async throws -> ImportReport
}
