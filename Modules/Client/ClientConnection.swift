public import DocumentModel
public import Protocol
public import Wire
import BokehChannel
import Locking
import Synchronization

/// A low-level connection to one session of a Bokeh server, over `ws[s]://host/app/ws`
/// (Python: `bokeh.client.connection.ClientConnection`). ``ClientSession`` is what most users want.
///
/// The connection offers the subprotocols `bokeh` and the session token, waits for the server's ACK,
/// then matches replies to requests by `reqid`. PATCH-DOCs from the server go to ``ClientSession``,
/// also while a reply is awaited. Every wait is bounded by ``timeout``.
///
/// All work happens on ``eventLoop``; each operation comes in an `async` form and a blocking one
/// for scripts (which must not be called on the loop itself).
public final class ClientConnection: Sendable {
    /// The WebSocket URL, without the request arguments.
    public let url: String
    /// Request arguments added to the URL's query (the server's `session_context.request.arguments`).
    public let arguments: [String: String]
    /// Largest message accepted from the server, in bytes (Bokeh's default: 20 MiB).
    public let maxMessageSize: Int
    /// Bound on connecting (handshake and ACK), on each request's reply and on closing.
    public let timeout: Duration
    /// The loop the connection runs on.
    public let eventLoop: EventLoop

    private let token: @Sendable () -> String
    private let ownsLoop: Bool
    private let published = Lock<ClientConnectionState>(.notYetConnected)
    private let serverInfo = Lock<VersionInfo?>(nil)
    private let sentPatches = Atomic<Int>(0)
    private let core = Lock<LoopBound<ClientLoopState>?>(nil)

    /// - Parameters:
    ///   - websocketURL: `ws://host:port/app/ws` or `wss://…`.
    ///   - token: Makes the session token offered as the second subprotocol (called when connecting).
    ///   - eventLoop: The loop to run on; nil starts one owned by the connection, stopped when the
    ///     connection is released.
    public init(
        websocketURL: String = "ws://localhost:5006/ws", token: @escaping @Sendable () -> String,
        arguments: [String: String] = [:], maxMessageSize: Int = 20 * 1024 * 1024, timeout: Duration = .seconds(10),
        eventLoop: EventLoop? = nil
    ) throws {
        url = websocketURL
        self.token = token
        self.arguments = arguments
        self.maxMessageSize = maxMessageSize
        self.timeout = timeout
        if let eventLoop {
            self.eventLoop = eventLoop
            ownsLoop = false
        } else {
            self.eventLoop = try EventLoop(name: "bokeh-client")
            ownsLoop = true
        }
    }

    /// Stops the loop the connection started (the document stays readable after ``close(why:)`` until then).
    deinit {
        if ownsLoop { eventLoop.shutdown() }
    }

    // MARK: State

    public var state: ClientConnectionState { published.withLock { $0 } }
    /// Whether the WebSocket is open and the server's ACK arrived.
    public var connected: Bool { state.isConnected }
    /// The HTTP status or WebSocket close code of the disconnection: 0 while not disconnected (before
    /// connecting, and while connected), nil when the disconnection had no code (a refused socket, a local
    /// ``close(why:)-o0ab`` without a close frame).
    ///
    /// Python's `ClientConnection.error_code` does the same: its docstring says None when there was no
    /// error, but it returns 0 in every state but DISCONNECTED. A server's close shows its close code here
    /// (Tornado cannot see it, so Python reports 500).
    public var errorCode: Int? {
        if case .disconnected(_, let code, _) = state { return code }
        return 0
    }
    /// What the disconnection said; empty while not disconnected (Python's `error_detail`).
    public var errorDetail: String {
        if case .disconnected(_, _, let detail) = state { return detail }
        return ""
    }
    /// Why the connection ended; nil while it has not (Python's `error_reason`). See ``ErrorReason`` for
    /// which reason each way of ending gets.
    public var errorReason: ErrorReason? {
        if case .disconnected(let reason, _, _) = state { return reason }
        return nil
    }

