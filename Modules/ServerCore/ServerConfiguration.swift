import Foundation
public import Routing

/// The settings of a ``Server``: `bokeh serve`'s options and Bokeh's `Server` keyword arguments, with Bokeh's
/// defaults, grouped by what they govern.
///
/// ```swift
/// var configuration = ServerConfiguration()
/// configuration.network.port = 8080
/// configuration.websocket.keepAlive = .seconds(20)
/// configuration.front.staticDirectory = "Vendor/bokehjs"
/// ```
///
/// A value is only what it says: nothing is read from the environment unless you ask for it with
/// ``applyingEnvironment(_:)`` (`swift-bokeh serve` does, as `bokeh serve` does).
public struct ServerConfiguration: Sendable {
    /// Where the server listens and how it reads HTTP requests.
    public var network = Network()
    /// Session ids, signed tokens, and how long unused sessions are kept.
    public var sessions = Sessions()
    /// The Bokeh WebSocket: who may open it, message sizes, compression, keep-alive, slow readers.
    public var websocket = WebSocket()
    /// HTTPS and WSS.
    public var tls = TLS()
    /// What the HTTP front serves besides applications: BokehJS, the favicon, the index, extra routes.
    public var front = Front()
    /// Who may see the applications: the authentication policy, signed cookies, XSRF protection.
    public var auth = Auth()
    /// Arguments for the applications (what follows `--args` on the serve command line, Bokeh's `sys.argv[1:]`
    /// in an app): ``ServerContext/arguments`` and ``SessionContext/arguments``. Empty by default.
    public var applicationArguments: [String] = []

    public init() {}

    /// Where the server listens and how it reads HTTP requests.
    public struct Network: Sendable {
        /// Bind address (`--address`). nil: every interface, IPv4 (`0.0.0.0`) and IPv6 (`::`) on one port, as
        /// Tornado binds without an address (IPv4 alone where the machine has no IPv6).
        public var address: String? = nil
        /// The host of ``Server/absoluteURL`` and ``Server/url(appPath:)`` when no address is given (Bokeh's
        /// `DEFAULT_SERVER_HOST`, `BOKEH_DEFAULT_SERVER_HOST`).
        public var defaultHost: String = "localhost"
        /// Listen on this Unix-domain socket instead of TCP (`--unix-socket`); `address`, `port` and TLS do not
        /// apply then (``validate()`` refuses them, as `bokeh serve` does).
        public var unixSocket: String? = nil
        /// Listen port (`--port`); 0 picks a free one. 5006: Bokeh's port.
        public var port: Int = 5006
        /// URL prefix every route sits under (`--prefix`), normalised as Bokeh does. Empty: routes at `/`.
        public var prefix: String = ""
        /// Event loops sharing the port in this process (`--num-procs`); 0 is one per core. 1, as `bokeh serve`:
        /// one loop runs every callback, so applications need no locks.
        public var eventLoops: Int = 1
        /// How long each event loop keeps polling after activity before it sleeps (lower request/reply latency
        /// for that much CPU per burst); negative counts as zero. Zero: never spins, as Python's server.
        public var busyPoll: Duration = .zero
        /// Trust `X-Real-Ip`/`X-Forwarded-For`/`X-Scheme`/`X-Forwarded-Proto` (`--use-xheaders`). false: only a
        /// server behind a proxy you run may believe them.
        public var useXheaders: Bool = false
        /// Refuse requests whose `Host` is not an allowed name: the allowed WebSocket origins
        /// (``WebSocket-swift.struct/allowedOrigins``, by default `localhost:<port>`), ``allowedHosts``, or any IP
        /// address. This stops DNS rebinding: a page on an attacker's name that resolves to this server sends
        /// that name as `Host` (and as `Origin`, which Bokeh's same-origin rule would accept). true; false
        /// (`--disable-host-check`) accepts any `Host`, as `bokeh serve` does. A request without `Host` is served.
        public var checkHost: Bool = true
        /// More names requests may use as `Host` (`--allow-host`), in the allowed origins' syntax (`name`,
        /// `name:port`, `*.example.org`). Empty by default.
        public var allowedHosts: [String] = []
        /// Largest HTTP request head and body accepted. 64 KiB: Tornado's order of magnitude for heads, far
        /// above what a browser sends.
        public var maxRequestBytes: Int = 64 * 1024
        /// Close a connection whose first request is not complete in this time. 30 s: a slow client is served,
        /// an idle socket does not hold a descriptor for ever.
        public var requestTimeout: Duration = .seconds(30)
        /// On SIGINT/SIGTERM (``Server/run()``), how long WebSockets closed with 1001 get to finish their closing
        /// handshake before the sessions are destroyed anyway. 5 s: one round trip and then some, short enough
        /// for a container's stop grace period (Python's server does not wait at all).
        public var shutdownDrainTimeout: Duration = .seconds(5)

