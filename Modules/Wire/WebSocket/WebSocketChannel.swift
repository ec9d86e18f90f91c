/// Timing of a live WebSocket: keep-alive pings and the closing handshake.
public struct WebSocketChannelConfiguration: Sendable, Hashable {
    /// How long an unanswered keep-alive ping may wait for its pong before the connection is dropped.
    public enum PongTimeout: Sendable, Hashable {
        /// Tornado's rule: `max(3 * pingInterval, 30 s)`.
        case tornadoDefault
        /// Drop the connection after this long.
        case after(Duration)
        /// Never drop the connection for a missing pong (Bokeh's server: pings keep proxies from closing idle
        /// sockets, nothing more).
        case never
    }

    /// Limits and close-code policy of the frame layer.
    public var websocket: WebSocketConfiguration
    /// Send a ping this often; nil (the default, as Tornado's `websocket_ping_interval`) sends none.
    public var pingInterval: Duration?
    /// When an unanswered ping drops the connection (only with ``pingInterval``). Default ``PongTimeout/tornadoDefault``.
    public var pongTimeout: PongTimeout
    /// After our close frame, wait this long for the peer's; a client also waits this long for the server
    /// to close TCP first (RFC 6455 section 7.1.1). Default 5 s.
    public var closeTimeout: Duration

    public init(
        websocket: WebSocketConfiguration = .default, pingInterval: Duration? = nil,
        pongTimeout: PongTimeout = .tornadoDefault, closeTimeout: Duration = .seconds(5)
    ) {
        self.websocket = websocket
        self.pingInterval = pingInterval
        self.pongTimeout = pongTimeout
        self.closeTimeout = closeTimeout
    }

    @available(
        *, deprecated,
        message: "use init(websocket:pingInterval:pongTimeout:closeTimeout:) with .after(d) or .tornadoDefault"
    )
    @_disfavoredOverload
    public init(
        websocket: WebSocketConfiguration = .default, pingInterval: Duration? = nil, pingTimeout: Duration?,
        closeTimeout: Duration = .seconds(5)
    ) {
        self.init(
            websocket: websocket, pingInterval: pingInterval,
            pongTimeout: pingTimeout.map { .after($0) } ?? .tornadoDefault,
            closeTimeout: closeTimeout)
    }

    /// The former spelling of ``pongTimeout``: nil meant ``PongTimeout/tornadoDefault``.
    @available(*, deprecated, renamed: "pongTimeout")
    public var pingTimeout: Duration? {
        get {
            switch pongTimeout {
            case .tornadoDefault: nil
            case .after(let d): d
            case .never: .seconds(Int64.max)
            }
        }
        set { pongTimeout = newValue.map { .after($0) } ?? .tornadoDefault }
    }

    /// The pong deadline in effect; nil when pings are off or never time out.
    var effectivePongTimeout: Duration? {
        guard let interval = pingInterval else { return nil }
        switch pongTimeout {
        case .tornadoDefault: return Swift.max(interval * 3, .seconds(30))
        case .after(let d): return d
        case .never: return nil
        }
    }
}

/// An open WebSocket over a ``Connection``: the server's side of an accepted upgrade or a client's.
///
/// Set ``onMessage`` and ``onClose`` in the callback that hands you the channel; messages start flowing
/// when it returns. ``onClose`` runs exactly once, with the close code and reason the peer sent (or
/// 1006 when the connection was lost without a closing handshake).
///
/// - Important: like ``Connection``, used only on ``eventLoop``'s thread.
public final class WebSocketChannel {
    public let connection: Connection
    public let configuration: WebSocketChannelConfiguration
    /// The subprotocol agreed in the handshake, if any.
    public let subprotocol: String?
    /// The upgrade request (server side); nil on a client.
    public let request: HTTPRequestHead?

    public var onMessage: ((WebSocketMessage) -> Void)?
    public var onPong: (([UInt8]) -> Void)?
    public var onClose: ((WebSocketCloseInfo) -> Void)?
    /// The write queue drained to ``ConnectionConfiguration/writeLowWatermark`` after ``isBackpressured``.
    public var onWritable: (() -> Void)?

