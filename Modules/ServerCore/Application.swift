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

    /// - Parameters:
    ///   - onServerLoaded: once, when the server starts.
    ///   - onServerUnloaded: once, when the server stops.
    ///   - onSessionCreated: for each new session, before `handler` fills its document.
    ///   - onSessionDestroyed: after a session was discarded.
    ///   - template: a custom page template (nil: Bokeh's standard page).
    ///   - templateVariables: extra values for the template's placeholders.
    ///   - handler: fills each new session's document.
    public init(
        metadata: JSONValue = .object([:]),
        template: PageTemplate? = nil,
        templateVariables: [String: String] = [:],
        onServerLoaded: (@Sendable (ServerContext) throws -> Void)? = nil,
        onServerUnloaded: (@Sendable (ServerContext) throws -> Void)? = nil,
        onSessionCreated: (@Sendable (SessionContext) throws -> Void)? = nil,
        onSessionDestroyed: (@Sendable (SessionContext) throws -> Void)? = nil,
        handler: @escaping Handler
    ) {
        self.metadata = metadata
        self.template = template
        self.templateVariables = templateVariables
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

/// An application could not be built (unreadable or invalid input).
public struct ApplicationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
