// swift-bokeh: the SwiftBokeh command line (`swift-bokeh serve demo bench doc.json ...`, `pull`, `push`, `info`).
import Foundation
import ServerCore

/// The defaults the usage text shows: the library's, written once there.
let defaults = ServerConfiguration()
/// A duration as the whole milliseconds `bokeh serve` options take.
func ms(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}

let usage = """
    usage: swift-bokeh serve [APP ...] [options]
           swift-bokeh pull URL [--session-id ID]            print a session's document JSON
           swift-bokeh push FILE.json URL [--session-id ID]  replace a session's document
           swift-bokeh info URL                              print the server's versions

    APP is a built-in application (demo, bench, stream, demo_app, bench_app, stream_app; served at /<name>) or a Bokeh
    document JSON file (served at /<file stem>, each session gets a fresh copy).

    options:
      --port PORT                          listen port (default \(defaults.network.port), 0 = any free port)
      --address ADDRESS                    bind address (default all interfaces)
      --allow-websocket-origin HOST[:PORT] allowed websocket origin (repeatable; default localhost:<port>)
      --prefix PREFIX                      URL prefix
      --keep-alive MS                      ping period in milliseconds, 0 = off (default \(ms(defaults.websocket.keepAlive)))
      --check-unused-sessions MS           unused-session check period (default \(ms(defaults.sessions.unusedCheckInterval)))
      --unused-session-lifetime MS         unused-session lifetime (default \(ms(defaults.sessions.unusedLifetime)))
      --stats-log-frequency MS             stats log period (default \(ms(defaults.sessions.statsLogInterval)))
      --session-ids MODE                   unsigned, signed or external-signed
      --session-token-expiration SECONDS   token lifetime (default \(defaults.sessions.tokenExpiration.components.seconds))
      --websocket-max-message-size BYTES   largest incoming message (default \(defaults.websocket.maxMessageSize))
      --websocket-compression-level LEVEL  permessage-deflate level (default: no compression)
      --max-queued-write-bytes BYTES       close a peer when more than this waits behind the message being
                                           sent to it (default \(defaults.websocket.maxQueuedWriteBytes))
      --write-stall-timeout MS             close a peer that takes no bytes for this long, 0 = never (default \(ms(defaults.websocket.writeStallTimeout)))
      --num-procs N                        event loops sharing the port (default \(defaults.network.eventLoops), 0 = one per core)
      --busy-poll-us N                     keep polling N µs after activity before sleeping (default 0)
      --log-level LEVEL                    trace, debug, info, warning, error, critical (default info)
      --index PATH                         custom index page
      --disable-index                      no index at the prefix root
      --disable-index-redirect             never redirect the root to the only application
      --show                               open the application in a browser

    """ + frontUsage + """

        environment (as bokeh serve): BOKEH_SECRET_KEY signs sessions; BOKEH_SIGN_SESSIONS=yes|no is the default
        of --session-ids; BOKEH_ALLOW_WS_ORIGIN=HOST,... replaces --allow-websocket-origin.

        """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ERROR: \(message)\n".utf8))
    exit(1)
}

func intValue(_ option: String, _ text: String) -> Int {
    guard let n = Int(text) else { fail("argument \(option): invalid int value: '\(text)'") }
    return n
}

/// A `bokeh serve` option given in milliseconds.
func milliseconds(_ option: String, _ text: String) -> Duration { .milliseconds(intValue(option, text)) }

// A peer that resets while a write is queued must cost that connection, not the process: Wire writes
// with write(2)/writev(2), which raise SIGPIPE on a reset socket (as wire-echo-server and the other tools do).
signal(SIGPIPE, SIG_IGN)

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print(usage)
    exit(2)
}
arguments.removeFirst()
if command == "--help" || command == "-h" {
    print(usage)
    exit(0)
}
if ["pull", "push", "info"].contains(command) {
    exit(runClientCommand(command, arguments))
}
guard command == "serve" else { fail("unknown command '\(command)'\n\(usage)") }

