import Foundation

/// One `serve` flag: its name, the value it takes (nil for a switch), its help line, and what it sets.
struct ServeOption: Sendable {
    typealias Apply =
        @Sendable (inout ServeCommand.Invocation, inout ServeArgumentParser.State, String)
        throws(ServeCommandError) -> Void

    let name: String
    let metavar: String?
    let help: String
    /// Takes one or more values (argparse's `nargs='+'`): every argument up to the next flag; `apply` runs once
    /// for each.
    let many: Bool
    let apply: Apply

    init(_ name: String, _ metavar: String?, _ help: String, many: Bool = false, _ apply: @escaping Apply) {
        self.name = name
        self.metavar = metavar
        self.help = help
        self.many = many
        self.apply = apply
    }
}

/// A duration as the whole milliseconds `bokeh serve` options take.
private func ms(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}

private func int(_ option: String, _ text: String) throws(ServeCommandError) -> Int {
    guard let n = Int(text) else { throw ServeCommandError("argument \(option): invalid int value: '\(text)'") }
    return n
}

/// Every flag of the serve command, in usage order. The defaults shown are the library's own.
let serveOptions: [ServeOption] = {
    let d = ServerConfiguration()
    return [
        ServeOption("--port", "PORT", "listen port (default \(d.network.port), 0 = any free port)") {
            i, _, v throws(ServeCommandError) in
            i.configuration.network.port = try int("--port", v)
        },
        ServeOption("--address", "ADDRESS", "bind address (default all interfaces, IPv4 and IPv6)") { i, _, v in
            i.configuration.network.address = v
        },
        ServeOption(
            "--unix-socket", "UNIX-SOCKET",
            "Unix socket to bind; port, address and TLS options do not apply with it"
        ) { i, _, v in i.configuration.network.unixSocket = v },
        ServeOption(
            "--allow-websocket-origin", "HOST[:PORT]",
            "allowed websocket origin (repeatable; default localhost:<port>)"
        ) { _, s, v in s.origins.append(v) },
        ServeOption(
            "--allow-host", "HOST[:PORT]",
            "another name requests may use as Host (repeatable; the allowed origins and IP addresses always may)"
        ) { i, _, v in i.configuration.network.allowedHosts.append(v) },
        ServeOption("--disable-host-check", nil, "serve any Host, as bokeh serve (no DNS-rebinding guard)") {
            i, _, _ in i.configuration.network.checkHost = false
        },
        ServeOption("--prefix", "PREFIX", "URL prefix") { i, _, v in i.configuration.network.prefix = v },
        ServeOption(
            "--keep-alive", "MS", "ping period in milliseconds, 0 = off (default \(ms(d.websocket.keepAlive)))"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.websocket.keepAlive = .milliseconds(try int("--keep-alive", v))
        },
        ServeOption(
            "--check-unused-sessions", "MS",
            "unused-session check period (default \(ms(d.sessions.unusedCheckInterval)))"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.sessions.unusedCheckInterval = .milliseconds(try int("--check-unused-sessions", v))
        },
        ServeOption(
            "--unused-session-lifetime", "MS", "unused-session lifetime (default \(ms(d.sessions.unusedLifetime)))"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.sessions.unusedLifetime = .milliseconds(try int("--unused-session-lifetime", v))
        },
        ServeOption(
            "--stats-log-frequency", "MS", "stats log period (default \(ms(d.sessions.statsLogInterval)))"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.sessions.statsLogInterval = .milliseconds(try int("--stats-log-frequency", v))
        },
        ServeOption("--mem-log-frequency", "MS", "memory-use log period, 0 = off (default 0)") {
            i, _, v throws(ServeCommandError) in
            i.configuration.sessions.memLogInterval = .milliseconds(try int("--mem-log-frequency", v))
        },
        ServeOption("--session-ids", "MODE", "unsigned, signed or external-signed") {
            _, s, v throws(ServeCommandError) in
            guard ["unsigned", "signed", "external-signed"].contains(v) else {
                throw ServeCommandError(
                    "argument --session-ids: invalid choice: '\(v)' (choose from 'unsigned', 'signed', 'external-signed')"
                )
            }
            s.sessionIDs = v
        },
        ServeOption(
            "--session-token-expiration", "SECONDS",
            "token lifetime (default \(d.sessions.tokenExpiration.components.seconds))"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.sessions.tokenExpiration = .seconds(try int("--session-token-expiration", v))
        },
        ServeOption(
            "--websocket-max-message-size", "BYTES", "largest incoming message (default \(d.websocket.maxMessageSize))"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.websocket.maxMessageSize = try int("--websocket-max-message-size", v)
        },
        ServeOption(
            "--websocket-compression-level", "LEVEL", "permessage-deflate level (default: no compression)"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.websocket.compressionLevel = try int("--websocket-compression-level", v)
        },
        ServeOption("--websocket-compression-mem-level", "LEVEL", "zlib memory level 1-9 for compression (default 8)") {
            i, _, v throws(ServeCommandError) in
            i.configuration.websocket.compressionMemoryLevel = try int("--websocket-compression-mem-level", v)
        },
        ServeOption(
            "--max-queued-write-bytes", "BYTES",
            "close a peer when more than this waits behind the message being sent to it (default \(d.websocket.maxQueuedWriteBytes))"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.websocket.maxQueuedWriteBytes = try int("--max-queued-write-bytes", v)
        },
        ServeOption(
            "--write-stall-timeout", "MS",
            "close a peer that takes no bytes for this long, 0 = never (default \(ms(d.websocket.writeStallTimeout)))"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.websocket.writeStallTimeout = .milliseconds(try int("--write-stall-timeout", v))
        },
        ServeOption(
            "--num-procs", "N", "event loops sharing the port (default \(d.network.eventLoops), 0 = one per core)"
        ) { i, _, v throws(ServeCommandError) in
            i.configuration.network.eventLoops = try int("--num-procs", v)
        },
        ServeOption("--busy-poll-us", "N", "keep polling N µs after activity before sleeping (default 0)") {
            i, _, v throws(ServeCommandError) in
            i.configuration.network.busyPoll = .microseconds(try int("--busy-poll-us", v))
        },
        ServeOption("--log-level", "LEVEL", "trace, debug, info, warning, error, critical (default info)") {
            i, _, v throws(ServeCommandError) in
            guard let level = LogLevel(name: v) else {
                throw ServeCommandError("argument --log-level: invalid choice: '\(v)'")
            }
            i.logLevel = level
        },
        ServeOption("--log-format", "FORMAT", "a Python logging format (default '%(asctime)s %(message)s')") {
            i, _, v throws(ServeCommandError) in
            do { i.logFormat = try LogFormat(v) } catch { throw ServeCommandError("\(error)") }
        },
        ServeOption("--log-file", "PATH", "append the log to this file instead of standard error") { i, _, v in
            i.logFile = v
        },
        ServeOption("--use-config", "FILE", "Bokeh settings (YAML name: value) below the environment's") { _, _, _ in
            // Read before the other flags (ServeConfigFile), so that they and the environment win.
        },
        ServeOption("--index", "PATH", "custom index page") { i, _, v in i.configuration.front.indexFile = v },
        ServeOption("--disable-index", nil, "no index at the prefix root") { i, _, _ in
            i.configuration.front.useIndex = false
        },
        ServeOption("--disable-index-redirect", nil, "never redirect the root to the only application") { i, _, _ in
            i.configuration.front.redirectRoot = false
        },
        ServeOption("--show", nil, "open every application in a browser") { i, _, _ in i.show = true },
        ServeOption(
            "--static-dir", "DIR",
            "BokehJS directory served at /static (default: $SWIFTBOKEH_STATIC_DIR, ./Vendor/bokehjs, the cache `swift-bokeh bokehjs` fills, else the CDN)"
        ) { i, _, v in i.configuration.front.staticDirectory = v },
        ServeOption("--ico-path", "PATH", "favicon file, or 'none' (default: Bokeh's icon)") { i, _, v in
            i.configuration.front.favicon = Favicon(icoPath: v)
        },
        ServeOption("--ssl-certfile", "PATH", "serve HTTPS/WSS with this PEM certificate chain") { i, _, v in
            i.configuration.tls.certificateFile = v
        },
        ServeOption("--ssl-keyfile", "PATH", "the certificate's private key (PEM)") { i, _, v in
            i.configuration.tls.keyFile = v
        },
        ServeOption("--use-xheaders", nil, "trust X-Real-Ip / X-Forwarded-For / X-Scheme from a proxy") { i, _, _ in
            i.configuration.network.useXheaders = true
        },
        ServeOption(
            "--auth-password-file", "PATH",
            "log users in with this password file (swift-bokeh passwd writes it); needs --cookie-secret"
        ) { _, s, v in s.passwordFile = v },
        ServeOption(
            "--auth-header", "NAME", "believe this header (e.g. X-Forwarded-User) from --auth-trusted-proxy peers"
        ) { _, s, v in s.authHeader = v },
        ServeOption(
            "--auth-trusted-proxy", "ADDR",
            "peer address or CIDR range, or 'unix', allowed to send --auth-header (repeatable)"
        ) { _, s, v in s.trustedProxies.append(v) },
        ServeOption("--auth-login-url", "URL", "with --auth-header: where unauthenticated users go (default 401)") {
            _, s, v in s.loginURL = v
        },
        ServeOption("--auth-logout-url", "URL", "with --auth-header: the proxy's sign-out URL (session logout_url)") {
            _, s, v in s.logoutURL = v
        },
        ServeOption("--cookie-secret", "SECRET", "sign cookies with this secret (Tornado's secure cookies)") {
            i, _, v in i.configuration.auth.cookieSecret = v
        },
        ServeOption(
            "--enable-xsrf-cookies", nil,
            "check Tornado's _xsrf token on every POST, PUT, PATCH or DELETE (login form, extra routes)"
        ) { i, _, _ in i.configuration.auth.xsrfCookies = true },
        ServeOption(
            "--include-headers", "HEADER", "only these request headers reach the session context", many: true
        ) { i, _, v in i.configuration.sessions.includeHeaders = (i.configuration.sessions.includeHeaders ?? []) + [v]
        },
        ServeOption(
            "--exclude-headers", "HEADER", "request headers kept out of the session context", many: true
        ) { i, _, v in i.configuration.sessions.excludeHeaders = (i.configuration.sessions.excludeHeaders ?? []) + [v]
        },
        ServeOption(
            "--include-cookies", "COOKIE", "only these cookies reach the session context", many: true
        ) { i, _, v in i.configuration.sessions.includeCookies = (i.configuration.sessions.includeCookies ?? []) + [v]
        },
        ServeOption(
            "--exclude-cookies", "COOKIE", "cookies kept out of the session context", many: true
        ) { i, _, v in i.configuration.sessions.excludeCookies = (i.configuration.sessions.excludeCookies ?? []) + [v]
        },
        ServeOption(
            "--trust-unsigned-tokens", nil,
            "UNSAFE: believe the headers, cookies and arguments of unsigned tokens, which any client can write"
        ) { i, _, _ in i.configuration.sessions.trustUnsignedTokens = true },
        ServeOption(
            "--short-session-tokens", nil,
            "keep each token's request on this server so tokens stay under 1 KiB (one server only)"
        ) { i, _, _ in i.configuration.sessions.shortTokens = true },
    ]
}()

