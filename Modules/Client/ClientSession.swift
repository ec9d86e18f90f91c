public import DocumentModel
public import Protocol
public import Wire
import Foundation
import Locking

/// A client's view of one session on a Bokeh server (Python: `bokeh.client.session.ClientSession`).
///
/// The session's ``document`` is kept in sync with the server's while connected: local changes go to
/// the server as PATCH-DOCs (one per change, as Python's client sends them), and the server's
/// PATCH-DOCs are applied with the session as setter, so they are not sent back.
///
/// The document lives on the connection's event loop: read and change it inside
/// ``withDocument(_:)-56y81``. Every operation has an `async` form and a blocking one for scripts.
///
/// ```swift
/// let session = try await pullSession(url: "http://localhost:5006/demo_app")
/// try await session.withDocument { doc in doc.model(named: "slider")?.set("value", .int(7)) }
/// try await session.forceRoundtrip()
/// await session.close()
/// ```
public final class ClientSession: Sendable {
    /// The session id: given, or generated (signed when `BOKEH_SIGN_SESSIONS` is set, as in Python).
    public let id: String
    /// The low-level connection.
    public let connection: ClientConnection
    private let signer: SessionSigner
    /// Marks changes that came from the server so they are not echoed back.
    private let setter = Setter()
    private let local = Lock<LoopBound<SessionDocument>?>(nil)
    private let failedPatches = Lock<[String]>([])

