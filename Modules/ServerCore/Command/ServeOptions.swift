import Foundation

/// One `serve` flag: its name, the value it takes (nil for a switch), its help line, and what it sets.
struct ServeOption: Sendable {
    typealias Apply =
        @Sendable (inout ServeCommand.Invocation, inout ServeArgumentParser.State, String)
        throws(ServeCommandError) -> Void

    let name: String
    let metavar: String?
    let help: String
    let apply: Apply

    init(_ name: String, _ metavar: String?, _ help: String, _ apply: @escaping Apply) {
        self.name = name
        self.metavar = metavar
        self.help = help
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
    ]
}()

/// Walks a serve command line: flags (`--flag VALUE` or `--flag=VALUE`), positional `APP`s, and everything
/// after `--args` as application arguments.
struct ServeArgumentParser {
    /// What flags set that is applied only after the environment.
    struct State {
        var origins: [String] = []
        var sessionIDs: String?
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
            let head = "  " + option.name + (option.metavar.map { " " + $0 } ?? "")
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
            "the BokehJS version of CDN URLs.",
            "",
        ]
        return lines.joined(separator: "\n")
    }
}
