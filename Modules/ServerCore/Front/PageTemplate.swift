import Foundation
import DocumentModel

/// The HTML page of an application: Bokeh's standard server page (`FILE` template), or a custom template
/// string using the same variables Bokeh gives its Jinja2 templates.
///
/// Placeholders are written `{{ name }}` (a trailing ` | safe` or other filter is ignored):
/// - `title`: the document title, HTML-escaped;
/// - `bokeh_js`, `bokeh_css`: the `<script>`/`<link>` tags loading BokehJS (with the log-level script);
/// - `js_urls`, `css_urls`: the same URLs as JSON arrays;
/// - `plot_div`: one `<div>` per document root; `embed(roots.NAME)`: the `<div>` of the root named NAME;
/// - `plot_script`: the `docs_json` script tag plus the script that calls `Bokeh.embed.embed_items`;
/// - `docs_json`, `render_items`: the JSON those scripts carry;
/// - any key of the application's template variables (inserted as given).
/// Unknown names render as nothing, as in Jinja2.
///
/// A Jinja template (``init(jinja:file:directory:)``, ``init(contentsOfFile:)``) is rendered the way Bokeh renders
/// a directory app's `templates/index.html`: it may `{% extends base %}` (Bokeh's page, with its block names),
/// override blocks with `{{ super() }}`, `{% include %}` files of its folder, and use `{% if %}`, `{% for %}`,
/// `{% set %}`, filters, `{{ embed(roots.NAME) }}`, and the document's `Document.templateVariables`.
public struct PageTemplate: Sendable, Hashable {
    public let text: String
    /// The parsed Jinja template; nil for the placeholder form.
    let jinja: Template?
    /// Where the Jinja template came from (its error messages name it).
    public let file: String?

    /// A page in the placeholder form: each `{{ name }}` is replaced, nothing else is interpreted.
    public init(_ text: String) {
        self.text = text
        self.jinja = nil
        self.file = nil
    }

    /// A Jinja page template, parsed now.
    /// - Parameters:
    ///   - source: the template text.
    ///   - file: its name in error messages.
    ///   - directory: where `{% include "name" %}` and `{% extends "name" %}` find other templates (nil: they
    ///     are errors).
    /// - Throws: ``TemplateError`` naming `file:line` and what is wrong (a syntax error, an unknown filter,
    ///   an unclosed block, a missing include).
    public init(jinja source: String, file: String = "<template>", directory: String? = nil) throws(TemplateError) {
        self.text = source
        self.file = file
        do {
            self.jinja = try Template(source: source, file: file, loader: directory.map(PageTemplate.loader(in:)))
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(file: file, line: 0, message: "\(error)")
        }
    }

    /// The Jinja page template in `path` (a directory app's `templates/index.html`); other templates are
    /// looked up next to it.
    public init(contentsOfFile path: String) throws(TemplateError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw TemplateError(file: path, line: 0, message: "cannot read the template: \(error.localizedDescription)")
        }
        try self.init(jinja: text, file: path, directory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Loads `name` from `directory`, refusing names that leave it.
    static func loader(in directory: String) -> TemplateLoader {
        { name in
            let parts = name.split(separator: "/")
            guard !name.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty else { return nil }
            let path = directory + "/" + name
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            return (text, path)
        }
    }

    public static func == (a: PageTemplate, b: PageTemplate) -> Bool {
        a.text == b.text && a.file == b.file && (a.jinja == nil) == (b.jinja == nil)
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(file)
    }

    /// Bokeh's standard page.
    public static let standard = PageTemplate(
        """
        <!DOCTYPE html>
        <html lang="en">
          <head>
            <meta charset="utf-8">
            <title>{{ title }}</title>
            <style>
              html, body {
                box-sizing: border-box;
                display: flow-root;
                height: 100%;
                margin: 0;
                padding: 0;
              }
            </style>
        {{ bokeh_css }}
        {{ bokeh_js }}
          </head>
          <body>
        {{ plot_div }}
        {{ plot_script }}
          </body>
        </html>
        """)

    /// Replaces every `{{ … }}` using `lookup`.
    func render(_ lookup: (String) -> String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            var expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if let bar = expression.firstIndex(of: "|") {
                expression = expression[..<bar].trimmingCharacters(in: .whitespaces)
            }
            out += lookup(expression)
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }
}

/// What a page shows for one session.
struct PageContent {
    struct Root {
        let id: String
        let name: String?
        /// The `id` of the page element the root renders into.
        let elementID: String
    }

    var title: String
    var jsURLs: [String]
    var cssURLs: [String]
    var roots: [Root]
    var token: String
    var logLevel = "info"
    var variables: [String: String] = [:]
    /// The id of the `application/json` script holding `docs_json`.
    var docsJSONID: String

    /// The render item of a server session page: the token and the roots (model id → element id).
    var renderItems: String {
        let roots = self.roots.map { "\(jsonString($0.id)):\(jsonString($0.elementID))" }.joined(separator: ",")
        let ids = self.roots.map { jsonString($0.id) }.joined(separator: ",")
        return "[{\"token\":\(jsonString(token)),\"roots\":{\(roots)},\"root_ids\":[\(ids)],\"use_for_title\":true}]"
    }

    func div(_ root: Root) -> String {
        "<div id=\(htmlAttribute(root.elementID)) data-root-id=\(htmlAttribute(root.id)) style=\"display: contents;\"></div>"
    }

    var bokehJS: String {
        jsURLs.map { "<script type=\"text/javascript\" src=\(htmlAttribute($0))></script>" }.joined(separator: "\n")
            + "\n<script type=\"text/javascript\">\n    Bokeh.set_log_level(\(jsonString(logLevel)));\n</script>"
    }