        public init() {}
    }

    /// Session ids, signed tokens, and how long unused sessions are kept.
    public struct Sessions: Sendable {
        /// Key for signing session ids and tokens. nil: none (``ServerConfiguration/applyingEnvironment(_:)``
        /// reads `BOKEH_SECRET_KEY`).
        public var secretKey: String? = nil
        /// Sign session ids and tokens (`--session-ids signed`); needs ``secretKey``. false: Bokeh's default
        /// (``ServerConfiguration/applyingEnvironment(_:)`` reads `BOKEH_SIGN_SESSIONS`).
        public var signSessions: Bool = false
        /// Generate a session id when a page request has none. false is `--session-ids external-signed`: ids
        /// come from your own front end.
        public var generateSessionIDs: Bool = true
        /// Lifetime of minted session tokens (`--session-token-expiration`, whole seconds). 300 s: Bokeh's.
        public var tokenExpiration: Duration = .seconds(300)
        /// How often unused sessions are looked for (`--check-unused-sessions`). 17 s: Bokeh's.
        public var unusedCheckInterval: Duration = .seconds(17)
        /// How long a session without connections is kept before it is destroyed (`--unused-session-lifetime`).
        /// 15 s: Bokeh's; a reloading page comes back within it.
        public var unusedLifetime: Duration = .seconds(15)
        /// How often session statistics are logged (`--stats-log-frequency`). 15 s: Bokeh's.
        public var statsLogInterval: Duration = .seconds(15)
        /// How often the process's memory use (RSS and VMS) is logged at info, with the counts of documents,
        /// sessions and models at debug (`--mem-log-frequency`); zero never. Zero: Bokeh's default.
        public var memLogInterval: Duration = .zero
        /// Where a logged-in user logs out (Bokeh's `logout_url` from its auth provider), shown to application
        /// code as ``ApplicationContext/logoutURL`` and ``SessionContext/logoutURL``; `nil` without one.
        public var logoutURL: String? = nil
        /// Only these request headers go into session tokens and ``SessionContext/request``
        /// (`--include-headers`), named as given, matched without regard to case. nil: every header but
        /// `Cookie` (unless `cookie` is listed here), Bokeh's default. Not together with ``excludeHeaders``.
        public var includeHeaders: [String]? = nil
        /// Request headers left out of session tokens (`--exclude-headers`), matched without regard to case.
        public var excludeHeaders: [String]? = nil
        /// Only these cookies go into session tokens and ``SessionContext/request`` (`--include-cookies`).
        /// nil: every cookie, Bokeh's default. Not together with ``excludeCookies``.
        public var includeCookies: [String]? = nil
        /// Cookies left out of session tokens (`--exclude-cookies`).
        public var excludeCookies: [String]? = nil
        /// Believe the headers, cookies and arguments of an unsigned token (`--trust-unsigned-tokens`). Anyone
        /// can write an unsigned token, so by default a session that a WebSocket creates from one sees none of
        /// them (``SessionContext/request`` is empty); a page or `autoload.js` request still gives its session
        /// its own request. Signed tokens are always believed. false: Bokeh believes them, which lets a client
        /// put any header or cookie into the request the application sees.
        public var trustUnsignedTokens: Bool = false
        /// Keep each token's request (headers, cookies, arguments, `process_request` additions) on the server
        /// under an opaque id instead of in the token (`--short-session-tokens`), so that a token stays under
        /// 1 KiB whatever the request's cookies (proxies limit headers to 8 KiB, and the token travels in one).
        /// The request is kept until the token expires. Only the process that minted a token can use its
        /// request: with several servers behind a balancer, keep it off. false: Bokeh's tokens.
        public var shortTokens: Bool = false
        /// Most requests kept for ``shortTokens`` at once; the oldest go first beyond it. 100,000.
        public var maxStoredRequests: Int = 100_000

        public init() {}
    }

