import FluentKit
import Foundation
import NaraCore

extension ApplicationState {
    public var title: LocalizedText {
        switch self {
        case .draft: return LocalizedText(en: "Draft", ko: "작성 중")
        case .submitted: return LocalizedText(en: "Submitted", ko: "신청 완료")
        case .received: return LocalizedText(en: "Received by the agency", ko: "접수")
        case .supplementRequested: return LocalizedText(en: "Supplement requested", ko: "보완 요청")
        case .underReview: return LocalizedText(en: "Under review", ko: "처리 중")
        case .transferred: return LocalizedText(en: "Transferred", ko: "이송")
        case .approved: return LocalizedText(en: "Approved", ko: "승인")
        case .rejected: return LocalizedText(en: "Rejected", ko: "반려")
        case .certificateIssued: return LocalizedText(en: "Certificate issued", ko: "증명서 발급 완료")
        case .withdrawn: return LocalizedText(en: "Withdrawn", ko: "취하")
        case .objectionFiled: return LocalizedText(en: "Objection filed", ko: "이의신청 접수")
        case .objectionDecided: return LocalizedText(en: "Objection decided", ko: "이의신청 결정")
        }
    }
}

/// Government24: the service catalogue and civil applications from draft to decision, with
/// evidence looked up through the exchange, fees through the ledger, legal due dates from the
/// business calendar, certificates from the platform's issuance service and a notice to the
/// applicant at every step.
public final class CivilService: Sendable {
    let platform: Platform
    let cipher: FieldCipher
    static let module = "civil"
    static let objectionDays = 90

    init(platform: Platform) {
        self.platform = platform
        self.cipher = FieldCipher(masterKey: platform.masterKey, purpose: "civil-applications")
    }

    var db: any Database { platform.db }
    var clock: any NaraClock { platform.clock }
    var maxTransfers: Int { platform.configuration.civilMaxTransfers }

    // MARK: Catalogue

    /// Adds or replaces a service definition (the demo seed and operators' imports).
    func publish(_ definition: ServiceDefinition, by actor: AuditActor, on database: (any Database)? = nil) async throws {
        let db = database ?? self.db
        let types = Set(platform.contracts.first((any EvidenceService).self)?.catalogue().map(\.code) ?? [])
        var problems = definition.problems(informationTypes: types)
        let agency = try await platform.identity.agency(code: definition.agencyCode, on: db)
        if agency == nil || agency?.active == false {
            problems.append(FieldError(field: "agencyCode", code: "unknown", message: "No active agency has the code \(definition.agencyCode)."))
        }
        guard problems.isEmpty, let agency else { throw NaraError.validation(problems, message: "The service cannot be published.") }
        let model = try await CivilServiceModel.query(on: db).filter(\.$code == definition.code).first() ?? CivilServiceModel()
        if model.id == nil { model.id = UUID(); model.createdAt = clock.now() }
        model.code = definition.code
        model.agencyID = agency.id
        model.nameEN = definition.nameEN
        model.nameKO = definition.nameKO
        model.searchText = definition.searchText
        model.lifeEvents = "," + definition.lifeEvents.map(\.rawValue).joined(separator: ",") + ","
        model.definition = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
        model.active = true
        try await model.save(on: db)
        try await platform.audit.append(AuditRecord(action: "civil.service.publish", objectType: "civil_service", objectID: definition.code), by: actor, on: db)
    }

