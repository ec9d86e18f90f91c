public import DocumentModel
public import Protocol
public import Wire
public import BokehChannel

/// One WebSocket client of a session (Python Bokeh's `ServerConnection`).
///
/// The handle is `Sendable`: a session on another event loop sends through it, and the frames are
/// written on the connection's own loop, in the order they were sent.
public final class ServerConnection: Sendable, Hashable {
    /// Identifies the connection's changes: events it caused are not echoed back to it.
    public let setter = Setter()
    /// The loop that owns the socket.
    public let eventLoop: EventLoop
    private let link: LoopBound<SessionLink>?
    private let sink: (@Sendable (Message) -> Void)?
    private let encoder: MessageEncoder

    init(link: SessionLink, encoder: MessageEncoder = MessageEncoder(style: .python)) {
        self.eventLoop = link.peer.eventLoop
        self.link = LoopBound(link, eventLoop: link.peer.eventLoop)
        self.sink = nil
        self.encoder = encoder
    }

    /// A connection without a socket: every message sent to it goes to `sink` (tests).
    package init(eventLoop: EventLoop, sink: @escaping @Sendable (Message) -> Void) {
        self.eventLoop = eventLoop
        self.link = nil
        self.sink = sink
        self.encoder = MessageEncoder(style: .python)
    }

    /// Encodes `message` here and writes its fragments on the connection's loop. Any thread.
    public func send(_ message: Message) {
        if let sink { return sink(message) }
        guard let prepared = prepare(message) else { return }
        onLoop { link in link.write(prepared) }
    }

    /// Sends a message encoded once for many connections (``PreparedMessage``). Any thread.
    public func send(_ prepared: PreparedMessage) {
        if let sink { return sink(prepared.message) }
        onLoop { link in link.write(prepared) }
    }

    /// Sends the reply to the request this connection handed the session (nil: the request gets none), then
    /// lets the connection hand on its next request. Any thread; the session calls it once per request.
    func finishRequest(reply: Message?) {
        if let sink {
            if let reply { sink(reply) }
            return
        }
        let prepared = reply.flatMap(prepare)
        onLoop { link in
            if let prepared { link.write(prepared) }
            link.requestFinished()
        }
    }

    /// Starts the closing handshake. Any thread.
    public func close(code: UInt16? = 1000, reason: String = "") {
        onLoop { link in link.peer.close(code: code.map { WebSocketCloseCode($0) }, reason: reason) }
    }

    /// Runs `body` on the connection's loop (now, if already there).
    func onLoop(_ body: @escaping @Sendable (SessionLink) -> Void) {
        guard let link else { return }
        eventLoop.run { body(link.value) }
    }

    private func prepare(_ message: Message) -> PreparedMessage? {
        do { return try PreparedMessage(message, encoder: encoder) } catch {
            log.error("cannot encode \(message.type) message: \(error)")
            return nil
        }
    }

    public static func == (a: ServerConnection, b: ServerConnection) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// Links one connection's ``BokehChannel`` to the session it is attached to, on the connection's loop:
/// the requests waiting to be handled and the session they go to.
///
/// Requests are handled one at a time, in order, as Python Bokeh's handler does (Tornado reads the next
/// message only once the reply to the last one has been written): the next waits until the reply to the one
/// before has been queued and the write queue is below its high watermark. So pipelined requests for large
/// replies are all answered, one after another, and what a client sends cannot make the server queue more
/// than one large reply for it.
final class SessionLink {
    let peer: BokehPeer
    var session: ServerSession?
    var closed = false
    /// Set once: the connection handle sessions use.
    var handle: ServerConnection?
    /// Complete messages not yet handed on, oldest first, from `inboxHead`.
    private var inbox: [Message] = []
    private var inboxHead = 0
    private var waitingCount: Int { inbox.count - inboxHead }
    /// A request went to the session and its reply has not been queued yet.
    private var awaitingReply = false
    private var draining = false
    private var readingPaused = false
    /// Stop reading the socket while this many messages wait (a client that pipelines faster than replies
    /// leave); resume at half.
    static let maxWaitingMessages = 64

    init(peer: BokehPeer) {
        self.peer = peer
        peer.onMessage = { [self] message in self.received(message) }
        peer.onProtocolError = { [self] error in self.fail(error) }
        peer.onWritable = { [self] in self.drainInbox() }
    }

    /// Writes one Bokeh message: all its WebSocket messages in one gathered write.
    func write(_ prepared: PreparedMessage) {
        guard !closed else { return }
        peer.send(prepared)
    }

    /// A complete message arrived: check it and queue it for handling.
    private func received(_ message: Message) {
        guard message.type.isHandledByServer else {
            fail(ProtocolError.notExpectedOnServer(message))
            return
        }
        inbox.append(message)
        drainInbox()
    }

    /// Hands waiting messages on while nothing stands in the way: no reply outstanding, the write queue
    /// below its high watermark, a session attached (SERVER-INFO-REQ needs none).
    func drainInbox() {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        while !closed, !awaitingReply, !peer.isBackpressured, inboxHead < inbox.count, let handle {
            let message = inbox[inboxHead]
            if message.type != .serverInfoRequest && session == nil { break }
            inboxHead += 1
            if message.type == .serverInfoRequest {
                handle.send(.serverInfoReply(replyingTo: message.messageID ?? ""))
            } else if let session {
                awaitingReply = true
                session.receive(message, from: handle)
            }
        }
        if inboxHead == inbox.count {
            inbox.removeAll(keepingCapacity: inbox.capacity <= 16)
            inboxHead = 0
        } else if inboxHead >= 32 && inboxHead * 2 >= inbox.count {
            inbox.removeFirst(inboxHead)
            inboxHead = 0
        }
        if !readingPaused, waitingCount >= Self.maxWaitingMessages {
            readingPaused = true
            peer.websocket.connection.pauseReading()
        } else if readingPaused, waitingCount <= Self.maxWaitingMessages / 2 {
            readingPaused = false
            peer.websocket.connection.resumeReading()
        }
    }

    /// The session queued its reply to the last request (or decided on none): on to the next.
    func requestFinished() {
        awaitingReply = false
        drainInbox()
    }

    func fail(_ error: ProtocolError) {
        if error.closeCode == ProtocolError.internalErrorCloseCode {
            log.error("Bokeh Server internal error: \(error.closeReason), closing connection")
        } else {
            log.error("Bokeh Server protocol error: \(error.closeReason), closing connection")
        }
        peer.close(for: error)
    }

    /// The connection closed: forget the handle, the session and unhandled messages (the handle keeps a
    /// reference to this object, so keeping one to it would be a cycle).
    func detach() {
        handle = nil
        session = nil
        inbox = []
        inboxHead = 0
    }

    /// The session is ready: handle what arrived meanwhile.
    func attach(_ session: ServerSession) {
        self.session = session
        drainInbox()
    }
}

/// A Bokeh message encoded once, to be sent to many connections (BokehChannel's type).
public typealias PreparedMessage = BokehChannel.PreparedMessage
