import Foundation

/// Where pages load BokehJS from: the server's own static directory (`PFX/static/js/…?v=<sha512>`), or,
/// when no local copy exists, the Bokeh CDN.
package struct BokehResources: Sendable {
    /// The bundles a server page loads, in order (Bokeh's `js_files` with every component).
    public static let bundles = ["bokeh", "bokeh-gl", "bokeh-widgets", "bokeh-tables", "bokeh-mathjax"]
    /// The BokehJS version the page scripts belong to.
    public static let version = "3.10.2"
    public static let cdnBase = "https://cdn.bokeh.org/bokeh/release/"

    let files: StaticFiles?
    let prefix: String
    /// `.min.js` (Bokeh's `settings.minified()`, `BOKEH_MINIFIED`), else the plain `.js` bundles.
    let minified: Bool
    /// The version in CDN URLs (Bokeh's `BOKEH_CDN_VERSION`).
    let cdnVersion: String

    /// - Parameters:
    ///   - files: the BokehJS static directory (holding `js/bokeh.min.js`), nil for the CDN.
    ///   - prefix: the normalised URL prefix (`""` or `/name`).
    ///   - minified: whether pages load the minified bundles.
    ///   - cdnVersion: the BokehJS version of CDN URLs; nil: ``version``.
    init(files: StaticFiles?, prefix: String, minified: Bool = true, cdnVersion: String? = nil) {
        self.files = files
        self.prefix = prefix
        self.minified = minified
        self.cdnVersion = cdnVersion ?? Self.version
    }

    /// The script URLs. Local URLs are root-relative unless `base` (a `scheme://netloc`) is given.
    public func jsURLs(base: String? = nil) -> [String] {
        let suffix = minified ? ".min.js" : ".js"
        guard let files else { return Self.bundles.map { Self.cdnBase + $0 + "-" + cdnVersion + suffix } }
        return Self.bundles.map { name in
            let relative = "js/\(name)\(suffix)"
            let version = files.versionHash(of: relative).map { "?v=" + $0 } ?? ""
            return (base ?? "") + prefix + "/static/" + relative + version
        }
    }

    /// BokehJS 3 carries its CSS inside the scripts.
    public func cssURLs(base: String? = nil) -> [String] { [] }

    /// `scheme://netloc` of an absolute URL (`bokeh-absolute-url`), nil when it has neither.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host,
            !host.isEmpty
        else { return nil }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart)" + (components.port.map { ":\($0)" } ?? "")
    }
}
