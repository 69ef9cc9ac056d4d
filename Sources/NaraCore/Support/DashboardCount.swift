import Foundation

/// One labelled figure of a dashboard (a bar of a chart), as the API and the pages show it.
public struct DashboardCount: Sendable, Codable, Equatable {
    public let label: String
    public let value: Double

    public init(label: String, value: Double) {
        self.label = label
        self.value = value
    }
}