    public var eventLoop: EventLoop { connection.eventLoop }
    public var role: WebSocketRole { machine.role }
    /// The negotiated permessage-deflate parameters, if compression was agreed.
    public var deflateParameters: PerMessageDeflateParameters? { machine.deflateParameters }
    /// Whether messages can still be sent.
    public var isOpen: Bool { machine.state == .open && closeInfo == nil }
    /// Whether more than the connection's high watermark waits to be sent: a sender that answers requests
    /// should wait for ``onWritable`` before answering the next.
    public var isBackpressured: Bool { connection.isBackpressured }

    private var machine: WebSocketStateMachine
    private var closeInfo: WebSocketCloseInfo?
    private var closeTimer: Scheduled?
    private var pingTimer: Scheduled?
    private var pingOutstandingSince: UInt64?
    private var started = false

    /// Wraps a connection whose upgrade was answered elsewhere (a server that also serves plain HTTP on the
    /// same port); call ``start(initialBytes:)`` once the callbacks are set.
    public init(
        connection: Connection, machine: WebSocketStateMachine, configuration: WebSocketChannelConfiguration,
        subprotocol: String?, request: HTTPRequestHead?
    ) {
        self.connection = connection
        self.machine = machine
        self.configuration = configuration
        self.subprotocol = subprotocol
        self.request = request
    }

    /// Takes over the connection's callbacks (they hold the channel until the connection closes) and
    /// processes bytes that came with the handshake.
    public func start(initialBytes: [UInt8]) {
        guard !started else { return }
        started = true
        connection.onRead = { [self] bytes in self.received(bytes) }
        connection.onClose = { [self] error in self.transportClosed(error) }
        connection.onWritable = { [self] in self.onWritable?() }
        connection.onReadEOF = nil
        schedulePing()
        if !initialBytes.isEmpty { received(initialBytes) }
    }

    // MARK: Sending

    /// Sends a message. Returns false if the channel is closing or the peer stopped reading
    /// (the write queue limit was reached, which closes the connection).
    @discardableResult
    public func send(_ message: WebSocketMessage) -> Bool {
        guard closeInfo == nil, let bytes = try? machine.send(message) else { return false }
        return connection.write(bytes)
    }

    /// Sends several messages with one gathered write. Same results as ``send(_:)-(WebSocketMessage)``.
    @discardableResult
    public func send(_ messages: [WebSocketMessage]) -> Bool {
        guard closeInfo == nil, let chunks = try? machine.sendChunks(messages) else { return false }
        return connection.write(chunks: chunks)
    }

    /// Sends messages encoded once for many connections (a broadcast) with one gathered write.
    @discardableResult
    public func send(_ prepared: PreparedWebSocketMessages) -> Bool {
        guard closeInfo == nil, let chunks = try? machine.sendChunks(prepared) else { return false }
        return connection.write(chunks: chunks)
    }

    /// Sends a ping (payload up to 125 bytes).
    @discardableResult
    public func ping(_ payload: [UInt8] = []) -> Bool {
        guard closeInfo == nil, let bytes = try? machine.ping(payload) else { return false }
        return connection.write(bytes)
    }

    /// Starts the closing handshake. The connection is dropped if the peer does not answer within
    /// ``WebSocketChannelConfiguration/closeTimeout``.
    public func close(code: WebSocketCloseCode? = .normalClosure, reason: String = "") {
        guard closeInfo == nil, let bytes = machine.close(code: code, reason: reason) else { return }
        connection.write(bytes)
        closeTimer = eventLoop.scheduleLocal(in: configuration.closeTimeout) { [weak self] in
            guard let self else { return }
            self.report(
                WebSocketCloseInfo(code: .abnormalClosure, reason: "close handshake timed out", initiatedLocally: true))
            self.connection.abort()
        }
    }

    // MARK: Receiving

    private func received(_ bytes: [UInt8]) {
        let actions = machine.receive(bytes)
        for action in actions {
            switch action {
            case .deliver(let message):
                if closeInfo == nil { onMessage?(message) }
            case .write(let out):
                connection.write(out)
            case .pongReceived(let payload):
                pingOutstandingSince = nil
                onPong?(payload)
            case .closeTransport(let info):
                handshakeFinished(info)
            }
        }
    }

    private func handshakeFinished(_ info: WebSocketCloseInfo) {
        closeTimer?.cancel()
        closeTimer = nil
        report(info)
        switch machine.role {
        case .server:
            connection.close()
        case .client:
            // The server should close TCP first; give it closeTimeout, then close ourselves.
            if info.error != nil {
                connection.close()
            } else {
                closeTimer = eventLoop.scheduleLocal(in: configuration.closeTimeout) { [weak self] in
                    self?.connection.close()
                }
            }
        }
    }