    var bokehCSS: String {
        cssURLs.map { "<link rel=\"stylesheet\" href=\(htmlAttribute($0)) type=\"text/css\" />" }.joined(
            separator: "\n")
    }

    var plotScript: String {
        """
        <script type="application/json" id=\(htmlAttribute(docsJSONID))>
          {}
        </script>
        <script type="text/javascript">
        \(EmbedScript.onLoad(EmbedScript.embedItems(docsJSON: "document.getElementById(\(jsonString(docsJSONID))).textContent", renderItems: renderItems, extraArguments: "")))
        </script>
        """
    }

    func value(of name: String) -> String {
        switch name {
        case "title": return htmlEscape(title)
        case "bokeh_js": return bokehJS
        case "bokeh_css": return bokehCSS
        case "js_urls": return "[" + jsURLs.map(jsonString).joined(separator: ", ") + "]"
        case "css_urls": return "[" + cssURLs.map(jsonString).joined(separator: ", ") + "]"
        case "plot_div": return roots.map(div).joined(separator: "\n")
        case "plot_script": return plotScript
        case "docs_json": return "{}"
        case "render_items": return renderItems
        default:
            if name.hasPrefix("embed(roots."), name.hasSuffix(")") {
                let rootName = String(name.dropFirst("embed(roots.".count).dropLast())
                return roots.first { $0.name == rootName }.map(div) ?? ""
            }
            return variables[name] ?? ""
        }
    }

    /// The JSON variables of the document (`Document.templateVariables`).
    var documentVariables: [String: JSONValue] = [:]

    /// Renders `template`; a Jinja template's runtime error (an undefined function, a bad filter argument)
    /// throws ``TemplateError``.
    func render(with template: PageTemplate) throws(TemplateError) -> String {
        guard let jinja = template.jinja else { return template.render(value(of:)) }
        do { return try jinja.render(jinjaContext()) } catch let error as TemplateError { throw error } catch {
            throw TemplateError(file: template.file ?? "<template>", line: 0, message: "\(error)")
        }
    }

    /// The base page (``BaseTemplate``), parsed once.
    static let base: Template? = try? Template(source: BaseTemplate.source, file: "<base>", options: .bokeh)

    /// What Bokeh's `html_page_for_render_items` gives a template: the application's and document's variables,
    /// then `title`, `bokeh_js`, `bokeh_css`, `plot_script`, `docs`, `base`, and with one document `doc` and
    /// `roots`, plus `plot_div` and `embed`.
    func jinjaContext() -> [String: TemplateValue] {
        var context: [String: TemplateValue] = [:]
        for (name, value) in variables { context[name] = .string(value) }
        for (name, value) in documentVariables { context[name] = TemplateValue(json: value) }
        let rootValues: [TemplateValue] = roots.map { root in
            .dict([
                "elementid": .string(root.elementID), "id": .string(root.id),
                "name": root.name.map(TemplateValue.string) ?? .none,
            ])
        }
        var byName: [String: TemplateValue] = [:]
        for (root, value) in zip(roots, rootValues) { if let name = root.name { byName[name] = value } }
        let doc: TemplateValue = .dict(["elementid": .none, "roots": .list(rootValues)])
        context["title"] = .string(title)
        context["bokeh_js"] = .markup(bokehJS)
        context["bokeh_css"] = .markup(bokehCSS)
        context["plot_script"] = .markup(plotScript)
        context["docs"] = .list([doc])
        context["doc"] = doc
        context["roots"] = .dict(byName)
        context["plot_div"] = .markup(roots.map(div).joined(separator: "\n"))
        context["js_urls"] = .list(jsURLs.map(TemplateValue.string))
        context["css_urls"] = .list(cssURLs.map(TemplateValue.string))
        context["render_items"] = .markup(renderItems)
        if let base = Self.base { context["base"] = .template(base) }
        context["embed"] = .function { arguments in
            guard case .dict(let item)? = arguments.first else {
                throw TemplateEmbedError("embed() takes a root (roots.NAME) or a document")
            }
            guard case .string(let elementID)? = item["elementid"] else { return .markup("") }
            var div = "<div id=" + htmlAttribute(elementID)
            if case .string(let id)? = item["id"] { div += " data-root-id=" + htmlAttribute(id) }
            return .markup(div + " style=\"display: contents;\"></div>")
        }
        return context
    }
}

/// `embed()` was given something that is not a root.
struct TemplateEmbedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TemplateValue {
    /// A JSON value as a template value: objects become dictionaries (`a.b`, `a['b']`), arrays lists.
    init(json: JSONValue) {
        switch json {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(TemplateValue.init(json:)))
        case .object(let object):
            var dict: [String: TemplateValue] = [:]
            for member in object.members { dict[member.key] = TemplateValue(json: member.value) }
            self = .dict(dict)
        }
    }
}

/// A JSON string literal that is also safe inside an HTML `<script>` element.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "<": out += "\\u003c"
        case ">": out += "\\u003e"
        case "&": out += "\\u0026"
        case "\u{2028}": out += "\\u2028"
        case "\u{2029}": out += "\\u2029"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// Python's `html.escape(text, quote=True)`.
func htmlEscape(_ text: String) -> String {
    var out = ""
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#x27;"
        default: out.append(c)
        }
    }
    return out
}

/// A double-quoted, escaped HTML attribute value.
func htmlAttribute(_ text: String) -> String { "\"" + htmlEscape(text) + "\"" }
