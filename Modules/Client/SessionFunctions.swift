public import DocumentModel

/// The default server URL of Bokeh's client functions.
public let defaultServerURL = "http://localhost:5006/"

/// A new session loaded from the server's document at `url` (`http://host:port/app`), connected and
/// kept in sync (Python: `bokeh.client.pull_session`).
public func pullSession(
    sessionID: String? = nil, url: String = defaultServerURL, arguments: [String: String] = [:],
    maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10)
) async throws -> ClientSession {
    let session = try ClientSession(
        sessionID: sessionID, websocketURL: ClientURL.websocketURL(forServerURL: url), arguments: arguments,
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
        sessionID: sessionID, websocketURL: ClientURL.websocketURL(forServerURL: url), arguments: arguments,
        maxMessageSize: maxMessageSize, timeout: timeout)
    try LoopBridge.blocking(on: session.connection.eventLoop) { try await pulled(session) }
    return session
}

/// A new session whose server document is replaced by `document` (Python: `bokeh.client.push_session`).
public func pushSession(
    _ document: Document, sessionID: String? = nil, url: String = defaultServerURL,
    maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10)
) async throws -> ClientSession {
    let session = try ClientSession(
        sessionID: sessionID, websocketURL: ClientURL.websocketURL(forServerURL: url), maxMessageSize: maxMessageSize,
        timeout: timeout)
    try await pushed(document.toJSON(), to: session)
    return session
}

/// Pushes `snapshot` to `session`, closing it when the push fails.
private func pushed(_ snapshot: (json: JSONValue, buffers: [Buffer]), to session: ClientSession) async throws {
    do { try await session.push(snapshot: snapshot) } catch {
        await session.close(why: "push failed")
        throw error
    }
}

public func pushSession(
    _ document: Document, sessionID: String? = nil, url: String = defaultServerURL,
    maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10)
) throws -> ClientSession {
    let session = try ClientSession(
        sessionID: sessionID, websocketURL: ClientURL.websocketURL(forServerURL: url), maxMessageSize: maxMessageSize,
        timeout: timeout)
    let snapshot = document.toJSON()
    try LoopBridge.blocking(on: session.connection.eventLoop) { try await pushed(snapshot, to: session) }
    return session
}

/// Opens a browser on `session`'s page, or on the page of session `sessionID` at `url`
/// (Python: `bokeh.client.show_session`).
public func showSession(
    sessionID: String? = nil, url: String = defaultServerURL, session: ClientSession? = nil, browser: String? = nil
) throws {
    if let session {
        try session.show(browser: browser)
        return
    }
    var page = url
    if let sessionID { page = ClientURL.appendingQuery([("bokeh-session-id", sessionID)], to: url) }
    try Browser.open(page, with: browser)
}