    /// - Parameters:
    ///   - sessionID: The session to attach to; nil generates a new id.
    ///   - websocketURL: `ws://host:port/app/ws`.
    ///   - arguments: Request arguments for the server's session context.
    ///   - timeout: Bound on connecting and on each request.
    ///   - eventLoop: Loop to run on; nil starts one for this session, stopped when the session is released.
    ///   - signer: Makes the session id and token; nil reads `BOKEH_SECRET_KEY` and `BOKEH_SIGN_SESSIONS`
    ///     from the environment, as Python's client does.
    public init(
        sessionID: String? = nil, websocketURL: String = "ws://localhost:5006/ws", arguments: [String: String] = [:],
        maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10), eventLoop: EventLoop? = nil,
        signer: SessionSigner? = nil
    ) throws {
        let signer = try signer ?? Self.environmentSigner()
        self.signer = signer
        let id = sessionID ?? signer.generateSessionID()
        self.id = id
        connection = try ClientConnection(
            websocketURL: websocketURL, token: { Self.token(for: id, signer: signer) }, arguments: arguments,
            maxMessageSize: maxMessageSize, timeout: timeout, eventLoop: eventLoop)
    }

    /// A session token for ``id`` expiring in 300 seconds (signed when the signer signs).
    public var token: String { Self.token(for: id, signer: signer) }

    /// Whether the connection is open and acknowledged.
    public var connected: Bool { connection.connected }
    /// The connection's WebSocket URL (Python's `ClientSession.url`).
    public var url: String { connection.url }
    /// Why the connection ended; nil while it has not (Python's `error_reason`): ``ClientConnection/errorReason``.
    public var errorReason: ErrorReason? { connection.errorReason }
    /// 0 while not disconnected, else the disconnection's code (Python's `error_code`):
    /// ``ClientConnection/errorCode``.
    public var errorCode: Int? { connection.errorCode }
    /// What the disconnection said; empty when not disconnected (Python's `error_detail`).
    public var errorDetail: String { connection.errorDetail }

    /// The document kept in sync with the server's; nil until a pull or a push succeeded. After a push of
    /// a given document it is that document.
    ///
    /// - Important: only on the session's event loop (inside ``withDocument(_:)-56y81``).
    public var document: Document? { onLoop { $0.document } }

    // MARK: Connecting

    /// Connects to the server. Throws the failure with its reason and code (Python records it and
    /// ``checkConnectionErrors()`` raises it).
    public func connect() async throws { try await connection.connect() }
    public func connect() throws { try LoopBridge.blocking(on: connection.eventLoop) { try await self.connect() } }

    /// Throws the recorded connection failure when not connected.
    public func checkConnectionErrors() throws {
        switch connection.state {
        case .connectedAfterACK, .waitingForReply:
            return
        case .disconnected(let reason, let code, let detail):
            throw ClientError.connectionFailed(reason: reason, code: code, detail: detail)
        case .notYetConnected, .connectedBeforeACK:
            throw ClientError.notConnected
        }
    }

    /// Closes the connection with code 1000 and `why`.
    public func close(why: String = "closed") async { await connection.close(why: why) }
    public func close(why: String = "closed") {
        _ = try? LoopBridge.blocking(on: connection.eventLoop) { await self.close(why: why) }
    }

    /// Waits until the server closes the connection, or `timeout` passes. Returns whether it closed.
    @discardableResult
    public func loopUntilClosed(timeout: Duration? = nil) async -> Bool {
        await connection.loopUntilClosed(timeout: timeout)
    }
    @discardableResult
    public func loopUntilClosed(timeout: Duration? = nil) -> Bool {
        (try? LoopBridge.blocking(on: connection.eventLoop) { await self.loopUntilClosed(timeout: timeout) }) ?? true
    }

    // MARK: Requests

    /// A request/reply round trip: every change the server sent before has been applied when it returns.
    public func forceRoundtrip() async throws { try await connection.forceRoundtrip() }
    public func forceRoundtrip() throws {
        try LoopBridge.blocking(on: connection.eventLoop) { try await self.forceRoundtrip() }
    }

    public func requestServerInfo() async throws -> VersionInfo { try await connection.requestServerInfo() }
    public func requestServerInfo() throws -> VersionInfo {
        try LoopBridge.blocking(on: connection.eventLoop) { try await self.requestServerInfo() }
    }

    /// Connects if needed and loads the server's document into ``document`` (the same `Document` on later
    /// pulls, its contents replaced).
    public func pull() async throws {
        try await LoopBridge.run(on: connection.eventLoop) { done in self.pullOnLoop(done) }
    }
    public func pull() throws { try LoopBridge.blocking(on: connection.eventLoop) { try await self.pull() } }

    /// Connects if needed and replaces the server's document with `document`, which becomes ``document``
    /// (Python's `push(document)`); with nil, with the session's current document (an empty one before
    /// any pull).
    ///
    /// `document` itself is kept in sync from then on, as in Python: the changes made to it go to the
    /// server, and the server's changes are applied to it. It moves to the session's event loop, so it is
    /// `sending`: the compiler stops the caller from touching it (or its models) directly afterwards;
    /// change it inside ``withDocument(_:)-56y81``, which hands over this same object.
    ///
    /// - Throws: ``ClientError`` when given a document while the session already has one (as Python's
    ///   "Cannot push() a different document"), on connection failures and ERROR replies. A document
    ///   whose push failed is not kept.
    public func push(_ document: sending Document? = nil) async throws {
        try await push(handoff: Handoff(document))
    }
    public func push(_ document: sending Document? = nil) throws {
        let handoff = Handoff(document)
        try LoopBridge.blocking(on: connection.eventLoop) { try await self.push(handoff: handoff) }
    }

    /// Runs `body` with ``document`` on the session's loop; the changes it makes are sent to the server
    /// (one PATCH-DOC each) before it returns.
    ///
    /// - Throws: ``ClientError`` before the first pull or push; whatever `body` throws.
    public func withDocument<T: Sendable>(_ body: @escaping @Sendable (Document) throws -> T) async throws -> T {
        try await LoopBridge.run(on: connection.eventLoop) { done in done(self.callOnLoop(body)) }
    }
    public func withDocument<T: Sendable>(_ body: @escaping @Sendable (Document) throws -> T) throws -> T {
        try LoopBridge.blocking(on: connection.eventLoop) { try await self.withDocument(body) }
    }

    // MARK: Browser

    /// The session's page: the application URL with `bokeh-session-id`.
    public var pageURL: String {
        ClientURL.appendingQuery([("bokeh-session-id", id)], to: ClientURL.serverURL(forWebsocketURL: connection.url))
    }

    /// Opens a browser on the session's page (``pageURL``), after adding `obj` as a root of ``document``
    /// unless it is one already (Python's `ClientSession.show(obj, browser, new)`).
    ///
    /// The root is added on the session's loop, so its PATCH-DOC is on its way to the server before the
    /// browser starts. `obj` moves to that loop with the document (it is `sending`). Without `obj` no
    /// document is needed.
    ///
    /// This is a blocking call: not on the session's loop (inside ``withDocument(_:)-56y81``).
    ///
    /// - Parameters:
    ///   - obj: A model to show (a layout, plot or widget).
    ///   - browser: The program to run; nil: `$BROWSER`, else `xdg-open` (`open` on macOS).
    ///   - new: Where the page opens, as Python's `new` (see ``BrowserTarget``).
    ///   - controller: Opens the page instead of a browser program (Python's `controller`); `browser` is then
    ///     not used.
    /// - Throws: ``ClientError`` when given `obj` before the first pull or push, or when no such program is
    ///   found or it cannot be started; what `controller` throws.
    public func show(
        obj: sending Model? = nil, browser: String? = nil, new: BrowserTarget = .tab,
        controller: (any BrowserController)? = nil
    ) throws {
        if obj != nil {
            let handoff = Handoff(obj)
            try withDocument { document in
                guard let obj = handoff.take() else { return }
                if !document.roots.contains(where: { $0 === obj }) { document.addRoot(obj) }
            }
        }
        try (controller ?? BrowserProgram(browser)).open(pageURL, new: new)
    }

    // MARK: Loop side

    private static func token(for id: String, signer: SessionSigner) -> String {
        // trap-safe: the clock
        (try? signer.makeToken(sessionID: id, now: Int(Date().timeIntervalSince1970))) ?? ""
    }

    /// A signer configured like Python's `bokeh.settings`: `BOKEH_SECRET_KEY`, `BOKEH_SIGN_SESSIONS`.
    public static func environmentSigner(_ environment: [String: String]? = nil) throws -> SessionSigner {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let truthy: Set<String> = ["yes", "y", "true", "t", "on", "1"]
        let sign = environment["BOKEH_SIGN_SESSIONS"].map { truthy.contains($0.lowercased()) } ?? false
        return try SessionSigner(secretKey: environment["BOKEH_SECRET_KEY"], signsSessions: sign)
    }

    private func onLoop<T>(_ body: (SessionDocument) throws -> T) rethrows -> T {
        connection.eventLoop.assertInEventLoop()
        if let existing = local.withLock({ $0 }) { return try body(existing.value) }
        let created = SessionDocument()
        local.withLock { $0 = LoopBound(created, eventLoop: connection.eventLoop) }
        return try body(created)
    }

    private func callOnLoop<T>(_ body: (Document) throws -> T) -> Result<T, ClientError> {
        guard let document = onLoop({ $0.document }) else {
            return .failure(.usage("the session has no document yet: pull() or push() first"))
        }
        do { return .success(try body(document)) } catch let error as ClientError { return .failure(error) } catch {
            return .failure(.usage("\(error)"))
        }
    }

    private func pullOnLoop(_ done: @escaping LoopCompletion<Void>) {
        connection.onLoop { core in
            core.connect { connected in
                if case .failure(let error) = connected { return done(.failure(error)) }
                core.request(.pullDocumentRequest()) { reply in done(reply.flatMap { self.received(pull: $0) }) }
            }
        }
    }

    private func received(pull reply: Message) -> Result<Void, ClientError> {
        do {
            let json = try reply.documentJSON()
            try onLoop { local in
                if let document = local.document {
                    try document.replace(withJSON: json, buffers: reply.buffers, setter: setter)
                } else {
                    attach(try Document(fromJSON: json, buffers: reply.buffers), to: local)
                }
            }
            return .success(())
        } catch {
            return .failure(.protocolViolation("cannot load the pulled document: \(error)"))
        }
    }

    /// Pushes the document in `handoff` (nil: the session's own) from the session's loop.
    func push(handoff: Handoff<Document>) async throws {
        try await LoopBridge.run(on: connection.eventLoop) { done in self.pushOnLoop(handoff.take(), done) }
    }

    private func pushOnLoop(_ given: Document?, _ done: @escaping LoopCompletion<Void>) {
        let document: Document
        let attachAfterPush: Bool
        switch (onLoop { $0.document }, given) {
        case (.some, .some):
            return done(.failure(.usage("cannot push a different document from the session's existing document")))
        case (.some(let existing), nil):
            (document, attachAfterPush) = (existing, false)
        case (nil, .some(let given)):
            (document, attachAfterPush) = (given, true)
        case (nil, nil):
            (document, attachAfterPush) = (Document(), true)
        }
        let message = Message.pushDocument(document)
        connection.onLoop { core in
            core.connect { connected in
                if case .failure(let error) = connected { return done(.failure(error)) }
                core.request(message) { reply in
                    if case .failure(let error) = reply { return done(.failure(error)) }
                    if attachAfterPush { self.onLoop { local in self.attach(document, to: local) } }
                    done(.success(()))
                }
            }
        }
    }

    /// Makes `document` the session's document: its local changes go to the server, the server's
    /// patches are applied to it.
    private func attach(_ document: Document, to local: SessionDocument) {
        local.document = document
        let setter = self.setter
        let connection = self.connection
        document.onChange { [weak document] event in
            guard event.setter != setter, event.isPatchEvent, let document else { return }
            connection.onLoop { core in core.send(.patchDocument(events: [event], in: document)) }
        }
        connection.onLoop { core in
            core.onPatch = { [weak document, weak self] patch in
                guard let document else { return }
                do { try patch.apply(to: document, setter: setter) } catch {
                    self?.failedPatches.withLock { $0.append("\(error)") }
                }
            }
        }
    }

    /// Why server patches could not be applied, oldest first (empty when all applied). Any thread.
    public var patchErrors: [String] { failedPatches.withLock { $0 } }
}

/// The loop-side part of a ``ClientSession``.
final class SessionDocument {
    var document: Document?
}

@available(*, unavailable)
extension SessionDocument: Sendable {}
