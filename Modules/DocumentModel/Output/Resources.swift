internal import Foundation

/// Where standalone HTML gets BokehJS from.
public enum Resources: Sendable {
    /// `https://cdn.bokeh.org/bokeh/release/bokeh-<component>-3.10.2.min.js`.
    case cdn
    /// `<script src>` URLs under a prefix (a directory or server path holding `bokeh-3.10.2.min.js`
    /// style names when `versioned`, or `bokeh.min.js` style names otherwise).
    case local(prefix: String, versioned: Bool)
    /// The scripts' text, in the order given, written into the page (no network access at all).
    case inline([String])

    /// The BokehJS bundles a document needs, as Python's `bokeh.embed.bundle` chooses them: always
    /// `bokeh`, plus `gl` (WebGL plots), `widgets`, `tables` and `mathjax` when used.
    public static func components(for document: Document) -> [String] {
        var gl = false
        var widgets = false
        var tables = false
        var mathjax = false
        for model in document.models.values {
            if let plot = model as? Plot, plot.outputBackend == .webgl { gl = true }
            if model is Widget { widgets = true }
            if model is TableWidget { tables = true }
            if model is MathText { mathjax = true }
        }
        var result = ["bokeh"]
        if gl { result.append("gl") }
        if widgets { result.append("widgets") }
        if tables { result.append("tables") }
        if mathjax { result.append("mathjax") }
        return result
    }

    /// The file name of a component's minified bundle (`bokeh-widgets-3.10.2.min.js`).
    public static func fileName(_ component: String, versioned: Bool) -> String {
        let base = component == "bokeh" ? "bokeh" : "bokeh-" + component
        return versioned ? "\(base)-\(Document.bokehVersion).min.js" : "\(base).min.js"
    }

    /// Inline resources read from a directory of BokehJS bundles (such as `bokeh/server/static/js`
    /// of an installed Python Bokeh), for the components `document` needs.
    public static func inline(directory: String, for document: Document) throws -> Resources {
        .inline(
            try components(for: document).map { component in
                let url = URL(fileURLWithPath: directory).appendingPathComponent(fileName(component, versioned: false))
                return try String(contentsOf: url, encoding: .utf8)
            })
    }

    func scriptTags(for document: Document) -> String {
        switch self {
        case .cdn:
            return Self.components(for: document).map {
                "<script src=\"https://cdn.bokeh.org/bokeh/release/\(Self.fileName($0, versioned: true))\"></script>\n"
            }.joined()
        case .local(let prefix, let versioned):
            let base = prefix.hasSuffix("/") ? prefix : prefix + "/"
            return Self.components(for: document).map {
                "<script src=\"\(base)\(Self.fileName($0, versioned: versioned))\"></script>\n"
            }.joined()
        case .inline(let scripts):
            return scripts.map {
                "<script>\n\($0.replacingOccurrences(of: "</script", with: "<\\/script"))\n</script>\n"
            }
            .joined()
        }
    }
}
