import FluentKit
import Foundation
import NaraCore

/// The demo of Government24: the catalogue, civil officers at the district office, the tax
/// office and Seoul, and applications of the demo citizens in every state, with certificates
/// valid, revoked and expired. History is written through the same state machine, events and
/// notifications as live applications; the evidence of seeded applications is read from the
/// registries directly (inside the seed's transaction) and has no exchange message id.
enum DemoCivil {
    static func seed(_ seed: DemoSeedContext) async throws {
        let platform = seed.platform
        let db = seed.db
        let service = CivilServicesModule.service(platform)
        for definition in DemoCatalogue.all { try await service.publish(definition, by: seed.actor, on: db) }
        if let operatorAccount = seed.accounts["operator"] {
            try await platform.identity.grantRole(accountID: operatorAccount.id, role: "catalogue-editor", by: seed.actor, on: db)
        }
        for username in ["official.jongno", "official.jongno-tax", "official.seoul"] {
            guard let account = seed.accounts[username] else { continue }
            try await platform.identity.grantRole(accountID: account.id, role: "civil-officer", by: seed.actor, on: db)
        }
        let history = History(seed: seed, service: service)
        let day: TimeInterval = 86_400

        // 1. An instant resident abstract: certificate valid.
        let a1 = try await history.start("kim.minji", "resident-abstract", ["purpose": "bank"], daysAgo: 3)
        try await history.submit(a1)
        try await history.instant(a1)

        // 2. A move-in report submitted two days ago and still under review: overdue (1 working day).
        let a2 = try await history.start("kim.minji", "move-in-report", ["newAddress": "서울특별시 종로구 율곡로 33, 402호", "postalCode": "03142",
                                                                         "moveInDate": platform.calendar.today.adding(days: -4).description], daysAgo: 2)
        try await history.submit(a2)
        try await history.official(a2, .receive, "official.jongno")
        try await history.official(a2, .startReview, "official.jongno")

        // 3. A vehicle registration certificate, issued and then revoked by the district office.
        let a3 = try await history.start("lee.junho", "vehicle-registration-certificate", ["plate": ""], daysAgo: 6)
        try await history.submit(a3)
        try await history.instant(a3)
        if let number = try await CivilApplicationModel.find(a3, on: db)?.documentNumber, let jongno = seed.agencies["3000000"] {
            _ = try await platform.documents.revoke(number: number, agencyID: jongno.id, reason: "Issued before a change of owner was registered; ask for a new one.",
                                                    by: seed.actor, on: db)
        }

        // 4. An outdoor advertising permit, fee paid, waiting for a supplement (clock stopped).
        let a4 = try await history.start("park.soyeon", "outdoor-advertising-permit", ["signKind": "projecting", "location": "서울특별시 종로구 인사동길 12",
                                                                                       "areaSquareMetres": "3", "displayUntil": platform.calendar.today.adding(days: 300).description],
                                         daysAgo: 5)
        try await history.attach(a4, "design", "sign-design.pdf")
        try await history.attach(a4, "consent", "owner-consent.pdf")
        try await history.payFee(a4)
        try await history.submit(a4)
        try await history.official(a4, .receive, "official.jongno")
        try await history.official(a4, .requestSupplement(message: "The design drawing has no dimensions of the bracket. Send a drawing with the projection (cm) from the wall."),
                                   "official.jongno")

        // 5. A business registration received by the tax office.
        let a5 = try await history.start("choi.woojin", "business-registration", ["businessName": "우진커피 Woojin Coffee", "industryCode": "56221",
                                                                                  "businessAddress": "서울특별시 종로구 삼일대로 428", "openingDate": platform.calendar.today.adding(days: 10).description],
                                         daysAgo: 1)
        try await history.attach(a5, "lease", "lease-samil-428.pdf")
        try await history.submit(a5)
        try await history.official(a5, .receive, "official.jongno-tax")

        // 6. A draft with the fee charged and not yet paid.
        let a6 = try await history.start("jung.haeun", "mail-order-business-report", ["shopName": "하은공방 Haeun Atelier", "website": "haeun-atelier.example.kr",
                                                                                     "sellingMethod": "internet"], daysAgo: 0)
        try await history.charge(a6)

        // 7. A restaurant report rejected with reasons, and an objection filed.
        let a7 = try await history.start("kang.dohyun", "restaurant-business-report", ["shopName": "도현식당 Dohyun Kitchen", "location": "서울특별시 종로구 종로 200",
                                                                                      "floorArea": "86"], daysAgo: 20)
        try await history.attach(a7, "hygiene", "hygiene-education.pdf")
        try await history.attach(a7, "health", "health-certificate.pdf")
        try await history.payFee(a7)
        try await history.submit(a7)
        try await history.official(a7, .receive, "official.jongno")
        try await history.official(a7, .startReview, "official.jongno")
        try await history.official(a7, .reject(reasons: "The floor plan shows no separate handwashing basin in the kitchen (Food Sanitation Act Enforcement Rule, Annex 14).",
                                               howToObject: "You may object on this page within 90 days, or bring an administrative appeal within 90 days (Administrative Appeals Act art. 27)."),
                                   "official.jongno")
        try await history.applicant(a7, .fileObjection(grounds: "The basin was installed on 10 November; a photo and the contractor's invoice are attached to this objection."))

        // 8. A change of building use rejected, objection decided (dismissed), fee refunded.
        let a8 = try await history.start("lee.junho", "building-use-change", ["location": "서울특별시 종로구 북촌로 31", "fromUse": "단독주택 detached house",
                                                                               "toUse": "휴게음식점 café", "floorArea": "92"], daysAgo: 40)
        try await history.attach(a8, "drawings", "bukchon-31-drawings.pdf")
        try await history.payFee(a8)
        try await history.submit(a8)
        try await history.official(a8, .receive, "official.jongno")
        try await history.official(a8, .startReview, "official.jongno")
        try await history.official(a8, .reject(reasons: "The site is in the Bukchon hanok preservation district, where a café use is not permitted (Seoul Hanok Ordinance art. 9).",
                                               howToObject: "You may object on this page within 90 days, or bring an administrative appeal within 90 days."), "official.jongno")
        try await history.applicant(a8, .fileObjection(grounds: "Neighbouring houses on the same street operate as cafés."))
        try await history.official(a8, .decideObjection(accepted: false, reasons: "The neighbouring cafés were permitted before the district was designated in 2010; the rule applies to new uses."),
                                   "official.jongno")
        try await history.refund(a8, "official.jongno", reason: "Fee returned as a courtesy after the objection decision.")

        // 9. A birth report approved (decision only).
        let a9 = try await history.start("park.soyeon", "birth-report", ["childName": "박하늘", "birthDate": platform.calendar.today.adding(days: -12).description,
                                                                          "birthPlace": "서울대학교병원"], daysAgo: 9)
        try await history.attach(a9, "birthCertificate", "birth-certificate.pdf")
        try await history.submit(a9)
        try await history.official(a9, .receive, "official.jongno")
        try await history.official(a9, .startReview, "official.jongno")
        try await history.official(a9, .approve(note: "The birth is registered; the family relations register is updated."), "official.jongno")

        // 10. A parental allowance transferred to Seoul.
        let a10 = try await history.start("jung.haeun", "parent-allowance", ["childName": "정다온", "bankAccount": "국민은행 123-45-678901"], daysAgo: 4)
        try await history.submit(a10)
        if let seoul = seed.agencies["6110000"] {
            try await history.official(a10, .transfer(toAgency: seoul.id, reason: "The child's household is registered in Mapo-gu; Seoul's family policy office handles it."),
                                       "official.jongno")
        }

        // 11. A local tax certificate just submitted to Seoul.
        let a11 = try await history.start("kim.minji", "local-tax-certificate", ["purpose": "submission"], daysAgo: 0)
        try await history.submit(a11)

        // 12. A vehicle transfer registration withdrawn by the buyer.
        let a12 = try await history.start("kang.dohyun", "vehicle-transfer-registration", ["plate": "12가 3456", "purchaseDate": platform.calendar.today.adding(days: -3).description,
                                                                                            "price": "14500000"], daysAgo: 3)
        try await history.attach(a12, "contract", "transfer-contract.pdf")
        try await history.attach(a12, "insurance", "insurance.pdf")
        try await history.payFee(a12)
        try await history.submit(a12)
        try await history.applicant(a12, .withdraw(reason: "The seller cancelled the sale."))

        // 13. A resident copy issued 120 days ago: expired.
        let a13 = try await history.start("choi.woojin", "resident-copy", ["purpose": "submission"], daysAgo: 120)
        try await history.submit(a13)
        try await history.instant(a13, issuedAt: platform.clock.now().addingTimeInterval(-120 * day))

        // 14. A business registration approved: the business is registered and its certificate issued.
        let a14 = try await history.start("jung.haeun", "business-registration", ["businessName": "하은공방 Haeun Atelier", "industryCode": "47919",
                                                                                   "businessAddress": "서울특별시 종로구 창덕궁길 7",
                                                                                   "openingDate": platform.calendar.today.adding(days: -2).description], daysAgo: 3)
        try await history.attach(a14, "lease", "lease-changdeokgung-7.pdf")
        try await history.submit(a14)
        try await history.official(a14, .receive, "official.jongno-tax")
        try await history.official(a14, .startReview, "official.jongno-tax")
        try await history.official(a14, .approve(note: "Registered as a sole proprietorship (general taxpayer)."), "official.jongno-tax")

        // 15. A mail-order report rejected last week; the applicant may still object.
        let a15 = try await history.start("park.soyeon", "mail-order-business-report", ["shopName": "소연상점 Soyeon Shop", "website": "soyeon-shop.example.kr",
                                                                                      "sellingMethod": "internet"], daysAgo: 8)
        try await history.attach(a15, "escrow", "escrow-confirmation.pdf")
        try await history.payFee(a15)
        try await history.submit(a15)
        try await history.official(a15, .receive, "official.jongno")
        try await history.official(a15, .startReview, "official.jongno")
        try await history.official(a15, .reject(reasons: "The escrow confirmation is for another business (registration number 101-81-50670), not for Soyeon Shop.",
                                                howToObject: "You may object on this page within 90 days, or bring an administrative appeal within 90 days (Administrative Appeals Act art. 27)."),
                                    "official.jongno")

        for (id, daysAgo) in history.backdates { try await history.backdate(id, days: daysAgo) }
    }