/// Walks a serve command line: flags (`--flag VALUE` or `--flag=VALUE`), positional `APP`s, and everything
/// after `--args` as application arguments.
struct ServeArgumentParser {
    /// What flags set that is applied only after the environment.
    struct State {
        var origins: [String] = []
        var sessionIDs: String?
        var passwordFile: String?
        var authHeader: String?
        var trustedProxies: [String] = []
        var loginURL: String?
        var logoutURL: String?
    }

    let arguments: [String]
    var state = State()

    init(arguments: [String]) { self.arguments = arguments }

    mutating func parse(into invocation: inout ServeCommand.Invocation, positional: inout [String])
        throws(ServeCommandError)
    {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--args" {
                invocation.configuration.applicationArguments = Array(arguments[index...])
                break
            }
            // `swift run APP -- --port 5007` hands the `--` on: it separates nothing here.
            if argument == "--" { continue }
            if argument == "-h" || argument == "--help" {
                invocation.help = true
                return
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                positional.append(argument)
                continue
            }
            var name = argument
            var inline: String?
            if let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inline = String(argument[argument.index(after: eq)...])
            }
            guard let option = serveOptions.first(where: { $0.name == name }) else {
                throw ServeCommandError("unrecognized arguments: \(argument)")
            }
            if option.many {
                var values: [String] = inline.map { [$0] } ?? []
                while inline == nil, index < arguments.count, !arguments[index].hasPrefix("-") {
                    values.append(arguments[index])
                    index += 1
                }
                guard !values.isEmpty else {
                    throw ServeCommandError("argument \(name): expected at least one argument")
                }
                for value in values { try option.apply(&invocation, &state, value) }
                continue
            }
            var value = ""
            if option.metavar != nil {
                if let inline {
                    value = inline
                } else {
                    guard index < arguments.count else {
                        throw ServeCommandError("argument \(name): expected one argument")
                    }
                    value = arguments[index]
                    index += 1
                }
            } else if inline != nil {
                throw ServeCommandError("argument \(name): ignored explicit argument '\(inline ?? "")'")
            }
            try option.apply(&invocation, &state, value)
        }
        if !state.origins.isEmpty { invocation.configuration.websocket.allowedOrigins = .hosts(state.origins) }
    }

    /// The authentication policy the flags ask for, made once the environment has given the cookie secret.
    func applyAuth(to configuration: inout ServerConfiguration) throws(ServeCommandError) {
        let header = state.authHeader
        if state.passwordFile != nil && header != nil {
            throw ServeCommandError("--auth-password-file and --auth-header are two policies: choose one")
        }
        if header == nil && (!state.trustedProxies.isEmpty || state.loginURL != nil || state.logoutURL != nil) {
            throw ServeCommandError(
                "--auth-trusted-proxy, --auth-login-url and --auth-logout-url go with --auth-header")
        }
        do {
            if let path = state.passwordFile {
                guard let secret = configuration.auth.cookieSecret, !secret.isEmpty else {
                    throw AuthConfigurationError(
                        "--auth-password-file needs --cookie-secret (or BOKEH_COOKIE_SECRET) to sign its login cookie")
                }
                configuration.auth.policy = try PasswordFileAuth(path: path, cookieSecret: secret)
            } else if let header {
                configuration.auth.policy = try TrustedHeaderAuth(
                    header: header, trustedProxies: state.trustedProxies, loginURL: state.loginURL,
                    logoutURL: state.logoutURL)
            }
        } catch { throw ServeCommandError("\(error)") }
    }

    /// `--session-ids` overrides `BOKEH_SIGN_SESSIONS`, so it is applied after the environment.
    func applySessionIDs(to configuration: inout ServerConfiguration) {
        switch state.sessionIDs {
        case "unsigned":
            (configuration.sessions.signSessions, configuration.sessions.generateSessionIDs) = (false, true)
        case "signed": (configuration.sessions.signSessions, configuration.sessions.generateSessionIDs) = (true, true)
        case "external-signed":
            (configuration.sessions.signSessions, configuration.sessions.generateSessionIDs) = (true, false)
        default: break
        }
    }
}