var configuration = ServerConfiguration()
var appNames: [String] = []
var origins: [String] = []
var sessionIDs: String?
var show = false
var logLevel = LogLevel.info
var index = 0
while index < arguments.count {
    let argument = arguments[index]
    index += 1
    var option = argument
    var inlineValue: String?
    if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
        option = String(argument[..<eq])
        inlineValue = String(argument[argument.index(after: eq)...])
    }
    func value() -> String {
        if let inlineValue { return inlineValue }
        guard index < arguments.count else { fail("argument \(option): expected one argument") }
        defer { index += 1 }
        return arguments[index]
    }
    switch option {
    case "-h", "--help":
        print(usage)
        exit(0)
    case "--port": configuration.network.port = intValue(option, value())
    case "--address": configuration.network.address = value()
    case "--allow-websocket-origin": origins.append(value())
    case "--prefix": configuration.network.prefix = value()
    case "--keep-alive": configuration.websocket.keepAlive = milliseconds(option, value())
    case "--check-unused-sessions": configuration.sessions.unusedCheckInterval = milliseconds(option, value())
    case "--unused-session-lifetime": configuration.sessions.unusedLifetime = milliseconds(option, value())
    case "--stats-log-frequency": configuration.sessions.statsLogInterval = milliseconds(option, value())
    case "--session-token-expiration": configuration.sessions.tokenExpiration = .seconds(intValue(option, value()))
    case "--websocket-max-message-size": configuration.websocket.maxMessageSize = intValue(option, value())
    case "--websocket-compression-level": configuration.websocket.compressionLevel = intValue(option, value())
    case "--max-queued-write-bytes": configuration.websocket.maxQueuedWriteBytes = intValue(option, value())
    case "--write-stall-timeout": configuration.websocket.writeStallTimeout = milliseconds(option, value())
    case "--num-procs": configuration.network.eventLoops = intValue(option, value())
    case "--busy-poll-us": configuration.network.busyPoll = .microseconds(intValue(option, value()))
    case "--index": configuration.front.indexFile = value()
    case "--disable-index": configuration.front.useIndex = false
    case "--disable-index-redirect": configuration.front.redirectRoot = false
    case "--show": show = true
    case "--session-ids":
        let mode = value()
        guard ["unsigned", "signed", "external-signed"].contains(mode) else {
            fail("argument --session-ids: invalid choice: '\(mode)'")
        }
        sessionIDs = mode
    case "--log-level":
        let name = value()
        guard let level = LogLevel(name: name) else { fail("argument --log-level: invalid choice: '\(name)'") }
        logLevel = level
    default:
        if applyFrontOption(option, value: value, to: &configuration) { continue }
        if argument.hasPrefix("-") { fail("unrecognized arguments: \(argument)") }
        appNames.append(argument)
    }
}
if !origins.isEmpty { configuration.websocket.allowedOrigins = .hosts(origins) }
// Bokeh's environment variables, read here and nowhere else: BOKEH_SECRET_KEY, BOKEH_SIGN_SESSIONS (which
// --session-ids overrides) and BOKEH_ALLOW_WS_ORIGIN (which overrides --allow-websocket-origin).
do { configuration = try configuration.applyingEnvironment() } catch { fail("\(error)") }
switch sessionIDs {
case "unsigned": (configuration.sessions.signSessions, configuration.sessions.generateSessionIDs) = (false, true)
case "signed": (configuration.sessions.signSessions, configuration.sessions.generateSessionIDs) = (true, true)
case "external-signed":
    (configuration.sessions.signSessions, configuration.sessions.generateSessionIDs) = (true, false)
default: break
}
applyFrontDefaults(to: &configuration)
ServerLog.shared.level = logLevel

var applications: [(path: String, application: Application)] = []
for name in appNames {
    switch name {
    case "demo", "demo_app": applications.append(("/" + name, .demo()))
    case "bench", "bench_app": applications.append(("/" + name, .bench()))
    case "stream", "stream_app": applications.append(("/" + name, .stream()))
    default:
        guard name.hasSuffix(".json") else {
            fail(
                "'\(name)' is neither a built-in application (demo, bench, stream, demo_app, bench_app, stream_app) nor a .json document"
            )
        }
        let stem = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
        do { applications.append(("/" + stem, try Application.document(fromJSONFile: name))) } catch {
            fail("\(error)")
        }
    }
}
if applications.isEmpty { applications.append(("/", Application { _, _ in })) }

do {
    let server = try Server(applications: applications, configuration: configuration)
    try server.start()
    if show, let first = applications.first { server.show(appPath: first.path) }
    try server.runUntilShutdown()
} catch {
    fail("\(error)")
}