    /// Writes an application's history on the seeding transaction.
    final class History: @unchecked Sendable {
        let seed: DemoSeedContext
        let service: CivilService
        var backdates: [(UUID, Int)] = []
        var platform: Platform { seed.platform }
        var db: any Database { seed.db }

        init(seed: DemoSeedContext, service: CivilService) {
            self.seed = seed
            self.service = service
        }

        func account(_ username: String) throws -> AccountSummary {
            guard let account = seed.accounts[username] else { throw NaraError.notFound("Demo account \(username)") }
            return account
        }

        func summary(_ id: UUID) async throws -> (CivilApplicationModel, ServiceSummary) {
            guard let model = try await CivilApplicationModel.find(id, on: db) else { throw NaraError.notFound("The application") }
            return (model, try await service.serviceOf(id, on: db))
        }

        func start(_ username: String, _ code: String, _ inputs: [String: String], daysAgo: Int) async throws -> UUID {
            let applicant = try account(username)
            guard let serviceModel = try await CivilServiceModel.query(on: db).filter(\.$code == code).first() else { throw NaraError.notFound(code) }
            var values = inputs
            if code == "vehicle-registration-certificate" || code == "vehicle-transfer-registration", values["plate"]?.isEmpty ?? true {
                values["plate"] = try await plate(of: applicant) ?? "12가 3456"
            }
            let model = CivilApplicationModel()
            model.id = UUID()
            model.serviceID = serviceModel.id!
            model.serviceCode = code
            model.applicantAccountID = applicant.id
            model.agencyID = serviceModel.agencyID
            model.state = ApplicationState.draft.rawValue
            model.inputsCipher = try service.seal(values)
            model.createdAt = platform.clock.now()
            model.updatedAt = platform.clock.now()
            model.transfers = 0
            model.consentGiven = true
            model.version = 1
            try await model.create(on: db)
            backdates.append((model.id!, daysAgo))
            return model.id!
        }

