import Foundation
import DocumentModel
import Protocol
import Routing
public import Wire
import Locking

/// A Bokeh server: applications mounted at paths, their sessions, the `/ws` endpoints and the
/// unused-session reaper (Python Bokeh's `Server` with its `BokehTornado`).
///
/// With ``ServerConfiguration/numProcs`` above 1 (0 = one per core) several event loops of this process
/// share the port; each session lives on one loop and connections accepted on other loops hand their
/// messages to it.
public final class Server: Sendable {
    public let configuration: ServerConfiguration
    let group: EventLoopGroup
    /// Where the server reads the time (its loops' clock).
    public var clock: any LoopClock { group.clock }
    let router: Router
    let signer: SessionSigner
    private let contexts: [ApplicationContext]
    private let runtime = Lock<Runtime>(Runtime())
    let assemblerLimits: MessageAssemblerLimits
    let channelConfiguration: WebSocketChannelConfiguration
    let websocketPolicy: WebSocketServerPolicy
    /// The BokehJS directory, nil when pages use the CDN.
    let staticFiles: StaticFiles?
    /// Each application's own static directory, by application path.
    let applicationStaticFiles: [String: StaticFiles]
    let resources: BokehResources
    let tls: TLSContext?
    /// The `--index` template, parsed at startup.
    let indexTemplate: IndexTemplate?
    /// Who may see the applications (``ServerConfiguration/Auth-swift.struct/policy``).
    let authPolicy: (any AuthenticationPolicy)?
    /// The policy's own routes, by their extra-route identifier.
    let authRoutes: [String: AuthRoute]
    /// Requests kept for short tokens (``ServerConfiguration/Sessions-swift.struct/shortTokens``).
    let requestStore: RequestStore?

