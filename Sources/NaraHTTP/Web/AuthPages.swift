import Foundation
import HTTPTypes
import Hummingbird
import NaraCore

struct LoginPage: Sendable {
    let username: FieldModel
    let password: FieldModel
    let returnTo: String
    let message: String?
    let errorSummary: ErrorSummaryModel?
}

struct SecondFactorPage: Sendable {
    let code: FieldModel
    let returnTo: String
    let errorSummary: ErrorSummaryModel?
}

struct RegisterPage: Sendable {
    let kinds: [OptionModel]
    let fields: [FieldModel]
    let businessFields: [FieldModel]
    let errorSummary: ErrorSummaryModel?
}

/// Sign-in with password and second factor, sign-out, and self-registration.
enum AuthPages {
    static func register(_ routes: RouteRegistry, portal: Portal) {
        routes.web(.get, "/login") { request, context in
            if let actor = context.actor { return .redirect(safeReturn(request.uri.queryParameters.get("return"), kind: actor.accountKind)) }
            return loginPage(request, context, portal, username: "", errors: [], message: nil, status: .ok)
        }
        routes.web(.post, "/login") { request, context in try await login(request, context, portal) }
        routes.web(.get, "/login/second-factor") { request, context in
            guard let session = context.session, session.awaitingSecondFactor else { return .redirect("/login") }
            return secondFactorPage(request, context, portal, errors: [], status: .ok)
        }
        routes.web(.post, "/login/second-factor") { request, context in try await secondFactor(request, context, portal) }
        routes.web(.post, "/logout") { request, context in
            if let session = context.session {
                try await portal.platform.identity.revokeSession(id: session.id, by: context.auditActor, on: portal.platform.db)
            }
            return .redirect("/?notice=signed_out", cookies: [portal.expiredCookieHeader(name: PlatformContextMiddleware.sessionCookie)])
        }
        routes.web(.get, "/register") { request, context in
            registerPage(request, context, portal, form: FormFields(), errors: [], status: .ok)
        }
        routes.web(.post, "/register") { request, context in try await registerAccount(request, context, portal) }
    }

    /// Only local paths are followed after sign-in; without one, each kind of account lands on its home.
    static func safeReturn(_ raw: String?, kind: AccountKind? = nil) -> String {
        guard let raw = raw?.removingPercentEncoding ?? raw, LocalPath.isSafe(raw) else {
            switch kind {
            case .official: return "/workspace"
            case .operator: return "/console"
            default: return "/my"
            }
        }
        return raw
    }

    /// The return path carried through the sign-in forms (empty when none was asked for).
    static func requestedReturn(_ request: Request, _ context: NaraRequestContext) -> String {
        let raw = context.form["return"] ?? request.uri.queryParameters.get("return")
        guard let raw, !raw.isEmpty else { return "" }
        return safeReturn(raw)
    }

