import Foundation
public import DocumentModel
package import Protocol
public import Wire
import BokehChannel
import Synchronization

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
    private let books: Mutex<Bookkeeping>

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
        self.books = Mutex(Bookkeeping(lastUnsubscribe: eventLoop.clock.monotonicMilliseconds))
        let s = SessionState(document: document)
        self.state = LoopBound(s, eventLoop: eventLoop)
        s.changeToken = document.onChange { [weak s] event in s?.pending.append(event) }
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

    /// The session's document. Only on ``eventLoop``; prefer ``withDocumentLocked(_:)``.
    public var document: Document { state.value.document }

    /// Runs `body` with the document on the session's loop, then sends the changes it made to every
    /// connection. Any thread.
    public func withDocumentLocked<T: Sendable>(_ body: @escaping @Sendable (Document) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let submitted = eventLoop.execute {
                do {
                    continuation.resume(returning: try self.locked { s in try body(s.document) })
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !submitted { continuation.resume(throwing: SessionError.loopStopped) }
        }
    }

    /// ``withDocumentLocked(_:)`` for code already on the session's loop: runs at once.
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
    public func unsubscribe(_ connection: ServerConnection) {
        let s = state.value
        let index = s.subscribers.firstIndex(where: { $0.connection == connection })
        if let index { s.subscribers.remove(at: index) }
        books.withLock {
            if index != nil { $0.connections -= 1 }
            $0.lastUnsubscribe = eventLoop.clock.monotonicMilliseconds
        }
    }

    /// A connection went away. Only on the loop.
    public func notifyConnectionLost() {
        guard !destroyed else { return }
        locked { _ in log.debug("connection lost for session '\(id)'") }
    }

    // MARK: Messages

    /// Handles a message from `connection` on the session's loop. Any thread.
    package func receive(_ message: Message, from connection: ServerConnection) {
        eventLoop.run { self.handle(message, from: connection) }
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

    /// An error as Python's `repr(exception)` would word it.
    static func pythonRepr(_ error: any Error) -> String {
        let text = "\(error)".replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        if let d = error as? DocumentError {
            return d.isUnknownReference ? "UnknownReferenceError(\"\(text)\")" : "ValueError(\"\(text)\")"
        }
        if error is ProtocolError { return "ProtocolError(\"\(text)\")" }
        return "\(type(of: error))(\"\(text)\")"
    }

    // MARK: Callbacks

    /// Records a callback error: logged, and answered with ERROR when a request triggered it. Only on the loop.
    func callbackFailed(_ error: any Error, in what: String) {
        log.error("error in \(what) of session '\(id)': \(error)")
        state.value.callbackErrors.append(error)
    }

    /// Schedules a session callback on the loop; it stops when the session is destroyed. Only on the loop.
    func schedule(
        kind: SessionCallback.Kind, delay: Duration?, _ body: @escaping (Document) throws -> Void
    ) -> SessionCallback {
        let s = state.value
        let callback = LoopBound(body, eventLoop: eventLoop)
        let run: @Sendable () -> Void = { [weak self] in
            guard let self, !self.destroyed else { return }
            self.locked { s in
                do { try callback.value(s.document) } catch { self.callbackFailed(error, in: "\(kind) callback") }
                s.callbackErrors = []
            }
        }
        let scheduled: Scheduled
        switch kind {
        case .nextTick: scheduled = eventLoop.nextTick(run)
        case .timeout: scheduled = eventLoop.scheduleTask(in: delay ?? .zero, run)
        case .periodic: scheduled = eventLoop.schedulePeriodic(every: delay ?? .milliseconds(1), run)
        }
        let handle = SessionCallback(kind: kind, scheduled: scheduled)
        s.callbacks.append(handle)
        if kind != .periodic { s.callbacks.removeAll { $0.scheduled.isCancelled } }
        return handle
    }

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

    public func destroy() {
        let alreadyDestroyed = books.withLock { b -> Bool in
            defer { b.destroyed = true }
            return b.destroyed
        }
        guard !alreadyDestroyed else { return }
        let release: @Sendable () -> Void = { [state] in
            let s = state.value
            for callback in s.callbacks { callback.remove() }
            s.callbacks = []
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

/// A handle to a session callback (next tick, timeout or periodic). `remove()` from any thread.
public final class SessionCallback: Sendable {
    public enum Kind: Sendable, CustomStringConvertible {
        case nextTick, timeout, periodic
        public var description: String {
            switch self {
            case .nextTick: "next tick"
            case .timeout: "timeout"
            case .periodic: "periodic"
            }
        }
    }

    public let kind: Kind
    let scheduled: Scheduled

    init(kind: Kind, scheduled: Scheduled) {
        self.kind = kind
        self.scheduled = scheduled
    }

    /// Stops the callback.
    public func remove() { scheduled.cancel() }
    public var isRemoved: Bool { scheduled.isCancelled }
}

/// A misuse of a session (unbalanced expiration blocks, a stopped loop).
/// Why a session operation failed. Match it against the static members (`error == .invalidTokenSignature`).
public struct SessionError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case emptySessionID, serverStopping, invalidTokenSignature, mismatchedUnblock, loopStopped, other
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
    var callbacks: [SessionCallback] = []
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
