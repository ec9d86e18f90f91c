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
final class ConnectionIO {
    let channel: WebSocketChannel
    var assembler: MessageAssembler
    var session: ServerSession?
    var waiting: [Message] = []
    var closed = false
    /// Set once: the connection handle sessions use.
    var handle: ServerConnection?

    init(channel: WebSocketChannel, limits: MessageAssemblerLimits) {
        self.channel = channel
        self.assembler = MessageAssembler(limits: limits)
    }

    /// Writes one Bokeh message: all its WebSocket messages in one gathered write.
    func write(_ frames: PreparedWebSocketMessages) {
        guard !closed else { return }
        channel.send(frames)
    }

    /// A WebSocket message arrived: assemble, check, and hand complete messages on.
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
        if message.type == .serverInfoRequest {
            handle?.send(.serverInfoReply(replyingTo: message.messageID ?? ""))
            return
        }
        guard let session, let handle else {
            waiting.append(message)
            return
        }
        session.receive(message, from: handle)
    }

    func fail(_ error: ProtocolError) {
        if error.closeCode == ProtocolError.internalErrorCloseCode {
            log.error("Bokeh Server internal error: \(error.closeReason), closing connection")
        } else {
            log.error("Bokeh Server protocol error: \(error.closeReason), closing connection")
        }
        channel.close(code: WebSocketCloseCode(error.closeCode), reason: error.closeReason)
    }

    /// The session is ready: deliver what arrived meanwhile.
    func attach(_ session: ServerSession) {
        self.session = session
        guard let handle else { return }
        let queued = waiting
        waiting = []
        for message in queued { session.receive(message, from: handle) }
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