    static func loginPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, username: String, errors: [FieldError],
                          message: String?, status: HTTPResponse.Status) -> Response {
        let r = portal.renderer
        let language = context.language
        let localized = r.localized(errors, language)
        let page = LoginPage(
            username: FieldModel(name: "username", label: r.text("field_username", language), value: username, errors: localized, autocomplete: "username"),
            password: FieldModel(name: "password", label: r.text("field_password", language), type: "password", errors: localized, autocomplete: "current-password"),
            returnTo: requestedReturn(request, context),
            message: message, errorSummary: ErrorSummaryModel(localized))
        return r.render(Page("login", title: r.text("login_title", language), model: page, status: status), request: request, context: context)
    }

    static func login(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        let r = portal.renderer
        let language = context.language
        let username = context.form["username"] ?? ""
        let password = context.form["password"] ?? ""
        var errors: [FieldError] = []
        if username.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(FieldError(field: "username", code: "required", message: "Enter your user name.")) }
        if password.isEmpty { errors.append(FieldError(field: "password", code: "required", message: "Enter your password.")) }
        if !errors.isEmpty { return loginPage(request, context, portal, username: username, errors: errors, message: nil, status: .unprocessableContent) }
        let requested = context.form["return"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            let outcome = try await portal.platform.identity.login(username: username, password: password, address: context.clientAddress,
                                                                   userAgent: request.headers[.userAgent] ?? "", requestID: context.requestID,
                                                                   on: portal.platform.db)
            switch outcome {
            case .signedIn(let token, let session):
                return .redirect(safeReturn(requested, kind: session.account.kind), cookies: [sessionCookie(portal, token)])
            case .needsSecondFactor(let token, let session):
                let target = safeReturn(requested, kind: session.account.kind)
                return .redirect("/login/second-factor?return=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"),
                                 cookies: [sessionCookie(portal, token)])
            }
        } catch let error as NaraError {
            switch error.kind {
            case .unauthorized:
                return loginPage(request, context, portal, username: username, errors: [], message: r.text("login_failed", language), status: .unauthorized)
            case .tooManyRequests(let seconds):
                var response = loginPage(request, context, portal, username: username, errors: [],
                                         message: r.text("login_throttled", language).replacingOccurrences(of: "{minutes}", with: String(max(1, (seconds + 59) / 60))),
                                         status: .tooManyRequests)
                response.headers[.retryAfter] = String(seconds)
                return response
            case .forbidden:
                return loginPage(request, context, portal, username: username, errors: [], message: r.text("login_no_second_factor", language), status: .forbidden)
            default:
                throw error
            }
        }
    }

    static func sessionCookie(_ portal: Portal, _ token: String) -> String {
        portal.cookieHeader(name: PlatformContextMiddleware.sessionCookie, value: token, maxAge: portal.platform.configuration.sessionAbsoluteHours * 3600)
    }

    static func secondFactorPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, errors: [FieldError], status: HTTPResponse.Status) -> Response {
        let r = portal.renderer
        let language = context.language
        let localized = r.localized(errors, language)
        let page = SecondFactorPage(
            code: FieldModel(name: "code", label: r.text("second_factor_code", language), type: "text", hint: r.text("second_factor_hint", language),
                             errors: localized, autocomplete: "one-time-code"),
            returnTo: requestedReturn(request, context),
            errorSummary: ErrorSummaryModel(localized))
        return r.render(Page("second-factor", title: r.text("second_factor_title", language), model: page, status: status), request: request, context: context)
    }

    static func secondFactor(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        guard let session = context.session, session.awaitingSecondFactor else { return .redirect("/login") }
        let code = (context.form["code"] ?? "").filter { !$0.isWhitespace }
        let token: String
        do {
            (token, _) = try await portal.platform.identity.verifySecondFactor(sessionID: session.id, code: code, address: context.clientAddress,
                                                                                   requestID: context.requestID, on: portal.platform.db)
        } catch let error as NaraError where error.kind == .unprocessable {
            return secondFactorPage(request, context, portal, errors: error.fieldErrors, status: .unprocessableContent)
        } catch let error as NaraError where error.kind == .unauthorized {
            return .redirect("/login?notice=second_factor_failed", cookies: [portal.expiredCookieHeader(name: PlatformContextMiddleware.sessionCookie)])
        }
        // The session got a new token with its new privileges; the cookie follows.
        return .redirect(safeReturn(context.form["return"].flatMap { $0.isEmpty ? nil : $0 }, kind: session.account.kind),
                         cookies: [sessionCookie(portal, token)])
    }

    static let registerFieldNames = ["username", "password", "displayName", "nationalId", "email", "phone"]

    static func registerPage(_ request: Request, _ context: NaraRequestContext, _ portal: Portal, form: FormFields, errors: [FieldError],
                             status: HTTPResponse.Status) -> Response {
        let r = portal.renderer
        let language = context.language
        let localized = r.localized(errors, language)
        let kind = form["kind"] ?? "citizen"
        let fields = [
            FieldModel(name: "username", label: r.text("field_username", language), value: form["username"] ?? "", hint: r.text("hint_username", language),
                       errors: localized, autocomplete: "username"),
            FieldModel(name: "password", label: r.text("field_password", language), type: "password", hint: r.text("hint_password", language),
                       errors: localized, autocomplete: "new-password"),
            FieldModel(name: "displayName", label: r.text("field_display_name", language), value: form["displayName"] ?? "", errors: localized, autocomplete: "name"),
            FieldModel(name: "nationalId", label: r.text("field_national_id", language), value: "", hint: r.text("hint_national_id", language),
                       errors: localized, autocomplete: "off", required: kind == "citizen"),
            FieldModel(name: "email", label: r.text("field_email", language), type: "email", value: form["email"] ?? "", errors: localized,
                       autocomplete: "email", required: false),
            FieldModel(name: "phone", label: r.text("field_phone", language), type: "tel", value: form["phone"] ?? "", errors: localized,
                       autocomplete: "tel", required: false),
        ]
        let businessFields = [
            FieldModel(name: "businessNumber", label: r.text("field_business_number", language), value: form["businessNumber"] ?? "",
                       hint: r.text("hint_business_number", language), errors: localized, autocomplete: "off", required: false),
            FieldModel(name: "businessName", label: r.text("field_business_name", language), value: form["businessName"] ?? "", errors: localized,
                       autocomplete: "organization", required: false),
        ]
        let kinds = ["citizen", "business"].map { OptionModel(value: $0, label: r.text("register_kind_\($0)", language), selected: $0 == kind) }
        let page = RegisterPage(kinds: kinds, fields: fields, businessFields: businessFields, errorSummary: ErrorSummaryModel(localized))
        return r.render(Page("register", title: r.text("register_title", language), model: page, status: status), request: request, context: context)
    }

    static func registerAccount(_ request: Request, _ context: NaraRequestContext, _ portal: Portal) async throws -> Response {
        let form = context.form
        let kind: AccountKind
        switch form["kind"] {
        case "citizen": kind = .citizen
        case "business": kind = .business
        default:
            return registerPage(request, context, portal, form: form,
                                errors: [FieldError(field: "kind", code: "required", message: "Choose whether you register as a citizen or a business.")],
                                status: .unprocessableContent)
        }
        let input = NewAccount(username: form["username"] ?? "", password: form["password"] ?? "", displayName: form["displayName"] ?? "",
                               kind: kind, nationalID: form["nationalId"], businessNumber: kind == .business ? form["businessNumber"] : nil,
                               businessName: kind == .business ? form["businessName"] : nil, email: form["email"], phone: form["phone"],
                               locale: context.language.rawValue)
        do {
            _ = try await portal.platform.identity.register(input, address: context.clientAddress, notifications: portal.platform.notifications,
                                                            on: portal.platform.db)
        } catch let error as NaraError where error.kind == .unprocessable {
            return registerPage(request, context, portal, form: form, errors: error.fieldErrors, status: .unprocessableContent)
        }
        return .redirect("/login?notice=registered")
    }
}

extension PageRenderer {
    /// Field errors in the page language: a catalogue text per error code, else the original message.
    public func localized(_ errors: [FieldError], _ language: Language) -> [FieldError] {
        guard language != .english else { return errors }
        return errors.map { error in
            let key = "err_" + error.code
            let text = self.text(key, language)
            return FieldError(field: error.field, code: error.code, message: text == key ? error.message : text)
        }
    }
}
