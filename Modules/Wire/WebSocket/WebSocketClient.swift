import Glibc

/// A `ws://` or `wss://` URL split into what a client needs.
public struct WebSocketURL: Sendable, Hashable {
    public var isSecure: Bool
    /// Host without brackets (`127.0.0.1`, `::1`, `localhost`).
    public var host: String
    public var port: Int
    /// Path and query (`/ws?x=1`), at least `/`.
    public var target: String

    /// Parses `ws://host[:port][/path][?query]` or `wss://...`; nil when malformed.
    public init?(_ string: String) {
        let lower = string.lowercased()
        let rest: Substring
        if lower.hasPrefix("ws://") {
            isSecure = false
            rest = string.dropFirst(5)
        } else if lower.hasPrefix("wss://") {
            isSecure = true
            rest = string.dropFirst(6)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.isEmpty || path.first == "?" { path = "/" + path }
        target = path
        let defaultPort = isSecure ? 443 : 80
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else {
                guard after.first == ":", let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            host = String(authority)
            port = defaultPort
        }
        guard !host.isEmpty else { return nil }
    }

    /// The `Host` header value.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (isSecure ? 443 : 80) ? h : "\(h):\(port)"
    }
}

/// What a client offers and how long it waits.
public struct WebSocketClientConfiguration: Sendable {
    /// Subprotocols offered, in order (Bokeh: `["bokeh", token]`).
    public var subprotocols: [String]
    /// Offer permessage-deflate with these preferences; nil (default) offers none.
    public var deflate: PerMessageDeflateConfiguration?
    public var origin: String?
    public var extraHeaders: HTTPHeaders
    /// Limits of the server's handshake response.
    public var httpLimits: HTTPParserLimits
    /// Connecting, TLS and the opening handshake together must finish within this time. Default 10 s.
    public var connectTimeout: Duration
    /// For `wss://`: the TLS client context (trust roots, verification). Nil uses the system trust store.
    public var tls: TLSContext?
    public var channel: WebSocketChannelConfiguration
    public var connection: ConnectionConfiguration

    public init(
        subprotocols: [String] = [], deflate: PerMessageDeflateConfiguration? = nil, origin: String? = nil,
        extraHeaders: HTTPHeaders = HTTPHeaders(), httpLimits: HTTPParserLimits = .default,
        connectTimeout: Duration = .seconds(10), tls: TLSContext? = nil,
        channel: WebSocketChannelConfiguration = WebSocketChannelConfiguration(),
        connection: ConnectionConfiguration = .default
    ) {
        self.subprotocols = subprotocols
        self.deflate = deflate
        self.origin = origin
        self.extraHeaders = extraHeaders
        self.httpLimits = httpLimits
        self.connectTimeout = connectTimeout
        self.tls = tls
        self.channel = channel
        self.connection = connection
    }
}

/// Opens client WebSockets.
public enum WebSocketClient {
    /// Connects to `url` (`ws://` or `wss://`; host a numeric address or `localhost`), performs the opening
    /// handshake and hands over the channel, or the error: ``ConnectionError`` (transport, TLS, timeout),
    /// ``WebSocketError`` (handshake refused or invalid), ``HTTPError`` (malformed response) or
    /// ``SystemError`` (bad address).
    ///
    /// - Important: call on `eventLoop`; `completion` runs there. Set the channel's callbacks inside it:
    ///   bytes that arrived with the handshake response are processed when it returns.
    public static func connect(
        to url: String, on eventLoop: EventLoop,
        configuration: WebSocketClientConfiguration = WebSocketClientConfiguration(),
        completion: @escaping (Result<WebSocketChannel, any Error>) -> Void
    ) {
        eventLoop.assertInEventLoop()
        guard let parsed = WebSocketURL(url) else {
            completion(.failure(WebSocketError.handshakeFailed("invalid WebSocket URL: \(url)")))
            return
        }
        let address: SocketAddress
        do { address = try SocketAddress(host: parsed.host, port: parsed.port) } catch {
            completion(.failure(error))
            return
        }
        var tls: TLSContext?
        if parsed.isSecure {
            if let given = configuration.tls {
                tls = given
            } else {
                do { tls = try TLSContext(.client()) } catch {
                    completion(.failure(ConnectionError.tls(error)))
                    return
                }
            }
        }
        let deadline = eventLoop.now &+ configuration.connectTimeout.nanoseconds
        Connection.connect(
            to: address, on: eventLoop, configuration: configuration.connection, tls: tls, serverName: parsed.host,
            timeout: configuration.connectTimeout
        ) { result in
            switch result {
            case .failure(let error):
                completion(.failure(error))
            case .success(let connection):
                ClientHandshake(
                    connection: connection, url: parsed, configuration: configuration, completion: completion
                )
                .start(deadline: deadline)
            }
        }
    }
}

/// Sends the upgrade request and validates the response.
private final class ClientHandshake {
    let connection: Connection
    let handshake: WebSocketClientHandshake
    let configuration: WebSocketClientConfiguration
    var completion: ((Result<WebSocketChannel, any Error>) -> Void)?
    var parser: HTTPResponseParser
    var timer: Scheduled?

    init(
        connection: Connection, url: WebSocketURL, configuration: WebSocketClientConfiguration,
        completion: @escaping (Result<WebSocketChannel, any Error>) -> Void
    ) {
        self.connection = connection
        self.configuration = configuration
        self.completion = completion
        handshake = WebSocketClientHandshake(
            host: url.hostHeader, target: url.target, subprotocols: configuration.subprotocols,
            origin: configuration.origin,
            extraHeaders: configuration.extraHeaders, deflate: configuration.deflate)
        parser = HTTPResponseParser(limits: configuration.httpLimits)
    }

    func start(deadline: UInt64) {
        connection.onRead = { [self] bytes in self.received(bytes) }
        connection.onClose = { [self] error in
            self.fail(error ?? ConnectionError.system(SystemError("handshake", errno: ECONNRESET)))
        }
        let now = connection.eventLoop.now
        let remaining = deadline > now ? deadline - now : 0
        timer = connection.eventLoop.scheduleLocal(in: .nanoseconds(Int64(clamping: remaining))) { [weak self] in
            self?.fail(ConnectionError.connectTimeout)
        }
        parser.expectResponse(toHEAD: false)
        connection.write(HTTPWriter.head(handshake.request))
    }

    private func received(_ bytes: [UInt8]) {
        guard completion != nil else { return }
        parser.feed(bytes)
        let response: HTTPResponse
        do {
            guard let r = try parser.next() else { return }
            response = r
        } catch {
            fail(error)
            return
        }
        let outcome: WebSocketClientHandshake.Outcome
        do { outcome = try handshake.validate(response.head) } catch {
            fail(error)
            return
        }
        guard let completion else { return }
        self.completion = nil
        timer?.cancel()
        WebSocketChannel.open(
            connection, role: .client, configuration: configuration.channel, subprotocol: outcome.subprotocol,
            negotiated: outcome.deflate, preferences: configuration.deflate, request: nil,
            bufferedBytes: parser.takeRemainingBytes()
        ) { channel in completion(.success(channel)) }
    }

    private func fail(_ error: any Error) {
        guard let completion else { return }
        self.completion = nil
        timer?.cancel()
        connection.onRead = nil
        connection.onClose = nil
        connection.abort()
        completion(.failure(error))
    }
}
