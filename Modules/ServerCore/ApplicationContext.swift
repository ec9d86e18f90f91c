import Foundation
package import DocumentModel
package import Protocol
package import Wire
import Locking

/// Holds one application at one path and its sessions (Python Bokeh's `ApplicationContext`).
///
/// Sessions are created on event loops of the server's group, each pinned to its loop, so a slow
/// application handler on one loop does not hold up sessions created on others. Concurrent requests
/// for the same new session id wait for one creation.
public final class ApplicationContext: Sendable {
    public let application: Application
    /// The application path (`/bench`), without the server prefix.
    public let path: String
    public let serverContext: ServerContext
    let group: EventLoopGroup
    private let registry = RegistryBox()
    private var state: RegistryBox { registry }

    /// Shares the registry with the server context's session list.
    private final class RegistryBox: Sendable {
        let mutex = Lock<Registry>(Registry())
        func withLock<T>(_ body: (inout Registry) throws -> T) rethrows -> T { try mutex.withLock { try body(&$0) } }
    }

    private struct Registry {
        var sessions: [String: ServerSession] = [:]
        var contexts: [String: SessionContext] = [:]
        var pending: [String: [@Sendable (Result<ServerSession, any Error>) -> Void]] = [:]
    }

    /// Where a logged-in user logs out (``ServerConfiguration/Sessions/logoutURL``; Bokeh's
    /// `ApplicationContext.logout_url`), `nil` without one.
    public let logoutURL: String?

    package init(
        application: Application, path: String, group: EventLoopGroup, arguments: [String] = [],
        logoutURL: String? = nil
    ) {
        self.application = application
        self.path = path
        self.group = group
        self.logoutURL = logoutURL
        let registry = self.registry
        serverContext = ServerContext(loop: group.loops[0], arguments: arguments) {
            registry.mutex.withLock { Array($0.contexts.values) }
        }
    }

    /// The live sessions.
    public var sessions: [ServerSession] { state.withLock { Array($0.sessions.values) } }

    /// The live session with this id (Bokeh's `get_session`).
    /// - Throws: ``SessionError/sessionNotFound(_:)`` when there is none, as Python raises.
    public func getSession(id: String) throws(SessionError) -> ServerSession {
        guard let session = state.withLock({ $0.sessions[id] }) else { throw .sessionNotFound(id) }
        return session
    }

    /// The session with this id, if it exists.
    @available(*, deprecated, message: "use getSession(id:), which throws SessionError.sessionNotFound as Bokeh raises")
    public func getSession(_ id: String) -> ServerSession? { state.withLock { $0.sessions[id] } }

    /// The context of a live session.
    public func sessionContext(_ id: String) -> SessionContext? { state.withLock { $0.contexts[id] } }

    /// Returns the session `id`, creating it (on `loop`, or the group's next loop) if needed. `completion`
    /// runs on the session's loop. Any thread.
    package func createSessionIfNeeded(
        id: String, token: String, request: RequestSnapshot, tokenPayload: JSONObject = [:],
        user: AuthenticatedUser? = nil, on loop: EventLoop? = nil,
        completion: @escaping @Sendable (Result<ServerSession, any Error>) -> Void
    ) {
        guard !id.isEmpty else {
            completion(.failure(SessionError.emptySessionID))
            return
        }
        enum Step { case existing(ServerSession), wait, create }
        let step = state.withLock { r -> Step in
            if let s = r.sessions[id] { return .existing(s) }
            if r.pending[id] != nil {
                r.pending[id]?.append(completion)
                return .wait
            }
            r.pending[id] = [completion]
            return .create
        }
        switch step {
        case .existing(let session):
            session.eventLoop.run { completion(.success(session)) }
        case .wait:
            return
        case .create:
            let target = loop ?? group.next()
            let submitted = target.execute { [self] in
                let result = Result {
                    try self.makeSession(
                        id: id, token: token, request: request, payload: tokenPayload, user: user, on: target)
                }
                let waiters = state.withLock { r -> [@Sendable (Result<ServerSession, any Error>) -> Void] in
                    if case .success(let s) = result { r.sessions[id] = s }
                    return r.pending.removeValue(forKey: id) ?? []
                }
                for waiter in waiters { waiter(result) }
            }
            if !submitted {
                let waiters = state.withLock { $0.pending.removeValue(forKey: id) ?? [] }
                for waiter in waiters { waiter(.failure(SessionError.serverStopping)) }
            }
        }
    }

    /// ``createSessionIfNeeded(id:token:request:tokenPayload:on:completion:)`` for async code.
    package func createSessionIfNeeded(
        id: String, token: String, request: RequestSnapshot = RequestSnapshot(), tokenPayload: JSONObject = [:]
    ) async throws -> ServerSession {
        try await withLockedThrowingContinuation { continuation in
            createSessionIfNeeded(id: id, token: token, request: request, tokenPayload: tokenPayload) {
                continuation.resume(with: $0)
            }
        }
    }