    /// The URL actually requested: ``url`` with ``arguments`` as its query.
    public var requestURL: String {
        ClientURL.appendingQuery(arguments.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }, to: url)
    }

    // MARK: Operations

    /// Connects and waits for the ACK. Throws the connection failure (``ClientError/isConnectionFailure``)
    /// with its reason and code. Connecting an already connected connection does nothing.
    public func connect() async throws {
        try await LoopBridge.run(on: eventLoop) { done in self.onLoop { $0.connect(done) } }
    }
    public func connect() throws { try LoopBridge.blocking(on: eventLoop) { try await self.connect() } }

    /// Closes the WebSocket with code 1000 and `why`, waiting (at most ``timeout``) for the server's answer.
    public func close(why: String = "closed") async {
        _ = try? await LoopBridge.run(on: eventLoop) { done in self.onLoop { $0.close(why: why, done) } }
    }
    public func close(why: String = "closed") {
        _ = try? LoopBridge.blocking(on: eventLoop) { await self.close(why: why) }
    }

    /// A request/reply round trip (SERVER-INFO-REQ): every message the server sent before its reply has
    /// been handled when this returns.
    public func forceRoundtrip() async throws { _ = try await sendRequest(.serverInfoRequest()) }
    public func forceRoundtrip() throws { try LoopBridge.blocking(on: eventLoop) { try await self.forceRoundtrip() } }

    /// The server's versions (SERVER-INFO-REPLY), asked once and remembered, as Python's client does.
    public func requestServerInfo() async throws -> VersionInfo {
        if let known = serverInfo.withLock({ $0 }) { return known }
        return try remember(try await sendRequest(.serverInfoRequest()))
    }
    public func requestServerInfo() throws -> VersionInfo {
        try LoopBridge.blocking(on: eventLoop) { try await self.requestServerInfo() }
    }

    /// Asks for the session's document; returns the PULL-DOC-REPLY (`try reply.makeDocument()` reads it).
    public func pullDoc() async throws -> Message { try await sendRequest(.pullDocumentRequest()) }
    public func pullDoc() throws -> Message { try LoopBridge.blocking(on: eventLoop) { try await self.pullDoc() } }

    /// Asks for the session's document and loads it into `document`, replacing its roots, title and config
    /// (Python's `pull_doc(document)`, through `Document.replace(withJSON:buffers:setter:)`).
    ///
    /// The request runs on ``eventLoop``; `document` is filled on the caller's side, in the caller's
    /// isolation, so it may be any document the caller owns.
    ///
    /// - Parameters:
    ///   - document: The document to fill; its current contents are replaced.
    ///   - setter: Marks the changes the load makes (a session passes its own, so they are not sent back
    ///     to the server).
    /// - Throws: ``ClientError/notConnected`` before ``connect()-8ex8t``; ``ClientError/serverError(_:)`` for an
    ///   ERROR reply; ``ClientError/protocolViolation(_:)`` when the reply is not a loadable PULL-DOC-REPLY.
    nonisolated(nonsending) public func pullDoc(into document: Document, setter: Setter? = nil) async throws {
        try Self.load(try await pullDoc(), into: document, setter: setter)
    }
    public func pullDoc(into document: Document, setter: Setter? = nil) throws {
        let reply = try LoopBridge.blocking(on: eventLoop) { try await self.pullDoc() }
        try Self.load(reply, into: document, setter: setter)
    }

    private static func load(_ reply: Message, into document: Document, setter: Setter?) throws {
        guard reply.type == .pullDocumentReply else {
            throw ClientError.protocolViolation("expected PULL-DOC-REPLY, got \(reply.type.rawValue)")
        }
        do { try document.replace(withJSON: try reply.documentJSON(), buffers: reply.buffers, setter: setter) } catch {
            throw ClientError.protocolViolation("cannot load the pulled document: \(error)")
        }
    }

    /// Replaces the server session's document with `document`; returns the server's reply (OK).
    public func pushDoc(_ document: Document) async throws -> Message { try await sendRequest(.pushDocument(document)) }
    public func pushDoc(_ document: Document) throws -> Message {
        let message = Message.pushDocument(document)
        return try LoopBridge.blocking(on: eventLoop) { try await self.sendRequest(message) }
    }

    /// Sends `message` and waits for the message whose `reqid` is its `msgid`. An ERROR reply is thrown
    /// as ``ClientError/serverError(_:)``.
    public func sendRequest(_ message: Message) async throws -> Message {
        try await LoopBridge.run(on: eventLoop) { done in self.onLoop { $0.request(message, done) } }
    }
    public func sendRequestBlocking(_ message: Message) throws -> Message {
        try LoopBridge.blocking(on: eventLoop) { try await self.sendRequest(message) }
    }

    /// Waits until the connection is closed (by the server or by ``close(why:)-o0ab``), or `timeout` passes
    /// (nil: no limit). Returns whether it closed.
    ///
    /// On a connection that never connected (nor is connecting) it returns true at once, leaving the
    /// connection disconnected with ``ErrorReason/noError``, as Python's `loop_until_closed` does.
    @discardableResult
    public func loopUntilClosed(timeout: Duration? = nil) async -> Bool {
        (try? await LoopBridge.run(on: eventLoop) { done in self.onLoop { $0.waitUntilClosed(timeout: timeout, done) } })
            ?? true
    }
    @discardableResult
    public func loopUntilClosed(timeout: Duration? = nil) -> Bool {
        (try? LoopBridge.blocking(on: eventLoop) { await self.loopUntilClosed(timeout: timeout) }) ?? true
    }

    /// How many PATCH-DOCs this connection sent (tests check that server changes are not echoed).
    package var patchesSent: Int { sentPatches.load(ordering: .relaxed) }

    fileprivate func countPatchSent() { sentPatches.add(1, ordering: .relaxed) }

    /// Sends raw protocol fragments, bypassing the encoder (tests make servers see malformed messages).
    package func sendFragments(_ fragments: [Fragment]) {
        eventLoop.execute { _ = self.onLoop { $0.send(fragments: fragments) } }
    }

    private func remember(_ reply: Message) throws -> VersionInfo {
        guard case .serverInfoReply(let info) = try reply.body() else {
            throw ClientError.protocolViolation("expected SERVER-INFO-REPLY, got \(reply.type.rawValue)")
        }
        serverInfo.withLock { $0 = info }
        return info
    }

    // MARK: Loop side

    /// Runs `body` with the loop-side state. Only on ``eventLoop``.
    @discardableResult
    func onLoop<T>(_ body: (ClientLoopState) -> T) -> T {
        eventLoop.assertInEventLoop()
        let existing = core.withLock { $0 }
        if let existing { return body(existing.value) }
        let created = ClientLoopState(connection: self)
        core.withLock { $0 = LoopBound(created, eventLoop: eventLoop) }
        return body(created)
    }

    fileprivate func publish(_ state: ClientConnectionState) { published.withLock { $0 = state } }

    fileprivate var websocketConfiguration: WebSocketClientConfiguration {
        WebSocketClientConfiguration(
            subprotocols: ["bokeh", token()], connectTimeout: timeout,
            channel: WebSocketChannelConfiguration(
                websocket: WebSocketConfiguration(maxMessageSize: maxMessageSize, acceptsNonStandardCloseCodes: true),
                closeTimeout: timeout))
    }
}