    private struct Runtime {
        var listeners: [Listener] = []
        /// Open HTTP connections (before any WebSocket upgrade), to close on ``unlisten()``: closers by id.
        var connections: [UInt64: @Sendable () -> Void] = [:]
        var nextConnection: UInt64 = 0
        var originPolicy = OriginPolicy(allowlist: HostAllowlist(entries: []))
        /// The hosts requests may name (``ServerConfiguration/Network-swift.struct/checkHost``).
        var hostAllowlist = HostAllowlist(entries: [])
        var timers: [Scheduled] = []
        var started = false
        var stopped = false
        var discardedSinceTrim = false
        var shutdownRequested = false
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// - Parameter applications: application paths (`/demo`, or `/` for a single root application) and
    ///   their applications, in mounting order.
    ///   `clock`: where the server's loops read the time: timers, session expiry, the reaper, token expiry
    ///   (a ``ManualClock`` in tests).
    public init(
        applications: [(path: String, application: Application)],
        configuration: ServerConfiguration = ServerConfiguration(),
        clock: any LoopClock = SystemClock.shared
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        let key = configuration.sessions.secretKey
        if configuration.sessions.signSessions && (key ?? "").isEmpty {
            throw ConfigurationError.missingSecretKey
        }
        signer = try SessionSigner(
            secretKey: key, signsSessions: configuration.sessions.signSessions,
            expiration: Int(clamping: configuration.sessions.tokenExpiration.components.seconds))
        if let secret = configuration.auth.cookieSecret, secret.utf8.count < 32 {
            log.warning(
                "the cookie secret is \(secret.utf8.count) bytes: anyone who guesses it can sign a login; use 32 or more (swift-bokeh secret)"
            )
        }
        authPolicy = configuration.auth.policy
        var policyRoutes: [String: AuthRoute] = [:]
        var extraRoutes = configuration.front.extraRoutes
        for (index, route) in (authPolicy?.routes ?? []).enumerated() {
            let identifier = "\(AuthRoute.identifierPrefix)\(index)"
            policyRoutes[identifier] = route
            extraRoutes.append(
                ExtraRoute(pattern: AuthRoute.pattern(route.path), identifier: identifier, methods: route.methods))
        }
        authRoutes = policyRoutes
        requestStore =
            configuration.sessions.shortTokens ? RequestStore(capacity: configuration.sessions.maxStoredRequests) : nil
        router = Router(
            table: try RouteTable(
                prefix: configuration.network.prefix,
                applications: applications.map {
                    ApplicationMount(path: $0.path, hasStaticDirectory: $0.application.staticDirectory != nil)
                },
                extraRoutes: extraRoutes, useIndex: configuration.front.useIndex,
                redirectRoot: configuration.front.redirectRoot))
        let prefix = router.table.prefix
        staticFiles = configuration.front.staticDirectory.flatMap { StaticFiles(directory: $0) }
        if let directory = configuration.front.staticDirectory, staticFiles == nil {
            log.warning("static directory \(directory) not found: pages load BokehJS from \(BokehResources.cdnBase)")
        }
        resources = BokehResources(
            files: staticFiles, prefix: router.table.prefix, minified: configuration.front.minified,
            cdnVersion: configuration.front.cdnVersion)
        var perApplication: [String: StaticFiles] = [:]
        for (path, application) in applications {
            guard let directory = application.staticDirectory else { continue }
            guard let files = StaticFiles(directory: directory) else {
                throw ApplicationError("the static directory \(directory) of \(path) does not exist")
            }
            perApplication[path] = files
        }
        applicationStaticFiles = perApplication
        indexTemplate = try configuration.front.indexFile.map { try IndexTemplate(contentsOfFile: $0) }
        if let certificate = configuration.tls.certificateFile {
            do {
                tls = try TLSContext(
                    .server(
                        certificateChainFile: certificate, privateKeyFile: configuration.tls.keyFile ?? certificate,
                        privateKeyPassword: configuration.tls.keyPassword))
            } catch { throw ConfigurationError.tls("\(error)") }
        } else {
            tls = nil
        }
        let loops = configuration.network.eventLoops == 0 ? EventLoopGroup.coreCount : configuration.network.eventLoops
        group = try EventLoopGroup(
            numberOfThreads: loops, name: "bokeh-loop",
            busyPoll: max(.zero, configuration.network.busyPoll),
            clock: clock)
        let group = self.group
        contexts = applications.map {
            ApplicationContext(
                application: $0.application, path: $0.path, group: group,
                arguments: configuration.applicationArguments,
                logoutURL: configuration.sessions.logoutURL
                    ?? configuration.auth.policy?.logoutURL.map { AuthURL.join(prefix: prefix, $0) })
        }

        assemblerLimits = MessageAssemblerLimits(maxFragmentBytes: configuration.websocket.maxMessageSize)
        var frames = WebSocketConfiguration.default
        frames.maxMessageSize = configuration.websocket.maxMessageSize
        frames.maxFrameSize = configuration.websocket.maxMessageSize
        let keepAlive = configuration.websocket.keepAlive
        // Bokeh pings without a pong timeout: the peer is never dropped for a missing pong.
        channelConfiguration = WebSocketChannelConfiguration(
            websocket: frames, pingInterval: keepAlive > .zero ? keepAlive : nil, pongTimeout: .never)
        let memoryLevel = Int32(clamping: configuration.websocket.compressionMemoryLevel ?? 8)
        let deflate = configuration.websocket.compressionLevel.map {
            PerMessageDeflateConfiguration(compressionLevel: Int32(clamping: $0), memoryLevel: memoryLevel)
        }
        // Bokeh's handler selects the first of exactly two offered subprotocols (`bokeh, <token>`).
        websocketPolicy = WebSocketServerPolicy(selectSubprotocol: { $0.count == 2 ? $0[0] : nil }, deflate: deflate)
    }

    /// One application at `/` (Python's `Server(app)` with a single `Application`).
    public convenience init(
        application: Application, configuration: ServerConfiguration = ServerConfiguration(),
        clock: any LoopClock = SystemClock.shared
    ) throws {
        try self.init(applications: [(path: "/", application: application)], configuration: configuration, clock: clock)
    }

