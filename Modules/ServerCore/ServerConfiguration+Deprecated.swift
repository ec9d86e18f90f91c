public import Routing

// The flat spellings of ServerConfiguration's settings, before they were grouped by concern. Each forwards to its
// group and names it.

extension ServerConfiguration {
    @available(*, deprecated, renamed: "network.address")
    public var address: String? {
        get { network.address }
        set { network.address = newValue }
    }
    @available(*, deprecated, renamed: "network.port")
    public var port: Int {
        get { network.port }
        set { network.port = newValue }
    }
    @available(*, deprecated, renamed: "network.prefix")
    public var prefix: String {
        get { network.prefix }
        set { network.prefix = newValue }
    }
    @available(*, deprecated, renamed: "network.eventLoops")
    public var numProcs: Int {
        get { network.eventLoops }
        set { network.eventLoops = newValue }
    }
    @available(*, deprecated, message: "use network.busyPoll (a Duration)")
    public var busyPollMicroseconds: Int {
        get { network.busyPoll.wholeMicroseconds }
        set { network.busyPoll = .microseconds(newValue) }
    }
    @available(*, deprecated, renamed: "network.useXheaders")
    public var useXheaders: Bool {
        get { network.useXheaders }
        set { network.useXheaders = newValue }
    }
    @available(*, deprecated, renamed: "network.maxRequestBytes")
    public var maxRequestHeaderBytes: Int {
        get { network.maxRequestBytes }
        set { network.maxRequestBytes = newValue }
    }
    @available(*, deprecated, renamed: "network.requestTimeout")
    public var requestTimeout: Duration {
        get { network.requestTimeout }
        set { network.requestTimeout = newValue }
    }
    @available(*, deprecated, renamed: "network.shutdownDrainTimeout")
    public var shutdownDrainTimeout: Duration {
        get { network.shutdownDrainTimeout }
        set { network.shutdownDrainTimeout = newValue }
    }

    @available(*, deprecated, message: "use sessions.secretKey (the environment is read by applyingEnvironment())")
    public var secretKey: String? {
        get { sessions.secretKey }
        set { sessions.secretKey = newValue }
    }
    @available(*, deprecated, message: "use sessions.signSessions (the environment is read by applyingEnvironment())")
    public var signSessions: Bool {
        get { sessions.signSessions }
        set { sessions.signSessions = newValue }
    }
    @available(*, deprecated, renamed: "sessions.generateSessionIDs")
    public var generateSessionIDs: Bool {
        get { sessions.generateSessionIDs }
        set { sessions.generateSessionIDs = newValue }
    }
    @available(*, deprecated, message: "use sessions.tokenExpiration (a Duration)")
    public var sessionTokenExpiration: Int {
        get { Int(clamping: sessions.tokenExpiration.components.seconds) }
        set { sessions.tokenExpiration = .seconds(newValue) }
    }
    @available(*, deprecated, message: "use sessions.unusedCheckInterval (a Duration)")
    public var checkUnusedSessionsMilliseconds: Int {
        get { sessions.unusedCheckInterval.wholeMilliseconds }
        set { sessions.unusedCheckInterval = .milliseconds(newValue) }
    }
    @available(*, deprecated, message: "use sessions.unusedLifetime (a Duration)")
    public var unusedSessionLifetimeMilliseconds: Int {
        get { sessions.unusedLifetime.wholeMilliseconds }
        set { sessions.unusedLifetime = .milliseconds(newValue) }
    }
    @available(*, deprecated, message: "use sessions.statsLogInterval (a Duration)")
    public var statsLogFrequencyMilliseconds: Int {
        get { sessions.statsLogInterval.wholeMilliseconds }
        set { sessions.statsLogInterval = .milliseconds(newValue) }
    }

