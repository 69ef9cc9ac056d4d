import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NaraCore
import NIOConcurrencyHelpers

/// What the shared layout needs on every page.
public struct LayoutModel: Sendable {
    public struct NavItem: Sendable {
        let title: String
        let path: String
        let current: Bool
    }

    public struct LanguageLink: Sendable {
        let code: String
        let name: String
        let href: String
        let current: Bool
    }

    public struct UserChip: Sendable {
        let name: String
        let role: String
    }

    let lang: String
    let title: String
    let csrf: String
    let user: UserChip?
    let nav: [NavItem]
    let languages: [LanguageLink]
    let notice: String?
    let path: String
}

/// A page to render: template name, title and view model.
public struct Page<Model: Sendable>: Sendable {
    public let template: String
    public let title: String
    public let model: Model
    public var status: HTTPResponse.Status

    public init(_ template: String, title: String, model: Model, status: HTTPResponse.Status = .ok) {
        self.template = template
        self.title = title
        self.model = model
        self.status = status
    }
}

struct RenderRoot: @unchecked Sendable {
    let layout: LayoutModel
    /// The page's view model as dictionaries and arrays (see `ViewTree`).
    let page: Any
    let t: [String: String]
}

/// Renders pages with swift-mustache inside the shared layout. Templates get view models, never
/// Fluent models, and every string through the message catalogue (`{{t.key}}`).
public final class PageRenderer: Sendable {
    let library: MustacheLibrary
    public let catalogue: MessageCatalogue
    private let tables: [Language: [String: String]]
    private let platform: Platform
    private let pageCache = NIOLockedValueBox<[String: ByteBuffer]>([:])

