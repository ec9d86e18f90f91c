import Foundation
public import DocumentModel
import Protocol

/// The default server URL of Bokeh's client functions (Python's `DEFAULT_SERVER_HTTP_URL`); their `url`
/// argument `"default"` stands for it, as in Python.
///
/// As Python's, it reads `BOKEH_DEFAULT_SERVER_HOST` (default `localhost`) and `BOKEH_DEFAULT_SERVER_PORT`
/// (default 5006).
public var defaultServerURL: String {
    let environment = ProcessInfo.processInfo.environment
    let host = environment["BOKEH_DEFAULT_SERVER_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
    let port = environment["BOKEH_DEFAULT_SERVER_PORT"].flatMap { Int($0) } ?? 5006
    return "http://\(host):\(port)/"
}

/// A new session loaded from the server's document at `url` (`http://host:port/app`), connected and
/// kept in sync (Python: `bokeh.client.pull_session`).
///
/// `url` is the server's `http://` or `https://` URL, or `"default"` for ``defaultServerURL``.
///
/// - Throws: ``ClientError/invalidURL(_:)`` for a `ws://` or `wss://` URL (give the `http(s)://` one),
///   connection failures and ERROR replies.
public func pullSession(
    sessionID: String? = nil, url: String = defaultServerURL, arguments: [String: String] = [:],
    maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10)
) async throws -> ClientSession {
    let session = try ClientSession(
        sessionID: sessionID, websocketURL: ClientURL.websocketURL(fromServerURL: url), arguments: arguments,
        maxMessageSize: maxMessageSize, timeout: timeout)
    try await pulled(session)
    return session
}

/// Pulls `session`, closing it when the pull fails.
private func pulled(_ session: ClientSession) async throws {
    do { try await session.pull() } catch {
        await session.close(why: "pull failed")
        throw error
    }
}

public func pullSession(
    sessionID: String? = nil, url: String = defaultServerURL, arguments: [String: String] = [:],
    maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10)
) throws -> ClientSession {
    let session = try ClientSession(
        sessionID: sessionID, websocketURL: ClientURL.websocketURL(fromServerURL: url), arguments: arguments,
        maxMessageSize: maxMessageSize, timeout: timeout)
    try LoopBridge.blocking(on: session.connection.eventLoop) { try await pulled(session) }
    return session
}

/// A new session whose server document is replaced by `document` (Python: `bokeh.client.push_session`).
///
/// `document` itself becomes the session's ``ClientSession/document``, kept in sync as Python's is: the
/// changes made to it go to the server and the server's changes arrive in it. It moves to the session's
/// event loop (it is `sending`): change it inside ``ClientSession/withDocument(_:)-56y81``.
///
/// `url` is the server's `http://` or `https://` URL, or `"default"` for ``defaultServerURL``.
///
/// - Throws: ``ClientError/invalidURL(_:)`` for a `ws://` or `wss://` URL (give the `http(s)://` one),
///   connection failures and ERROR replies. The session is closed when the push fails.
public func pushSession(
    _ document: sending Document, sessionID: String? = nil, url: String = defaultServerURL,
    maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10)
) async throws -> ClientSession {
    let session = try ClientSession(
        sessionID: sessionID, websocketURL: ClientURL.websocketURL(fromServerURL: url), maxMessageSize: maxMessageSize,
        timeout: timeout)
    try await pushed(Handoff(document), to: session)
    return session
}

/// Pushes the document in `handoff` to `session`, closing the session when the push fails.
private func pushed(_ handoff: Handoff<Document>, to session: ClientSession) async throws {
    do { try await session.push(handoff: handoff) } catch {
        await session.close(why: "push failed")
        throw error
    }
}

public func pushSession(
    _ document: sending Document, sessionID: String? = nil, url: String = defaultServerURL,
    maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10)
) throws -> ClientSession {
    let session = try ClientSession(
        sessionID: sessionID, websocketURL: ClientURL.websocketURL(fromServerURL: url), maxMessageSize: maxMessageSize,
        timeout: timeout)
    let handoff = Handoff(document)
    try LoopBridge.blocking(on: session.connection.eventLoop) { try await pushed(handoff, to: session) }
    return session
}

/// Opens a browser on `session`'s page, or on the page of session `sessionID` at `url`
/// (Python: `bokeh.client.show_session`).
///
/// Without `session`, the page is `url` (the server's `http(s)://` URL, or `"default"` for
/// ``defaultServerURL``, without trailing slashes) with `?bokeh-session-id=`, and, as in Python, a new
/// session id is generated (signed when `BOKEH_SIGN_SESSIONS` is set) when `sessionID` is nil.
///
/// - Parameters:
///   - sessionID: The session to show; nil generates one.
///   - url: The application's `http(s)://` URL, or `"default"`; not used with `session`.
///   - session: A session whose page (``ClientSession/pageURL``) to show instead.
///   - browser: The program to run; nil: `$BROWSER`, else `xdg-open` (`open` on macOS).
///   - new: Where the page opens, as Python's `new` (see ``BrowserTarget``).
///   - controller: Opens the page instead of a browser program (Python's `controller`); `browser` is then not
///     used.
/// - Throws: ``ClientError/invalidURL(_:)`` for a `ws://` or `wss://` `url`; ``ClientError`` when no browser
///   can be started; what `controller` throws.
public func showSession(
    sessionID: String? = nil, url: String = defaultServerURL, session: ClientSession? = nil, browser: String? = nil,
    new: BrowserTarget = .tab, controller: (any BrowserController)? = nil
) throws {
    let opener = controller ?? BrowserProgram(browser)
    if let session {
        try opener.open(session.pageURL, new: new)
        return
    }
    let server = try ClientURL.serverURL(resolving: url)
    let id = try sessionID ?? ClientSession.environmentSigner().generateSessionID()
    try opener.open(ClientURL.appendingQuery([("bokeh-session-id", id)], to: server), new: new)
}