/// A completion called on the connection's loop.
typealias LoopCompletion<T> = (Result<T, ClientError>) -> Void

/// The loop-side state of a ``ClientConnection``: the WebSocket, the protocol state machine, the
/// message assembler and the callers waiting for replies. Only touched on the connection's loop.
final class ClientLoopState {
    /// Weak: the connection owns this core; a dropped connection's pending callbacks must not keep it.
    private weak var connection: ClientConnection?
    private let loop: EventLoop
    private let timeout: Duration
    private var machine = ClientStateMachine()
    private var peer: BokehPeer?
    private let limits: MessageAssemblerLimits
    private var connecting = false
    private var closingWhy: String?
    private var connectWaiters: [LoopCompletion<Void>] = []
    private var replyWaiters: [String: (done: LoopCompletion<Message>, timer: Scheduled)] = [:]
    private var closeWaiters: [(done: LoopCompletion<Bool>, timer: Scheduled?)] = []
    private var ackTimer: Scheduled?
    /// Receives the server's PATCH-DOCs (set by ``ClientSession``).
    var onPatch: ((Message) -> Void)?

    init(connection: ClientConnection) {
        self.connection = connection
        loop = connection.eventLoop
        timeout = connection.timeout
        limits = MessageAssemblerLimits(
            maxFragmentBytes: connection.maxMessageSize, maxMessageBytes: connection.maxMessageSize)
    }

    var state: ClientConnectionState { machine.state }

    private func publish() { connection?.publish(machine.state) }

    // MARK: Connecting

