import Foundation
import NaraCore

/// A kind of complaint and its legal processing period in working days (Civil Petitions Treatment
/// Act Enforcement Decree: a grievance 7, a question about a law 14, a proposal 14...).
public struct ComplaintType: Sendable, Codable, Equatable {
    public var code: String
    public var nameEN: String
    public var nameKO: String
    public var periodWorkingDays: Int
    /// Whether it may be filed without signing in (a safety report, for example).
    public var anonymousAllowed: Bool
    /// Calendar days after the answer within which the complainant may object.
    public var objectionDays: Int
    public var active: Bool

    public init(code: String, nameEN: String, nameKO: String, periodWorkingDays: Int, anonymousAllowed: Bool, objectionDays: Int, active: Bool = true) {
        self.code = code
        self.nameEN = nameEN
        self.nameKO = nameKO
        self.periodWorkingDays = periodWorkingDays
        self.anonymousAllowed = anonymousAllowed
        self.objectionDays = objectionDays
        self.active = active
    }

    public var period: LegalPeriod { .workingDays(periodWorkingDays) }

    /// Every problem at once (fields as named in the API).
    public func validate() throws(NaraError) {
        var v = Validator()
        if code.isEmpty || code.count > 40 || !code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            v.add("code", "format", "Use 1 to 40 lower-case letters, digits or hyphens.")
        }
        v.require(nameEN, "nameEN", maxLength: 100)
        v.require(nameKO, "nameKO", maxLength: 100)
        if !(1...90).contains(periodWorkingDays) { v.add("periodWorkingDays", "range", "The period is 1 to 90 working days.") }
        if !(1...365).contains(objectionDays) { v.add("objectionDays", "range", "Objections are allowed for 1 to 365 days.") }
        try v.check()
    }

    /// The types a new database starts with.
    public static let standard: [ComplaintType] = [
        ComplaintType(code: "grievance", nameEN: "Grievance", nameKO: "고충민원", periodWorkingDays: 7, anonymousAllowed: false, objectionDays: 30),
        ComplaintType(code: "law-inquiry", nameEN: "Question about a law", nameKO: "법령 질의", periodWorkingDays: 14, anonymousAllowed: false, objectionDays: 30),
        ComplaintType(code: "procedure-inquiry", nameEN: "Question about a procedure", nameKO: "제도·절차 질의", periodWorkingDays: 7, anonymousAllowed: false,
                      objectionDays: 30),
        ComplaintType(code: "proposal", nameEN: "Proposal", nameKO: "건의", periodWorkingDays: 14, anonymousAllowed: false, objectionDays: 30),
        ComplaintType(code: "safety-report", nameEN: "Safety report", nameKO: "안전신고", periodWorkingDays: 7, anonymousAllowed: true, objectionDays: 30),
    ]
}

/// Settings of complaint handling that the coordinating agency keeps.
public struct ComplaintSettings: Sendable, Codable, Equatable {
    /// The most transfers a complaint may have; then the agency answers or the coordinator assigns it.
    public var maxTransfers: Int
    /// Working days an agency has to accept a complaint sent to it before it is escalated.
    public var acceptanceWorkingDays: Int
    /// The coordinating agency's code (the Anti-Corruption and Civil Rights Commission).
    public var coordinatorCode: String

    /// Different people from whom a complaint (with those merged with it) is a collective complaint.
    public var collectiveThreshold: Int

    public init(maxTransfers: Int = 3, acceptanceWorkingDays: Int = 1, coordinatorCode: String = ComplaintCatalogue.coordinator,
                collectiveThreshold: Int = 20) {
        self.maxTransfers = maxTransfers
        self.acceptanceWorkingDays = acceptanceWorkingDays
        self.coordinatorCode = coordinatorCode
        self.collectiveThreshold = collectiveThreshold
    }

    enum CodingKeys: String, CodingKey { case maxTransfers, acceptanceWorkingDays, coordinatorCode, collectiveThreshold }

    /// Settings stored before the collective threshold existed (and requests without it) read it as its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxTransfers = try c.decode(Int.self, forKey: .maxTransfers)
        acceptanceWorkingDays = try c.decode(Int.self, forKey: .acceptanceWorkingDays)
        coordinatorCode = try c.decode(String.self, forKey: .coordinatorCode)
        collectiveThreshold = try c.decodeIfPresent(Int.self, forKey: .collectiveThreshold) ?? ComplaintSettings().collectiveThreshold
    }

    public func validate() throws(NaraError) {
        var v = Validator()
        if !(0...10).contains(maxTransfers) { v.add("maxTransfers", "range", "Allow 0 to 10 transfers.") }
        if !(1...10).contains(acceptanceWorkingDays) { v.add("acceptanceWorkingDays", "range", "Allow 1 to 10 working days to accept.") }
        if !(2...10_000).contains(collectiveThreshold) { v.add("collectiveThreshold", "range", "A collective complaint has 2 to 10,000 people.") }
        try v.check()
    }
}