    /// Who may see the applications: the authentication policy, signed cookies, XSRF protection.
    public struct Auth: Sendable {
        /// Decides who may see the applications (Bokeh's `--auth-module`); nil lets everyone in, Bokeh's default.
        /// See ``AuthenticationPolicy`` for what it guards; ``PasswordFileAuth`` and ``TrustedHeaderAuth``
        /// are built in.
        public var policy: (any AuthenticationPolicy)? = nil
        /// The secret that signs cookies (`--cookie-secret`, `BOKEH_COOKIE_SECRET`), in Tornado's format:
        /// ``cookieSigner`` makes and reads them. nil: none.
        public var cookieSecret: String? = nil
        /// Tornado's XSRF protection (`--enable-xsrf-cookies`, `BOKEH_XSRF_COOKIES`): every `POST`, `PUT`,
        /// `PATCH` and `DELETE` to a route of the policy or an extra route needs the `_xsrf` cookie's token in an
        /// `_xsrf` form field or an `X-XSRFToken` header, else 403. false: Bokeh's default.
        public var xsrfCookies: Bool = false

        /// The signer of ``cookieSecret``; nil without a secret.
        public var cookieSigner: SecureCookieSigner? {
            cookieSecret.flatMap { try? SecureCookieSigner(secret: $0) }
        }

        public init() {}
    }

    /// The Bokeh WebSocket: who may open it, message sizes, compression, keep-alive, slow readers.
    public struct WebSocket: Sendable {
        /// Pages from which hosts may open a WebSocket (`--allow-websocket-origin`). ``Origins/localhost``:
        /// Bokeh's default.
        public var allowedOrigins: Origins = .localhost
        /// Largest incoming WebSocket message (`--websocket-max-message-size`). 20 MiB: Bokeh's. At most
        /// ``ServerConfiguration/largestMessageSize``.
        public var maxMessageSize: Int = 20 * 1024 * 1024
        /// permessage-deflate level (`--websocket-compression-level`), clamped to 0...9. nil: no compression is
        /// negotiated, Bokeh's default.
        public var compressionLevel: Int? = nil
        /// zlib's memory level for compression (`--websocket-compression-mem-level`, 1...9); used only with a
        /// ``compressionLevel``. nil: zlib's default (8), as Tornado's.
        public var compressionMemoryLevel: Int? = nil
        /// Ping period (`--keep-alive`); zero sends no pings. 37 s: Bokeh's. A missing pong never closes the
        /// connection, as in Bokeh.
        public var keepAlive: Duration = .seconds(37)
        /// A peer that does not read its messages is closed when more than this many bytes already wait behind
        /// the message being sent to it (broadcasts it is not taking in; `--max-queued-write-bytes`). One message
        /// may be of any size: a large PULL-DOC-REPLY reaches a client that reads it. 64 MiB: three full-size
        /// messages. (Python's server never closes for this.)
        public var maxQueuedWriteBytes: Int = 64 * 1024 * 1024
        /// A peer is closed when bytes wait to be sent to it and none could be written for this long
        /// (`--write-stall-timeout`); zero never closes. 60 s: far beyond any network hiccup.
        public var writeStallTimeout: Duration = .seconds(60)

        public init() {}
    }

    /// The hosts whose pages may open the Bokeh WebSocket (their `Origin` header).
    public enum Origins: Sendable, Hashable {
        /// `localhost:<port>` only: Bokeh's default.
        case localhost
        /// `--allow-websocket-origin` values, normalised as Bokeh does (`host`, `host:port`, `*` patterns).
        /// An empty list is ``localhost``.
        case hosts([String])
        /// These entries exactly as written, not normalised and without the `localhost:<port>` default: how
        /// Bokeh's WebSocket handler takes `BOKEH_ALLOW_WS_ORIGIN` (a comma-separated list).
        case exactly([String])
    }

    /// HTTPS and WSS.
    public struct TLS: Sendable {
        /// Serve HTTPS/WSS with this PEM certificate chain (`--ssl-certfile`). nil: plain HTTP.
        public var certificateFile: String? = nil
        /// The certificate's private key, PEM (`--ssl-keyfile`). nil: the key is in ``certificateFile``.
        public var keyFile: String? = nil
        /// The passphrase of an encrypted key (Bokeh's `ssl_password`, `BOKEH_SSL_PASSWORD`).
        public var keyPassword: String? = nil

        public init() {}
    }