    private func transportClosed(_ error: ConnectionError?) {
        closeTimer?.cancel()
        closeTimer = nil
        pingTimer?.cancel()
        pingTimer = nil
        if let info = machine.connectionLost() {
            var lost = info
            if let error { lost.reason = error.description }
            report(lost)
        }
        onMessage = nil
        onPong = nil
        onClose = nil
        onWritable = nil
    }

    private func report(_ info: WebSocketCloseInfo) {
        guard closeInfo == nil else { return }
        closeInfo = info
        pingTimer?.cancel()
        pingTimer = nil
        onClose?(info)
    }

    // MARK: Keep-alive

    private func schedulePing() {
        guard let interval = configuration.pingInterval else { return }
        pingTimer = eventLoop.scheduleLocal(in: interval) { [weak self] in self?.keepAlive() }
    }

    private func keepAlive() {
        pingTimer = nil
        guard closeInfo == nil, connection.isOpen else { return }
        let now = eventLoop.now
        if let since = pingOutstandingSince, let timeout = configuration.effectivePongTimeout,
            now &- since >= timeout.nanoseconds
        {
            report(WebSocketCloseInfo(code: .abnormalClosure, reason: "ping timeout", initiatedLocally: true))
            connection.abort()
            return
        }
        if pingOutstandingSince == nil {
            pingOutstandingSince = now
            var payload: [UInt8] = []
            withUnsafeBytes(of: now.bigEndian) { payload.append(contentsOf: $0) }
            ping(payload)
        }
        schedulePing()
    }
}

@available(*, unavailable)
extension WebSocketChannel: Sendable {}

extension WebSocketChannel {
    /// Switches `connection` to WebSocket once its opening handshake is complete: the one way every server
    /// and client of this package does it.
    ///
    /// The connection's HTTP callbacks are dropped, `handOver` gets the channel (set its callbacks there),
    /// then the bytes that arrived after the handshake (`bufferedBytes`) are processed as frames.
    ///
    /// - Parameters:
    ///   - negotiated: the permessage-deflate parameters agreed, if any; compression is on only when
    ///     `preferences` is also given.
    ///   - request: the upgrade request (server side); nil on a client.
    /// - Important: on the connection's loop.
    public static func open(
        _ connection: Connection, role: WebSocketRole, configuration: WebSocketChannelConfiguration,
        subprotocol: String?, negotiated: PerMessageDeflateParameters?, preferences: PerMessageDeflateConfiguration?,
        request: HTTPRequestHead?, bufferedBytes: [UInt8], handOver: (WebSocketChannel) -> Void
    ) {
        let deflate = negotiated.flatMap { parameters in preferences.map { (parameters, $0) } }
        let machine = WebSocketStateMachine(role: role, configuration: configuration.websocket, deflate: deflate)
        let channel = WebSocketChannel(
            connection: connection, machine: machine, configuration: configuration, subprotocol: subprotocol,
            request: request)
        connection.onRead = nil
        connection.onClose = nil
        handOver(channel)
        channel.start(initialBytes: bufferedBytes)
    }

    /// Answers an accepted upgrade with its 101 response (plus `extraHeaders`) and opens the channel
    /// (``open(_:role:configuration:subprotocol:negotiated:preferences:request:bufferedBytes:handOver:)``).
    /// Returns false, and opens nothing, when the response cannot be written (the connection closed).
    ///
    /// - Important: on the connection's loop.
    @discardableResult
    public static func accept(
        _ acceptance: WebSocketAcceptance, of request: HTTPRequestHead, on connection: Connection,
        policy: WebSocketServerPolicy, configuration: WebSocketChannelConfiguration,
        extraHeaders: HTTPHeaders = HTTPHeaders(), bufferedBytes: [UInt8], handOver: (WebSocketChannel) -> Void
    ) -> Bool {
        var response = acceptance.response
        for header in extraHeaders { response.headers.add(name: header.name, value: header.value) }
        guard connection.write(HTTPWriter.head(response)) else { return false }
        open(
            connection, role: .server, configuration: configuration, subprotocol: acceptance.subprotocol,
            negotiated: acceptance.deflate, preferences: policy.deflate, request: request, bufferedBytes: bufferedBytes,
            handOver: handOver)
        return true
    }
}
