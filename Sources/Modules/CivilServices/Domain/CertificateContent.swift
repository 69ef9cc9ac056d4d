import Foundation
import NaraCore

/// What a certificate states: built from the evidence the exchange returned, the applicant's
/// inputs and the decision's outcome.
struct CertificateContent: Sendable, Equatable {
    let subjectName: String
    let subjectIdentifier: String
    let facts: [DocumentFact]

    private struct Vehicle: Decodable {
        let plate: String
        let model: String
        let modelYear: Int?
        let firstRegistered: String?
        let nextInspection: String?
        let openLiens: Int?
    }

    static func build(service: ServiceDefinition, inputs: [String: String], evidence: [EvidenceUsed], outcome: String?,
                      applicantName: String, applicantIdentifier: String) -> CertificateContent {
        var facts: [DocumentFact] = []
        var subjectName = applicantName
        func add(_ key: String, _ en: String, _ ko: String, _ value: String?, disclosed: Bool = false) {
            guard let value, !value.isEmpty, !facts.contains(where: { $0.key == key }) else { return }
            facts.append(DocumentFact(key: key, labelEN: en, labelKO: ko, value: value, disclosedByDefault: disclosed))
        }
        for item in evidence {
            let f = item.fields
            switch item.informationType {
            case "resident.abstract":
                subjectName = f["name"] ?? subjectName
                add("birthDate", "Date of birth", "생년월일", f["birthDate"])
                add("address", "Address", "주소", [f["address"], f["postalCode"].map { "(\($0))" }].compactMap { $0 }.joined(separator: " "))
                add("movedIn", "Moved in", "전입일", f["movedIn"])
                add("relationship", "Relationship to the household head", "세대주와의 관계", relationshipKO(f["relationship"]))
                if service.certificate?.documentType == "resident.copy" {
                    add("householdNumber", "Household number", "세대번호", f["householdNumber"])
                    add("householdSize", "Household members", "세대원 수", f["householdSize"])
                }
                add("registrationStatus", "Registration status", "등록 상태", f["status"], disclosed: true)
            case "business.status":
                subjectName = f["name"] ?? subjectName
                add("businessNumber", "Business registration number", "사업자등록번호", f["businessNumber"].map(formatBusinessNumber), disclosed: true)
                add("representative", "Representative", "대표자", f["representativeName"])
                add("industryCode", "Industry (KSIC)", "업종 코드", f["industryCode"])
                add("businessAddress", "Place of business", "사업장 소재지", f["address"])
                add("openedOn", "Opened on", "개업일", f["openedOn"])
                add("businessStatus", "Status", "사업 상태", f["status"], disclosed: true)
            case "vehicle.registration":
                let vehicles = (try? JSONDecoder().decode([Vehicle].self, from: Data((f["vehicles"] ?? "[]").utf8))) ?? []
                let wanted = inputs["plate"]?.replacingOccurrences(of: " ", with: "")
                let chosen = vehicles.first { $0.plate.replacingOccurrences(of: " ", with: "") == wanted } ?? vehicles.first
                if let v = chosen {
                    add("plate", "Registration plate", "자동차 등록번호", v.plate, disclosed: true)
                    add("model", "Model", "차명", v.model)
                    add("modelYear", "Model year", "연식", v.modelYear.map(String.init))
                    add("firstRegistered", "First registered", "최초 등록일", v.firstRegistered)
                    add("nextInspection", "Next inspection due", "다음 검사 유효기간", v.nextInspection)
                    add("liens", "Open liens", "저당 설정", String(v.openLiens ?? 0))
                }
            default:
                for (key, value) in f.sorted(by: { $0.key < $1.key }) { add(item.informationType + "." + key, key, key, value) }
            }
        }
        for input in service.inputs {
            guard let value = inputs[input.key], !value.isEmpty else { continue }
            let shown = input.options.first { $0.value == value }.map { "\($0.labelKO) / \($0.labelEN)" } ?? value
            add("input." + input.key, input.labelEN, input.labelKO, shown)
        }
        if let outcome, !outcome.isEmpty {
            for line in outcome.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == "Business registration number" {
                    add("businessNumber", "Business registration number", "사업자등록번호", parts[1], disclosed: true)
                } else if parts.count == 2 {
                    add("outcome", parts[0], "처리 결과", parts[1])
                }
            }
        }
        return CertificateContent(subjectName: subjectName, subjectIdentifier: applicantIdentifier, facts: facts)
    }

    static func relationshipKO(_ value: String?) -> String? {
        guard let value else { return nil }
        let table = ["head": "본인 (세대주) / head", "spouse": "배우자 / spouse", "child": "자녀 / child", "parent": "부모 / parent",
                     "sibling": "형제자매 / sibling", "other": "기타 / other"]
        return table[value] ?? value
    }

    static func formatBusinessNumber(_ digits: String) -> String {
        (try? BusinessNumber(digits).formatted) ?? digits
    }
}
