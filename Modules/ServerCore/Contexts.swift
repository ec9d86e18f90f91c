import Foundation
public import DocumentModel
public import Protocol
import Wire
import Locking

/// What an application's session code sees of its session (Python Bokeh's `BokehSessionContext`):
/// the id, the request data carried by the token, the document, and session callbacks.
///
/// Created on the session's loop; the callback methods must be called there (the application
/// handler and the callbacks themselves run there).
public final class SessionContext: Sendable {
    public let session: ServerSession
    /// The server context of the session's application.
    public let serverContext: ServerContext
    /// The request the session came from: the token's headers and cookies, and its arguments (or the
    /// WebSocket URL's query arguments when the token carries none), without `bokeh-session-id`.
    public let request: RequestSnapshot
    /// The token payload (without `session_id`), compressed extras merged in.
    public let tokenPayload: JSONObject

    private let applicationLogoutURL: String?
    /// The user the server's ``AuthenticationPolicy`` authenticated for the request that created this session
    /// (the page, `autoload.js` or WebSocket request); nil without a policy.
    public let user: AuthenticatedUser?

    init(
        session: ServerSession, serverContext: ServerContext, request: RequestSnapshot, tokenPayload: JSONObject,
        logoutURL: String? = nil, user: AuthenticatedUser? = nil
    ) {
        self.session = session
        self.user = user
        self.serverContext = serverContext
        self.applicationLogoutURL = logoutURL
        var request = request
        request.arguments.removeAll { $0.name == "bokeh-session-id" }
        // Bokeh restores the Cookie header from the cookies (an empty one without cookies) when the token's
        // headers have no `Cookie` key (compared as written).
        if !request.headers.isEmpty || !request.cookies.isEmpty,
            !request.headers.contains(where: { $0.name == "Cookie" })
        {
            request.headers.append(("Cookie", request.cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")))
        }
        self.request = request
        self.tokenPayload = tokenPayload
    }

    public var id: String { session.id }
    /// The application arguments (what follows `--args` on the serve command line): the server context's.
    public var arguments: [String] { serverContext.arguments }
    public var token: String { session.token }
    public var destroyed: Bool { session.destroyed }
    /// Where a logged-in user logs out (Bokeh's `BokehSessionContext.logout_url`): the application's
    /// ``ApplicationContext/logoutURL``; `nil` without one.
    public var logoutURL: String? { applicationLogoutURL }
    /// The session's document (Bokeh's `BokehSessionContext._document`). Only on the session's loop; from
    /// elsewhere use ``withLockedDocument(_:)-1k29w``.
    public var document: Document { session.document }

    /// The first value of query argument `name`, as UTF-8 text.
    public func argument(_ name: String) -> String? { request.argument(name).first }

    /// Runs `body` with the document on the session's loop, then forwards the changes. Any thread.
    public func withLockedDocument<T: Sendable>(_ body: @escaping @Sendable (Document) throws -> T) async throws -> T {
        try await session.withDocumentLocked(body)
    }

    /// Runs an async `body` with the document held across its awaits (Bokeh's `with_locked_document` with a
    /// coroutine): ``ServerSession/withDocumentLocked(_:)-5ttgh``. Any thread.
    public func withLockedDocument<T: Sendable>(_ body: @escaping @Sendable (Document) async throws -> T)
        async throws -> T
    {
        try await session.withDocumentLocked(body)
    }

    // MARK: Session callbacks (on the session's loop)

    /// Runs `body` with the document on the next tick of the session's loop: the document's
    /// `Document.addNextTickCallback(_:)`.
    @discardableResult
    public func addNextTickCallback(_ body: @escaping (Document) throws -> Void) -> SessionCallback {
        session.document.addNextTickCallback(body)
    }

    /// Runs `body` once after `delay`: the document's `Document.addTimeoutCallback(after:_:)`.
    @discardableResult
    public func addTimeoutCallback(after delay: Duration, _ body: @escaping (Document) throws -> Void)
        -> SessionCallback
    {
        session.document.addTimeoutCallback(after: delay, body)
    }

    /// Runs `body` every `period` until removed or the session is destroyed: the document's
    /// `Document.addPeriodicCallback(every:_:)`.
    @discardableResult
    public func addPeriodicCallback(every period: Duration, _ body: @escaping (Document) throws -> Void)
        -> SessionCallback
    {
        session.document.addPeriodicCallback(every: period, body)
    }

    /// Calls `body` when `attribute` of `model` changes (`model.on_change`). An error it throws is logged
    /// and, when a client's PATCH-DOC caused the change, answered with ERROR instead of OK.
    @discardableResult
    public func onChange(
        of model: Model, attribute: String,
        _ body: @escaping (_ attribute: String, _ old: Value?, _ new: Value) throws -> Void
    ) -> CallbackToken {
        let session = self.session
        let token = session.document.onChange(of: model, attribute: attribute) { attribute, old, new in
            do { try body(attribute, old, new) } catch {
                session.callbackFailed(error, in: "'\(attribute)' change callback")
            }
        }
        session.state.value.documentCallbacks.append(token)
        return token
    }

    /// Calls `body` for UI events named `name` (`model.on_event`), with the same error handling as
    /// ``onChange(of:attribute:_:)``. For a model's events, the name is added to the model's
    /// `subscribed_events`, as Bokeh does: BokehJS only sends the events a model subscribes to.
    @discardableResult
    public func onEvent(_ name: String, of model: Model? = nil, _ body: @escaping (UIEvent) throws -> Void)
        -> CallbackToken
    {
        let session = self.session
        if let model {
            var events: [Value] = []
            if case .set(let existing)? = model["subscribed_events"] { events = existing }
            if !events.contains(where: { $0.stringValue == name }) {
                model.set("subscribed_events", .set(events + [.string(name)]))
            }
        }
        let token = session.document.onEvent(name, of: model) { event in
            do { try body(event) } catch { session.callbackFailed(error, in: "'\(name)' event callback") }
        }
        session.state.value.documentCallbacks.append(token)
        return token
    }

    /// Calls `body` with typed old and new values when `key` of `model` changes:
    /// `context.onChange(of: slider, Slider.value) { old, new in … }`. Values that don't fit the type arrive
    /// as `nil`; errors are handled as ``onChange(of:attribute:_:)`` handles them.
    @discardableResult
    public func onChange<T: BokehConvertible>(
        of model: Model, _ key: PropertyKey<T>, _ body: @escaping (_ old: T?, _ new: T?) throws -> Void
    ) -> CallbackToken {
        onChange(of: model, attribute: key.name) { _, old, new in
            try body(old.flatMap { T.fromBokeh($0) }, T.fromBokeh(new))
        }
    }

    /// Calls `body` with the typed old and new values of a property when it changes:
    /// `context.onChange(of: slider, \.value) { old, new in … }`. Both read as the property reads (defaults
    /// included); `old` is `nil` only for streamed or patched column data. Errors are handled as
    /// ``onChange(of:attribute:_:)`` handles them.
    @discardableResult
    public func onChange<M: Model, T>(
        of model: M, _ keyPath: KeyPath<M, T>, _ body: @escaping (_ old: T?, _ new: T) throws -> Void
    ) -> CallbackToken {
        let session = self.session
        let names = model.attributeNames(readBy: keyPath).joined(separator: "', '")
        let token = session.document.onChange(of: model, keyPath) { old, new in
            do { try body(old, new) } catch { session.callbackFailed(error, in: "'\(names)' change callback") }
        }
        session.state.value.documentCallbacks.append(token)
        return token
    }

    /// Calls `body` for UI events of `kind` (`.buttonClick`, `.tap`, …), optionally only those about `model`.
    @discardableResult
    public func onEvent(_ kind: EventKind, of model: Model? = nil, _ body: @escaping (UIEvent) throws -> Void)
        -> CallbackToken
    {
        onEvent(kind.rawValue, of: model, body)
    }

    /// Calls `body` with the typed event (``PointEvent`` for `.tap`, ``SelectionGeometryEvent``, …) for UI
    /// events of `kind`; events that don't decode as `E` are skipped.
    @discardableResult
    public func onEvent<E: BokehEvent>(
        _ kind: EventKind, of model: Model? = nil, as type: E.Type, _ body: @escaping (E) throws -> Void
    ) -> CallbackToken {
        onEvent(kind.rawValue, of: model) { event in
            if let typed = E(event) { try body(typed) }
        }
    }

    /// Runs `body` after the session was discarded (the document's `on_session_destroyed`).
    public func onSessionDestroyed(_ body: @escaping (SessionContext) throws -> Void) {
        session.state.value.destroyedCallbacks.append(body)
    }
}

/// A callback registered with a ``ServerContext``.
public struct ServerCallbackID: Hashable, Sendable {
    let rawValue: UInt64
}

/// What application code sees of the server (Python Bokeh's `BokehServerContext`): the application's
/// sessions and server-wide callbacks. Every method may be called from any thread.
public final class ServerContext: Sendable {
    let loop: EventLoop
    /// Registered callbacks by id: the timer once scheduled (nil while `register` is still making it).
    private let callbacks = Lock<(next: UInt64, handles: [UInt64: Scheduled?], removedEarly: Set<UInt64>)>(
        (1, [:], []))
    private let sessionsProvider: @Sendable () -> [SessionContext]
    /// The application arguments (what follows `--args` on the serve command line; Python's `sys.argv[1:]` in
    /// a Bokeh app): ``ServerConfiguration/applicationArguments``.
    public let arguments: [String]

    init(loop: EventLoop, arguments: [String] = [], sessions: @escaping @Sendable () -> [SessionContext]) {
        self.loop = loop
        self.arguments = arguments
        self.sessionsProvider = sessions
    }

    /// The contexts of the application's live sessions.
    public var sessions: [SessionContext] { sessionsProvider() }

    /// Runs `body` on the next tick of the server's loop.
    @discardableResult
    public func addNextTickCallback(_ body: @escaping @Sendable () -> Void) -> ServerCallbackID {
        register { id in
            loop.nextTick { [weak self] in
                self?.finished(id); body()
            }
        }
    }

    /// Runs `body` once after `delay`.
    @discardableResult
    public func addTimeoutCallback(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> ServerCallbackID {
        register { id in
            loop.scheduleTask(in: delay) { [weak self] in
                self?.finished(id); body()
            }
        }
    }

    /// Runs `body` every `period` until removed.
    @discardableResult
    public func addPeriodicCallback(every period: Duration, _ body: @escaping @Sendable () -> Void) -> ServerCallbackID
    {
        register { _ in loop.schedulePeriodic(every: period, body) }
    }

    /// Stops a callback; false if it already ran (timeout, next tick) or was removed.
    @discardableResult
    public func removeCallback(_ id: ServerCallbackID) -> Bool {
        let removed = callbacks.withLock { state -> Scheduled?? in
            guard let entry = state.handles.removeValue(forKey: id.rawValue) else { return nil }
            if entry == nil { state.removedEarly.insert(id.rawValue) }  // `register` cancels it once made
            return .some(entry)
        }
        guard let removed else { return false }
        removed?.cancel()
        return true
    }

    /// Removes a callback added with ``addNextTickCallback(_:)`` before it runs (Bokeh's
    /// `remove_next_tick_callback`).
    /// - Throws: ``SessionError/callbackNotFound`` when it already ran or was removed, as Python raises.
    public func removeNextTickCallback(_ id: ServerCallbackID) throws(SessionError) {
        guard removeCallback(id) else { throw .callbackNotFound }
    }

    /// Removes a callback added with ``addTimeoutCallback(after:_:)`` before it runs (Bokeh's
    /// `remove_timeout_callback`).
    /// - Throws: ``SessionError/callbackNotFound`` when it already ran or was removed.
    public func removeTimeoutCallback(_ id: ServerCallbackID) throws(SessionError) {
        guard removeCallback(id) else { throw .callbackNotFound }
    }

    /// Removes a callback added with ``addPeriodicCallback(every:_:)`` (Bokeh's `remove_periodic_callback`).
    /// - Throws: ``SessionError/callbackNotFound`` when it was already removed.
    public func removePeriodicCallback(_ id: ServerCallbackID) throws(SessionError) {
        guard removeCallback(id) else { throw .callbackNotFound }
    }

    /// Stops every callback (the server is stopping).
    func removeAllCallbacks() {
        let handles = callbacks.withLock { state -> [Scheduled] in
            defer { state.handles = [:] }
            return state.handles.values.compactMap { $0 }
        }
        for h in handles { h.cancel() }
    }

    /// Number of callbacks still registered.
    public var callbackCount: Int { callbacks.withLock { $0.handles.count } }

    /// Reserves the id before the timer exists, so a callback that runs (and finishes) before `make` returns is
    /// not recorded afterwards as still pending.
    private func register(_ make: (UInt64) -> Scheduled) -> ServerCallbackID {
        let id = callbacks.withLock { state -> UInt64 in
            defer { state.next += 1 }
            state.handles[state.next] = .some(nil)
            return state.next
        }
        let handle = make(id)
        let cancel = callbacks.withLock { state -> Bool in
            if state.removedEarly.remove(id) != nil { return true }
            if handle.isCancelled {
                state.handles[id] = nil
            } else if state.handles[id] != nil {
                state.handles[id] = .some(handle)
            }
            return false
        }
        if cancel { handle.cancel() }
        return ServerCallbackID(rawValue: id)
    }

    private func finished(_ id: UInt64) {
        callbacks.withLock { _ = $0.handles.removeValue(forKey: id) }
    }
}
