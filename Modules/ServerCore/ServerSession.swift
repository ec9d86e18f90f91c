import Foundation
public import DocumentModel
package import Protocol
public import Wire
import BokehChannel
import Locking

/// Hosts one instance of an application (a ``Document``) for any number of connections (Python Bokeh's
/// `ServerSession`).
///
/// A session is pinned to one event loop: its document, its callbacks and the handling of every
/// message sent to it run there, one at a time, so document changes are serialised. The bookkeeping
/// properties (``connectionCount``, ``destroyed``, …) may be read from any thread.
public final class ServerSession: Sendable {
    public let id: String
    /// The token the session was created with.
    public let token: String
    /// The loop the session runs on.
    public let eventLoop: EventLoop
    let state: LoopBound<SessionState>
    private let books: Lock<Bookkeeping>

    struct Bookkeeping {
        var destroyed = false
        var expirationRequested = false
        var blocked = 0
        var connections = 0
        var lastUnsubscribe: Double
    }

    /// Creates a session around `document`. Only on `eventLoop`.
    init(id: String, token: String, document: Document, eventLoop: EventLoop) {
        self.id = id
        self.token = token
        self.eventLoop = eventLoop
        self.books = Lock(Bookkeeping(lastUnsubscribe: eventLoop.clock.monotonicMilliseconds))
        let s = SessionState(document: document)
        self.state = LoopBound(s, eventLoop: eventLoop)
        s.changeToken = document.onChange { [weak self, weak s] event in
            switch event {
            case .sessionCallbackAdded(let e): self?.start(e.callback)
            case .sessionCallbackRemoved(let e): self?.stop(e.callback)
            default: s?.pending.append(event)
            }
        }
        // Callbacks the document already had (Python's `ServerSession.__init__` schedules them too).
        for callback in document.sessionCallbacks { start(callback) }
    }

    /// Creates a session around `document` on `eventLoop`, as Python's `ServerSession(session_id, document,
    /// io_loop, token)`: with no token, one is minted for the id (unsigned, as a server without a secret key
    /// makes). Only on `eventLoop`.
    public convenience init(id: String, document: Document, eventLoop: EventLoop, token: String? = nil) throws {
        guard !id.isEmpty else { throw SessionError.emptySessionID }
        let minted = try token ?? SessionSigner().makeToken(sessionID: id, now: eventLoop.clock.wholeUnixSeconds)
        self.init(id: id, token: minted, document: document, eventLoop: eventLoop)
    }

    // MARK: Bookkeeping (any thread)

    public var destroyed: Bool { books.withLock { $0.destroyed } }
    public var expirationRequested: Bool { books.withLock { $0.expirationRequested } }
    public var expirationBlocked: Bool { books.withLock { $0.blocked > 0 } }
    public var expirationBlockedCount: Int { books.withLock { $0.blocked } }
    public var connectionCount: Int { books.withLock { $0.connections } }
    /// Milliseconds since the last connection left (or since creation, if none ever did).
    public var millisecondsSinceLastUnsubscribe: Double {
        eventLoop.clock.monotonicMilliseconds - books.withLock { $0.lastUnsubscribe }
    }

    /// Marks the session for discarding at the next check for unused sessions, whatever its age (it
    /// must still have no connections and no block).
    public func requestExpiration() { books.withLock { $0.expirationRequested = true } }

    /// Keeps the session from being discarded until ``unblockExpiration()``. Calls nest.
    public func blockExpiration() { books.withLock { $0.blocked += 1 } }

    /// Undoes one ``blockExpiration()``.
    public func unblockExpiration() throws {
        try books.withLock { b throws(SessionError) in
            guard b.blocked > 0 else { throw SessionError.mismatchedUnblock }
            b.blocked -= 1
        }
    }

    /// Whether the reaper may discard the session now.
    func isUnused(lifetimeMilliseconds: Double) -> Bool {
        let now = eventLoop.clock.monotonicMilliseconds
        return books.withLock { b in
            !b.destroyed && b.connections == 0 && b.blocked == 0
                && (b.expirationRequested || now - b.lastUnsubscribe > lifetimeMilliseconds)
        }
    }

