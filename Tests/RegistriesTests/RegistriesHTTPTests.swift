import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraTesting
@testable import Registries
import Testing

@Suite("Registries over HTTP")
struct RegistriesHTTPTests {
    @Test("a registrar's system maintains residents over the API; others are refused")
    func api() async throws {
        try await withTestApp { client, harness in
            let keepers = try await Keepers.create(harness.platform)
            _ = keepers
            let clerk = try await client.token("clerk.resident", totp: harness.fixtures.totp(at: harness.clock.now()))
            let body = #"{"nationalID":"900101-2345678","name":"김앨리스","relationship":"head","address":"서울특별시 종로구 자하문로 45","postalCode":"03044","movedIn":"2024-03-01"}"#
            let created = try await client.api(.post, "/api/v1/registries/residents", token: clerk, json: body)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.jsonObject["id"] as? String)
            #expect(created.jsonObject["nationalIDMasked"] as? String == "900101-2******")
            #expect(!created.text.contains("2345678"))
            let again = try await client.api(.post, "/api/v1/registries/residents", token: clerk, json: body)
            #expect(again.status == .unprocessableContent)
            let bad = try await client.api(.post, "/api/v1/registries/residents", token: clerk, json: #"{"nationalID":"12","name":"","relationship":"king","movedIn":"x"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(((bad.jsonObject["errors"] as? [[String: Any]]) ?? []).count >= 4)
            let patched = try await client.api(.patch, "/api/v1/registries/residents/\(id)", token: clerk, json: #"{"name":"김앨리스B","reason":"개명"}"#)
            #expect(patched.jsonObject["version"] as? Int == 2)
            let detail = try await client.api(.get, "/api/v1/registries/residents/\(id)", token: clerk)
            #expect((detail.jsonObject["history"] as? [[String: Any]])?.count == 2)
            let search = try await client.api(.get, "/api/v1/registries/residents?q=900101-2345678", token: clerk)
            #expect(search.text.contains("김앨리스B"))

            // A citizen, an outsider registrar and a registrar of another registry are refused.
            let citizen = try await client.token("alice")
            #expect(try await client.api(.get, "/api/v1/registries/residents", token: citizen).status == .forbidden)
            harness.clock.advance(by: 31)
            let outsider = try await client.token("clerk.outsider", totp: harness.fixtures.totp(at: harness.clock.now()))
            #expect(try await client.api(.get, "/api/v1/registries/businesses", token: outsider).status == .forbidden)
            let vehicleClerk = try await client.token("clerk.vehicle", totp: harness.fixtures.totp(at: harness.clock.now()))
            #expect(try await client.api(.post, "/api/v1/registries/residents", token: vehicleClerk, json: body).status == .forbidden)
            #expect(try await client.api(.get, "/api/v1/registries/residents").status == .unauthorized)
        }
    }

    @Test("vehicles over the API: register, lien, refuse deregistration, release, deregister")
    func vehicleAPI() async throws {
        try await withTestApp { client, harness in
            _ = try await Keepers.create(harness.platform)
            let clerk = try await client.token("clerk.vehicle", totp: harness.fixtures.totp(at: harness.clock.now()))
            let created = try await client.api(.post, "/api/v1/registries/vehicles", token: clerk, json: """
                {"plate":"123가4567","vin":"KMHD141GPMU123456","ownerBusinessNumber":"101-81-50670","ownerName":"Test Trading","model":"현대 포터2",
                 "modelYear":2023,"firstRegistered":"2023-05-01","nextInspection":"2025-05-01"}
                """)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.jsonObject["id"] as? String)
            let liened = try await client.api(.post, "/api/v1/registries/vehicles/\(id)/liens", token: clerk,
                                              json: #"{"creditor":"KB캐피탈","amountMinor":15000000,"registeredOn":"2023-05-01","reason":"시설자금"}"#)
            let lienID = try #require(((liened.jsonObject["liens"] as? [[String: Any]])?.first)?["id"] as? String)
            let refused = try await client.api(.post, "/api/v1/registries/vehicles/\(id)/close", token: clerk, json: #"{"effectiveOn":"2026-11-20","reason":"폐차"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(try await client.api(.post, "/api/v1/registries/vehicles/\(id)/liens/\(lienID)/release", token: clerk,
                                         json: #"{"effectiveOn":"2026-11-01","reason":"완납"}"#).status == .ok)
            let closed = try await client.api(.post, "/api/v1/registries/vehicles/\(id)/close", token: clerk, json: #"{"effectiveOn":"2026-11-20","reason":"폐차"}"#)
            #expect(closed.jsonObject["status"] as? String == "deregistered")
            let again = try await client.api(.post, "/api/v1/registries/vehicles/\(id)/close", token: clerk, json: #"{"effectiveOn":"2026-11-21","reason":"again"}"#)
            #expect(again.status == .conflict)
        }
    }

    @Test("a registrar registers and moves a person in the workspace; a refused form keeps its input and links its errors")
    func pages() async throws {
        try await withTestApp { client, harness in
            _ = try await Keepers.create(harness.platform)
            let clerk = Browser(client)
            _ = try await clerk.signIn("clerk.resident", totp: { harness.fixtures.totp(at: harness.clock.now()) })
            let hub = try await clerk.get("/registries")
            #expect(hub.status == .ok && hub.text.contains("/registries/residents") && !hub.text.contains("/registries/vehicles"))
            try await clerk.get("/registries/residents/new")
            let created = try await clerk.post("/registries/residents", form: [("nationalId", "900101-2345678"), ("name", "김앨리스"), ("relationship", "head"),
                                                                               ("address", "서울특별시 종로구 자하문로 45"), ("postalCode", "03044"), ("movedIn", "2024-03-01")])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let record = try await clerk.get(location)
            #expect(record.text.contains("김앨리스") && record.text.contains("900101-2******") && record.text.contains("HH-2026-"))
            let path = String(location.split(separator: "?").first!)
            let refused = try await clerk.post("\(path)/move", form: [("address", "부산광역시 해운대구 센텀중앙로 79"), ("postalCode", "4805"), ("relationship", "head"),
                                                                       ("movedIn", "2026-11-20"), ("reason", "")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(##"href="#f-move-postalCode""##) && refused.text.contains(##"href="#f-move-reason""##))
            #expect(refused.text.contains(#"value="부산광역시 해운대구 센텀중앙로 79""#))
            try await clerk.get(path)
            let moved = try await clerk.post("\(path)/move", form: [("address", "부산광역시 해운대구 센텀중앙로 79"), ("postalCode", "48058"), ("relationship", "head"),
                                                                     ("movedIn", "2026-11-20"), ("reason", "전입신고")])
            #expect(moved.status == .seeOther)
            let after = try await clerk.get(path)
            #expect(after.text.contains("센텀중앙로") && after.text.contains("자하문로"))
            let list = try await clerk.get("/registries/residents?q=김앨")
            #expect(list.text.contains("김앨리스"))
            // A citizen has no registries.
            let citizen = Browser(client)
            _ = try await citizen.signIn("alice")
            #expect(try await citizen.get("/registries").status == .forbidden)
            #expect(try await citizen.get(path).status == .forbidden)
        }
    }
}