    func connect(_ done: @escaping LoopCompletion<Void>) {
        switch machine.state {
        case .connectedAfterACK, .waitingForReply:
            done(.success(()))
        case .disconnected(let reason, let code, let detail):
            done(.failure(.connectionFailed(reason: reason, code: code, detail: detail)))
        case .connectedBeforeACK:
            connectWaiters.append(done)
        case .notYetConnected:
            connectWaiters.append(done)
            guard !connecting else { return }
            guard let connection else { return disconnect(reason: .noError, code: nil, detail: "connection released") }
            connecting = true
            WebSocketClient.connect(
                to: connection.requestURL, on: loop, configuration: connection.websocketConfiguration
            ) { [self] result in
                switch result {
                case .success(let channel): self.opened(channel)
                case .failure(let error): self.handshakeFailed(error)
                }
            }
        }
    }

    private func opened(_ channel: WebSocketChannel) {
        let peer = BokehPeer(channel, limits: limits)
        self.peer = peer
        // Python's server writes a reply as several small WebSocket messages without TCP_NODELAY: it sends
        // the rest only once the first is acknowledged, so acknowledge at once rather than after ~40 ms.
        peer.onFragment = { [self] in if !self.machine.pending.isEmpty { channel.connection.acknowledgeNow() } }
        peer.onMessage = { [self] message in self.handle(message) }
        peer.onProtocolError = { [self] error in
            self.fail(reason: .networkError, code: Int(WebSocketCloseCode.protocolError.rawValue), detail: "\(error)")
        }
        peer.onClose = { [self] info in self.closed(info) }
        guard machine.opened() else { return }
        publish()
        if closingWhy != nil {
            peer.close(code: .normalClosure, reason: closingWhy ?? "closed")
            return
        }
        ackTimer = loop.scheduleLocal(in: timeout) { [weak self] in
            guard let self, self.machine.state == .connectedBeforeACK else { return }
            self.fail(reason: .networkError, code: nil, detail: "no ACK from the server within \(self.timeout)")
        }
    }

    private func handshakeFailed(_ error: any Error) {
        if let status = (error as? WebSocketError)?.httpStatus {
            disconnect(reason: .httpError, code: status.code, detail: "\(error)")
        } else {
            disconnect(reason: .networkError, code: nil, detail: "\(error)")
        }
    }

    // MARK: Receiving

    /// Feeds one complete message to the state machine and carries out its answer.
    func handle(_ message: Message) {
        let action = machine.received(message)
        switch action {
        case .acknowledged:
            ackTimer?.cancel()
            publish()
            let waiters = connectWaiters
            connectWaiters = []
            for done in waiters { done(.success(())) }
        case .reply(let id, let reply):
            publish()
            guard let waiter = replyWaiters.removeValue(forKey: id) else { return }
            waiter.timer.cancel()
            if reply.type == .error {
                let text = (try? reply.body()).flatMap { body -> String? in
                    if case .error(let content) = body { return content.text }
                    return nil
                }
                waiter.done(.failure(.serverError(text ?? "ERROR reply")))
            } else {
                waiter.done(.success(reply))
            }
        case .applyPatch(let patch):
            onPatch?(patch)
        case .ignore:
            break
        case .violation(let detail):
            fail(reason: .networkError, code: Int(WebSocketCloseCode.protocolError.rawValue), detail: detail)
        }
    }

    // MARK: Sending

    /// Sends a message that expects no reply (PATCH-DOC). Returns false when not connected.
    @discardableResult
    func send(_ message: Message) -> Bool {
        guard machine.state.isConnected, let peer, peer.isOpen, (try? peer.send(message)) == true else { return false }
        if message.type == .patchDocument { connection?.countPatchSent() }
        return true
    }

    @discardableResult
    func send(fragments: [Fragment]) -> Bool {
        guard let peer, peer.isOpen else { return false }
        peer.send(fragments: fragments)
        return true
    }