    init(platform: Platform, modules: [any NaraModule]) async throws {
        guard let resources = Self.resourcesDirectory else {
            throw NaraError(.internalError, code: .internalError, "the portal resources (templates, messages, styles) are missing from the build")
        }
        var library = try await MustacheLibrary(directory: resources.appendingPathComponent("Templates").path)
        guard library.getTemplate(named: "layout") != nil else {
            throw NaraError(.internalError, code: .internalError, "no templates found in \(resources.path)")
        }
        var catalogue = MessageCatalogue()
        try catalogue.load(directory: resources.appendingPathComponent("Messages"))
        for module in modules {
            if let directory = module.templatesDirectory {
                let moduleLibrary = try await MustacheLibrary(directory: directory.path)
                for name in Self.templateNames(in: directory) {
                    if let template = moduleLibrary.getTemplate(named: name) { library.register(template, named: "\(module.id)/\(name)") }
                }
            }
            for (language, table) in module.messages { catalogue.merge(table, language: language) }
        }
        self.library = library
        self.catalogue = catalogue
        self.tables = Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, catalogue.table($0)) })
        self.platform = platform
    }

    static func templateNames(in directory: URL) -> [String] {
        let items = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return items.filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(".mustache".count)) }
    }

    /// The copied `Resources` folder of this target (Foundation on Linux and on Apple platforms
    /// disagree on whether `resourceURL` already ends in `Resources`).
    static let resourcesDirectory: URL? = ModuleResources.directory(Bundle.module)

    public static var publicDirectory: String? { resourcesDirectory?.appendingPathComponent("Public").path }

    public func text(_ key: String, _ language: Language) -> String { tables[language]?[key] ?? key }

    /// A page that is the same for every visitor, rendered once per key and then served from memory.
    public func cached<Model: Sendable>(key: String, _ page: () async throws -> Page<Model>, request: Request, context: NaraRequestContext) async rethrows -> Response {
        let body: ByteBuffer
        if let hit = pageCache.withLockedValue({ $0[key] }) {
            body = hit
        } else {
            body = ByteBuffer(string: html(try await page(), request: request, context: context))
            pageCache.withLockedValue { $0[key] = body }
        }
        return htmlResponse(body, status: .ok, language: context.language)
    }

    public func table(_ language: Language) -> [String: String] { tables[language] ?? [:] }

    public func render<Model: Sendable>(_ page: Page<Model>, request: Request, context: NaraRequestContext) -> Response {
        htmlResponse(ByteBuffer(string: html(page, request: request, context: context)), status: page.status, language: context.language)
    }

    func html<Model: Sendable>(_ page: Page<Model>, request: Request, context: NaraRequestContext) -> String {
        let layout = layoutModel(title: page.title, request: request, context: context)
        let root = RenderRoot(layout: layout, page: ViewTree.convert(page.model), t: table(context.language))
        return library.render(root, withTemplate: page.template) ?? "template \(page.template) is missing"
    }

    func htmlResponse(_ body: ByteBuffer, status: HTTPResponse.Status, language: Language) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentLanguage] = language.rawValue
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    func layoutModel(title: String, request: Request, context: NaraRequestContext) -> LayoutModel {
        let language = context.language
        let path = request.uri.path
        var nav: [LayoutModel.NavItem] = [.init(title: text("nav_home", language), path: "/", current: path == "/")]
        nav.append(.init(title: text("nav_calendar", language), path: "/calendar", current: path.hasPrefix("/calendar")))
        nav.append(.init(title: text("nav_agencies", language), path: "/agencies", current: path.hasPrefix("/agencies")))
        var audiences: Set<MenuAudience> = [.everyone]
        if let actor = context.actor {
            nav.append(.init(title: text("nav_my", language), path: "/my", current: path.hasPrefix("/my")))
            if actor.permissions.contains(.agencyWorkspace) {
                nav.append(.init(title: text("nav_workspace", language), path: "/workspace", current: path.hasPrefix("/workspace")))
                audiences.insert(.officials)
            }
            if actor.permissions.contains(.adminAccounts) {
                nav.append(.init(title: text("nav_console", language), path: "/console", current: path.hasPrefix("/console")))
                audiences.insert(.operators)
            }
            if actor.accountKind == .citizen || actor.accountKind == .business { audiences.insert(.citizens) }
        }
        for entry in platform.menu(for: audiences) {
            nav.append(.init(title: entry.title.text(language), path: entry.path, current: path.hasPrefix(entry.path)))
        }
        let returnPath = request.uri.description.hasPrefix("/") ? request.uri.description : "/"
        let languages = Language.allCases.map { lang in
            LayoutModel.LanguageLink(code: lang.rawValue, name: lang.nativeName,
                                     href: "/language/\(lang.rawValue)?return=" + (returnPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"),
                                     current: lang == language)
        }
        let user = context.actor.map { actor in
            LayoutModel.UserChip(name: actor.displayName, role: text("kind_\(actor.accountKind?.rawValue ?? "system")", language))
        }
        let noticeKey = request.uri.queryParameters.get("notice").map { "notice_" + $0 }
        let notice = noticeKey.flatMap { key in tables[language]?[key] }
        return LayoutModel(lang: language.rawValue, title: title, csrf: context.csrfToken, user: user, nav: nav, languages: languages,
                           notice: notice, path: path)
    }

    struct ErrorPageModel: Sendable {
        let status: Int
        let heading: String
        let detail: String
        let requestID: String
        let signIn: Bool
    }

    func errorPage(_ problem: Problem, request: Request, context: NaraRequestContext) -> Response {
        let language = context.language
        let heading = tables[language]?["error_\(problem.status)"] ?? problem.title
        let model = ErrorPageModel(status: problem.status, heading: heading, detail: problem.detail, requestID: context.requestID,
                                   signIn: problem.status == 401)
        if problem.status == 401 && request.method == .get {
            let target = request.uri.description
            return .redirect("/login?return=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        var response = render(Page("error", title: heading, model: model, status: .init(code: problem.status)), request: request, context: context)
        if let retry = problem.retryAfter { response.headers[.retryAfter] = String(retry) }
        if !problem.allow.isEmpty { response.headers[.allow] = problem.allow.joined(separator: ", ") }
        return response
    }
}

/// View model of one form input, with its label, hint, value and error.
public struct FieldModel: Sendable {
    public let id: String
    public let name: String
    public let label: String
    public let type: String
    public let value: String
    public let hint: String?
    public let error: String?
    public let autocomplete: String?
    public let required: Bool
    public let describedBy: String?

    /// `idPrefix` keeps ids unique when a page has several forms with the same field names.
    public init(name: String, label: String, type: String = "text", value: String = "", hint: String? = nil, errors: [FieldError] = [],
                errorField: String? = nil, autocomplete: String? = nil, required: Bool = true, idPrefix: String = "") {
        self.id = "f-" + idPrefix + name
        self.name = name
        self.label = label
        self.type = type
        self.value = type == "password" ? "" : value
        self.hint = hint
        self.error = errors.first { $0.field == (errorField ?? name) }?.message
        self.autocomplete = autocomplete
        self.required = required
        var described: [String] = []
        if hint != nil { described.append("f-\(idPrefix)\(name)-hint") }
        if error != nil { described.append("f-\(idPrefix)\(name)-error") }
        self.describedBy = described.isEmpty ? nil : described.joined(separator: " ")
    }
}

public struct OptionModel: Sendable {
    public let value: String
    public let label: String
    public let selected: Bool

    public init(value: String, label: String, selected: Bool) {
        self.value = value
        self.label = label
        self.selected = selected
    }
}

/// The error summary at the top of a form: each message links to its field.
public struct ErrorSummaryModel: Sendable {
    public struct Item: Sendable {
        let href: String
        let message: String
    }
    public let items: [Item]

    public init?(_ errors: [FieldError], fieldNames: [String: String] = [:], idPrefix: String = "") {
        guard !errors.isEmpty else { return nil }
        items = errors.map { Item(href: "#f-" + idPrefix + (fieldNames[$0.field] ?? $0.field), message: $0.message) }
    }
}

/// A select box with its label and error.
public struct SelectModel: Sendable {
    public let id: String
    public let name: String
    public let label: String
    public let options: [OptionModel]
    public let error: String?

    public init(name: String, label: String, options: [OptionModel], errors: [FieldError] = [], idPrefix: String = "") {
        self.id = "f-" + idPrefix + name
        self.name = name
        self.label = label
        self.options = options
        self.error = errors.first { $0.field == name }?.message
    }
}

/// One form of a page: fields, selects and a submit button, posted to `action`.
public struct FormSection: Sendable {
    public let id: String
    public let title: String
    public let hint: String?
    public let action: String
    public let fields: [FieldModel]
    public let selects: [SelectModel]
    public let submit: String
    public let danger: Bool

    public init(id: String, title: String, hint: String? = nil, action: String, fields: [FieldModel], selects: [SelectModel] = [], submit: String,
                danger: Bool = false) {
        self.id = id
        self.title = title
        self.hint = hint
        self.action = action
        self.fields = fields
        self.selects = selects
        self.submit = submit
        self.danger = danger
    }
}

/// A table for generic pages: a caption, headers and rows of cells (a cell may link).
public struct TableModel: Sendable {
    public struct Cell: Sendable {
        public let text: String
        public let link: String?
        public init(_ text: String, link: String? = nil) {
            self.text = text
            self.link = link
        }
    }

    public struct Row: Sendable {
        public let cells: [Cell]
        public init(_ cells: [Cell]) { self.cells = cells }
    }

    public let id: String
    public let caption: String
    public let headers: [String]
    public let rows: [Row]
    public let empty: String
    public let hasRows: Bool

    public init(id: String, caption: String, headers: [String], rows: [Row], empty: String) {
        self.id = id
        self.caption = caption
        self.headers = headers
        self.rows = rows
        self.empty = empty
        self.hasRows = !rows.isEmpty
    }
}