        func plate(of account: AccountSummary) async throws -> String? {
            guard let provider = platform.contracts.all((any InformationProvider).self).first(where: { $0.informationTypes.contains { $0.code == "vehicle.registration" } }),
                  let id = try await platform.identity.ownNationalID(of: platform.identity.actor(for: account, secondFactorVerified: false), on: db),
                  let fields = try await provider.provide(type: "vehicle.registration", subject: ExchangeSubject(.person(id)), on: db),
                  let data = fields["vehicles"]?.data(using: .utf8),
                  let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return nil }
            return list.first?["plate"] as? String
        }

        func attach(_ id: UUID, _ key: String, _ name: String) async throws {
            let (model, _) = try await summary(id)
            // A one-page PDF standing in for the scanned document.
            let text = "%PDF-1.4\n% Nara demo attachment: \(name)\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
            let stored = try await platform.files.store(Data(text.utf8), name: name, declaredType: "application/pdf", ownerAccountID: model.applicantAccountID,
                                                        by: seed.actor, on: db)
            let attachment = CivilAttachmentModel()
            attachment.id = UUID()
            attachment.applicationID = id
            attachment.requirementKey = key
            attachment.fileID = stored.id
            attachment.fileName = stored.name
            attachment.uploadedAt = platform.clock.now()
            try await attachment.create(on: db)
        }

