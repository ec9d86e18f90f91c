public import Wire

/// One entry of a route table: a pattern, the handler it selects and the methods that handler implements.
public struct Route: Hashable, Sendable, CustomStringConvertible {
    /// The full pattern, prefix included.
    public let pattern: URLPattern
    /// Which handler serves the route.
    public let handler: HandlerKind
    /// The methods the handler implements; any other method gets `405 Method Not Allowed`.
    public let methods: Set<HTTPMethod>
    /// The application path (without prefix, `/` for the root application) for per-application routes.
    public let applicationPath: String?

    /// Creates a route.
    public init(pattern: URLPattern, handler: HandlerKind, methods: Set<HTTPMethod>, applicationPath: String? = nil) {
        self.pattern = pattern
        self.handler = handler
        self.methods = methods
        self.applicationPath = applicationPath
    }

    public var description: String {
        let methods = methods.map(\.rawValue).sorted().joined(separator: ",")
        let application = applicationPath.map { " app=\($0)" } ?? ""
        return "\(pattern.source) -> \(handler) [\(methods)]\(application)"
    }
}

/// The handlers a Bokeh server registers (Tornado handler classes in Python Bokeh).
public enum HandlerKind: Hashable, Sendable, CustomStringConvertible {
    /// `/favicon.ico` (`IcoHandler`); never prefixed.
    case favicon
    /// `PFX/APP/?`, the HTML page (`DocHandler`).
    case documentPage
    /// `PFX/APP/ws` (`WSHandler`).
    case websocket
    /// `PFX/APP/metadata` (`MetadataHandler`).
    case metadata
    /// `PFX/APP/autoload.js` (`AutoloadJsHandler`).
    case autoloadJS
    /// `PFX/APP/static/(.*)`, an application directory's own `static/` folder.
    case applicationStatic
    /// `PFX/?`, the index of applications or the redirect to the only one (`RootHandler`).
    case rootIndex
    /// `PFX/static/extensions/(.*)`, static files of Bokeh extensions.
    case extensionStatic
    /// `PFX/static/(.*)`, BokehJS static files (`StaticHandler`).
    case bokehStatic
    /// A user-supplied pattern (extra patterns, auth login/logout handlers), by identifier.
    case extra(String)

    public var description: String {
        switch self {
        case .favicon: "favicon"
        case .documentPage: "documentPage"
        case .websocket: "websocket"
        case .metadata: "metadata"
        case .autoloadJS: "autoloadJS"
        case .applicationStatic: "applicationStatic"
        case .rootIndex: "rootIndex"
        case .extensionStatic: "extensionStatic"
        case .bokehStatic: "bokehStatic"
        case .extra(let identifier): "extra(\(identifier))"
        }
    }
}