    func request(_ message: Message, _ done: @escaping LoopCompletion<Message>) {
        guard let id = message.messageID else {
            done(.failure(.usage("a request needs a msgid")))
            return
        }
        if case .disconnected(let reason, let code, let detail) = machine.state {
            done(.failure(.connectionLost(reason: reason, code: code, detail: detail)))
            return
        }
        guard machine.sending(requestID: id) else {
            done(.failure(.notConnected))
            return
        }
        let timer = loop.scheduleLocal(in: timeout) { [weak self] in
            guard let self, let waiter = self.replyWaiters.removeValue(forKey: id) else { return }
            self.machine.abandon(requestID: id)
            self.publish()
            waiter.done(.failure(.timeout("reply to \(message.type.rawValue) within \(self.timeout)")))
        }
        replyWaiters[id] = (done, timer)
        publish()
        guard let peer, peer.isOpen, (try? peer.send(message)) == true else {
            machine.abandon(requestID: id)
            replyWaiters[id] = nil
            timer.cancel()
            publish()
            done(.failure(.usage("cannot encode or send \(message.type.rawValue)")))
            return
        }
    }

    // MARK: Closing

    func close(why: String, _ done: @escaping LoopCompletion<Bool>) {
        if case .disconnected = machine.state {
            done(.success(true))
            return
        }
        closeWaiters.append((done, nil))
        guard closingWhy == nil else { return }
        closingWhy = why
        if let peer {
            peer.close(code: .normalClosure, reason: why)
        } else if !connecting {
            disconnect(reason: .noError, code: nil, detail: why)
        }
    }

    func waitUntilClosed(timeout: Duration?, _ done: @escaping LoopCompletion<Bool>) {
        if case .disconnected = machine.state {
            done(.success(true))
            return
        }
        if machine.state == .notYetConnected, !connecting {
            // Python's loop_until_closed on NOT_YET_CONNECTED: DISCONNECTED() at once, with NO_ERROR.
            disconnect(reason: .noError, code: nil, detail: "")
            done(.success(true))
            return
        }
        var timer: Scheduled?
        let index = closeWaiters.count
        if let timeout {
            timer = loop.scheduleLocal(in: timeout) { [weak self] in
                guard let self, index < self.closeWaiters.count, self.closeWaiters[index].timer != nil else { return }
                self.closeWaiters[index].timer = nil
                done(.success(false))
            }
        }
        closeWaiters.append((done, timer))
    }

    /// The WebSocket closed. Our own ``close(why:)`` is ``ErrorReason/noError``. Otherwise the reason is
    /// Python's: with a reply awaited (its WAITING_FOR_REPLY reading nothing) ``ErrorReason/networkError``;
    /// before the ACK or idle after it (its `_wait_for_ack`/`_handle_messages` reading nothing)
    /// ``ErrorReason/httpError`` with code 500 and "Internal server error.". The server's close code and
    /// reason, which Tornado does not show Python, replace those when the server sent them.
    private func closed(_ info: WebSocketCloseInfo) {
        let code = info.code.map { Int($0.rawValue) }
        if let why = closingWhy, info.initiatedLocally, info.error == nil {
            disconnect(reason: .noError, code: code, detail: why)
            return
        }
        let told = info.error.map { "\($0)" } ?? (info.reason.isEmpty ? nil : info.reason)
        if machine.pending.isEmpty {
            disconnect(reason: .httpError, code: code ?? 500, detail: told ?? "Internal server error.")
        } else {
            disconnect(reason: .networkError, code: code, detail: told ?? "connection closed by the server")
        }
    }

    /// Fails the connection from this side: closes the WebSocket and records why.
    private func fail(reason: ErrorReason, code: Int?, detail: String) {
        disconnect(reason: reason, code: code, detail: detail)
        peer?.close(code: .protocolError, reason: "")
    }

    private func disconnect(reason: ErrorReason, code: Int?, detail: String) {
        connecting = false
        ackTimer?.cancel()
        let wasBeforeACK = !machine.state.isConnected
        let unanswered = machine.disconnected(reason: reason, code: code, detail: detail)
        publish()
        let connectFailed = ClientError.connectionFailed(reason: reason, code: code, detail: detail)
        let lost = ClientError.connectionLost(reason: reason, code: code, detail: detail)
        let waiters = connectWaiters
        connectWaiters = []
        for done in waiters { done(.failure(wasBeforeACK ? connectFailed : lost)) }
        for id in unanswered {
            guard let waiter = replyWaiters.removeValue(forKey: id) else { continue }
            waiter.timer.cancel()
            waiter.done(.failure(lost))
        }
        let closing = closeWaiters
        closeWaiters = []
        for waiter in closing {
            waiter.timer?.cancel()
            waiter.done(.success(true))
        }
        onPatch = nil
    }
}

@available(*, unavailable)
extension ClientLoopState: Sendable {}