extension ServeCommand {
    /// `NAME [APP ...] [options] [--args ...]`.
    var usageLine: String { name + (resolver == nil ? "" : " [APP ...]") + " [options] [--args ARG ...]" }

    /// The `--help` text: every flag with its default, and the environment variables read.
    public var usage: String {
        var lines = ["usage: \(usageLine)", ""]
        if resolver != nil, !applicationHelp.isEmpty { lines += [applicationHelp, ""] }
        if !applications.isEmpty {
            lines.append("serves: " + applications.map(\.path).joined(separator: ", "))
            lines.append("")
        }
        lines.append("options:")
        for option in serveOptions {
            let head =
                "  " + option.name + (option.metavar.map { " " + $0 + (option.many ? " [\($0) ...]" : "") } ?? "")
            let pad = max(1, 39 - head.count)
            lines.append(head + String(repeating: " ", count: pad) + option.help)
        }
        lines.append("  -h, --help                           show this help and exit")
        lines.append("  --args ARG ...                       the rest of the line is for the applications")
        lines.append("                                       (context.arguments)")
        lines += [
            "",
            "environment (as bokeh serve): BOKEH_SECRET_KEY signs sessions; BOKEH_SIGN_SESSIONS=yes|no is the",
            "default of --session-ids; BOKEH_ALLOW_WS_ORIGIN=HOST,... replaces --allow-websocket-origin;",
            "\(BokehJSLocation.environmentVariable)=DIR is the BokehJS directory when --static-dir is not given.",
            "Defaults of flags, as Bokeh's settings: BOKEH_PY_LOG_LEVEL (--log-level), BOKEH_SSL_CERTFILE,",
            "BOKEH_SSL_KEYFILE, BOKEH_ICO_PATH; BOKEH_SSL_PASSWORD is the key's passphrase; BOKEH_LOG_LEVEL sets",
            "BokehJS's log level in pages; BOKEH_RESOURCES=cdn loads BokehJS from the CDN; BOKEH_DEFAULT_SERVER_PORT",
            "is the --port default and BOKEH_DEFAULT_SERVER_HOST the host of the URLs it prints; BOKEH_BROWSER is",
            "the browser --show starts; BOKEH_MINIFIED=no serves the plain bokeh.js bundles; BOKEH_CDN_VERSION is",
            "the BokehJS version of CDN URLs. BOKEH_COOKIE_SECRET is the --cookie-secret default;",
            "BOKEH_XSRF_COOKIES=yes turns on --enable-xsrf-cookies.",
            "",
        ]
        return lines.joined(separator: "\n")
    }
}