        func charge(_ id: UUID) async throws {
            let (model, service) = try await summary(id)
            let payment = try await platform.payments.charge(accountID: model.applicantAccountID, agencyID: model.agencyID, module: CivilService.module,
                                                            purpose: "\(service.nameEN) / \(service.nameKO)",
                                                            amount: try Money(minorUnits: service.feeMinor, currency: service.currency),
                                                            dueAt: platform.clock.now().addingTimeInterval(7 * 86_400), by: seed.actor, on: db)
            model.paymentID = payment.id
            try await model.save(on: db)
        }

        func payFee(_ id: UUID) async throws {
            try await charge(id)
            let (model, _) = try await summary(id)
            guard let payment = try await PaymentModel.find(model.paymentID, on: db) else { return }
            _ = try await platform.payments.reconcile(PaymentNotice(reference: payment.reference, amountMinor: payment.amountMinor, currency: payment.currency,
                                                                    bankTransactionID: "DEMO-" + payment.reference, paidAt: platform.clock.now()),
                                                      by: seed.actor, on: db)
        }

        func submit(_ id: UUID) async throws {
            let (model, service) = try await summary(id)
            var evidence: [EvidenceUsed] = []
            if let account = seed.accounts.values.first(where: { $0.id == model.applicantAccountID }),
               let nationalID = try await platform.identity.ownNationalID(of: platform.identity.actor(for: account, secondFactorVerified: false), on: db) {
                for item in service.definition.evidence {
                    guard let provider = platform.contracts.all((any InformationProvider).self)
                        .first(where: { $0.informationTypes.contains { $0.code == item.informationType } }),
                          let type = provider.informationTypes.first(where: { $0.code == item.informationType }) else { continue }
                    let subject: ExchangeSubject
                    if type.subjectKind == .business {
                        guard let number = account.businessNumber, let business = try? BusinessNumber(number) else { continue }
                        subject = ExchangeSubject(.business(business))
                    } else {
                        subject = ExchangeSubject(.person(nationalID))
                    }
                    guard let fields = try await provider.provide(type: item.informationType, subject: subject, on: db) else { continue }
                    evidence.append(EvidenceUsed(informationType: item.informationType, providerAgencyCode: type.providerAgencyCode, messageID: nil,
                                                 consentReference: nil, fields: fields))
                }
            }
            let applicant = seed.accounts.values.first { $0.id == model.applicantAccountID }
            try await self.service.recordSubmission(model, service: service, evidence: evidence, calendar: try await platform.calendar.calendar(on: db),
                                                    now: platform.clock.now(), by: applicant?.displayName ?? "", auditActor: seed.actor, on: db)
        }

