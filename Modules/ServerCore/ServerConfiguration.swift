import Foundation
public import Routing

/// The settings of a ``Server``: Bokeh's `BokehTornado` and `Server` keyword arguments, with Bokeh's
/// defaults.
public struct ServerConfiguration: Sendable {
    /// Bind address; nil listens on all interfaces (IPv4).
    public var address: String?
    /// Listen port; 0 picks a free one. Default 5006.
    public var port: Int = 5006
    /// URL prefix (`--prefix`), normalised as Bokeh does.
    public var prefix: String = ""
    /// Websocket origins (`--allow-websocket-origin`); nil or empty means `localhost:<port>`.
    /// `BOKEH_ALLOW_WS_ORIGIN`, when set, replaces the list.
    public var allowWebsocketOrigins: [String]? = nil
    /// Extra routes answered by ``extraHandler``.
    public var extraPatterns: [ExtraRoute] = []
    /// Answers requests to ``extraPatterns`` (by identifier); nil answers 404.
    public var extraHandler:
        (@Sendable (_ identifier: String, _ path: String) -> (status: Int, contentType: String, body: [UInt8]))? = nil
    /// Secret key for signing; nil reads `BOKEH_SECRET_KEY`.
    public var secretKey: String? = nil
    /// Sign session ids and tokens. Default: `BOKEH_SIGN_SESSIONS`, else false.
    public var signSessions: Bool = ProcessInfo.processInfo.environment["BOKEH_SIGN_SESSIONS"].map(Self.truthy) ?? false
    /// Generate a session id when a page request has none.
    public var generateSessionIDs: Bool = true
    /// Keep-alive ping period; 0 disables pings.
    public var keepAliveMilliseconds: Int = 37_000
    public var checkUnusedSessionsMilliseconds: Int = 17_000
    public var unusedSessionLifetimeMilliseconds: Int = 15_000
    public var statsLogFrequencyMilliseconds: Int = 15_000
    /// Serve the index at `PFX/` (`--disable-index` turns it off).
    public var useIndex: Bool = true
    /// Redirect `PFX/` to the only application.
    public var redirectRoot: Bool = true
    /// A custom index page (HTML file path); nil uses the built-in list of applications.
    public var index: String? = nil
    /// Largest incoming WebSocket message. Default 20 MiB.
    public var websocketMaxMessageSize: Int = 20 * 1024 * 1024
    /// permessage-deflate level; nil (the default) negotiates no compression.
    public var websocketCompressionLevel: Int? = nil
    /// Lifetime of minted session tokens, seconds.
    public var sessionTokenExpiration: Int = 300
    /// Event loops sharing the port in this process: 1 by default, 0 = one per core.
    public var numProcs: Int = 1
    /// Microseconds each event loop keeps polling after activity before it sleeps (lower request/reply latency
    /// for that much CPU per burst). 0, the default, never spins.
    public var busyPollMicroseconds: Int = 0
    /// A peer that does not read its messages is closed when more than this many bytes already wait behind the
    /// message being sent to it (broadcasts it is not taking in). One message may be of any size: a large
    /// PULL-DOC-REPLY reaches a client that reads it. Default 64 MiB. (Python's server never closes for this.)
    public var maxQueuedWriteBytes: Int = 64 * 1024 * 1024
    /// A peer is closed when bytes wait to be sent to it and none could be written for this long. Default
    /// 60,000 ms; 0 disables.
    public var writeStallTimeoutMilliseconds: Int = 60_000
    /// Largest HTTP request head and body accepted.
    public var maxRequestHeaderBytes: Int = 64 * 1024
    /// Close a connection whose first request is not complete in this time.
    public var requestTimeout: Duration = .seconds(30)
    /// On SIGINT/SIGTERM (``Server/run()``), how long WebSockets closed with 1001 get to finish their closing
    /// handshake before the sessions are destroyed anyway. Default 5 s (Python's server does not wait at all).
    public var shutdownDrainTimeout: Duration = .seconds(5)

