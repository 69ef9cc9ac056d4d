import FluentKit
import Foundation
import NaraCore
import NaraHTTP

/// The demo's Open311 client (a civic-issue application with a fixed api_key) and a request it
/// filed, so that the feed at /open311/v2/requests.json shows an application's report beside the
/// public complaints filed on the portal.
enum DemoOpen311 {
    static let apiKey = "nara_o311_demo-safe-streets-2026"

    static func seed(_ seed: DemoSeedContext) async throws {
        let platform = seed.platform
        guard let open311 = platform.contracts.first(Open311Service.self), let acrc = try await platform.identity.account(username: "official.acrc", on: seed.db) else { return }
        let admin = platform.identity.actor(for: acrc, secondFactorVerified: true)
        _ = try await open311.issueClient(name: "Safe Streets (demo civic app)", by: admin, requestID: nil, fixedKey: apiKey, on: seed.db)
        let petitions = PetitionsModule.service(platform)
        _ = try await petitions.file(NewComplaint(type: Open311Service.complaintType, category: "roads", title: "Streetlight out on Changgyeonggung-ro",
                                                  body: "The streetlight in front of 215 Changgyeonggung-ro has been dark for a week; the crossing is unlit at night.",
                                                  location: "서울특별시 종로구 창경궁로 215", latitude: 37.579_3, longitude: 126.998_2, public: true),
                                     by: nil, requestID: nil, on: seed.db, channel: "open311:Safe Streets (demo civic app)")
    }
}
