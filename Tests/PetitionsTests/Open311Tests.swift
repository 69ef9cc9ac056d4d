import FluentKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NaraCore
import NaraHTTP
import NaraTesting
import Testing
@testable import Petitions

@Suite("Open311 GeoReport v2")
struct Open311Tests {
    static func post(_ client: some TestClientProtocol, _ path: String, _ fields: [(String, String)]) async throws -> TestResponse {
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await client.execute(uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
    }

    static func array(_ response: TestResponse) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]], "\(response.text)")
    }

    /// The element names of an XML document, in order (and that it parses at all).
    final class Names: NSObject, XMLParserDelegate {
        var names: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            names.append(name)
        }
    }

    static func elements(_ text: String) throws -> [String] {
        let parser = XMLParser(data: Data(text.utf8))
        let names = Names()
        parser.delegate = names
        #expect(parser.parse(), "well-formed XML: \(text.prefix(300))")
        return names.names
    }

    static let requestFields = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
                                "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
                                "long", "media_url"]

    @Test("services and definitions in JSON and XML with the specification's names; unknown resources answer the error list")
    func services() async throws {
        try await withTestApp { client, _ in
            let json = try await client.execute(uri: "/open311/v2/services.json", method: .get)
            #expect(json.status == .ok && json.headers[.contentType]?.hasPrefix("application/json") == true)
            let services = try Self.array(json)
            #expect(services.count == ComplaintCatalogue.categories.count)
            #expect(Set(services[0].keys) == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"])
            let xml = try await client.execute(uri: "/open311/v2/services.xml", method: .get)
            let names = try Self.elements(xml.text)
            #expect(names.first == "services" && names.filter { $0 == "service" }.count == services.count)
            let definition = try await client.execute(uri: "/open311/v2/services/roads.json", method: .get)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: definition.body)) as? [String: Any])
            #expect(object["service_code"] as? String == "roads")
            let attribute = try #require((object["attributes"] as? [[String: Any]])?.first)
            #expect(Set(attribute.keys) == ["variable", "code", "datatype", "required", "datatype_description", "order", "description"])
            #expect(try Self.elements(try await client.execute(uri: "/open311/v2/services/roads.xml", method: .get).text).prefix(3) == ["service_definition", "service_code", "attributes"])
            let unknown = try await client.execute(uri: "/open311/v2/services/moon.json", method: .get)
            #expect(unknown.status == .notFound)
            let error = try #require(try Self.array(unknown).first)
            #expect(error["code"] as? Int == 404 && (error["description"] as? String)?.contains("moon") == true)
            let xmlError = try await client.execute(uri: "/open311/v2/services/moon.xml", method: .get)
            #expect(try Self.elements(xmlError.text) == ["errors", "error", "code", "description"])
            #expect(try await client.execute(uri: "/open311/v2/services", method: .get).status == .notFound, "a format is required")
        }
    }

    @Test("an application files with its api_key (refused without, with a wrong or revoked one, and on bad input, storing nothing); the request, its token and the feed follow it")
    func filing() async throws {
        try await withTestApp { client, harness in
            let w = try await ParticipationWorld.create(harness.platform)
            let open311 = try #require(harness.platform.contracts.first(Open311Service.self))
            let citizen = await #expect(throws: NaraError.self) { try await open311.issueClient(name: "Sneaky", by: try await w.actor("alice"), requestID: nil) }
            #expect(citizen?.kind == .forbidden)
            let issued = try await open311.issueClient(name: "Safe Streets", by: try await w.actor("admin"), requestID: nil)
            let key = try #require(issued.apiKey)
            #expect(try await open311.clients(by: try await w.actor("admin")).allSatisfy { $0.apiKey == nil }, "the key is shown once")
            let path = "/open311/v2/requests.json"
            let good: [(String, String)] = [("api_key", key), ("service_code", "roads"), ("lat", "37.5704"), ("long", "126.9921"),
                                            ("address_string", "서울특별시 종로구 종로 129"), ("description", "A pothole in the bus lane <near> exit 5 & 6.")]
            #expect(try await Self.post(client, path, good.filter { $0.0 != "api_key" }).status == .forbidden)
            let wrong = try await Self.post(client, path, [("api_key", "nara_o311_guess")] + good.dropFirst())
            let wrongCode = try Self.array(wrong).first?["code"] as? Int
            #expect(wrong.status == .forbidden && wrongCode == 403)
            let missing = try await Self.post(client, path, [("api_key", key), ("description", "")])
            #expect(missing.status == .badRequest)
            let problems = try Self.array(missing).compactMap { $0["description"] as? String }
            #expect(problems.contains { $0.contains("service_code") } && problems.contains { $0.contains("location") } && problems.contains { $0.contains("description") })
            #expect(try await Self.post(client, path, good.map { $0.0 == "service_code" ? ($0.0, "moon") : $0 }).status == .notFound)
            let short = try await Self.post(client, path, good.map { $0.0 == "description" ? ($0.0, "Hole") : $0 })
            #expect(short.status == .badRequest && short.text.contains("description:"), "\(short.text)")
            #expect(try await Self.post(client, path, good.map { $0.0 == "lat" ? ($0.0, "north") : $0 }).status == .badRequest)
            #expect(try await ComplaintModel.query(on: harness.db).count() == 0)

            let filed = try await Self.post(client, path, good)
            #expect(filed.status == .ok, "\(filed.text)")
            let receipt = try #require(try Self.array(filed).first)
            let number = try #require(receipt["service_request_id"] as? String)
            let token = try #require(receipt["token"] as? String)
            #expect(number == "EP-2026-0000001" && (receipt["service_notice"] as? String)?.contains("Jongno-gu Office") == true)
            let stored = try #require(try await ComplaintModel.query(on: harness.db).first())
            #expect(stored.isPublic && stored.typeCode == Open311Service.complaintType && stored.filerAccountID == nil && stored.category == "roads")
            #expect(try await AuditEntryModel.query(on: harness.db).filter(\.$action == "petitions.complaint.submit").first()?.actor == "open311:Safe Streets")
            let one = try Self.array(try await client.execute(uri: "/open311/v2/requests/\(number).json", method: .get))
            #expect(one.count == 1 && Set(one[0].keys) == Set(Self.requestFields))
            #expect(one[0]["status"] as? String == "open" && one[0]["agency_responsible"] as? String == "Jongno-gu Office" && one[0]["lat"] as? Double == 37.5704)
            #expect((one[0]["requested_datetime"] as? String)?.hasSuffix("+09:00") == true)
            let xml = try await client.execute(uri: "/open311/v2/requests/\(number).xml", method: .get)
            #expect(xml.text.contains("&lt;near&gt; exit 5 &amp; 6"))
            let names = try Self.elements(xml.text)
            #expect(names.prefix(2) == ["service_requests", "request"] && Set(names.dropFirst(2)) == Set(Self.requestFields))
            let byToken = try Self.array(try await client.execute(uri: "/open311/v2/tokens/\(token).json", method: .get))
            #expect(byToken.first?["service_request_id"] as? String == number)
            #expect(try await client.execute(uri: "/open311/v2/tokens/\(UUID().uuidString).json", method: .get).status == .notFound)

            // A citizen's complaint that is not public is not in the feed.
            let alice = try await client.token("alice")
            let privateOne = try await client.api(.post, "/api/v1/petitions/complaints", token: alice, json: PetitionsWorld.complaint())
            let privateNumber = try #require(privateOne.jsonObject["number"] as? String)
            #expect(try await client.execute(uri: "/open311/v2/requests/\(privateNumber).json", method: .get).status == .notFound)
            let feed = try Self.array(try await client.execute(uri: "/open311/v2/requests.json", method: .get))
            #expect(feed.map { $0["service_request_id"] as? String } == [number])

            // Answered: closed, with the answer as the status notes; the filters follow.
            let complaints = PetitionsModule.service(harness.platform)
            let id = try #require(stored.id)
            _ = try await complaints.act(id, .receive, by: try await w.actor("jongno"), requestID: nil)
            _ = try await complaints.act(id, .draft(text: "Repaired on 26 November."), by: try await w.actor("jongno"), requestID: nil)
            _ = try await complaints.act(id, .approve(draft: PetitionsService.fingerprint("Repaired on 26 November.")), by: try await w.actor("jongno.lead"), requestID: nil)
            let closed = try Self.array(try await client.execute(uri: "/open311/v2/requests.json?status=closed&service_code=roads,parking", method: .get))
            #expect(closed.count == 1 && closed[0]["status_notes"] as? String == "Repaired on 26 November." && closed[0]["expected_datetime"] is NSNull)
            #expect(try Self.array(try await client.execute(uri: "/open311/v2/requests.json?status=open", method: .get)).isEmpty)
            #expect(try Self.array(try await client.execute(uri: "/open311/v2/requests.json?end_date=2026-11-01T00:00:00%2B09:00", method: .get)).isEmpty,
                    "90 days before the end date, which is before the filing")
            #expect(try await client.execute(uri: "/open311/v2/requests.json?start_date=2026-12-01T00:00:00Z&end_date=2026-11-01T00:00:00Z", method: .get).status
                == .badRequest)
            #expect(try await client.execute(uri: "/open311/v2/requests.json?service_code=moon", method: .get).status == .badRequest)

            _ = try await open311.revokeClient(issued.id, by: try await w.actor("admin"), requestID: nil)
            #expect(try await Self.post(client, path, good).status == .forbidden, "a revoked key")
        }
    }
}
