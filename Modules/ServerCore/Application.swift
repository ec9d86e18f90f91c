import Foundation
public import DocumentModel

/// A Bokeh application: what fills a new ``Document`` for every session, plus lifecycle hooks
/// (Python Bokeh's `Application` with a `FunctionHandler` and a `server_lifecycle` module).
///
/// The handler and the session hooks run on the session's event loop; the document may be used freely
/// there. Hooks that throw are logged; a handler that throws fails the session's creation.
public final class Application: Sendable {
    /// Fills the document of a new session.
    public typealias Handler = @Sendable (Document, SessionContext) throws -> Void

    let handler: Handler
    /// `GET <app>/metadata` answers `{"url": <app path>, "data": metadata}`.
    public let metadata: JSONValue
    let serverLoaded: (@Sendable (ServerContext) throws -> Void)?
    let serverUnloaded: (@Sendable (ServerContext) throws -> Void)?
    let sessionCreated: (@Sendable (SessionContext) throws -> Void)?
    let sessionDestroyed: (@Sendable (SessionContext) throws -> Void)?
    /// The page template (nil: Bokeh's standard page); see ``PageTemplate`` for its variables.
    public let template: PageTemplate?
    /// Extra variables for ``template``, inserted as given.
    public let templateVariables: [String: String]
    /// The application's own static files, served at `APP/static/...` (Bokeh's per-app static route). nil: that
    /// route serves the BokehJS directory, as Bokeh's does for an app without a `static/` folder.
    public let staticDirectory: String?
    /// Bokeh's `process_request` hook: called with the HTTP request that creates a session (its page or
    /// `autoload.js`); the members it returns join the session token's payload and are read back from
    /// ``SessionContext/tokenPayload``. A hook that throws fails the request with 500 (logged).
    public let processRequest: (@Sendable (IncomingRequest) throws -> JSONObject)?
    /// Applied to each new session's document before ``Handler`` runs (a directory app's `theme.yaml`).
    public let theme: Theme?

    /// - Parameters:
    ///   - onServerLoaded: once, when the server starts.
    ///   - onServerUnloaded: once, when the server stops.
    ///   - onSessionCreated: for each new session, before `handler` fills its document.
    ///   - onSessionDestroyed: after a session was discarded.
    ///   - template: a custom page template (nil: Bokeh's standard page).
    ///   - templateVariables: extra values for the template's placeholders.
    ///   - staticDirectory: the application's own static files, served at `APP/static/...`.
    ///   - theme: applied to each new document before `handler` runs.
    ///   - processRequest: Bokeh's `process_request`: what to add to a new session's token from its request.
    ///   - handler: fills each new session's document.
    public init(
        metadata: JSONValue = .object([:]),
        template: PageTemplate? = nil,
        templateVariables: [String: String] = [:],
        staticDirectory: String? = nil,
        theme: Theme? = nil,
        processRequest: (@Sendable (IncomingRequest) throws -> JSONObject)? = nil,
        onServerLoaded: (@Sendable (ServerContext) throws -> Void)? = nil,
        onServerUnloaded: (@Sendable (ServerContext) throws -> Void)? = nil,
        onSessionCreated: (@Sendable (SessionContext) throws -> Void)? = nil,
        onSessionDestroyed: (@Sendable (SessionContext) throws -> Void)? = nil,
        handler: @escaping Handler
    ) {
        self.metadata = metadata
        self.template = template
        self.templateVariables = templateVariables
        self.staticDirectory = staticDirectory
        self.theme = theme
        self.processRequest = processRequest
        self.serverLoaded = onServerLoaded
        self.serverUnloaded = onServerUnloaded
        self.sessionCreated = onSessionCreated
        self.sessionDestroyed = onSessionDestroyed
        self.handler = handler
    }

    /// An application that gives every session a fresh copy of a Bokeh document JSON (the `doc` of a
    /// PULL-DOC-REPLY, or what Python's `Document.to_json()` writes). The file is read and checked once.
    public static func document(fromJSONFile path: String, limits: DeserializerLimits = .default) throws -> Application
    {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ApplicationError("cannot read \(path): \(error.localizedDescription)")
        }
        return try document(fromJSONText: Array(data), limits: limits)
    }

    /// An application whose sessions each get a fresh copy of the document in `text` (UTF-8 JSON).
    public static func document(fromJSONText text: [UInt8], limits: DeserializerLimits = .default) throws -> Application
    {
        let json: JSONValue
        do { json = try JSONReader.parse(text) } catch { throw ApplicationError("not JSON: \(error)") }
        // A file may hold the document itself or a message content with a `doc` member.
        let doc: JSONValue = if case .object(let o) = json, let inner = o["doc"] { inner } else { json }
        do { _ = try Document(fromJSON: doc, limits: limits) } catch {
            throw ApplicationError("not a Bokeh document: \(error)")
        }
        return Application { document, _ in try document.replace(withJSON: doc, limits: limits) }
    }
}

/// What a ``Application/processRequest`` hook sees of the request that creates a session (Python's Tornado
/// `HTTPServerRequest`, as Bokeh's `process_request(request)` gets it).
public struct IncomingRequest: Sendable {
    /// `GET`, `HEAD`, ...
    public let method: String
    /// The path, without the query.
    public let path: String
    /// Header name and value pairs as received.
    public let headers: [(name: String, value: String)]
    /// Cookie name and value pairs.
    public let cookies: [(name: String, value: String)]
    /// Query arguments, each name with all its values (UTF-8 text), in order.
    public let arguments: [(name: String, values: [String])]
    /// The client's address (with `--use-xheaders`, as the proxy headers say).
    public let remoteAddress: String?
    /// `http` or `https` (Tornado's `request.protocol`): with `--use-xheaders`, as `X-Scheme` or
    /// `X-Forwarded-Proto` say.
    public var scheme: String = "http"
    /// The host the client asked for (`Host`; with `--use-xheaders`, `X-Forwarded-Host` first), nil if none.
    public var host: String?
    /// The raw query string, without `?`.
    public var query: String = ""
    /// The address of the socket's other end, whatever the proxy headers say (what a trusted-proxy check
    /// must use); nil when not known.
    public var peerAddress: String?
    /// The user the server's ``AuthenticationPolicy`` authenticated for this request; nil without a policy.
    public var user: AuthenticatedUser?

    /// The path with its query (Tornado's `request.uri`), what a login redirect's `next=` names.
    public var uri: String { query.isEmpty ? path : path + "?" + query }

    /// The URL the client asked for (Tornado's `request.full_url()`), shaped by the proxy headers with
    /// `--use-xheaders`: `https://example.org/app?x=1`. nil without a host.
    public var fullURL: String? {
        guard let host else { return nil }
        return "\(scheme)://\(host)\(path)\(query.isEmpty ? "" : "?" + query)"
    }

    public init(
        method: String, path: String, headers: [(name: String, value: String)] = [],
        cookies: [(name: String, value: String)] = [], arguments: [(name: String, values: [String])] = [],
        remoteAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.cookies = cookies
        self.arguments = arguments
        self.remoteAddress = remoteAddress
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
    /// The last cookie named `name`.
    public func cookie(_ name: String) -> String? { cookies.last { $0.name == name }?.value }
    /// The last value of query argument `name` (Tornado's `get_argument`).
    public func argument(_ name: String) -> String? { arguments.first { $0.name == name }?.values.last }
}

/// An application could not be built (unreadable or invalid input).
public struct ApplicationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
