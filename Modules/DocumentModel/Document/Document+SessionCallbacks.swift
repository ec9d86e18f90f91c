import Locking

/// A callback on a document's event loop, added with ``Document/addNextTickCallback(_:)``,
/// ``Document/addTimeoutCallback(after:_:)`` or ``Document/addPeriodicCallback(every:_:)`` (Bokeh's
/// `NextTickCallback`, `TimeoutCallback` and `PeriodicCallback`).
///
/// A document only records its callbacks; a server session runs them (on its loop) for as long as they stay
/// in ``Document/sessionCallbacks``. A next-tick or timeout callback is one-shot: it leaves the list just
/// before it runs, so a spent handle reads ``isRemoved`` and removing it again is an error, as in Bokeh.
public final class SessionCallback: @unchecked Sendable {
    // @unchecked: `callback` and `document` are only touched on the document's thread (the session's loop);
    // the removal state is behind a mutex, so `remove()` and `isRemoved` work from any thread.

    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case nextTick, timeout, periodic
        public var description: String {
            switch self {
            case .nextTick: "next tick"
            case .timeout: "timeout"
            case .periodic: "periodic"
            }
        }
    }

    /// A unique id (Bokeh's `callback.id`), minted like model ids.
    public let id: String
    public let kind: Kind
    /// How often a periodic callback runs (Bokeh's `PeriodicCallback.period`); `nil` for the other kinds.
    public let period: Duration?
    /// How long a timeout callback waits (Bokeh's `TimeoutCallback.timeout`); `nil` for the other kinds.
    public let timeout: Duration?
    /// The function the callback runs, with the document. Only on the document's thread.
    public let callback: (Document) throws -> Void

    /// The document whose list holds the callback. Only on the document's thread.
    package weak var document: Document?
    private let state = Lock<State>(State())

    private struct State {
        var removed = false
        /// Set by the host that runs the callback (a server session): stops the timer and takes the callback
        /// out of the document on the document's thread. Called once, from any thread.
        var detach: (@Sendable () -> Void)?
    }

    init(kind: Kind, period: Duration? = nil, timeout: Duration? = nil, _ callback: @escaping (Document) throws -> Void)
    {
        self.id = IDGenerator.next()
        self.kind = kind
        self.period = period
        self.timeout = timeout
        self.callback = callback
    }

    /// Whether the callback has left its document: removed, run (one-shot kinds), or its session destroyed.
    public var isRemoved: Bool { state.withLock { $0.removed } }

    /// Stops the callback. From any thread: when a server session runs it, the timer stops at once and the
    /// document's list (and its ``DocumentEvent/sessionCallbackRemoved(_:)`` event) follows on the session's
    /// loop. Removing a removed callback does nothing; ``Document/removeSessionCallback(_:)`` is the form
    /// that reports it, as Bokeh's `remove_*_callback` does.
    public func remove() {
        let detach = state.withLock { s -> (@Sendable () -> Void)?? in
            guard !s.removed else { return nil }
            s.removed = true
            defer { s.detach = nil }
            return .some(s.detach)
        }
        guard let detach else { return }
        if let detach {
            detach()
        } else if let document {
            document.dropSessionCallback(self)
        }
    }

    /// Installs what ``remove()`` calls to stop a running callback. Package-internal: for the server session.
    /// Returns false (nothing installed) when the callback was already removed.
    package func attach(_ detach: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { s in
            guard !s.removed else { return false }
            s.detach = detach
            return true
        }
    }

    /// Marks the callback removed without calling its host. False if it already was.
    fileprivate func markRemoved() -> Bool {
        state.withLock { s in
            guard !s.removed else { return false }
            s.removed = true
            s.detach = nil
            return true
        }
    }
}

/// A session callback was added to a document (Bokeh's `SessionCallbackAdded`).
public struct SessionCallbackAddedEvent {
    public var callback: SessionCallback
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?
    public init(callback: SessionCallback) { self.callback = callback }
}

/// A session callback left a document: removed, or a one-shot callback about to run (Bokeh's
/// `SessionCallbackRemoved`).
public struct SessionCallbackRemovedEvent {
    public var callback: SessionCallback
    /// The document the event happened in (set when the document delivers it).
    public weak var document: Document?
    public init(callback: SessionCallback) { self.callback = callback }
}

extension Document {
    /// The callbacks waiting to run (Bokeh's `doc.session_callbacks`), in the order they were added.
    public var sessionCallbacks: [SessionCallback] { storedSessionCallbacks }