    /// Builds a session on `loop`: session-created hook, then the application's handler.
    private func makeSession(
        id: String, token: String, request: RequestSnapshot, payload: JSONObject, user: AuthenticatedUser?,
        on loop: EventLoop
    ) throws
        -> ServerSession
    {
        let document = Document()
        let session = ServerSession(id: id, token: token, document: document, eventLoop: loop)
        let context = SessionContext(
            session: session, serverContext: serverContext, request: request, tokenPayload: payload,
            logoutURL: logoutURL, user: user)
        session.state.value.context = context
        if let hook = application.sessionCreated {
            do { try hook(context) } catch { log.error("Failed to run session creation hooks \(error)") }
        }
        do {
            try session.locked { _ in
                if let theme = application.theme { document.theme = theme }
                try application.handler(document, context)
            }
        } catch {
            log.error("error running application handler for \(path): \(error)")
            session.destroy()
            throw error
        }
        state.withLock { $0.contexts[id] = context }
        log.debug("created session '\(id)' for \(path) on \(loop.name)")
        return session
    }

    /// Discards sessions with no connections that have been unused longer than `unusedLifetime` (or asked to
    /// expire), as Bokeh's unused-session check does. Returns how many were scheduled.
    @discardableResult
    public func cleanupSessions(unusedLifetime: Duration) -> Int {
        let (seconds, attoseconds) = unusedLifetime.components
        return cleanup(lifetimeMilliseconds: Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }

    @available(*, deprecated, message: "use cleanupSessions(unusedLifetime:) (a Duration)")
    @discardableResult
    public func cleanupSessions(unusedLifetimeMilliseconds lifetime: Double) -> Int {
        cleanup(lifetimeMilliseconds: lifetime)
    }

    private func cleanup(lifetimeMilliseconds lifetime: Double) -> Int {
        let candidates = state.withLock { r in r.sessions.values.filter { $0.isUnused(lifetimeMilliseconds: lifetime) }
        }
        if !candidates.isEmpty { log.debug("Scheduling \(candidates.count) sessions to discard") }
        for session in candidates {
            session.eventLoop.execute { [self] in discard(session, lifetime: lifetime) }
        }
        return candidates.count
    }

    /// On the session's loop: re-checks, destroys, forgets, then runs the destroyed hooks.
    private func discard(_ session: ServerSession, lifetime: Double) {
        guard session.isUnused(lifetimeMilliseconds: lifetime) else {
            if !session.destroyed {
                log.warning("Session '\(session.id)' was scheduled to discard but came back to life")
            }
            return
        }
        log.debug(
            "Discarding session '\(session.id)' last in use \(session.millisecondsSinceLastUnsubscribe) milliseconds ago"
        )
        finish(session)
        log.debug("Session '\(session.id)' was successfully discarded")
    }

    /// On the session's loop: destroys the session, forgets it, then runs its destroyed hooks.
    private func finish(_ session: ServerSession) {
        let s = session.state.value
        let context = s.context
        let documentHooks = s.destroyedCallbacks
        s.destroyedCallbacks = []
        s.context = nil
        session.destroy()
        state.withLock {
            if $0.sessions[session.id] === session {
                $0.sessions[session.id] = nil
                $0.contexts[session.id] = nil
            }
        }
        if let context {
            if let hook = application.sessionDestroyed {
                do { try hook(context) } catch { log.error("Failed to run session destroy hooks \(error)") }
            }
            for hook in documentHooks {
                do { try hook(context) } catch { log.error("Failed to run session destroy hooks \(error)") }
            }
        }
    }

    /// Destroys every session (the server is stopping).
    /// Destroys every session, each on its loop with its destroyed hooks run, and returns when all have been
    /// (the server is stopping). Not from one of the server's loops.
    func destroyAllSessions() {
        let all = state.withLock { r in Array(r.sessions.values) }
        var byLoop: [ObjectIdentifier: (loop: EventLoop, sessions: [ServerSession])] = [:]
        for session in all {
            byLoop[ObjectIdentifier(session.eventLoop), default: (session.eventLoop, [])].sessions.append(session)
        }
        for (loop, sessions) in byLoop.values {
            let finished: Bool
            do {
                try loop.submitAndWait { [self] in for session in sessions { finish(session) } }
                finished = true
            } catch { finished = false }
            if !finished { for session in sessions { session.destroy() } }  // the loop has stopped: no hooks can run
        }
        state.withLock { r in
            r.sessions = [:]
            r.contexts = [:]
        }
    }

    func runLoadHook() {
        guard let hook = application.serverLoaded else { return }
        do { try hook(serverContext) } catch { log.error("Error in server loaded hook \(error)") }
    }

    func runUnloadHook() {
        guard let hook = application.serverUnloaded else { return }
        do { try hook(serverContext) } catch { log.error("Error in server unloaded hook \(error)") }
    }
}