    /// What the HTTP front serves besides applications.
    public struct Front: Sendable {
        /// The BokehJS directory served at `PFX/static/` (the `bokeh/server/static` folder of the bokeh wheel,
        /// holding `js/bokeh.min.js`). nil, or a missing directory: pages load BokehJS from the CDN.
        public var staticDirectory: String? = nil
        /// The icon served at `/favicon.ico` (`--ico-path`). ``Favicon/bokeh``: Bokeh's.
        public var favicon: Favicon = .bokeh
        /// BokehJS's log level in pages (`Bokeh.set_log_level`; `BOKEH_LOG_LEVEL` for `swift-bokeh serve`): one of
        /// ``bokehJSLogLevels``. `info`: Bokeh's.
        public var bokehJSLogLevel: String = "info"
        /// Pages load the minified BokehJS bundles (`bokeh.min.js`; Bokeh's `BOKEH_MINIFIED`). false: the plain
        /// `bokeh.js` ones, which the BokehJS directory of the PyPI wheel holds too.
        public var minified: Bool = true
        /// The BokehJS version in CDN URLs (Bokeh's `BOKEH_CDN_VERSION`); nil: 3.10.2, the one this server speaks.
        public var cdnVersion: String? = nil
        /// The levels BokehJS knows.
        public static let bokehJSLogLevels = ["trace", "debug", "info", "warn", "error", "fatal"]
        /// Serve the index of applications at `PFX/` (`--disable-index` turns it off).
        public var useIndex: Bool = true
        /// A custom index page, an HTML file (`--index`). nil: the built-in list of applications.
        public var indexFile: String? = nil
        /// Redirect `PFX/` to the only application (`--disable-index-redirect` turns it off).
        public var redirectRoot: Bool = true
        /// The server's own absolute URL (`https://bokeh.example.org/`; Bokeh's `absolute_url`): ``Server/absoluteURL``.
        /// When set, `autoload.js` loads BokehJS from it when the request gives no `bokeh-absolute-url`, so a
        /// script embedded in another site's page works behind a proxy (Bokeh's script then loads from the
        /// embedding page's own origin). nil: Bokeh's default, `http(s)://ADDRESS:PORT/`.
        public var absoluteURL: String? = nil
        /// Extra routes (Bokeh's `extra_patterns`) answered by ``extraRequestHandler``.
        public var extraRoutes: [ExtraRoute] = []
        /// Answers requests to ``extraRoutes``: method, path, query, headers, body and the pattern's captures in
        /// (``ExtraRequest``), status, headers and a whole or streamed body out (``ExtraResponse``). It runs in a
        /// task of its own, off the event loops; what it throws is logged and answered with 500. nil: 404.
        public var extraRequestHandler: ExtraRequestHandler? = nil
        /// Answers requests to ``extraRoutes`` by identifier and path only.
        @available(*, deprecated, message: "use extraRequestHandler, which sees the whole request and can stream")
        public var extraHandler:
            (@Sendable (_ identifier: String, _ path: String) -> (status: Int, contentType: String, body: [UInt8]))?
        {
            get { legacyExtraHandler }
            set { legacyExtraHandler = newValue }
        }
        var legacyExtraHandler:
            (@Sendable (_ identifier: String, _ path: String) -> (status: Int, contentType: String, body: [UInt8]))? =
                nil

        public init() {}
    }

    /// Largest accepted ``WebSocket-swift.struct/maxMessageSize`` and ``Network-swift.struct/maxRequestBytes``:
    /// 1 GiB (a message is held in memory whole before it is handled).
    public static let largestMessageSize = 1 << 30

    // MARK: Environment

