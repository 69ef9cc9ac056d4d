import Mustache

/// What a view model gives for a missing optional value. Mustache would otherwise look the name up
/// in the enclosing objects (a field without a hint would show its form's hint); this renders as
/// nothing, is false in sections and stops the look-up.
struct Absent: MustacheCustomRenderable {
    var renderText: String { "" }
    var isNull: Bool { true }
}

/// The value, or `Absent` when there is none.
func orAbsent(_ value: Any?) -> Any { value ?? Absent() }

// Lookups in templates go through Mirror unless a type answers them itself. The types on every
// page (the root, the layout, menus, cards, form fields) answer directly: rendering the shared
// layout is the hot path of every HTML response.

extension RenderRoot: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "t": return t
        case "page": return page
        case "layout": return layout
        default: return nil
        }
    }
}

extension LayoutModel: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "lang": return lang
        case "title": return title
        case "csrf": return csrf
        case "user": return orAbsent(user)
        case "nav": return nav
        case "languages": return languages
        case "notice": return orAbsent(notice)
        case "path": return path
        default: return nil
        }
    }
}

extension LayoutModel.NavItem: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "title": return title
        case "path": return path
        case "current": return current
        default: return nil
        }
    }
}

extension LayoutModel.LanguageLink: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "code": return code
        case "name": return self.name
        case "href": return href
        case "current": return current
        default: return nil
        }
    }
}

extension LayoutModel.UserChip: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "name": return self.name
        case "role": return role
        default: return nil
        }
    }
}

extension FieldModel: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "id": return id
        case "name": return self.name
        case "label": return label
        case "type": return type
        case "value": return value
        case "hint": return orAbsent(hint)
        case "error": return orAbsent(error)
        case "autocomplete": return orAbsent(autocomplete)
        case "required": return required
        case "describedBy": return orAbsent(describedBy)
        default: return nil
        }
    }
}

extension OptionModel: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "value": return value
        case "label": return label
        case "selected": return selected
        default: return nil
        }
    }
}

/// Turns a page's view model into dictionaries and arrays once per render. swift-mustache looks a
/// name up by reflecting the objects on its context stack, again for every lookup; a page with a
/// table of rows would reflect the same rows many times. One reflection pass per object, then
/// dictionary look-ups, renders the same HTML faster, for every page of every module.
enum ViewTree {
    static func convert(_ value: Any) -> Any {
        switch value {
        case is String, is Bool, is Int, is Int64, is Double, is any MustacheParent:
            return value
        default:
            break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.map { convert($0.value) } ?? Absent()
        case .collection, .set:
            return mirror.children.map { convert($0.value) }
        case .struct, .class:
            var object: [String: Any] = [:]
            object.reserveCapacity(Int(mirror.children.count))
            for child in mirror.children {
                guard let label = child.label else { continue }
                let childMirror = Mirror(reflecting: child.value)
                if childMirror.displayStyle == .optional {
                    object[label] = childMirror.children.first.map { convert($0.value) } ?? Absent()
                } else {
                    object[label] = convert(child.value)
                }
            }
            return object
        default:
            return value
        }
    }
}