    // MARK: Document access

    /// The session's document. Only on ``eventLoop``; prefer ``withDocumentLocked(_:)-2rf8v``.
    public var document: Document { state.value.document }

    /// Runs `body` with the document on the session's loop, then sends the changes it made to every
    /// connection. Any thread. Waits while an async ``withDocumentLocked(_:)-5ttgh`` body holds the document.
    /// - Throws: ``SessionError/destroyed`` without running `body` when the session is (or gets) destroyed
    ///   first; ``SessionError/loopStopped`` when its loop has stopped; else what `body` throws.
    public func withDocumentLocked<T: Sendable>(_ body: @escaping @Sendable (Document) throws -> T) async throws -> T {
        guard !destroyed else { throw SessionError.destroyed }
        blockExpiration()
        defer { try? unblockExpiration() }
        return try await withLockedThrowingContinuation { (continuation: LockedContinuation<T, any Error>) in
            let submitted = eventLoop.execute {
                let s = self.state.value
                self.whenUnlocked(s) {
                    guard !self.destroyed else { return continuation.resume(throwing: SessionError.destroyed) }
                    do {
                        continuation.resume(returning: try self.locked { s in try body(s.document) })
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
            if !submitted { continuation.resume(throwing: SessionError.loopStopped) }
        }
    }

    /// Runs an async `body` with the document, holding it across every `await` (Python's
    /// `with_document_locked` with a coroutine): until `body` returns, the session's messages, callbacks and
    /// other lockers wait their turn, in order. `body` runs on the session's loop (its task prefers the loop
    /// as executor), so it may touch the document between awaits; the changes it made go out together when it
    /// returns. Any thread.
    /// - Throws: ``SessionError/destroyed`` without running `body` when the session is (or gets) destroyed
    ///   first; ``SessionError/loopStopped`` when its loop has stopped; else what `body` throws.
    public func withDocumentLocked<T: Sendable>(_ body: @escaping @Sendable (Document) async throws -> T)
        async throws -> T
    {
        guard !destroyed else { throw SessionError.destroyed }
        blockExpiration()
        defer { try? unblockExpiration() }
        try await withLockedThrowingContinuation { (continuation: LockedContinuation<Void, any Error>) in
            let submitted = eventLoop.execute {
                let s = self.state.value
                self.whenUnlocked(s) {
                    guard !self.destroyed else { return continuation.resume(throwing: SessionError.destroyed) }
                    s.asyncHolds += 1
                    continuation.resume()
                }
            }
            if !submitted { continuation.resume(throwing: SessionError.loopStopped) }
        }
        let result: Result<T, any Error>
        do {
            result = .success(
                try await withTaskExecutorPreference(eventLoop) {
                    try await body(self.state.value.document)
                })
        } catch {
            result = .failure(error)
        }
        eventLoop.run { self.releaseAsyncHold() }
        return try result.get()
    }

    /// Runs `work` now, or after the async holder lets go. Only on the loop.
    private func whenUnlocked(_ s: SessionState, _ work: @escaping () -> Void) {
        if s.asyncHolds > 0 { s.waiting.append(work) } else { work() }
    }

    /// An async ``withDocumentLocked(_:)-5ttgh`` body returned: its changes go out, then the waiting work runs
    /// in order until something takes the document again. Only on the loop.
    private func releaseAsyncHold() {
        let s = state.value
        s.asyncHolds = Swift.max(0, s.asyncHolds - 1)
        flush(s)
        while s.asyncHolds == 0, !s.waiting.isEmpty {
            s.waiting.removeFirst()()
        }
    }

    /// ``withDocumentLocked(_:)-2rf8v`` for code already on the session's loop: runs at once.
    public func withDocumentLockedOnLoop<T>(_ body: (Document) throws -> T) rethrows -> T {
        try locked { s in try body(s.document) }
    }

    /// Runs `body` holding an expiration block, then forwards the document changes it made. Only on the loop.
    func locked<T>(_ body: (SessionState) throws -> T) rethrows -> T {
        let s = state.value
        blockExpiration()
        defer {
            flush(s)
            try? unblockExpiration()
        }
        return try body(s)
    }

    /// Sends the pending document events: one PATCH-DOC per event to every subscriber except the one
    /// whose message caused it. New models go out in full to each subscriber that has not seen them.
    func flush(_ s: SessionState) {
        while !s.pending.isEmpty {
            let events = s.pending
            s.pending = []
            for event in events {
                let origin = event.setter
                // Encoded once for every subscriber that knows the same models (usually all of them).
                var shared: (message: PreparedMessage, references: [String], emitted: [String])?
                for subscriber in s.subscribers where subscriber.connection.setter != origin {
                    if let shared, subscriber.agrees(references: shared.references, emitted: shared.emitted) {
                        for id in shared.emitted { subscriber.known.insert(id) }
                        subscriber.connection.send(shared.message)
                        continue
                    }
                    var serializer = Serializer(known: subscriber.known)
                    let encoded = event.encode(with: &serializer)
                    let emitted = serializer.emittedModels.map(\.id)
                    for id in emitted { subscriber.known.insert(id) }
                    let message = Message.patchDocument(
                        content: .object(["events": .array([encoded])]), buffers: serializer.buffers)
                    if shared == nil, let prepared = try? PreparedMessage(message) {
                        shared = (prepared, serializer.knownReferences, emitted)
                        subscriber.connection.send(prepared)
                    } else {
                        subscriber.connection.send(message)
                    }
                }
            }
        }
    }

    // MARK: Connections

    /// Adds a connection: from now on it receives the document's changes. Only on the loop.
    public func subscribe(_ connection: ServerConnection) {
        let s = state.value
        guard !s.subscribers.contains(where: { $0.connection == connection }) else { return }
        s.subscribers.append(Subscriber(connection: connection, known: Set(s.document.models.keys)))
        books.withLock { $0.connections += 1 }
    }

    /// Removes a connection, and restarts the unused-session clock even for a connection that was not
    /// subscribed, as Python's `unsubscribe` does (`discard`, then the time). Only on the loop.
    /// Returns whether `connection` was subscribed.
    @discardableResult
    public func unsubscribe(_ connection: ServerConnection) -> Bool {
        let s = state.value
        let index = s.subscribers.firstIndex(where: { $0.connection == connection })
        if let index { s.subscribers.remove(at: index) }
        books.withLock {
            if index != nil { $0.connections -= 1 }
            $0.lastUnsubscribe = eventLoop.clock.monotonicMilliseconds
        }
        return index != nil
    }

    /// A connection went away: raises Bokeh's `ConnectionLost` event (``EventKind/connectionLost``,
    /// `"connection_lost"`, with a `timestamp` in milliseconds since the epoch) on the document, for its
    /// `onEvent` callbacks, under the document lock. Only on the loop.
    public func notifyConnectionLost() {
        guard !destroyed else { return }
        let timestamp = eventLoop.clock.unixSeconds() * 1000
        whenUnlocked(state.value) { [self] in
            guard !destroyed else { return }
            locked { s in
                log.debug("connection lost for session '\(id)'")
                var values = ValueMap()
                values.entries.append((key: .string("timestamp"), value: .float(timestamp)))
                s.document.triggerEvent(UIEvent(name: EventKind.connectionLost.rawValue, values: .map(values)))
                s.callbackErrors = []
            }
        }
    }

    // MARK: Messages

    /// Handles a message from `connection` on the session's loop. Any thread.
    package func receive(_ message: Message, from connection: ServerConnection) {
        eventLoop.run {
            self.whenUnlocked(self.state.value) { self.handle(message, from: connection) }
        }
    }

    private func handle(_ message: Message, from connection: ServerConnection) {
        guard !destroyed else {
            log.debug("ignoring \(message.type) for destroyed session '\(id)'")
            connection.finishRequest(reply: nil)
            return
        }
        let reply: Message
        switch message.type {
        case .pullDocumentRequest: reply = pull(message, from: connection)
        case .pushDocument: reply = push(message, from: connection)
        case .patchDocument: reply = patch(message, from: connection)
        default: reply = .error(replyingTo: message.messageID ?? "", text: "unexpected \(message.type)")
        }
        connection.finishRequest(reply: reply)
    }

    /// PULL-DOC-REQ: the whole document. Only on the loop.
    package func pull(_ message: Message, from connection: ServerConnection) -> Message {
        locked { s in
            let (json, buffers) = s.document.toJSON()
            s.subscriber(connection)?.known = Set(s.document.models.keys)
            return .pullDocumentReply(replyingTo: message.messageID ?? "", documentJSON: json, buffers: buffers)
        }
    }

    /// PUSH-DOC: replaces the document; the other connections receive the changes. Only on the loop.
    package func push(_ message: Message, from connection: ServerConnection) -> Message {
        requestReply(message) { s in
            let json = try message.documentJSON()
            try s.document.replace(withJSON: json, buffers: message.buffers, setter: connection.setter)
            s.subscriber(connection)?.known = Set(s.document.models.keys)
        }
    }

    /// PATCH-DOC: applies the events; the other connections receive them, every connection receives
    /// what callbacks changed in response, all before the OK. Only on the loop.
    package func patch(_ message: Message, from connection: ServerConnection) -> Message {
        requestReply(message) { s in
            let outcome = try message.apply(to: s.document, setter: connection.setter)
            if case .ignoredStaleReference(let id) = outcome {
                log.debug("dropped a patch for removed model '\(id)' in session '\(self.id)'")
            }
            // The sender has the models it sent in full; not those its patch's callbacks created (those go out
            // in full to it too, when the changes are flushed).
            if let subscriber = s.subscriber(connection) {
                for id in Self.fullModelIDs(in: message.content) where s.document.models[id] != nil {
                    subscriber.known.insert(id)
                }
            }
        }
    }

    /// Ids of the models a message carries in full (`{"type": "object", "id": …}` anywhere in its content).
    static func fullModelIDs(in json: JSONValue) -> [String] {
        var ids: [String] = []
        var stack = [json]
        while let value = stack.popLast() {
            switch value {
            case .array(let items): stack += items
            case .object(let object):
                if object["type"]?.stringValue == "object", let id = object["id"]?.stringValue { ids.append(id) }
                stack += object.members.map(\.value)
            default: break
            }
        }
        return ids
    }

    /// Runs a request under the lock; OK, or ERROR when it (or a callback it triggered) threw.
    private func requestReply(_ message: Message, _ body: (SessionState) throws -> Void) -> Message {
        let requestID = message.messageID ?? ""
        let s = state.value
        s.callbackErrors = []
        var failure: (any Error)?
        locked { s in
            do { try body(s) } catch { failure = error }
        }
        if failure == nil, let first = s.callbackErrors.first { failure = first }
        s.callbackErrors = []
        guard let failure else { return .ok(replyingTo: requestID) }
        let text = Self.pythonRepr(failure)
        log.error("error handling message \(message.type) in session '\(id)': \(text)")
        return .error(replyingTo: requestID, text: text, traceback: "\(type(of: failure)): \(failure)")
    }

    /// An error as Python's `repr(exception)` would word it: the message quoted as Python's `repr` of a string
    /// quotes it (single quotes, double ones when the text holds a `'` and no `"`).
    static func pythonRepr(_ error: any Error) -> String {
        let text = PythonRepr.string(.string("\(error)"))
        if let d = error as? DocumentError {
            return d.isUnknownReference ? "UnknownReferenceError(\(text))" : "ValueError(\(text))"
        }
        if error is ProtocolError { return "ProtocolError(\(text))" }
        return "\(type(of: error))(\(text))"
    }

    // MARK: Callbacks

    /// Records a callback error: logged, and answered with ERROR when a request triggered it. Only on the loop.
    func callbackFailed(_ error: any Error, in what: String) {
        log.error("error in \(what) of session '\(id)': \(error)")
        state.value.callbackErrors.append(error)
    }

    /// Starts running a callback of the document (it was added, or was there when the session was created).
    /// Only on the loop.
    func start(_ callback: SessionCallback) {
        let s = state.value
        guard s.running[ObjectIdentifier(callback)] == nil, !callback.isRemoved, !destroyed else { return }
        let run: @Sendable () -> Void = { [weak self] in
            guard let self, !self.destroyed else { return }
            self.whenUnlocked(self.state.value) {
                guard !self.destroyed else { return }
                self.locked { s in
                    do { try s.document.runSessionCallback(callback) } catch {
                        self.callbackFailed(error, in: "\(callback.kind) callback")
                    }
                    s.callbackErrors = []
                }
            }
        }
        let scheduled: Scheduled
        switch callback.kind {
        case .nextTick: scheduled = eventLoop.nextTick(run)
        case .timeout: scheduled = eventLoop.scheduleTask(in: callback.timeout ?? .zero, run)
        case .periodic: scheduled = eventLoop.schedulePeriodic(every: callback.period ?? .milliseconds(1), run)
        }
        s.running[ObjectIdentifier(callback)] = scheduled
        // `remove()` from any thread: the timer stops at once, the document's list follows on the loop.
        let attached = callback.attach { [eventLoop] in
            scheduled.cancel()
            eventLoop.run { callback.document?.dropSessionCallback(callback) }
        }
        if !attached { stop(callback) }
    }

    /// Stops a callback that left the document. Only on the loop.
    func stop(_ callback: SessionCallback) {
        state.value.running.removeValue(forKey: ObjectIdentifier(callback))?.cancel()
    }

    /// Callbacks the session is running (next-tick and timeout ones until they run). Only on the loop.
    var runningCallbackCount: Int { state.value.running.count }

    // MARK: Destruction

    /// Destroys the session: callbacks stop, connections are forgotten, the document is released.
    /// Any thread (the work happens on the session's loop).
    /// Starts the closing handshake of every connection of the session (`code` 1001 "going away": the server is
    /// shutting down). Any thread.
    public func closeConnections(code: UInt16 = 1001, reason: String = "") {
        eventLoop.run { [state] in
            for subscriber in state.value.subscribers { subscriber.connection.close(code: code, reason: reason) }
        }
    }

    /// Handles every connection as lost (the server is stopping): each is closed with `code`, unsubscribed, and
    /// the document raises `ConnectionLost` for it, as Python's `client_lost` and `notify_connection_lost` do.
    /// Any thread; returns when done (not on the session's loop, where it runs at once).
    func connectionsLost(code: UInt16, reason: String) {
        let work: @Sendable () -> Void = { [self] in
            // Unsubscribed first, so the connection's own close handling does not report it lost a second time.
            for subscriber in state.value.subscribers {
                unsubscribe(subscriber.connection)
                notifyConnectionLost()
                subscriber.connection.close(code: code, reason: reason)
            }
        }
        if eventLoop.inEventLoop { work() } else { _ = try? eventLoop.submitAndWait(work) }
    }

    public func destroy() {
        let alreadyDestroyed = books.withLock { b -> Bool in
            defer { b.destroyed = true }
            return b.destroyed
        }
        guard !alreadyDestroyed else { return }
        let release: @Sendable () -> Void = { [state] in
            let s = state.value
            for scheduled in s.running.values { scheduled.cancel() }
            s.running = [:]
            // Work waiting for an async holder sees the session destroyed and lets its caller go.
            let waiting = s.waiting
            s.waiting = []
            for work in waiting { work() }
            // Callbacks may capture the document; removing them breaks those cycles so it is freed.
            if let token = s.changeToken { s.document.removeCallback(token) }
            for token in s.documentCallbacks { s.document.removeCallback(token) }
            s.documentCallbacks = []
            s.subscribers = []
            s.pending = []
            s.document.destroy()  // frees its models even where they reference each other
            s.document = Document()
        }
        eventLoop.run(release)
    }
}

/// A misuse of a session (unbalanced expiration blocks, a stopped loop).
/// Why a session operation failed. Match it against the static members (`error == .invalidTokenSignature`).
public struct SessionError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case emptySessionID, serverStopping, invalidTokenSignature, mismatchedUnblock, loopStopped, destroyed
        case sessionNotFound, applicationNotFound, callbackNotFound, other
    }

    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// A page or WebSocket asked for a session with an empty id.
    public static let emptySessionID = Self(.emptySessionID, "Session ID must not be empty")
    /// The server stopped while the session was being created.
    public static let serverStopping = Self(.serverStopping, "the server is stopping")
    /// A session token whose signature does not match the server's secret key.
    public static let invalidTokenSignature = Self(.invalidTokenSignature, "Invalid token signature")
    /// ``ServerSession/unblockExpiration()`` without a matching ``ServerSession/blockExpiration()``.
    public static let mismatchedUnblock = Self(.mismatchedUnblock, "mismatched unblockExpiration")
    /// The session's event loop has stopped: the work was not run.
    public static let loopStopped = Self(.loopStopped, "the session's event loop has stopped")
    /// The session was destroyed: the work was not run (Python ignores locked callbacks on a destroyed
    /// session).
    public static let destroyed = Self(.destroyed, "the session has been destroyed")
    /// No live session has the id asked for (Python's `get_session` raises `ProtocolError`).
    public static func sessionNotFound(_ id: String) -> Self { Self(.sessionNotFound, "No such session \(id)") }
    /// No application is mounted at the path asked for (Python's `ValueError`).
    public static func applicationNotFound(_ path: String) -> Self {
        Self(.applicationNotFound, "Application \(path) does not exist on this server")
    }
    /// A server callback to remove already ran or was removed (Python's `ValueError("Removing a callback
    /// twice (or after it's already been run)")`).
    public static let callbackNotFound = Self(
        .callbackNotFound, "Removing a callback twice (or after it's already been run)")

    @available(*, deprecated, message: "match the static members (SessionError.invalidTokenSignature, ...)")
    public init(_ description: String) { self.init(.other, description) }

    public static func == (a: Self, b: Self) -> Bool {
        a.code == b.code && (a.code != .other || a.description == b.description)
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// One connection's view of the session: which models it already has.
final class Subscriber {
    let connection: ServerConnection
    var known: Set<String>

    init(connection: ServerConnection, known: Set<String>) {
        self.connection = connection
        self.known = known
    }

    /// Whether a serializer over ``known`` writes what one did that referenced `references` as known models and
    /// wrote `emitted` in full.
    func agrees(references: [String], emitted: [String]) -> Bool {
        references.allSatisfy { known.contains($0) } && !emitted.contains { known.contains($0) }
    }
}

/// The loop-bound part of a session.
final class SessionState {
    var document: Document
    var subscribers: [Subscriber] = []
    var pending: [DocumentEvent] = []
    /// Timers of the document's session callbacks, by callback.
    var running: [ObjectIdentifier: Scheduled] = [:]
    /// How many async `withDocumentLocked` bodies hold the document (0 or 1); while one does, messages,
    /// callbacks and other lockers wait in `waiting`.
    var asyncHolds = 0
    var waiting: [() -> Void] = []
    var callbackErrors: [any Error] = []
    var changeToken: CallbackToken?
    /// Callbacks registered through the session context, removed when the session is destroyed.
    var documentCallbacks: [CallbackToken] = []
    var context: SessionContext?
    var destroyedCallbacks: [(SessionContext) throws -> Void] = []

    init(document: Document) { self.document = document }

    func subscriber(_ connection: ServerConnection) -> Subscriber? {
        subscribers.first { $0.connection == connection }
    }
}