    /// Mounts applications by path, sorted by path.
    public convenience init(
        applications: [String: Application], configuration: ServerConfiguration = ServerConfiguration(),
        clock: any LoopClock = SystemClock.shared
    ) throws {
        try self.init(
            applications: applications.sorted { $0.key < $1.key }.map { (path: $0.key, application: $0.value) },
            configuration: configuration, clock: clock)
    }

    // MARK: Lifecycle

    /// Binds, starts accepting and starts the background tasks (reaper, stats, server-loaded hooks).
    /// - Throws: ``ServerLifecycleError`` when the server was already started or stopped (Python's
    ///   `assert not self._started`), or the bind's error.
    public func start() throws {
        let (started, stopped) = runtime.withLock { ($0.started, $0.stopped) }
        if stopped { throw ServerLifecycleError.stopped }
        if started { throw ServerLifecycleError.alreadyStarted }
        var listenerConfiguration = ListenerConfiguration()
        listenerConfiguration.connection.tcpNoDelay = configuration.network.unixSocket == nil
        listenerConfiguration.connection.maxPendingWriteBytes = configuration.websocket.maxQueuedWriteBytes
        listenerConfiguration.connection.writeStallTimeout =
            configuration.websocket.writeStallTimeout > .zero ? configuration.websocket.writeStallTimeout : nil
        let listeners = try bind(listenerConfiguration)
        let listener = listeners[0]
        let port = listener.localAddress.port ?? configuration.network.port
        let allowlist: HostAllowlist
        switch configuration.websocket.allowedOrigins {
        case .exactly(let entries): allowlist = HostAllowlist(entries: entries)
        case .localhost, .hosts:
            var hosts: [String] = []
            if case .hosts(let listed) = configuration.websocket.allowedOrigins { hosts = listed }
            do { allowlist = try HostAllowlist(hosts: hosts, port: port) } catch {
                for listener in listeners { listener.close() }
                throw ConfigurationError.invalidOrigin("\(error)")
            }
        }
        for warning in allowlist.warnings { log.warning(warning) }
        let hosts: HostAllowlist
        do {
            let extra = configuration.network.allowedHosts
            hosts = HostAllowlist(
                entries: allowlist.entries + (extra.isEmpty ? [] : try HostAllowlist(hosts: extra, port: port).entries))
        } catch {
            for listener in listeners { listener.close() }
            throw ConfigurationError.invalidOrigin("\(error)")
        }
        let loop = group.loops[0]
        var timers: [Scheduled] = []
        let lifetime = configuration.sessions.unusedLifetime
        timers.append(
            loop.schedulePeriodic(every: configuration.sessions.unusedCheckInterval) { [weak self] in
                guard let self else { return }
                // Sessions discarded by the last check are gone by now: hand their pages back to the system.
                if self.runtime.withLock({ $0.discardedSinceTrim }) {
                    self.runtime.withLock { $0.discardedSinceTrim = false }
                    System.releaseFreedMemory()
                }
                if self.cleanupSessions(unusedLifetime: lifetime) > 0 {
                    self.runtime.withLock { $0.discardedSinceTrim = true }
                }
            })
        timers.append(
            loop.schedulePeriodic(every: configuration.sessions.statsLogInterval) { [weak self] in
                self?.logStats()
            })
        if configuration.sessions.memLogInterval > .zero {
            timers.append(
                loop.schedulePeriodic(every: configuration.sessions.memLogInterval) { [weak self] in
                    self?.logMemory()
                })
        }
        runtime.withLock {
            $0.listeners = listeners
            $0.originPolicy = OriginPolicy(allowlist: allowlist)
            $0.hostAllowlist = hosts
            $0.timers = timers
            $0.started = true
        }
        logStartup(port: port, allowlist: allowlist)
        for context in contexts { loop.execute { context.runLoadHook() } }
    }

