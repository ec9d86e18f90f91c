public import DocumentModel
public import Protocol
public import Wire

/// One WebSocket client of a session (Python Bokeh's `ServerConnection`).
///
/// The handle is `Sendable`: a session on another event loop sends through it, and the frames are
/// written on the connection's own loop, in the order they were sent.
public final class ServerConnection: Sendable, Hashable {
    /// Identifies the connection's changes: events it caused are not echoed back to it.
    public let setter = Setter()
    /// The loop that owns the socket.
    public let eventLoop: EventLoop
    private let io: LoopBound<ConnectionIO>?
    private let sink: (@Sendable (Message) -> Void)?
    private let encoder: MessageEncoder

    init(io: ConnectionIO, encoder: MessageEncoder = MessageEncoder(style: .python)) {
        self.eventLoop = io.channel.eventLoop
        self.io = LoopBound(io, eventLoop: io.channel.eventLoop)
        self.sink = nil
        self.encoder = encoder
    }

    /// A connection without a socket: every message sent to it goes to `sink` (tests, in-process peers).
    public init(eventLoop: EventLoop, sink: @escaping @Sendable (Message) -> Void) {
        self.eventLoop = eventLoop
        self.io = nil
        self.sink = sink
        self.encoder = MessageEncoder(style: .python)
    }

    /// Encodes `message` here and writes its fragments on the connection's loop. Any thread.
    public func send(_ message: Message) {
        if let sink {
            sink(message)
            return
        }
        let frames: PreparedWebSocketMessages
        do { frames = try PreparedMessage.frames(of: message, encoder: encoder) } catch {
            log.error("cannot encode \(message.type) message: \(error)")
            return
        }
        onLoop { io in io.write(frames) }
    }

    /// Sends a message encoded once for many connections (``PreparedMessage``). Any thread.
    public func send(_ prepared: PreparedMessage) {
        if let sink {
            sink(prepared.message)
            return
        }
        onLoop { io in io.write(prepared.frames) }
    }

    /// Sends the reply to the request this connection handed the session (nil: the request gets none), then
    /// lets the connection hand on its next request. Any thread; the session calls it once per request.
    func finishRequest(reply: Message?) {
        if let sink {
            if let reply { sink(reply) }
            return
        }
        var encoded: PreparedWebSocketMessages?
        if let reply {
            do { encoded = try PreparedMessage.frames(of: reply, encoder: encoder) } catch {
                log.error("cannot encode \(reply.type) message: \(error)")
            }
        }
        let frames = encoded
        onLoop { io in
            if let frames { io.write(frames) }
            io.requestFinished()
        }
    }

    /// Starts the closing handshake. Any thread.
    public func close(code: UInt16? = 1000, reason: String = "") {
        onLoop { io in io.channel.close(code: code.map { WebSocketCloseCode($0) }, reason: reason) }
    }

    /// Runs `body` on the connection's loop (now, if already there).
    func onLoop(_ body: @escaping @Sendable (ConnectionIO) -> Void) {
        guard let io else { return }
        if eventLoop.inEventLoop {
            body(io.value)
        } else {
            eventLoop.execute { body(io.value) }
        }
    }

    public static func == (a: ServerConnection, b: ServerConnection) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// The loop-bound side of a connection: the WebSocket channel, the message assembler and the session the
/// connection is attached to.
///
/// Requests are handled one at a time, in order, as Python Bokeh's handler does (Tornado reads the next
/// message only once the reply to the last one has been written): the next waits until the reply to the one
/// before has been queued and the write queue is below its high watermark. So pipelined requests for large
/// replies are all answered, one after another, and what a client sends cannot make the server queue more
/// than one large reply for it.
final class ConnectionIO {
    let channel: WebSocketChannel
    var assembler: MessageAssembler
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

    init(channel: WebSocketChannel, limits: MessageAssemblerLimits) {
        self.channel = channel
        self.assembler = MessageAssembler(limits: limits)
        channel.onWritable = { [weak self] in self?.drainInbox() }
    }

    /// Writes one Bokeh message: all its WebSocket messages in one gathered write.
    func write(_ frames: PreparedWebSocketMessages) {
        guard !closed else { return }
        channel.send(frames)
    }

    /// A WebSocket message arrived: assemble, check, and queue complete messages for handling.
    func received(_ frame: WebSocketMessage) {
        let fragment: Fragment =
            switch frame {
            case .text(let t): .text(t)
            case .binary(let b): .binary(b)
            }
        let message: Message
        do {
            guard let complete = try assembler.consume(fragment) else { return }
            message = complete
        } catch {
            fail(error)
            return
        }
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
        while !closed, !awaitingReply, !channel.isBackpressured, inboxHead < inbox.count, let handle {
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
            channel.connection.pauseReading()
        } else if readingPaused, waitingCount <= Self.maxWaitingMessages / 2 {
            readingPaused = false
            channel.connection.resumeReading()
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
        channel.close(code: WebSocketCloseCode(error.closeCode), reason: error.closeReason)
    }

    /// The connection closed: forget the handle, the session and unhandled messages (the handle keeps a
    /// reference to this object, so keeping one to it would be a cycle).
    func detach() {
        handle = nil
        session = nil
        inbox = []
        inboxHead = 0
        channel.onWritable = nil
    }

    /// The session is ready: handle what arrived meanwhile.
    func attach(_ session: ServerSession) {
        self.session = session
        drainInbox()
    }
}

/// A Bokeh message encoded once (JSON and WebSocket frames) to be sent to many connections: a session's
/// broadcast of a document change. Connections that compress re-frame the same JSON.
public struct PreparedMessage: Sendable {
    public let message: Message
    let frames: PreparedWebSocketMessages

    /// Encodes `message` in Python's style (what every server connection uses).
    public init(_ message: Message, encoder: MessageEncoder = MessageEncoder(style: .python)) throws(ProtocolError) {
        self.message = message
        self.frames = try Self.frames(of: message, encoder: encoder)
    }

    /// The WebSocket messages of `message`; buffers are written from their storage (a column's, often) as is.
    static func frames(of message: Message, encoder: MessageEncoder) throws(ProtocolError) -> PreparedWebSocketMessages {
        let texts = try encoder.encodeTexts(message)
        return PreparedWebSocketMessages(
            texts: texts.parts + texts.bufferHeaders, interleaving: message.buffers.map { $0.sharedStorage },
            after: texts.parts.count)
    }
}

extension Buffer {
    /// The storage as Wire writes it: shared, not copied.
    var sharedStorage: any ByteStorage {
        switch storage {
        case .bytes(let a): ArrayBytes(a)
        case .float64(let a): ArrayBytes(a)
        case .float32(let a): ArrayBytes(a)
        case .int32(let a): ArrayBytes(a)
        case .uint32(let a): ArrayBytes(a)
        case .int16(let a): ArrayBytes(a)
        case .uint16(let a): ArrayBytes(a)
        case .int8(let a): ArrayBytes(a)
        }
    }
}