    /// The former spelling of ``WebSocket-swift.struct/allowedOrigins``: nil for ``Origins/localhost``.
    @available(*, deprecated, message: "use websocket.allowedOrigins: .localhost, .hosts([...]) or .exactly([...])")
    public var allowWebsocketOrigins: [String]? {
        get {
            switch websocket.allowedOrigins {
            case .localhost: nil
            case .hosts(let hosts), .exactly(let hosts): hosts
            }
        }
        set { websocket.allowedOrigins = newValue.map { .hosts($0) } ?? .localhost }
    }
    @available(*, deprecated, renamed: "websocket.maxMessageSize")
    public var websocketMaxMessageSize: Int {
        get { websocket.maxMessageSize }
        set { websocket.maxMessageSize = newValue }
    }
    @available(*, deprecated, renamed: "websocket.compressionLevel")
    public var websocketCompressionLevel: Int? {
        get { websocket.compressionLevel }
        set { websocket.compressionLevel = newValue }
    }
    @available(*, deprecated, message: "use websocket.keepAlive (a Duration)")
    public var keepAliveMilliseconds: Int {
        get { websocket.keepAlive.wholeMilliseconds }
        set { websocket.keepAlive = .milliseconds(newValue) }
    }
    @available(*, deprecated, renamed: "websocket.maxQueuedWriteBytes")
    public var maxQueuedWriteBytes: Int {
        get { websocket.maxQueuedWriteBytes }
        set { websocket.maxQueuedWriteBytes = newValue }
    }
    @available(*, deprecated, message: "use websocket.writeStallTimeout (a Duration)")
    public var writeStallTimeoutMilliseconds: Int {
        get { websocket.writeStallTimeout.wholeMilliseconds }
        set { websocket.writeStallTimeout = .milliseconds(newValue) }
    }

    @available(*, deprecated, renamed: "tls.certificateFile")
    public var sslCertFile: String? {
        get { tls.certificateFile }
        set { tls.certificateFile = newValue }
    }
    @available(*, deprecated, renamed: "tls.keyFile")
    public var sslKeyFile: String? {
        get { tls.keyFile }
        set { tls.keyFile = newValue }
    }

    @available(*, deprecated, renamed: "front.staticDirectory")
    public var staticDirectory: String? {
        get { front.staticDirectory }
        set { front.staticDirectory = newValue }
    }
    @available(*, deprecated, renamed: "front.favicon")
    public var favicon: Favicon {
        get { front.favicon }
        set { front.favicon = newValue }
    }
    /// The former spelling of ``Front-swift.struct/favicon``: nil for ``Favicon/bokeh``, `"none"` for
    /// ``Favicon/none``.
    @available(*, deprecated, message: "use front.favicon: .bokeh, .file(path) or .none")
    public var icoPath: String? {
        get {
            switch front.favicon {
            case .bokeh: nil
            case .file(let path): path
            case .none: "none"
            }
        }
        set { front.favicon = Favicon(icoPath: newValue) }
    }
    @available(*, deprecated, renamed: "front.useIndex")
    public var useIndex: Bool {
        get { front.useIndex }
        set { front.useIndex = newValue }
    }
    @available(*, deprecated, renamed: "front.indexFile")
    public var index: String? {
        get { front.indexFile }
        set { front.indexFile = newValue }
    }
    @available(*, deprecated, renamed: "front.redirectRoot")
    public var redirectRoot: Bool {
        get { front.redirectRoot }
        set { front.redirectRoot = newValue }
    }
    @available(*, deprecated, renamed: "front.extraRoutes")
    public var extraPatterns: [ExtraRoute] {
        get { front.extraRoutes }
        set { front.extraRoutes = newValue }
    }
    @available(*, deprecated, message: "use front.extraRequestHandler, which sees the whole request and can stream")
    public var extraHandler:
        (@Sendable (_ identifier: String, _ path: String) -> (status: Int, contentType: String, body: [UInt8]))?
    {
        get { front.legacyExtraHandler }
        set { front.legacyExtraHandler = newValue }
    }
}