    /// Binds the listeners: the Unix socket, the configured address, or (no address) `0.0.0.0` and then `::` on
    /// the port the first got, as Tornado's `bind_sockets` binds every family. No IPv6 on the machine: IPv4 alone.
    private func bind(_ listenerConfiguration: ListenerConfiguration) throws -> [Listener] {
        let accept: @Sendable (Connection) -> Void = { [self] connection in
            HTTPHandler(connection: connection, server: self).start()
        }
        let network = configuration.network
        if let path = network.unixSocket {
            // A socket file left by an earlier run would make bind fail, as Tornado's bind_unix_socket removes it.
            var status = stat()
            if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
            return [
                try Listener(
                    bindTo: SocketAddress(unixPath: path), group: group, configuration: listenerConfiguration,
                    tls: tls, childInitializer: accept)
            ]
        }
        if let address = network.address {
            return [
                try Listener(
                    bindTo: SocketAddress(host: address, port: network.port), group: group,
                    configuration: listenerConfiguration, tls: tls, childInitializer: accept)
            ]
        }
        let v4 = try Listener(
            bindTo: SocketAddress(host: "0.0.0.0", port: network.port), group: group,
            configuration: listenerConfiguration, tls: tls, childInitializer: accept)
        do {
            let v6 = try Listener(
                bindTo: SocketAddress(host: "::", port: v4.localAddress.port ?? network.port), group: group,
                configuration: listenerConfiguration, tls: tls, childInitializer: accept)
            return [v4, v6]
        } catch {
            log.debug("not listening on IPv6 (\(error)): IPv4 only")
            return [v4]
        }
    }

    /// Stops the server in Python's order: stops listening and the timers, handles every connection as lost
    /// (each WebSocket is closed with 1001 and its session raises `ConnectionLost`), destroys every session
    /// with its destroyed hooks, runs each application's unload hook, then stops the event loops. Not from
    /// one of the server's loops. Idempotent.
    public func stop(wait: Bool = true) {
        let (listeners, timers, closers, wasStarted) = runtime.withLock {
            r -> ([Listener], [Scheduled], [@Sendable () -> Void], Bool) in
            defer {
                r.listeners = []
                r.timers = []
                r.connections = [:]
                r.stopped = true
            }
            return r.stopped ? ([], [], [], false) : (r.listeners, r.timers, Array(r.connections.values), r.started)
        }
        for listener in listeners { listener.close() }
        for close in closers { close() }
        for t in timers { t.cancel() }
        // Every connection's client-lost handling first, then the sessions (their destroyed hooks run on their
        // loops), then each application's unload hook.
        for session in getSessions() { session.connectionsLost(code: 1001, reason: "server stopped") }
        for context in contexts {
            context.serverContext.removeAllCallbacks()
            context.destroyAllSessions()
        }
        if wasStarted {
            for context in contexts { _ = try? group.loops[0].submitAndWait { context.runUnloadHook() } }
        }
        if wait { group.shutdown() } else { DispatchQueue.global().async { [group] in group.shutdown() } }
    }

    /// Stops accepting new connections and closes the open ones: HTTP connections at once, WebSockets with 1001
    /// (their sessions stay until the unused-session check discards them). Python's `unlisten` stops its HTTP
    /// server and closes its connections the same way.
    public func unlisten() {
        stopAccepting()
        for session in getSessions() { session.closeConnections(code: 1001, reason: "server stopped listening") }
    }

    /// Closes the listeners and the open HTTP connections (WebSockets are the caller's to close).
    private func stopAccepting() {
        let (listeners, closers) = runtime.withLock { r -> ([Listener], [@Sendable () -> Void]) in
            defer {
                r.listeners = []
                r.connections = [:]
            }
            return (r.listeners, Array(r.connections.values))
        }
        for listener in listeners { listener.close() }
        for close in closers { close() }
    }

    /// Records an open HTTP connection for ``unlisten()``; returns the id to ``forgetConnection(_:)`` with. A
    /// connection accepted after the server stopped listening is closed at once (nil).
    func trackConnection(_ close: @escaping @Sendable () -> Void) -> UInt64? {
        let id = runtime.withLock { r -> UInt64? in
            guard !r.listeners.isEmpty else { return nil }
            r.nextConnection += 1
            r.connections[r.nextConnection] = close
            return r.nextConnection
        }
        if id == nil { close() }
        return id
    }