    /// Takes a service out of the catalogue; applications already made go on.
    func retire(code: String, by actor: AuditActor) async throws {
        guard let model = try await CivilServiceModel.query(on: db).filter(\.$code == code).first(), model.active else {
            throw NaraError.notFound("The service")
        }
        try await db.transaction { tx in
            model.active = false
            try await model.save(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "civil.service.retire", objectType: "civil_service", objectID: code), by: actor, on: tx)
        }
    }

    func catalogue(search: String? = nil, lifeEvent: LifeEvent? = nil, agencyCode: String? = nil) async throws -> [ServiceSummary] {
        var query = CivilServiceModel.query(on: db).filter(\.$active == true)
        if let lifeEvent { query = query.filter(\.$lifeEvents, .contains(inverse: false, .anywhere), ",\(lifeEvent.rawValue),") }
        if let agencyCode {
            guard let agency = try await platform.identity.agency(code: agencyCode, on: db) else { return [] }
            query = query.filter(\.$agencyID == agency.id)
        }
        let words = (search ?? "").lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).prefix(6)
        for word in words { query = query.filter(\.$searchText, .contains(inverse: false, .anywhere), String(word.prefix(50))) }
        let models = try await query.sort(\.$nameEN).all()
        return try await summaries(models)
    }

    func service(code: String) async throws -> ServiceSummary {
        guard let model = try await CivilServiceModel.query(on: db).filter(\.$code == code).filter(\.$active == true).first() else {
            throw NaraError.notFound("The service")
        }
        return try await summaries([model])[0]
    }

    private func summaries(_ models: [CivilServiceModel], on database: (any Database)? = nil) async throws -> [ServiceSummary] {
        let db = database ?? self.db
        // Only the agencies these services name, not every agency.
        let ids = Array(Set(models.map(\.agencyID)))
        let agencies = Dictionary(uniqueKeysWithValues: try await AgencyModel.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        return try models.map { model in
            let definition = try JSONDecoder().decode(ServiceDefinition.self, from: Data(model.definition.utf8))
            let agency = agencies[model.agencyID]
            return ServiceSummary(code: definition.code, nameEN: definition.nameEN, nameKO: definition.nameKO, agencyCode: definition.agencyCode,
                                  agencyNameEN: agency?.nameEN ?? "", agencyNameKO: agency?.nameKO ?? "", period: definition.period,
                                  feeMinor: definition.feeMinor, currency: definition.currency, issuesCertificate: definition.issuesCertificate,
                                  lifeEvents: definition.lifeEvents, definition: definition)
        }
    }

    // MARK: Applicant

    func startDraft(serviceCode: String, inputs: [String: String], by actor: Actor, requestID: String?) async throws -> ApplicationView {
        try AccessPolicy.require(actor, .selfService, on: .platform)
        guard let accountID = actor.accountID, actor.accountKind == .citizen || actor.accountKind == .business else {
            throw NaraError.forbidden("Applications are made by citizens and businesses.")
        }
        let service = try await service(code: serviceCode)
        let clean = try service.definition.validate(inputs: inputs, today: platform.calendar.today, requireAll: false)
        guard let serviceModel = try await CivilServiceModel.query(on: db).filter(\.$code == serviceCode).first(), let agencyID = Optional(serviceModel.agencyID) else {
            throw NaraError.notFound("The service")
        }
        let id = UUID()
        try await db.transaction { tx in
            let model = CivilApplicationModel()
            model.id = id
            model.serviceID = try serviceModel.requireID()
            model.serviceCode = serviceCode
            model.applicantAccountID = accountID
            model.agencyID = agencyID
            model.state = ApplicationState.draft.rawValue
            model.inputsCipher = try self.seal(clean)
            model.createdAt = self.clock.now()
            model.updatedAt = self.clock.now()
            model.transfers = 0
            model.consentGiven = false
            model.version = 1
            try await model.create(on: tx)
            try await self.platform.audit.append(AuditRecord(action: "civil.application.draft", objectType: "civil_application", objectID: id.uuidString.lowercased(),
                                                             subjectRef: self.platform.audit.subjectRef(accountID: accountID), detail: serviceCode),
                                                 by: AuditActor(actor, requestID: requestID), on: tx)
        }
        return try await application(id: id, by: actor)
    }

    func updateDraft(id: UUID, inputs: [String: String], by actor: Actor, requestID: String?) async throws -> ApplicationView {
        let model = try await ownApplication(id, actor: actor)
        guard model.state == ApplicationState.draft.rawValue else {
            throw NaraError(.conflict, code: .illegalTransition, "Only a draft can be edited.")
        }
        let service = try await service(code: model.serviceCode)
        let sealed = try seal(try service.definition.validate(inputs: inputs, today: platform.calendar.today, requireAll: false))
        try await db.transaction { tx in
            // Under the row lock: a submission running meanwhile sees either the old or the new inputs.
            let current = try await self.lock(id, on: tx)
            guard current.state == ApplicationState.draft.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "Only a draft can be edited.")
            }
            current.inputsCipher = sealed
            current.updatedAt = self.clock.now()
            try await current.save(on: tx)
        }
        return try await application(id: id, by: actor)
    }

    func attach(id: UUID, requirementKey: String, data: Data, fileName: String?, contentType: String?, by actor: Actor, requestID: String?) async throws -> ApplicationView {
        let model = try await ownApplication(id, actor: actor)
        let state = ApplicationState(rawValue: model.state) ?? .draft
        guard state == .draft || state == .supplementRequested else {
            throw NaraError(.conflict, code: .illegalTransition, "Files can be added to a draft or in answer to a request for a supplement.")
        }
        let service = try await service(code: model.serviceCode)
        guard service.definition.uploads.contains(where: { $0.key == requirementKey }) || requirementKey == "supplement" else {
            throw NaraError.validation([FieldError(field: "requirement", code: "unknown", message: "This service asks for no such document.")])
        }
        try await db.transaction { tx in
            let current = try await self.lock(id, on: tx)
            guard current.state == model.state else {
                throw NaraError(.conflict, code: .illegalTransition, "The application changed meanwhile; reload it.")
            }
            let stored = try await self.platform.files.store(data, name: fileName, declaredType: contentType, ownerAccountID: actor.accountID,
                                                             by: AuditActor(actor, requestID: requestID), on: tx)
            let attachment = CivilAttachmentModel()
            attachment.id = UUID()
            attachment.applicationID = id
            attachment.requirementKey = requirementKey
            attachment.fileID = stored.id
            attachment.fileName = stored.name
            attachment.uploadedAt = self.clock.now()
            try await attachment.create(on: tx)
        }
        return try await application(id: id, by: actor)
    }

    /// Submits a draft: checks inputs and uploads, looks the evidence up (with the applicant's
    /// consent), charges the fee and, once it is paid, gives the receipt number and starts the
    /// legal clock. Instant services are then decided and their certificate issued at once.
    func submit(id: UUID, consent: Bool, by actor: Actor, requestID: String?) async throws -> ApplicationView {
        let model = try await ownApplication(id, actor: actor)
        guard model.state == ApplicationState.draft.rawValue else {
            throw NaraError(.conflict, code: .illegalTransition, "This application was already submitted.")
        }
        let service = try await service(code: model.serviceCode)
        let definition = service.definition
        let inputs = try open(model.inputsCipher)
        var validator = Validator()
        do { _ = try definition.validate(inputs: inputs, today: platform.calendar.today) } catch { for e in error.fieldErrors { validator.add(e.field, e.code, e.message) } }
        let attachments = try await CivilAttachmentModel.query(on: db).filter(\.$applicationID == id).all()
        for upload in definition.uploads where upload.required && !attachments.contains(where: { $0.requirementKey == upload.key }) {
            validator.add("upload." + upload.key, "required", "Attach: \(upload.labelEN).")
        }
        if !definition.evidence.isEmpty && !consent {
            validator.add("consent", "required", "Tick the box to let the agency look the evidence up for you, or apply at an office with paper documents.")
        }
        try validator.check()
        let auditActor = AuditActor(actor, requestID: requestID)

        if consent && !model.consentGiven {
            model.consentGiven = true
            try await model.save(on: db)
        }
        // The fee first: a charge on the ledger (one per application, created under the row
        // lock), and submission completes once it is paid.
        var paymentID = model.paymentID
        if definition.feeMinor > 0 {
            let auditActorForFee = auditActor
            let payment = try await db.transaction { tx -> PaymentSummary in
                let current = try await self.lock(id, on: tx)
                guard current.state == ApplicationState.draft.rawValue else {
                    throw NaraError(.conflict, code: .illegalTransition, "This application was already submitted.")
                }
                if let existing = current.paymentID, let found = try await PaymentModel.find(existing, on: tx),
                   found.status == PaymentStatus.paid.rawValue || found.status == PaymentStatus.pending.rawValue {
                    return PaymentSummary(found)
                }
                let charge = try await self.platform.payments.charge(
                    accountID: current.applicantAccountID, agencyID: current.agencyID, module: Self.module,
                    purpose: "\(definition.nameEN) / \(definition.nameKO)",
                    amount: try Money(minorUnits: definition.feeMinor, currency: definition.currency),
                    dueAt: self.clock.now().addingTimeInterval(7 * 86_400), by: auditActorForFee, on: tx)
                current.paymentID = charge.id
                current.updatedAt = self.clock.now()
                try await current.save(on: tx)
                return charge
            }
            guard payment.status == .paid else {
                throw NaraError(.conflict, code: "payment_pending",
                                "Pay the fee of \(Money.format(payment.amountMinor, currency: payment.currency)) to reference \(payment.reference); the application is submitted once the payment arrives.")
            }
            paymentID = payment.id
        }

        // Evidence, outside the write transaction (the exchange logs every look-up itself).
        let evidence = try await lookUpEvidence(definition, model: model, actor: actor, requestID: requestID)

        let calendar = try await platform.calendar.calendar(on: db)
        let now = clock.now()
        let paidWith = paymentID
        try await db.transaction { tx in
            let current = try await self.lock(id, on: tx)
            guard current.state == ApplicationState.draft.rawValue else {
                throw NaraError(.conflict, code: .illegalTransition, "This application was already submitted.")
            }
            // What is submitted is what was checked: the inputs as they are now, under the lock.
            _ = try definition.validate(inputs: try self.open(current.inputsCipher), today: self.platform.calendar.today)
            current.paymentID = paidWith
            try await self.recordSubmission(current, service: service, evidence: evidence, calendar: calendar, now: now,
                                            by: actor.displayName, auditActor: auditActor, on: tx)
        }
        if definition.fulfilment == .instantCertificate {
            try await decideInstantly(id: id, service: service)
        }
        return try await application(id: id, by: actor)
    }

    /// The system receives, reviews, approves and issues at once (no official involved).
    /// The receipt number, the legal due date, the evidence and the `submit` event, in the
    /// submission's transaction (live submissions and the demo history alike).
    func recordSubmission(_ current: CivilApplicationModel, service: ServiceSummary, evidence: [EvidenceUsed], calendar: BusinessCalendar, now: Date,
                          by actorDisplay: String, auditActor: AuditActor, on tx: any Database) async throws {
        let year = platform.calendar.localDay(of: now).components.year
        let number = try await platform.sequences.next("civil-application", year: year, on: tx)
        current.receiptNumber = String(format: "CS-%d-%07d", year, number)
        current.submittedAt = now
        current.dueAt = DueDates.initial(period: service.definition.period, from: now, calendar: calendar)
        if !evidence.isEmpty { current.evidenceCipher = try seal(evidence) }
        try await move(current, .submit, service: service, by: actorDisplay, auditActor: auditActor,
                       message: "Receipt \(current.receiptNumber!) at \(Timestamp.iso8601Millis(now)).", on: tx)
    }

    /// The system receives, reviews, approves and issues at once (no official involved).
    func decideInstantly(id: UUID, service: ServiceSummary, issuedAt: Date? = nil, on database: (any Database)? = nil) async throws {
        let db = database ?? self.db
        let system = AuditActor.system("civil-services")
        let name = "Nara (automatic)"
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            try await self.move(model, .receive, service: service, by: name, auditActor: system, message: "", on: tx)
            try await self.move(model, .startReview, service: service, by: name, auditActor: system, message: "", on: tx)
            try await self.move(model, .approve(note: ""), service: service, by: name, auditActor: system,
                                message: "Checked against the registry through shared information.", on: tx)
        }
        try await issueCertificate(id: id, service: service, by: system, actorName: name, issuedAt: issuedAt, on: db)
    }

    /// Submits drafts whose fee has been paid since the applicant asked to submit them.
    func completePaidSubmissions() async throws {
        let drafts = try await CivilApplicationModel.query(on: db).filter(\.$state == ApplicationState.draft.rawValue).filter(\.$paymentID != nil).all()
        for draft in drafts {
            guard let paymentID = draft.paymentID, let payment = try await payment(paymentID), payment.status == .paid,
                  let account = try await platform.identity.account(id: draft.applicantAccountID, on: db) else { continue }
            let applicant = platform.identity.actor(for: account, secondFactorVerified: false)
            do {
                _ = try await submit(id: draft.id!, consent: draft.consentGiven, by: applicant, requestID: nil)
            } catch let error as NaraError {
                platform.logger.notice("paid application not submitted", metadata: ["application": .string(draft.id!.uuidString), "error": .string(error.description)])
            }
        }
    }

    /// Issues the certificate of approved applications whose issuance failed after the approval
    /// committed (a restart, a storage error): approval and certificate end up together.
    func issuePendingCertificates() async throws {
        let approved = try await CivilApplicationModel.query(on: db).filter(\.$state == ApplicationState.approved.rawValue)
            .filter(\.$documentID == nil).filter(\.$updatedAt < clock.now().addingTimeInterval(-60)).all()
        for model in approved {
            let service = try await serviceOf(model.id!)
            guard service.issuesCertificate else { continue }
            do {
                try await issueCertificate(id: model.id!, service: service, by: .system("civil-services"), actorName: "Nara (automatic)")
            } catch {
                platform.logger.warning("certificate not issued", metadata: ["application": .string(model.id!.uuidString), "error": .string("\(error)")])
            }
        }
    }

    func answerSupplement(id: UUID, message: String, by actor: Actor, requestID: String?) async throws -> ApplicationView {
        _ = try await ownApplication(id, actor: actor)
        let service = try await serviceOf(id)
        let calendar = try await platform.calendar.calendar(on: db)
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            if let stopped = model.clockStoppedAt, let due = model.dueAt {
                model.dueAt = DueDates.resumed(due: due, stoppedAt: stopped, resumedAt: self.clock.now(), period: service.definition.period, calendar: calendar)
            }
            model.clockStoppedAt = nil
            try await self.move(model, .answerSupplement(message: message), service: service, by: actor.displayName,
                                auditActor: AuditActor(actor, requestID: requestID), message: message, on: tx)
        }
        return try await application(id: id, by: actor)
    }

    func withdraw(id: UUID, reason: String, by actor: Actor, requestID: String?) async throws -> ApplicationView {
        _ = try await ownApplication(id, actor: actor)
        let service = try await serviceOf(id)
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            model.clockStoppedAt = nil
            try await self.move(model, .withdraw(reason: trimmed), service: service, by: actor.displayName,
                                auditActor: AuditActor(actor, requestID: requestID), message: trimmed, on: tx)
            // A fee not yet paid is cancelled with the application.
            if let paymentID = model.paymentID, let payment = try await PaymentModel.find(paymentID, on: tx), payment.status == PaymentStatus.pending.rawValue {
                payment.status = PaymentStatus.cancelled.rawValue
                try await payment.save(on: tx)
            }
        }
        return try await application(id: id, by: actor)
    }

    func fileObjection(id: UUID, grounds: String, by actor: Actor, requestID: String?) async throws -> ApplicationView {
        _ = try await ownApplication(id, actor: actor)
        let service = try await serviceOf(id)
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            try await self.move(model, .fileObjection(grounds: grounds), service: service, by: actor.displayName,
                                auditActor: AuditActor(actor, requestID: requestID), message: grounds, on: tx)
        }
        return try await application(id: id, by: actor)
    }

    // MARK: Agency

    /// Applies an official's event (receive, review, supplement, transfer, approve, reject,
    /// decide an objection) to an application handled by their agency.
    func act(id: UUID, _ event: ApplicationEvent, by actor: Actor, requestID: String?) async throws -> ApplicationView {
        let current = try await handledApplication(id, actor: actor)
        let service = try await serviceOf(id)
        let auditActor = AuditActor(actor, requestID: requestID)
        var target: AgencySummary?
        switch event {
        case .transfer(let agencyID, _):
            guard let agency = try await platform.identity.agency(id: agencyID, on: db), agency.active else {
                throw NaraError.validation([FieldError(field: "agency", code: "unknown", message: "Choose an agency from the list.")])
            }
            target = agency
        case .submit, .answerSupplement, .withdraw, .fileObjection, .issueCertificate:
            throw NaraError.forbidden("Only the applicant can do this.")
        default:
            break
        }
        let message = Self.message(for: event, transferTarget: target)
        // Effects on the registries happen inside the same transaction as the approval.
        let effect = try await registryEffectIfAny(event, for: current, service: service, auditActor: auditActor)
        try await db.transaction { tx in
            let model = try await self.lock(id, on: tx)
            guard model.agencyID == current.agencyID else { throw NaraError(.conflict, code: .illegalTransition, "The application moved meanwhile; reload.") }
            try await self.decide(model, event, service: service, by: actor.displayName, auditActor: auditActor, message: message, effect: effect, on: tx)
        }
        if case .approve = event, service.definition.issuesCertificate {
            try await issueCertificate(id: id, service: service, by: auditActor, actorName: actor.displayName)
        }
        // Access was checked above; after a transfer the answer is the last view this agency gets.
        guard let updated = try await CivilApplicationModel.find(id, on: db) else { throw NaraError.notFound("The application") }
        return try await view(updated)
    }

    /// What an agency's event tells the applicant.
    static func message(for event: ApplicationEvent, transferTarget: AgencySummary?) -> String {
        switch event {
        case .requestSupplement(let text): return text
        case .transfer(_, let reason): return "Transferred to \(transferTarget?.nameEN ?? "") (\(transferTarget?.nameKO ?? "")): \(reason)"
        case .approve(let note): return note
        case .reject(let reasons, let howToObject): return reasons + "\n\n" + howToObject
        case .decideObjection(let accepted, let reasons):
            return (accepted ? "Objection accepted; the application is decided again. " : "Objection dismissed. ") + reasons
        default: return ""
        }
    }

    /// The registry change an approval causes (move-in, business registration), prepared outside
    /// the transaction and run inside it; nil for other events and services.
    func registryEffectIfAny(_ event: ApplicationEvent, for model: CivilApplicationModel, service: ServiceSummary, auditActor: AuditActor,
                             on database: (any Database)? = nil) async throws -> (@Sendable (any Database) async throws -> String)? {
        guard case .approve = event, service.definition.fulfilment == .moveIn || service.definition.fulfilment == .businessRegistration else { return nil }
        return try await registryEffect(for: model, service: service, auditActor: auditActor, on: database)
    }

    /// An agency's decision inside its transaction: the registry effect, the decision's fields,
    /// the state machine and its record, and the new agency of a transfer.
    func decide(_ model: CivilApplicationModel, _ event: ApplicationEvent, service: ServiceSummary, by actorDisplay: String, auditActor: AuditActor,
                message: String, effect: (@Sendable (any Database) async throws -> String)?, on tx: any Database) async throws {
        var text = message
        if let effect {
            let outcome = try await effect(tx)
            model.outcome = outcome
            text = [message, outcome].filter { !$0.isEmpty }.joined(separator: "\n")
        }
        switch event {
        case .requestSupplement:
            model.clockStoppedAt = clock.now()
        case .reject(let reasons, let howToObject):
            model.decisionReasons = reasons.trimmingCharacters(in: .whitespacesAndNewlines)
            model.howToObject = howToObject.trimmingCharacters(in: .whitespacesAndNewlines)
            model.decidedAt = clock.now()
        case .approve:
            model.decidedAt = clock.now()
        case .decideObjection(let accepted, _):
            model.objectionAccepted = accepted
        default:
            break
        }
        let from = model.agencyID
        try await move(model, event, service: service, by: actorDisplay, auditActor: auditActor, message: text, on: tx, fromAgency: from)
        // The agency changes once the machine has accepted the transfer.
        if case .transfer(let agencyID, _) = event {
            model.agencyID = agencyID
            model.transfers += 1
            try await model.save(on: tx)
        }
    }

    /// Refunds the fee of a rejected (or withdrawn) paid application.
    func refund(id: UUID, reason: String, by actor: Actor, requestID: String?) async throws -> ApplicationView {
        let model = try await handledApplication(id, actor: actor)
        let finallyRefused = [ApplicationState.rejected, .withdrawn].contains(ApplicationState(rawValue: model.state))
            || (model.state == ApplicationState.objectionDecided.rawValue && model.objectionAccepted != true)
        guard finallyRefused else {
            throw NaraError(.conflict, code: .illegalTransition, "Only the fee of a rejected or withdrawn application is refunded.")
        }
        guard let paymentID = model.paymentID else { throw NaraError(.conflict, code: .illegalTransition, "This application had no fee.") }
        try await db.transaction { tx in
            _ = try await self.platform.payments.refund(paymentID: paymentID, reason: reason, by: AuditActor(actor, requestID: requestID), on: tx)
            try await self.notify(model, titleEN: "Fee refunded", titleKO: "수수료 환불",
                                  body: "The fee of your application \(model.receiptNumber ?? "") was refunded: \(reason)", on: tx)
        }
        return try await application(id: id, by: actor)
    }

    func queue(agencyID: UUID, by actor: Actor) async throws -> [QueueItem] {
        try AccessPolicy.require(actor, CivilServicesModule.processPermission, on: .agency(agencyID))
        let waiting = ApplicationState.allCases.filter { $0.waitsForAgency || $0 == .supplementRequested || $0 == .objectionDecided }.map(\.rawValue)
        let models = try await CivilApplicationModel.query(on: db).filter(\.$agencyID == agencyID).filter(\.$state ~~ waiting).all()
        return try await queueItems(models.filter(Self.waitsForAgency))
    }

    func queueItems(_ models: [CivilApplicationModel]) async throws -> [QueueItem] {
        let services = Dictionary(uniqueKeysWithValues: try await CivilServiceModel.query(on: db).all().map { ($0.id!, $0) })
        let now = clock.now()
        var items: [QueueItem] = []
        for model in models {
            let applicant = try await platform.identity.account(id: model.applicantAccountID, on: db)
            let state = ApplicationState(rawValue: model.state) ?? .draft
            items.append(QueueItem(id: model.id!, receiptNumber: model.receiptNumber ?? "", serviceNameEN: services[model.serviceID]?.nameEN ?? "",
                                   serviceNameKO: services[model.serviceID]?.nameKO ?? "", applicantName: applicant?.displayName ?? "",
                                   state: state, submittedAt: model.submittedAt ?? model.createdAt, dueAt: model.dueAt,
                                   clockStopped: model.clockStoppedAt != nil, overdue: Self.isOverdue(model, now: now)))
        }
        // Sorted by due date, soonest (and overdue) first; a stopped clock waits for the applicant.
        return items.sorted { ($0.clockStopped ? 1 : 0, $0.dueAt ?? .distantFuture) < ($1.clockStopped ? 1 : 0, $1.dueAt ?? .distantFuture) }
    }

    /// An application the agency must act on; an objection it accepted waits for a new decision.
    static func waitsForAgency(_ model: CivilApplicationModel) -> Bool {
        guard let state = ApplicationState(rawValue: model.state) else { return false }
        if state == .objectionDecided { return model.objectionAccepted == true }
        return state.waitsForAgency || state == .supplementRequested
    }

    static func isOverdue(_ model: CivilApplicationModel, now: Date) -> Bool {
        guard let due = model.dueAt, model.clockStoppedAt == nil, let state = ApplicationState(rawValue: model.state), state.clockRuns else { return false }
        return now > due
    }

    // MARK: Reading

    func applications(accountID: UUID) async throws -> [CivilApplicationModel] {
        try await CivilApplicationModel.query(on: db).filter(\.$applicantAccountID == accountID).sort(\.$updatedAt, .descending).all()
    }

    /// The applicant's or the handling agency's view; anyone else gets "not found".
    func application(id: UUID, by actor: Actor) async throws -> ApplicationView {
        guard let model = try await CivilApplicationModel.find(id, on: db) else { throw NaraError.notFound("The application") }
        let isApplicant = actor.accountID == model.applicantAccountID
        // A draft is the applicant's alone until it is submitted.
        let isAgency = model.state != ApplicationState.draft.rawValue
            && AccessPolicy.decide(actor, CivilServicesModule.processPermission, on: .agency(model.agencyID)).isAllowed
        guard isApplicant || isAgency else { throw NaraError.notFound("The application") }
        return try await view(model)
    }

    func view(_ model: CivilApplicationModel) async throws -> ApplicationView {
        let service = try await serviceOf(model.id!)
        let agency = try await platform.identity.agency(id: model.agencyID, on: db)
        let applicant = try await platform.identity.account(id: model.applicantAccountID, on: db)
        let events = try await CivilApplicationEventModel.query(on: db).filter(\.$applicationID == model.id!).sort(\.$at).all()
        let attachments = try await CivilAttachmentModel.query(on: db).filter(\.$applicationID == model.id!).sort(\.$uploadedAt).all()
        let evidence = try evidenceUsed(model)
        var payment: PaymentSummary?
        if let paymentID = model.paymentID { payment = try await self.payment(paymentID) }
        return ApplicationView(
            id: model.id!, receiptNumber: model.receiptNumber, service: service, applicantAccountID: model.applicantAccountID,
            applicantName: applicant?.displayName ?? "", agencyID: model.agencyID, agencyNameEN: agency?.nameEN ?? "", agencyNameKO: agency?.nameKO ?? "",
            state: ApplicationState(rawValue: model.state) ?? .draft, inputs: try open(model.inputsCipher), evidence: evidence,
            createdAt: model.createdAt, submittedAt: model.submittedAt, dueAt: model.dueAt, clockStoppedAt: model.clockStoppedAt,
            overdue: Self.isOverdue(model, now: clock.now()), transfers: model.transfers, payment: payment,
            documentID: model.documentID, documentNumber: model.documentNumber, decidedAt: model.decidedAt, decisionReasons: model.decisionReasons,
            howToObject: model.howToObject, objectionAccepted: model.objectionAccepted, outcome: model.outcome,
            events: events.map { ApplicationEventView(at: $0.at, actor: $0.actorDisplay, event: $0.event, fromState: ApplicationState(rawValue: $0.fromState) ?? .draft,
                                                      toState: ApplicationState(rawValue: $0.toState) ?? .draft, message: $0.message) },
            attachments: attachments.map { AttachmentView(id: $0.id!, requirementKey: $0.requirementKey, fileID: $0.fileID, fileName: $0.fileName, uploadedAt: $0.uploadedAt) })
    }

    /// An attachment's file, for the applicant or the handling agency.
    func attachment(applicationID: UUID, attachmentID: UUID, by actor: Actor) async throws -> StoredFile {
        _ = try await application(id: applicationID, by: actor)
        guard let attachment = try await CivilAttachmentModel.find(attachmentID, on: db), attachment.applicationID == applicationID,
              let file = try await platform.files.file(id: attachment.fileID, on: db) else {
            throw NaraError.notFound("The attachment")
        }
        return file
    }

    // MARK: Internals

    /// Takes the row lock first (PostgreSQL row lock, SQLite write lock) so that two officials
    /// acting at once cannot both move the same application.
    func lock(_ id: UUID, on tx: any Database) async throws -> CivilApplicationModel {
        try await tx.lockRow(CivilApplicationModel.schema, id: id)
        guard let model = try await CivilApplicationModel.find(id, on: tx) else { throw NaraError.notFound("The application") }
        return model
    }

    /// Applies the event through the state machine, records it, tells the applicant and audits.
    func move(_ model: CivilApplicationModel, _ event: ApplicationEvent, service: ServiceSummary, by actorDisplay: String, auditActor: AuditActor,
              message: String, on tx: any Database, fromAgency: UUID? = nil) async throws {
        let from = ApplicationState(rawValue: model.state) ?? .draft
        let facts = ApplicationFacts(transfers: model.transfers, maxTransfers: maxTransfers, issuesCertificate: service.issuesCertificate,
                                     currentAgency: fromAgency ?? model.agencyID, objectionAccepted: model.objectionAccepted, decidedAt: model.decidedAt,
                                     objectionDays: Self.objectionDays, now: clock.now())
        let to: ApplicationState
        do { to = try ApplicationMachine.apply(event, to: from, facts: facts) } catch { throw error.naraError }
        model.state = to.rawValue
        model.updatedAt = clock.now()
        try await model.save(on: tx)
        let record = CivilApplicationEventModel()
        record.id = UUID()
        record.applicationID = model.id!
        record.at = clock.now()
        record.actorName = auditActor.name
        record.actorDisplay = actorDisplay
        record.event = event.name
        record.fromState = from.rawValue
        record.toState = to.rawValue
        record.message = message
        record.agencyID = fromAgency ?? model.agencyID
        try await record.create(on: tx)
        try await platform.audit.append(AuditRecord(action: "civil.application.\(event.name)", objectType: "civil_application",
                                                    objectID: model.receiptNumber ?? model.id!.uuidString.lowercased(),
                                                    subjectRef: platform.audit.subjectRef(accountID: model.applicantAccountID),
                                                    detail: "\(from.rawValue) → \(to.rawValue)"), by: auditActor, on: tx)
        if from != .draft || to != .draft {
            try await notify(model, titleEN: to.title.en, titleKO: to.title.ko,
                             body: "\(service.nameKO) (\(service.nameEN)) \(model.receiptNumber ?? ""): \(to.title.ko) / \(to.title.en)"
                                + (message.isEmpty ? "" : "\n\n" + message), on: tx)
        }
    }

    func notify(_ model: CivilApplicationModel, titleEN: String, titleKO: String, body: String, on tx: any Database) async throws {
        try await platform.notifications.notify(accountID: model.applicantAccountID, module: Self.module,
                                                title: "[\(model.receiptNumber ?? "민원")] \(titleKO) / \(titleEN)", body: body,
                                                link: "/civil/applications/\(model.id!.uuidString.lowercased())", on: tx)
    }

    func issueCertificate(id: UUID, service: ServiceSummary, by auditActor: AuditActor, actorName: String,
                          issuedAt: Date? = nil, on database: (any Database)? = nil) async throws {
        guard let spec = service.definition.certificate else { return }
        let db = database ?? self.db
        guard let model = try await CivilApplicationModel.find(id, on: db) else { throw NaraError.notFound("The application") }
        let applicant = try await platform.identity.account(id: model.applicantAccountID, on: db)
        let inputs = try open(model.inputsCipher)
        let evidence = try evidenceUsed(model)
        let content = CertificateContent.build(service: service.definition, inputs: inputs, evidence: evidence, outcome: model.outcome,
                                               applicantName: applicant?.displayName ?? "", applicantIdentifier: applicant?.nationalIDMasked ?? applicant?.businessNumber ?? "")
        var request = DocumentIssueRequest(module: Self.module, documentType: spec.documentType, titleEN: spec.titleEN, titleKO: spec.titleKO,
                                           agencyID: model.agencyID, holderAccountID: model.applicantAccountID,
                                           subjectRef: platform.audit.subjectRef(accountID: model.applicantAccountID),
                                           subjectName: content.subjectName, subjectIdentifier: content.subjectIdentifier, facts: content.facts,
                                           validDays: spec.validDays, sourceReference: model.receiptNumber)
        request.issuedAt = issuedAt
        // Rendering and signing happen before the write transaction; the record and the state change commit together.
        let prepared = try await platform.documents.prepare(request, on: db)
        try await db.transaction { tx in
            let current = try await self.lock(id, on: tx)
            let document = try await self.platform.documents.record(prepared, by: auditActor, on: tx)
            current.documentID = document.id
            current.documentNumber = document.number
            try await self.move(current, .issueCertificate, service: service, by: actorName, auditActor: auditActor,
                                message: "\(spec.titleKO) / \(spec.titleEN): \(IssuanceNumber.formatted(document.number))", on: tx)
        }
    }

    func registryEffect(for model: CivilApplicationModel, service: ServiceSummary, auditActor: AuditActor,
                        on database: (any Database)? = nil) async throws -> @Sendable (any Database) async throws -> String {
        let db = database ?? self.db
        guard let registry = platform.contracts.first((any RegistryChangeService).self) else {
            throw NaraError(.unavailable, code: .unavailable, "The registries are not installed on this platform.")
        }
        guard let account = try await AccountModel.find(model.applicantAccountID, on: db), let idCipher = account.nationalIDCipher else {
            throw NaraError(.unprocessable, code: "civil_no_national_id", "The applicant's account has no resident registration number.")
        }
        let nationalID = try NationalID(try platform.nationalIDCipher.openString(idCipher))
        let inputs = try open(model.inputsCipher)
        let receipt = model.receiptNumber ?? ""
        switch service.definition.fulfilment {
        case .moveIn:
            let address = inputs["newAddress"] ?? "", postal = inputs["postalCode"] ?? "", day = inputs["moveInDate"] ?? ""
            return { tx in
                let registered = try await registry.recordMoveIn(nationalID: nationalID, address: address, postalCode: postal, movedInOn: day,
                                                                 reason: "Move-in report \(receipt)", by: auditActor, on: tx)
                return "Resident registry address: \(registered)"
            }
        case .businessRegistration:
            let registration = BusinessRegistration(name: inputs["businessName"] ?? "", representativeName: account.displayName,
                                                    representativeNationalID: nationalID, address: inputs["businessAddress"] ?? "",
                                                    industryCode: inputs["industryCode"] ?? "", openedOn: inputs["openingDate"] ?? "")
            return { tx in
                let number = try await registry.registerBusiness(registration, by: auditActor, on: tx)
                return "Business registration number: \(number)"
            }
        default:
            return { _ in "" }
        }
    }

    private func lookUpEvidence(_ definition: ServiceDefinition, model: CivilApplicationModel, actor: Actor, requestID: String?) async throws -> [EvidenceUsed] {
        guard !definition.evidence.isEmpty else { return [] }
        guard let exchange = platform.contracts.first((any EvidenceService).self) else {
            throw NaraError(.unavailable, code: .unavailable, "Shared information is not installed; the evidence cannot be looked up.")
        }
        guard let agency = try await platform.identity.agency(id: model.agencyID, on: db) else { throw NaraError.notFound("The agency") }
        let catalogue = exchange.catalogue()
        var used: [EvidenceUsed] = []
        let purpose = "Civil application: \(definition.nameEN)"
        for item in definition.evidence {
            guard let type = catalogue.first(where: { $0.code == item.informationType }) else {
                throw NaraError(.unavailable, code: .unavailable, "\(item.labelEN) cannot be looked up on this platform.")
            }
            let subject: ExchangeSubject
            switch type.subjectKind {
            case .person:
                guard let id = try await platform.identity.ownNationalID(of: actor, on: db) else {
                    throw NaraError.validation([FieldError(field: "consent", code: "no_subject", message: "Your account has no resident registration number to look \(item.labelEN) up with.")])
                }
                subject = ExchangeSubject(.person(id))
            case .business:
                guard let number = try await platform.identity.account(id: model.applicantAccountID, on: db)?.businessNumber,
                      let business = try? BusinessNumber(number) else {
                    throw NaraError.validation([FieldError(field: "consent", code: "no_subject", message: "Only a business account can look \(item.labelEN) up.")])
                }
                subject = ExchangeSubject(.business(business))
            }
            // A statute basis when the agency holds one, otherwise the applicant's consent, recorded now.
            var consentReference: String?
            var basis = LegalBasis.sharedUseByStatute.code
            if type.legalBases.contains(where: \.requiresConsent), type.subjectKind == .person {
                basis = LegalBasis.sharedUseWithConsent.code
                consentReference = try await exchange.recordConsent(accountID: model.applicantAccountID, consumerAgencyCode: agency.code,
                                                                    informationType: type.code, purpose: purpose,
                                                                    validUntil: platform.calendar.today.adding(days: 30),
                                                                    by: AuditActor(actor, requestID: requestID), on: db)
            }
            let requester = EvidenceRequester(agencyID: agency.id, actorName: "system:civil-services", displayName: "Government24 — \(agency.nameEN)",
                                              systemID: nil)
            let response: EvidenceResponse
            do {
                response = try await exchange.evidence(EvidenceRequest(requester: requester, informationType: type.code, subject: subject, purpose: purpose,
                                                                       legalBasis: basis, consentReference: consentReference, correlationID: requestID))
            } catch let error as NaraError {
                throw NaraError(.unprocessable, code: error.code, "\(item.labelEN) could not be looked up: \(error.message)")
            }
            used.append(EvidenceUsed(informationType: type.code, providerAgencyCode: response.providerAgencyCode, messageID: response.messageID,
                                     consentReference: consentReference, fields: response.data))
        }
        return used
    }

    private func payment(_ id: UUID) async throws -> PaymentSummary? {
        guard let model = try await PaymentModel.find(id, on: db) else { return nil }
        return PaymentSummary(model)
    }

    func serviceOf(_ applicationID: UUID, on database: (any Database)? = nil) async throws -> ServiceSummary {
        let db = database ?? self.db
        guard let model = try await CivilApplicationModel.find(applicationID, on: db),
              let service = try await CivilServiceModel.find(model.serviceID, on: db) else { throw NaraError.notFound("The application") }
        return try await summaries([service], on: db)[0]
    }

    private func ownApplication(_ id: UUID, actor: Actor) async throws -> CivilApplicationModel {
        guard let accountID = actor.accountID, let model = try await CivilApplicationModel.find(id, on: db), model.applicantAccountID == accountID else {
            throw NaraError.notFound("The application")
        }
        try AccessPolicy.require(actor, .selfService, on: .ownedBy(accountID: model.applicantAccountID))
        return model
    }

    private func handledApplication(_ id: UUID, actor: Actor) async throws -> CivilApplicationModel {
        guard let model = try await CivilApplicationModel.find(id, on: db) else { throw NaraError.notFound("The application") }
        guard model.state != ApplicationState.draft.rawValue,
              AccessPolicy.decide(actor, CivilServicesModule.processPermission, on: .agency(model.agencyID)).isAllowed else {
            if actor.accountID == model.applicantAccountID { throw NaraError.forbidden("Only the handling agency can do this.") }
            throw NaraError.notFound("The application")
        }
        return model
    }

    func evidenceUsed(_ model: CivilApplicationModel) throws -> [EvidenceUsed] {
        guard let sealed = model.evidenceCipher else { return [] }
        return try JSONDecoder().decode([EvidenceUsed].self, from: Data(try cipher.openString(sealed).utf8))
    }

    func seal(_ value: some Encodable) throws -> String {
        try cipher.sealString(String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
    }

    func open(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(try cipher.openString(text).utf8))
    }
}
