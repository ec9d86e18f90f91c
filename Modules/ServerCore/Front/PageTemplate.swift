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
public struct PageTemplate: Sendable, Hashable {
    public let text: String

    public init(_ text: String) { self.text = text }

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

    func render(with template: PageTemplate) -> String { template.render(value(of:)) }
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