    /// This configuration with Bokeh's environment variables applied, as `bokeh serve` applies them:
    ///
    /// - `BOKEH_SECRET_KEY` sets ``Sessions-swift.struct/secretKey`` when it is nil;
    /// - `BOKEH_SIGN_SESSIONS` (`yes`/`1`/`on`/`true` or `no`/`0`/`off`/`false`) sets
    ///   ``Sessions-swift.struct/signSessions``;
    /// - `BOKEH_COOKIE_SECRET` sets ``Auth-swift.struct/cookieSecret`` when it is nil;
    /// - `BOKEH_XSRF_COOKIES` (a boolean as `BOKEH_SIGN_SESSIONS`) sets ``Auth-swift.struct/xsrfCookies``;
    /// - `BOKEH_ALLOW_WS_ORIGIN`, when not empty, replaces ``WebSocket-swift.struct/allowedOrigins`` with
    ///   ``Origins/exactly(_:)`` its comma-separated entries, trimmed, empty ones dropped (Bokeh's WebSocket
    ///   handler prefers it to `--allow-websocket-origin`).
    ///
    /// `swift-bokeh serve` calls it once, before its `--session-ids` flag; a ``Server`` itself reads no
    /// environment variable.
    /// - Throws: ``ConfigurationError/invalidValue(setting:_:)`` for a `BOKEH_SIGN_SESSIONS` that is not a
    ///   boolean (Bokeh's message).
    /// - Parameter environment: the variables to read; nil reads the process's.
    public func applyingEnvironment(_ environment: [String: String]? = nil) throws(ConfigurationError)
        -> ServerConfiguration
    {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var result = self
        if result.sessions.secretKey == nil, let key = environment["BOKEH_SECRET_KEY"] {
            result.sessions.secretKey = key
        }
        /// Bokeh's boolean settings: yes/1/on/true or no/0/off/false, any case.
        func boolean(_ name: String) throws(ConfigurationError) -> Bool? {
            guard let value = environment[name] else { return nil }
            switch value.lowercased() {
            case "yes", "1", "on", "true": return true
            case "no", "0", "off", "false": return false
            default: throw .invalidValue(setting: name, "Cannot convert \(value) to boolean value")
            }
        }
        if let sign = try boolean("BOKEH_SIGN_SESSIONS") { result.sessions.signSessions = sign }
        if result.auth.cookieSecret == nil, let secret = environment["BOKEH_COOKIE_SECRET"], !secret.isEmpty {
            result.auth.cookieSecret = secret
        }
        if let xsrf = try boolean("BOKEH_XSRF_COOKIES") { result.auth.xsrfCookies = xsrf }
        if let value = environment["BOKEH_ALLOW_WS_ORIGIN"], !value.isEmpty {
            let entries = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            result.websocket.allowedOrigins = .exactly(entries.filter { !$0.isEmpty })
        }
        return result
    }

    // MARK: Validation

    /// Checks the values Bokeh rejects.
    public func validate() throws {
        /// Fails with Bokeh's message for `setting` unless `holds`.
        func require(_ holds: Bool, _ setting: String, _ rule: String) throws(ConfigurationError) {
            if !holds { throw .invalidValue(setting: setting, "\(setting) must be \(rule)") }
        }
        try require(websocket.keepAlive >= .zero, "keep_alive_milliseconds", ">= 0")
        try require(sessions.unusedCheckInterval.wholeMilliseconds > 0, "check_unused_sessions_milliseconds", "> 0")
        try require(sessions.unusedLifetime.wholeMilliseconds > 0, "unused_session_lifetime_milliseconds", "> 0")
        try require(sessions.statsLogInterval.wholeMilliseconds > 0, "stats_log_frequency_milliseconds", "> 0")
        try require(sessions.tokenExpiration.components.seconds > 0, "session_token_expiration", "> 0")
        try require(sessions.memLogInterval >= .zero, "mem_log_frequency_milliseconds", ">= 0")
        if let memory = websocket.compressionMemoryLevel {
            try require((1...9).contains(memory), "websocket_compression_mem_level", "in 1...9")
        }
        try require(websocket.maxMessageSize > 0, "websocket_max_message_size_bytes", "> 0")
        try require(
            websocket.maxMessageSize <= Self.largestMessageSize, "websocket_max_message_size_bytes",
            "<= \(Self.largestMessageSize)")
        try require(websocket.maxQueuedWriteBytes > 0, "max_queued_write_bytes", "> 0")
        try require(websocket.writeStallTimeout >= .zero, "write_stall_timeout_milliseconds", ">= 0")
        try require(
            network.maxRequestBytes > 0 && network.maxRequestBytes <= Self.largestMessageSize,
            "max_request_header_bytes", "in 1...\(Self.largestMessageSize)")
        try require(network.eventLoops >= 0, "num_procs", ">= 0")
        try require(network.requestTimeout > .zero, "request_timeout", "> 0")
        try require(network.shutdownDrainTimeout >= .zero, "shutdown_drain_timeout", ">= 0")
        if network.port < 0 || network.port > 65535 {
            throw ConfigurationError.invalidValue(setting: "port", "invalid port \(network.port)")
        }
        if let socket = network.unixSocket {
            // `bokeh serve`'s rules: the port must stay the default; address and TLS files are refused.
            try require(!socket.isEmpty, "unix_socket", "a path")
            if network.port != 5006 {
                throw ConfigurationError.invalidValue(setting: "port", "--port arg is not supported with a unix socket")
            }
            if network.address != nil || tls.certificateFile != nil || tls.keyFile != nil {
                throw ConfigurationError.invalidValue(
                    setting: "unix_socket",
                    "['address', 'ssl_certfile', 'ssl_keyfile', 'port'] args are not supported with a unix socket")
            }
        }
        if !Front.bokehJSLogLevels.contains(front.bokehJSLogLevel) {
            throw ConfigurationError.invalidValue(
                setting: "log_level",
                "BokehJS log level '\(front.bokehJSLogLevel)' is not one of \(Front.bokehJSLogLevels.joined(separator: ", "))"
            )
        }
        if sessions.includeHeaders != nil && sessions.excludeHeaders != nil {
            throw ConfigurationError.invalidValue(
                setting: "include_headers", "Declare either an include or an exclude list for the headers, not both.")
        }
        if sessions.includeCookies != nil && sessions.excludeCookies != nil {
            throw ConfigurationError.invalidValue(
                setting: "include_cookies", "Declare either an include or an exclude list for the cookies, not both.")
        }
        try require(sessions.maxStoredRequests > 0, "max_stored_requests", "> 0")
        if let secret = auth.cookieSecret, secret.isEmpty {
            throw ConfigurationError.invalidValue(setting: "cookie_secret", "cookie_secret must not be empty")
        }
        if tls.keyFile != nil && tls.certificateFile == nil {
            throw ConfigurationError.invalidValue(setting: "ssl_keyfile", "--ssl-keyfile requires --ssl-certfile")
        }
    }
}