    /// The BokehJS directory served at `PFX/static/` (the `bokeh/server/static` folder of the bokeh wheel,
    /// holding `js/bokeh.min.js`); nil, or a missing directory, makes pages load BokehJS from the CDN.
    public var staticDirectory: String? = nil
    /// The icon served at `/favicon.ico` (`--ico-path`). Default ``Favicon/bokeh``.
    public var favicon: Favicon = .bokeh
    /// The former spelling of ``favicon``: nil for ``Favicon/bokeh``, `"none"` for ``Favicon/none``.
    @available(*, deprecated, message: "use favicon: .bokeh, .file(path) or .none")
    public var icoPath: String? {
        get {
            switch favicon {
            case .bokeh: nil
            case .file(let path): path
            case .none: "none"
            }
        }
        set { favicon = Favicon(icoPath: newValue) }
    }
    /// Trust `X-Real-Ip`/`X-Forwarded-For`/`X-Scheme`/`X-Forwarded-Proto` from a proxy (`--use-xheaders`).
    public var useXheaders: Bool = false
    /// Serve HTTPS/WSS with this certificate chain (PEM) and key (`--ssl-certfile`, `--ssl-keyfile`).
    public var sslCertFile: String? = nil
    public var sslKeyFile: String? = nil

    public init() {}

    /// Largest accepted ``websocketMaxMessageSize`` and ``maxRequestHeaderBytes``: 1 GiB (a message is held in
    /// memory whole before it is handled).
    public static let largestMessageSize = 1 << 30

    static func truthy(_ value: String) -> Bool { ["1", "true", "yes", "on"].contains(value.lowercased()) }

    /// Checks the values Bokeh rejects.
    public func validate() throws {
        /// Fails with Bokeh's message for `setting` unless `holds`.
        func require(_ holds: Bool, _ setting: String, _ rule: String) throws(ConfigurationError) {
            if !holds { throw .invalidValue(setting: setting, "\(setting) must be \(rule)") }
        }
        try require(keepAliveMilliseconds >= 0, "keep_alive_milliseconds", ">= 0")
        try require(checkUnusedSessionsMilliseconds > 0, "check_unused_sessions_milliseconds", "> 0")
        try require(unusedSessionLifetimeMilliseconds > 0, "unused_session_lifetime_milliseconds", "> 0")
        try require(statsLogFrequencyMilliseconds > 0, "stats_log_frequency_milliseconds", "> 0")
        try require(sessionTokenExpiration > 0, "session_token_expiration", "> 0")
        try require(websocketMaxMessageSize > 0, "websocket_max_message_size_bytes", "> 0")
        try require(
            websocketMaxMessageSize <= Self.largestMessageSize, "websocket_max_message_size_bytes",
            "<= \(Self.largestMessageSize)")
        try require(maxQueuedWriteBytes > 0, "max_queued_write_bytes", "> 0")
        try require(writeStallTimeoutMilliseconds >= 0, "write_stall_timeout_milliseconds", ">= 0")
        try require(
            maxRequestHeaderBytes > 0 && maxRequestHeaderBytes <= Self.largestMessageSize, "max_request_header_bytes",
            "in 1...\(Self.largestMessageSize)")
        try require(numProcs >= 0, "num_procs", ">= 0")
        if port < 0 || port > 65535 { throw ConfigurationError.invalidValue(setting: "port", "invalid port \(port)") }
        if sslKeyFile != nil && sslCertFile == nil {
            throw ConfigurationError.invalidValue(setting: "ssl_keyfile", "--ssl-keyfile requires --ssl-certfile")
        }
    }
}

/// What `/favicon.ico` answers.
public enum Favicon: Sendable, Hashable {
    /// Bokeh's icon: `favicon.ico` of ``ServerConfiguration/staticDirectory`` (404 without one).
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
        "To sign sessions, the BOKEH_SECRET_KEY environment variable must be set; the `bokeh secret` command can be used to generate a new key."
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