    /// Runs `body` on the next tick of the serving session's loop (Bokeh's `doc.add_next_tick_callback`).
    /// Raises ``DocumentEvent/sessionCallbackAdded(_:)``.
    @discardableResult
    public func addNextTickCallback(_ body: @escaping (Document) throws -> Void) -> SessionCallback {
        addSessionCallback(SessionCallback(kind: .nextTick, body))
    }

    /// Runs `body` once after `delay` (Bokeh's `doc.add_timeout_callback`).
    @discardableResult
    public func addTimeoutCallback(after delay: Duration, _ body: @escaping (Document) throws -> Void)
        -> SessionCallback
    {
        addSessionCallback(SessionCallback(kind: .timeout, timeout: delay, body))
    }

    /// Runs `body` every `period` until removed (Bokeh's `doc.add_periodic_callback`).
    @discardableResult
    public func addPeriodicCallback(every period: Duration, _ body: @escaping (Document) throws -> Void)
        -> SessionCallback
    {
        addSessionCallback(SessionCallback(kind: .periodic, period: period, body))
    }

    /// Removes a next-tick callback before it runs (Bokeh's `doc.remove_next_tick_callback`).
    /// - Throws: ``DocumentError/isCallbackNotFound`` when it already ran or was removed; a wrong-kind error
    ///   when `callback` is not a next-tick callback.
    public func removeNextTickCallback(_ callback: SessionCallback) throws(DocumentError) {
        try removeSessionCallback(callback, expecting: .nextTick)
    }

    /// Removes a timeout callback before it runs (Bokeh's `doc.remove_timeout_callback`).
    public func removeTimeoutCallback(_ callback: SessionCallback) throws(DocumentError) {
        try removeSessionCallback(callback, expecting: .timeout)
    }

    /// Removes a periodic callback (Bokeh's `doc.remove_periodic_callback`).
    public func removePeriodicCallback(_ callback: SessionCallback) throws(DocumentError) {
        try removeSessionCallback(callback, expecting: .periodic)
    }

    /// Removes a callback of any kind (Bokeh's `doc.callbacks.remove_session_callback`). Raises
    /// ``DocumentEvent/sessionCallbackRemoved(_:)``.
    /// - Throws: ``DocumentError/isCallbackNotFound`` when the callback is not in this document's list (it
    ///   already ran, was removed, or belongs to another document).
    public func removeSessionCallback(_ callback: SessionCallback) throws(DocumentError) {
        try removeSessionCallback(callback, expecting: nil)
    }

    private func removeSessionCallback(_ callback: SessionCallback, expecting kind: SessionCallback.Kind?)
        throws(DocumentError)
    {
        if let kind, callback.kind != kind {
            throw .callbackKind("\(callback.kind) callback '\(callback.id)' cannot be removed as a \(kind) callback")
        }
        guard storedSessionCallbacks.contains(where: { $0 === callback }) else { throw .callbackNotFound(callback.id) }
        callback.remove()
        // With a host, the list follows on the host's turn; take it out now, so the caller sees it gone.
        dropSessionCallback(callback)
    }

    /// Adds `callback` and raises the event; a destroyed document's callbacks are removed at once.
    private func addSessionCallback(_ callback: SessionCallback) -> SessionCallback {
        callback.document = self
        storedSessionCallbacks.append(callback)
        notify(.sessionCallbackAdded(SessionCallbackAddedEvent(callback: callback)))
        return callback
    }

    /// Takes `callback` out of the list (if there) and raises ``DocumentEvent/sessionCallbackRemoved(_:)``.
    /// Package-internal: the server session calls it on its loop when a callback is removed from elsewhere.
    package func dropSessionCallback(_ callback: SessionCallback) {
        guard let index = storedSessionCallbacks.firstIndex(where: { $0 === callback }) else { return }
        storedSessionCallbacks.remove(at: index)
        _ = callback.markRemoved()
        notify(.sessionCallbackRemoved(SessionCallbackRemovedEvent(callback: callback)))
    }

    /// Runs a callback for its host: a one-shot callback first leaves the list (Bokeh's `remove_then_invoke`),
    /// so it reads removed while it runs and cannot be removed again. Package-internal: the server session
    /// calls it on its loop. A callback no longer in the list does not run.
    package func runSessionCallback(_ callback: SessionCallback) throws {
        guard storedSessionCallbacks.contains(where: { $0 === callback }) else { return }
        if callback.kind != .periodic {
            _ = callback.markRemoved()
            dropSessionCallback(callback)
        }
        try callback.callback(self)
    }

    /// Forgets every callback without events (the document is being destroyed).
    func forgetSessionCallbacks() {
        for callback in storedSessionCallbacks { _ = callback.markRemoved() }
        storedSessionCallbacks = []
    }
}