    func forgetConnection(_ id: UInt64) {
        runtime.withLock { _ = $0.connections.removeValue(forKey: id) }
    }

    /// Starts (if needed), serves until SIGINT, SIGTERM or ``requestShutdown()``, then shuts down gracefully:
    /// stops accepting, closes every WebSocket with 1001 (going away), waits for them to close (at most
    /// ``ServerConfiguration/shutdownDrainTimeout``), runs every session's destroyed hooks, then each
    /// application's unload hook, and stops the event loops. Returns when all of that is done.
    public func run() async throws {
        if !runtime.withLock({ $0.started }) { try start() }
        let sources = Self.watchSignals { [weak self] name in
            log.info("Received signal \(name), shutting down")
            self?.requestShutdown()
        }
        defer { for source in sources { source.cancel() } }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = runtime.withLock { r -> Bool in
                if r.shutdownRequested { return true }
                r.shutdownWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        await withLockedContinuation { (continuation: LockedContinuation<Void, Never>) in
            DispatchQueue.global().async { [self] in
                drain()
                continuation.resume()
            }
        }
    }

    /// The blocking form of ``run()``, for a `main.swift` that is not async.
    public func runUntilShutdown() throws {
        let outcome = Lock<Result<Void, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<Void, any Error>
            do { result = .success(try await self.run()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        try outcome.withLock { $0 }?.get()
    }

    /// Makes ``run()`` shut the server down gracefully, as SIGTERM does. Any thread; once.
    public func requestShutdown() {
        let waiters = runtime.withLock { r -> [CheckedContinuation<Void, Never>] in
            r.shutdownRequested = true
            defer { r.shutdownWaiters = [] }
            return r.shutdownWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops accepting, closes every WebSocket with 1001 and waits (bounded) for them to go, then ``stop(wait:)``.
    private func drain() {
        stopAccepting()
        let sessions = getSessions()
        let open = sessions.reduce(0) { $0 + $1.connectionCount }
        if open > 0 { log.info("Closing \(open) WebSocket connections") }
        for session in sessions { session.closeConnections(code: 1001, reason: "server shutting down") }
        let deadline = ContinuousClock.now + configuration.network.shutdownDrainTimeout
        while ContinuousClock.now < deadline, getSessions().contains(where: { $0.connectionCount > 0 }) {
            Thread.sleep(forTimeInterval: 0.005)
        }
        let left = getSessions().reduce(0) { $0 + $1.connectionCount }
        if left > 0 {
            log.warning(
                "\(left) WebSocket connections did not close within \(configuration.network.shutdownDrainTimeout)")
        }
        stop()
    }

    /// Calls `handler` (on a global queue) for SIGINT and SIGTERM until the returned sources are cancelled.
    private static func watchSignals(_ handler: @escaping @Sendable (String) -> Void) -> [any DispatchSourceSignal] {
        [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { sig, name in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { handler(name) }
            source.resume()
            return source
        }
    }

    // MARK: Queries

    /// The bound address (`0.0.0.0` when listening on all interfaces), or the configured one before ``start()``.
    public var address: String? {
        runtime.withLock { $0.listeners.first?.localAddress.host } ?? configuration.network.address
    }

    /// Every bound address (`0.0.0.0` and `::` without ``ServerConfiguration/Network-swift.struct/address``), or
    /// the Unix socket's path; empty before ``start()`` and after ``unlisten()``.
    public var addresses: [String] {
        runtime.withLock { $0.listeners.compactMap { $0.localAddress.host ?? $0.localAddress.unixPath } }
    }

    /// The bound port (the real one when configured with 0); the configured one before ``start()``.
    public var port: Int { runtime.withLock { $0.listeners.first?.localAddress.port } ?? configuration.network.port }

    /// The mounted application paths, in order.
    public var applicationPaths: [String] { contexts.map(\.path) }

    public func applicationContext(at path: String) -> ApplicationContext? { contexts.first { $0.path == path } }

    /// A live session, by application path and id (Bokeh's `Server.get_session`).
    /// - Throws: ``SessionError/applicationNotFound(_:)`` for a path no application is mounted at,
    ///   ``SessionError/sessionNotFound(_:)`` when the application has no such session.
    public func getSession(appPath: String, id: String) throws(SessionError) -> ServerSession {
        guard let context = applicationContext(at: appPath) else { throw .applicationNotFound(appPath) }
        return try context.getSession(id: id)
    }

    /// A live session, by application path and id.
    @available(*, deprecated, message: "use getSession(appPath:id:), which throws as Bokeh's get_session raises")
    public func getSession(appPath: String, sessionID: String) -> ServerSession? {
        try? getSession(appPath: appPath, id: sessionID)
    }

    /// Live sessions of one application, or of all.
    public func getSessions(appPath: String? = nil) -> [ServerSession] {
        if let appPath { return applicationContext(at: appPath)?.sessions ?? [] }
        return contexts.flatMap(\.sessions)
    }

    /// The server's absolute URL (Bokeh's `BokehTornado` `absolute_url`):
    /// ``ServerConfiguration/Front-swift.struct/absoluteURL`` when set, else `http(s)://ADDRESS:PORT/` as Python's
    /// `server_url` makes it (``ServerConfiguration/Network-swift.struct/defaultHost`` without an address).
    public var absoluteURL: String {
        if let configured = configuration.front.absoluteURL { return configured }
        let host = configuration.network.address.flatMap { $0.isEmpty ? nil : $0 } ?? configuration.network.defaultHost
        return "\(tls == nil ? "http" : "https")://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
    }

    /// The URL of an application.
    public func url(appPath: String) -> String {
        let host =
            configuration.network.address.flatMap { $0.isEmpty || $0 == "0.0.0.0" || $0 == "::" ? nil : $0 }
            ?? configuration.network.defaultHost
        let path = appPath == "/" ? "/" : appPath
        return "\(tls == nil ? "http" : "https")://\(host):\(port)\(router.table.prefix)\(path)"
    }

    /// Opens an application in a browser (`xdg-open`/`open`), as `bokeh serve --show` does.
    public func show(appPath: String) {
        do { try show(appPath: appPath, browser: nil, new: "tab") } catch {
            log.warning("cannot open a browser for \(url(appPath: appPath)): \(error)")
        }
    }

    /// Opens an application in a browser (Python's `Server.show(app_path, browser=None, new="tab")`).
    /// - Parameters:
    ///   - appPath: the application's path; must start with `/`.
    ///   - browser: a browser command (`firefox`, or a path); nil: `BOKEH_BROWSER`, else `$BROWSER`, else the
    ///     system's opener. `none` opens nothing, as Bokeh's dummy browser.
    ///   - new: `"tab"`, `"window"` or `"same"`, as Python's; the system opener decides where it opens.
    /// - Throws: ``ServerUsageError`` for a path without its leading `/`, an unknown `new`, or a browser that
    ///   cannot be started.
    public func show(appPath: String, browser: String?, new: String = "tab") throws(ServerUsageError) {
        guard appPath.hasPrefix("/") else { throw ServerUsageError("app_path must start with a /") }
        guard ["tab", "window", "same"].contains(new) else {
            throw ServerUsageError("invalid 'new' value passed to view: \(new), valid values are: same, window, or tab")
        }
        let url = url(appPath: appPath)
        let environment = ProcessInfo.processInfo.environment
        #if os(macOS)
            let opener = "open"
        #else
            let opener = "xdg-open"
        #endif
        let name =
            browser ?? environment["BOKEH_BROWSER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["BROWSER"].flatMap { $0.split(separator: ":").first.map(String.init) } ?? opener
        if name == "none" { return }  // Bokeh's DummyWebBrowser
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name, url]
        do { try process.run() } catch { throw ServerUsageError("cannot start \(name) for \(url): \(error)") }
    }

    /// Runs blocking work off the event loops (Bokeh's `run_in_background`).
    public func runInBackground<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withLockedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    // MARK: Internals

    var originPolicy: OriginPolicy { runtime.withLock { $0.originPolicy } }
    var hostAllowlist: HostAllowlist { runtime.withLock { $0.hostAllowlist } }

    /// Runs the unused-session check of every application now: sessions without connections unused for longer
    /// than `unusedLifetime` (nil: ``ServerConfiguration/Sessions-swift.struct/unusedLifetime``) are discarded.
    /// Returns how many were scheduled.
    @discardableResult
    public func cleanupSessions(unusedLifetime: Duration? = nil) -> Int {
        let lifetime = unusedLifetime ?? configuration.sessions.unusedLifetime
        return contexts.reduce(0) { $0 + $1.cleanupSessions(unusedLifetime: lifetime) }
    }

    @available(*, deprecated, message: "use cleanupSessions(unusedLifetime:) (a Duration)")
    @discardableResult
    public func cleanupSessions(unusedLifetimeMilliseconds: Double?) -> Int {
        cleanupSessions(unusedLifetime: unusedLifetimeMilliseconds.map { .milliseconds($0) })
    }

    /// The request data a token minted for `head` carries.
    func snapshot(of head: HTTPRequestHead) -> RequestSnapshot {
        var cookies: [(name: String, value: String)] = []
        for value in head.headers.values(name: "Cookie") { cookies += CookieParser.parsePairs(value) }
        var arguments: [(name: String, values: [[UInt8]])] = []
        for (name, value) in QueryString.parsePairs(head.query) {
            if let i = arguments.firstIndex(where: { $0.name == name }) {
                arguments[i].values.append(value)
            } else {
                arguments.append((name, [value]))
            }
        }
        let sessions = configuration.sessions
        return RequestSnapshot(
            headers: RequestFilter.headers(
                head.headers.map { (name: $0.name, value: $0.value) }, include: sessions.includeHeaders,
                exclude: sessions.excludeHeaders),
            cookies: RequestFilter.cookies(cookies, include: sessions.includeCookies, exclude: sessions.excludeCookies),
            arguments: arguments)
    }

    /// The index of applications: the `--index` template rendered with `prefix` and `items` (nil when it fails
    /// to render: answered with 500), else the built-in list.
    func indexPage() -> String? {
        let prefix = router.table.prefix
        let paths = contexts.map(\.path).sorted()
        if let indexTemplate {
            do { return try indexTemplate.render(prefix: prefix, items: paths) } catch {
                log.error("the index template failed to render: \(error)")
                return nil
            }
        }
        let items = paths.map { "<h4><a href=\"\(prefix)\($0)\">\($0.dropFirst())</a></h4>" }
        return
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Running Bokeh Applications</title></head>\n<body>\n"
            + items.joined(separator: "\n") + "\n</body></html>\n"
    }

    private func logStats() {
        guard log.isEnabled(.debug) else { return }
        let pid = getpid()
        let clients = contexts.reduce(0) { total, c in total + c.sessions.reduce(0) { $0 + $1.connectionCount } }
        log.debug("[pid \(pid)] \(clients) clients connected")
        for c in contexts {
            let sessions = c.sessions
            log.debug(
                "[pid \(pid)]   \(c.path) has \(sessions.count) sessions with \(sessions.filter { $0.connectionCount == 0 }.count) unused"
            )
        }
    }

    /// Bokeh's `_log_mem`: RSS and VMS at info; at debug, how many documents and sessions are alive (the
    /// models' count would need every session's loop, so it is left out).
    private func logMemory() {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        // trap-safe: _SC_PAGESIZE is a small enum constant (30 on glibc)
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard let usage = MemoryUsage(statm: statm, pageSize: pageSize) else { return }
        log.info("[pid \(getpid())] Memory usage: \(usage.description)")
        guard log.isEnabled(.debug) else { return }
        let sessions = getSessions()
        log.debug("  uncollected Documents: \(sessions.count)")
        log.debug("  uncollected Sessions: \(sessions.count)")
    }

    private func logStartup(port: Int, allowlist: HostAllowlist) {
        log.info("Starting Bokeh server version \(Document.bokehVersion) (SwiftBokeh)")
        // Bokeh logs the settings that differ from its defaults, in milliseconds.
        let (sessions, websocket) = (configuration.sessions, configuration.websocket)
        let (defaultSessions, defaultWebSocket) = (ServerConfiguration.Sessions(), ServerConfiguration.WebSocket())
        if websocket.keepAlive == .zero {
            log.info("Keep-alive ping disabled")
        } else if websocket.keepAlive != defaultWebSocket.keepAlive {
            log.info("Keep-alive ping configured every \(websocket.keepAlive.wholeMilliseconds) milliseconds")
        }
        if sessions.unusedCheckInterval != defaultSessions.unusedCheckInterval {
            log.info("Check for unused sessions every \(sessions.unusedCheckInterval.wholeMilliseconds) milliseconds")
        }
        if sessions.unusedLifetime != defaultSessions.unusedLifetime {
            log.info("Unused sessions last for \(sessions.unusedLifetime.wholeMilliseconds) milliseconds")
        }
        if sessions.statsLogInterval != defaultSessions.statsLogInterval {
            log.info("Log statistics every \(sessions.statsLogInterval.wholeMilliseconds) milliseconds")
        }
        if sessions.memLogInterval > .zero {
            log.info("Log memory usage every \(sessions.memLogInterval.wholeMilliseconds) milliseconds")
        }
        if websocket.maxMessageSize != defaultWebSocket.maxMessageSize {
            log.info("Websocket max message size set to \(websocket.maxMessageSize) bytes")
        }
        for path in contexts.map(\.path).sorted() {
            // Python prints no URL for a Unix socket (it has no port); say where the app is instead.
            if let socket = configuration.network.unixSocket {
                log.info("Bokeh app running on the Unix socket \(socket) at \(router.table.prefix)\(path)")
            } else {
                log.info("Bokeh app running at: \(url(appPath: path))")
            }
        }
        log.debug("These host origins can connect to the websocket: \(allowlist.pythonDescription)")
        log.info("Starting Bokeh server with process id: \(getpid()) (\(group.loops.count) event loops)")
    }
}

/// ``Server/start()`` called on a server that cannot start again.
/// A misuse of a ``Server`` method: an argument Python's `Server` would refuse with `ValueError`.
public struct ServerUsageError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum ServerLifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ``Server/start()`` was called before.
    case alreadyStarted
    /// The server was stopped; make a new one.
    case stopped

    public var description: String {
        switch self {
        case .alreadyStarted: "Already started"
        case .stopped: "the server was stopped; a stopped server cannot start again"
        }
    }
}

/// The process's memory as `/proc/self/statm` gives it (in pages): resident and virtual bytes.
struct MemoryUsage: Equatable {
    let residentBytes: Int
    let virtualBytes: Int

    /// nil when `statm` is not `size resident ...` in whole pages.
    init?(statm: String, pageSize: Int) {
        let fields = statm.split(separator: " ").prefix(2).compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard fields.count == 2, pageSize > 0 else { return nil }
        let (vms, rssOverflow) = fields[0].multipliedReportingOverflow(by: pageSize)
        let (rss, vmsOverflow) = fields[1].multipliedReportingOverflow(by: pageSize)
        guard !rssOverflow, !vmsOverflow else { return nil }
        (residentBytes, virtualBytes) = (rss, vms)
    }

    /// Bokeh's wording: `12.34 MB (RSS), 567.89 MB (VMS)`, MB being 2^20 bytes.
    var description: String {
        let mb = { (bytes: Int) in String(format: "%0.2f", Double(bytes) / 1_048_576) }
        return "\(mb(residentBytes)) MB (RSS), \(mb(virtualBytes)) MB (VMS)"
    }
}