        func instant(_ id: UUID, issuedAt: Date? = nil) async throws {
            let (_, service) = try await summary(id)
            try await self.service.decideInstantly(id: id, service: service, issuedAt: issuedAt, on: db)
        }

        func official(_ id: UUID, _ event: ApplicationEvent, _ username: String) async throws {
            let (model, service) = try await summary(id)
            let official = try account(username)
            var target: AgencySummary?
            if case .transfer(let agencyID, _) = event { target = try await platform.identity.agency(id: agencyID, on: db) }
            let actor = AuditActor(name: "official:" + official.id.uuidString.lowercased(), agencyID: official.agencyID, requestID: nil)
            let effect = try await self.service.registryEffectIfAny(event, for: model, service: service, auditActor: actor, on: db)
            try await self.service.decide(model, event, service: service, by: official.displayName, auditActor: actor,
                                          message: CivilService.message(for: event, transferTarget: target), effect: effect, on: db)
            if case .approve = event, service.issuesCertificate {
                try await self.service.issueCertificate(id: id, service: service, by: actor, actorName: official.displayName, on: db)
            }
        }

        func applicant(_ id: UUID, _ event: ApplicationEvent) async throws {
            let (model, service) = try await summary(id)
            let applicant = seed.accounts.values.first { $0.id == model.applicantAccountID }
            var message = ""
            switch event {
            case .fileObjection(let grounds): message = grounds
            case .withdraw(let reason): message = reason
            case .answerSupplement(let text): message = text
            default: break
            }
            try await self.service.move(model, event, service: service, by: applicant?.displayName ?? "", auditActor: seed.actor, message: message, on: db)
        }

        func refund(_ id: UUID, _ username: String, reason: String) async throws {
            let (model, _) = try await summary(id)
            guard let paymentID = model.paymentID else { return }
            _ = try await platform.payments.refund(paymentID: paymentID, reason: reason, by: seed.actor, on: db)
        }

        /// Spreads an application's history over the past `days` days (submitted then, each
        /// later step a few hours after the one before), due dates recomputed from the calendar.
        func backdate(_ id: UUID, days: Int) async throws {
            guard days > 0, let model = try await CivilApplicationModel.find(id, on: db) else { return }
            let (_, service) = try await summary(id)
            let shift = TimeInterval(days) * 86_400
            let start = platform.clock.now().addingTimeInterval(-shift)
            let events = try await CivilApplicationEventModel.query(on: db).filter(\.$applicationID == id).sort(\.$at).all()
            let step = min(6 * 3600, shift / Double(max(events.count + 1, 2)))
            for (index, event) in events.enumerated() {
                event.at = start.addingTimeInterval(step * Double(index + 1))
                try await event.save(on: db)
            }
            model.createdAt = start
            if model.submittedAt != nil {
                let submitted = events.first { $0.event == "submit" }?.at ?? start
                model.submittedAt = submitted
                let calendar = try await platform.calendar.calendar(on: db)
                model.dueAt = DueDates.initial(period: service.definition.period, from: submitted, calendar: calendar)
            }
            if model.clockStoppedAt != nil { model.clockStoppedAt = events.last?.at }
            if model.decidedAt != nil { model.decidedAt = events.last { ["approve", "reject"].contains($0.event) }?.at }
            model.updatedAt = events.last?.at ?? start
            try await model.save(on: db)
        }
    }
}
