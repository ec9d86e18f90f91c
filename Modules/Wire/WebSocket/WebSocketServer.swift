/// How a ``WebSocketServer`` accepts upgrades.
public struct WebSocketServerConfiguration: Sendable {
    /// Subprotocol choice and permessage-deflate (off by default, as in Bokeh).
    public var policy: WebSocketServerPolicy
    /// Limits of the upgrade request.
    public var httpLimits: HTTPParserLimits
    /// Drop a connection that has not completed its upgrade request within this time. Default 10 s.
    public var handshakeTimeout: Duration
    /// Keep-alive, close timeout and frame limits of accepted WebSockets.
    public var channel: WebSocketChannelConfiguration
    /// Socket options, backlog and per-connection limits.
    public var listener: ListenerConfiguration

    public init(
        policy: WebSocketServerPolicy = WebSocketServerPolicy(), httpLimits: HTTPParserLimits = .default,
        handshakeTimeout: Duration = .seconds(10),
        channel: WebSocketChannelConfiguration = WebSocketChannelConfiguration(),
        listener: ListenerConfiguration = ListenerConfiguration()
    ) {
        self.policy = policy
        self.httpLimits = httpLimits
        self.handshakeTimeout = handshakeTimeout
        self.channel = channel
        self.listener = listener
    }
}

/// A WebSocket server: accepts TCP (or TLS, or Unix-socket) connections, answers the opening handshake
/// and hands each accepted WebSocket to `onUpgrade` on its connection's loop.
///
/// Requests that are not valid WebSocket upgrades get the error response Tornado would send (400, 405,
/// 426), malformed HTTP its ``HTTPError/status``, and the connection is closed.
public final class WebSocketServer: Sendable {
    public let listener: Listener
    public var localAddress: SocketAddress { listener.localAddress }

    /// - Parameter onUpgrade: runs on the channel's loop; set the channel's callbacks there.
    public init(
        bindTo address: SocketAddress, group: EventLoopGroup,
        configuration: WebSocketServerConfiguration = WebSocketServerConfiguration(),
        tls: TLSContext? = nil, onUpgrade: @escaping @Sendable (WebSocketChannel) -> Void
    ) throws(SystemError) {
        listener = try Listener(bindTo: address, group: group, configuration: configuration.listener, tls: tls) {
            connection in
            ServerHandshake(connection: connection, configuration: configuration, onUpgrade: onUpgrade).start()
        }
    }

    /// Stops accepting. Open WebSockets stay open. Any thread.
    public func close() { listener.close() }
}

/// Reads the upgrade request of one connection and switches it to WebSocket.
private final class ServerHandshake {
    let connection: Connection
    let configuration: WebSocketServerConfiguration
    let onUpgrade: @Sendable (WebSocketChannel) -> Void
    var parser: HTTPRequestParser
    var timer: Scheduled?
    var done = false

    init(
        connection: Connection, configuration: WebSocketServerConfiguration,
        onUpgrade: @escaping @Sendable (WebSocketChannel) -> Void
    ) {
        self.connection = connection
        self.configuration = configuration
        self.onUpgrade = onUpgrade
        parser = HTTPRequestParser(limits: configuration.httpLimits)
    }

    func start() {
        // The connection holds these closures, and so this object, until the upgrade or the close.
        connection.onRead = { [self] bytes in self.received(bytes) }
        connection.onClose = { [self] _ in self.timer?.cancel() }
        timer = connection.eventLoop.scheduleLocal(in: configuration.handshakeTimeout) { [weak self] in
            guard let self, !self.done else { return }
            self.done = true
            self.connection.abort()
        }
    }

    private func received(_ bytes: [UInt8]) {
        guard !done else { return }
        parser.feed(bytes)
        let request: HTTPRequest
        do {
            guard let r = try parser.next() else { return }
            request = r
        } catch {
            reject(HTTPResponse(head: HTTPResponseHead(status: error.status)))
            return
        }
        switch WebSocketServerHandshake.respond(to: request.head, policy: configuration.policy) {
        case .reject(let response):
            reject(response)
        case .accept(let acceptance):
            done = true
            timer?.cancel()
            WebSocketChannel.accept(
                acceptance, of: request.head, on: connection, policy: configuration.policy,
                configuration: configuration.channel, bufferedBytes: parser.takeRemainingBytes(), handOver: onUpgrade)
        }
    }

    private func reject(_ response: HTTPResponse) {
        done = true
        timer?.cancel()
        var head = response.head
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        connection.write(HTTPWriter.response(head, body: response.body))
        connection.close()
    }
}