extension Duration {
    /// Whole milliseconds (the fraction dropped), clamped to `Int`'s range.
    var wholeMilliseconds: Int { whole(perSecond: 1000) }
    /// Whole microseconds (the fraction dropped), clamped to `Int`'s range.
    var wholeMicroseconds: Int { whole(perSecond: 1_000_000) }

    private func whole(perSecond units: Int64) -> Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: units)
        let (total, carry) = scaled.addingReportingOverflow(attoseconds / (1_000_000_000_000_000_000 / units))
        if overflow || carry { return seconds < 0 ? .min : .max }
        return Int(clamping: total)
    }
}

/// What `/favicon.ico` answers.
public enum Favicon: Sendable, Hashable {
    /// Bokeh's icon (built in: the `favicon.ico` of the bokeh 3.10.2 wheel).
    case bokeh
    /// This file.
    case file(String)
    /// No icon: 404 (`--ico-path none`).
    case none

    /// `bokeh serve --ico-path`'s value: `none` for no icon, else a file; nil for Bokeh's icon.
    public init(icoPath: String?) {
        switch icoPath {
        case nil: self = .bokeh
        case "none": self = .none
        case let path?: self = .file(path)
        }
    }
}

/// A configuration value Bokeh would refuse. Match the kind (`error == .invalidValue(setting: "port")`,
/// `error.setting`), print it for Bokeh's message.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case invalidValue, missingSecretKey, tls, invalidOrigin, other
    }

    private let code: Code
    /// The setting at fault, by Bokeh's name (`port`, `websocket_max_message_size_bytes`), when there is one.
    public let setting: String?
    public let description: String

    private init(_ code: Code, setting: String? = nil, _ description: String) {
        self.code = code
        self.setting = setting
        self.description = description
    }

    /// `setting` is out of its range; `description` says which range.
    public static func invalidValue(setting: String, _ description: String = "") -> Self {
        Self(.invalidValue, setting: setting, description.isEmpty ? "invalid \(setting)" : description)
    }
    /// Signed sessions without `BOKEH_SECRET_KEY` / ``ServerConfiguration/secretKey``.
    public static let missingSecretKey = Self(
        .missingSecretKey, setting: "secret_key",
        "To sign sessions, the BOKEH_SECRET_KEY environment variable must be set; the `swift-bokeh secret` command can be used to generate a new key."
    )
    /// The certificate or key could not be loaded.
    public static func tls(_ description: String) -> Self { Self(.tls, setting: "ssl_certfile", description) }
    /// An `--allow-websocket-origin` entry that is not a host.
    public static func invalidOrigin(_ description: String) -> Self {
        Self(.invalidOrigin, setting: "allow_websocket_origin", description)
    }

    @available(*, deprecated, message: "use ConfigurationError.invalidValue(setting:_:) or another static member")
    public init(_ description: String) { self.init(.other, description) }

    /// Same kind and setting (descriptions may differ).
    public static func == (a: Self, b: Self) -> Bool {
        a.code == b.code && a.setting == b.setting && (a.code != .other || a.description == b.description)
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(setting)
    }
}
