import DocumentModel
import Foundation
import Protocol
@testable import ServerCore
import Locking
import Wire
import Testing

// The serve command as a library (ServeCommand), BokehJS discovery, directory applications (their template,
// static folder and theme) and the process_request hook.

/// A scratch directory removed by the caller.
private func scratch(_ name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(
        atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// The environment of a test: nothing from the process, no BokehJS anywhere.
private let bareEnvironment = ["HOME": "/nonexistent-home"]

@Suite struct ServeCommandTests {
    let command = ServeCommand(Application { _, _ in }, name: "myapp")

    @Test func flagsSetTheConfiguration() throws {
        let i = try command.parse(
            [
                "--port", "5007", "--address=127.0.0.1", "--prefix", "/apps", "--keep-alive", "1500",
                "--allow-websocket-origin", "example.com", "--allow-websocket-origin", "other.org:8080",
                "--session-ids", "unsigned", "--websocket-max-message-size", "1000", "--num-procs", "2",
                "--log-level", "debug", "--disable-index", "--show", "--use-xheaders", "--ico-path", "none",
            ], environment: bareEnvironment)
        let c = i.configuration
        #expect(c.network.port == 5007 && c.network.address == "127.0.0.1" && c.network.prefix == "/apps")
        #expect(c.websocket.keepAlive == .milliseconds(1500) && c.websocket.maxMessageSize == 1000)
        #expect(c.websocket.allowedOrigins == .hosts(["example.com", "other.org:8080"]))
        #expect(c.network.eventLoops == 2 && c.network.useXheaders && !c.front.useIndex)
        #expect(c.front.favicon == Favicon.none)
        #expect(i.show && i.logLevel == .debug && !i.help)
        #expect(i.applications.map(\.path) == ["/"])
    }

    @Test func argsGoToTheApplicationsUntouched() throws {
        let i = try command.parse(["--port", "0", "--args", "--port", "x", "data.csv"], environment: bareEnvironment)
        #expect(i.configuration.network.port == 0)
        #expect(i.configuration.applicationArguments == ["--port", "x", "data.csv"])
        // `swift run APP -- ...` hands the `--` on; it separates nothing.
        let j = try command.parse(["--", "--port", "5008"], environment: bareEnvironment)
        #expect(j.configuration.network.port == 5008)
    }

    @Test func applicationsReadTheirArgumentsFromTheirContexts() async throws {
        let seen = Lock<[String]>([])
        let app = Application { document, context in
            seen.withLock { $0 = context.arguments }
            document.addRoot(Div(.text(context.arguments.joined(separator: " "))))
        }
        var configuration = ServerConfiguration()
        configuration.applicationArguments = ["--rollover", "500"]
        configuration.network.address = "127.0.0.1"
        configuration.network.port = 0
        let server = try Server(applications: [("/app", app)], configuration: configuration)
        try server.start()
        defer { server.stop() }
        #expect(server.applicationContext(at: "/app")?.serverContext.arguments == ["--rollover", "500"])
        let page = try rawHTTP(port: server.port, "GET /app HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(page.hasPrefix("HTTP/1.1 200 OK"))
        #expect(seen.withLock { $0 } == ["--rollover", "500"])
    }

    @Test func badCommandLinesSayWhatIsWrongAsArgparseDoes() {
        func error(_ arguments: [String]) -> String? {
            do {
                _ = try command.parse(arguments, environment: bareEnvironment)
                return nil
            } catch { return error.description }
        }
        #expect(error(["--port", "x"]) == "argument --port: invalid int value: 'x'")
        #expect(error(["--port"]) == "argument --port: expected one argument")
        #expect(error(["--bogus"]) == "unrecognized arguments: --bogus")
        #expect(error(["stray"]) == "unrecognized arguments: stray")
        #expect(error(["--show=yes"]) == "argument --show: ignored explicit argument 'yes'")
        #expect(
            error(["--session-ids", "maybe"])?.hasPrefix("argument --session-ids: invalid choice: 'maybe'") == true)
        #expect(error(["--log-level", "loud"]) == "argument --log-level: invalid choice: 'loud'")
        // A bad environment variable is refused with Bokeh's message.
        #expect(throws: ServeCommandError.self) {
            try command.parse([], environment: ["BOKEH_SIGN_SESSIONS": "perhaps"])
        }
        #expect(command.run(["--port", "x"]) == 2)
    }

    @Test func helpListsEveryFlagAndTheEnvironment() throws {
        #expect(try command.parse(["--help"], environment: bareEnvironment).help)
        #expect(try command.parse(["--port", "1", "-h"], environment: bareEnvironment).help)
        let usage = command.usage
        #expect(usage.hasPrefix("usage: myapp [options] [--args ARG ...]"))
        for option in serveOptions { #expect(usage.contains("  " + option.name + " "), "\(option.name)") }
        for variable in ["BOKEH_SECRET_KEY", "BOKEH_SIGN_SESSIONS", "BOKEH_ALLOW_WS_ORIGIN", "SWIFTBOKEH_STATIC_DIR"] {
            #expect(usage.contains(variable))
        }
        #expect(command.run(["--help"]) == 0)
    }

    @Test func environmentAndSessionIDsApplyInBokehsOrder() throws {
        let signed = try command.parse(
            [],
            environment: ["BOKEH_SECRET_KEY": "k" + String(repeating: "x", count: 43), "BOKEH_SIGN_SESSIONS": "yes"])
        #expect(signed.configuration.sessions.signSessions)
        #expect(signed.configuration.sessions.secretKey?.count == 44)
        // --session-ids wins over BOKEH_SIGN_SESSIONS; BOKEH_ALLOW_WS_ORIGIN over --allow-websocket-origin.
        let unsigned = try command.parse(
            ["--session-ids", "unsigned", "--allow-websocket-origin", "a.com"],
            environment: ["BOKEH_SIGN_SESSIONS": "yes", "BOKEH_ALLOW_WS_ORIGIN": "b.com, c.com"])
        #expect(!unsigned.configuration.sessions.signSessions)
        #expect(unsigned.configuration.websocket.allowedOrigins == .exactly(["b.com", "c.com"]))
    }

    @Test func unixSocketIsAFlagAndRefusesNetworkFlags() throws {
        let socket = try command.parse(["--unix-socket", "/tmp/bokeh.sock"], environment: [:])
        #expect(socket.configuration.network.unixSocket == "/tmp/bokeh.sock")
        #expect(command.usage.contains("--unix-socket UNIX-SOCKET"))
        #expect(throws: ServeCommandError("--port arg is not supported with a unix socket")) {
            try command.parse(["--unix-socket", "/tmp/bokeh.sock", "--port", "5007"], environment: [:])
        }
        // The port default is Bokeh's BOKEH_DEFAULT_SERVER_PORT; a socket compares with it, as bokeh serve does.
        let env = ["BOKEH_DEFAULT_SERVER_PORT": "7000"]
        #expect(try command.parse([], environment: env).configuration.network.port == 7000)
        let socketWithDefault = try command.parse(["--unix-socket", "/tmp/b.sock", "--port", "7000"], environment: env)
        #expect(throws: Never.self) { try socketWithDefault.configuration.validate() }
        #expect(throws: ServeCommandError.self) {
            try command.parse([], environment: ["BOKEH_DEFAULT_SERVER_PORT": "many"])
        }
        #expect(try command.parse(["--show"], environment: ["BOKEH_BROWSER": "firefox"]).browser == "firefox")
    }

    @Test func bokehSettingsInTheEnvironmentAreFlagDefaults() throws {
        let env = [
            "HOME": "/nonexistent-home", "BOKEH_PY_LOG_LEVEL": "debug", "BOKEH_LOG_LEVEL": "warn",
            "BOKEH_SSL_CERTFILE": "/env/cert.pem", "BOKEH_SSL_KEYFILE": "/env/key.pem", "BOKEH_ICO_PATH": "none",
        ]
        let fromEnvironment = try command.parse([], environment: env)
        #expect(fromEnvironment.logLevel == .debug)
        #expect(fromEnvironment.configuration.front.bokehJSLogLevel == "warn")
        #expect(fromEnvironment.configuration.tls.certificateFile == "/env/cert.pem")
        #expect(fromEnvironment.configuration.tls.keyFile == "/env/key.pem")
        #expect(fromEnvironment.configuration.front.favicon == Favicon.none)
        // A flag given wins over its setting, as settings.X(flag) does in bokeh serve.
        let flags = try command.parse(
            ["--log-level", "error", "--ssl-certfile", "/flag/cert.pem", "--ico-path", "/flag/icon.ico"],
            environment: env)
        #expect(flags.logLevel == .error && flags.configuration.tls.certificateFile == "/flag/cert.pem")
        #expect(flags.configuration.front.favicon == .file("/flag/icon.ico"))
        #expect(throws: ServeCommandError.self) { try command.parse([], environment: ["BOKEH_LOG_LEVEL": "loud"]) }
        // The key's passphrase comes from the environment only, as Bokeh's settings.ssl_password().
        #expect(
            try command.parse([], environment: ["BOKEH_SSL_PASSWORD": "sesame"]).configuration.tls.keyPassword
                == "sesame")
        #expect(try command.parse([], environment: [:]).configuration.tls.keyPassword == nil)
        #expect(throws: ServeCommandError.self) { try command.parse([], environment: ["BOKEH_PY_LOG_LEVEL": "x"]) }
    }

    @Test func bokehResourcesCDNSkipsTheLocalCopy() throws {
        let dir = try scratch("bokehjs-env")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("x", to: dir + "/js/bokeh.min.js")
        let env = ["HOME": "/nonexistent-home", "SWIFTBOKEH_STATIC_DIR": dir]
        #expect(try command.parse([], environment: env).configuration.front.staticDirectory == dir)
        let cdn = try command.parse([], environment: env.merging(["BOKEH_RESOURCES": "cdn"]) { $1 })
        #expect(cdn.configuration.front.staticDirectory == nil && cdn.bokehJS?.source == .cdn)
        // --static-dir still wins.
        let flag = try command.parse(
            ["--static-dir", dir], environment: env.merging(["BOKEH_RESOURCES": "cdn"]) { $1 })
        #expect(flag.configuration.front.staticDirectory == dir)
        #expect(throws: ServeCommandError.self) { try command.parse([], environment: ["BOKEH_RESOURCES": "inline"]) }
    }

    @Test func theBokehJSLogLevelReachesPagesAndAutoload() throws {
        let server = try startServer(path: "/app", application: Application { d, _ in d.addRoot(Div(.text("x"))) }) {
            $0.front.bokehJSLogLevel = "debug"
        }
        defer { server.stop() }
        let page = try rawHTTP(port: server.port, "GET /app HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(page.contains("Bokeh.set_log_level(\"debug\");"))
        let autoload = try rawHTTP(
            port: server.port,
            "GET /app/autoload.js?bokeh-autoload-element=e HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(autoload.contains("Bokeh.set_log_level(\"debug\");"))
        var bad = ServerConfiguration()
        bad.front.bokehJSLogLevel = "loud"
        #expect(throws: ConfigurationError.self) { try bad.validate() }
    }

    @Test func showOpensEveryApplication() throws {
        let two = ServeCommand(["/a": Application { _, _ in }, "/b": Application { _, _ in }])
        #expect(try two.parse(["--show"], environment: bareEnvironment).pathsToShow == ["/a", "/b"])
        #expect(try two.parse([], environment: bareEnvironment).pathsToShow.isEmpty)
    }

    @Test func logFormatAndLogFile() throws {
        let i = try command.parse(
            ["--log-format", "%(levelname)-8s|%(name)s|%(message)s", "--log-file", "/tmp/x.log"],
            environment: bareEnvironment)
        #expect(i.logFormat.description == "%(levelname)-8s|%(name)s|%(message)s" && i.logFile == "/tmp/x.log")
        #expect(try command.parse([], environment: bareEnvironment).logFormat == .bokeh)
        #expect(throws: ServeCommandError.self) { try command.parse(["--log-format", "%(nope)s"], environment: [:]) }
        #expect(throws: ServeCommandError.self) { try command.parse(["--log-format", "50% off"], environment: [:]) }

        let format = try LogFormat("%(asctime)s %(levelname)-8s %(levelno)3d %(message).5s 100%%")
        #expect(format.line(.warning, "truncated", time: 0, timestamp: "T") == "T WARNING   30 trunc 100%")
        #expect(LogFormat.bokeh.line(.info, "hello", time: 0, timestamp: "T") == "T hello")

        let dir = try scratch("logfile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logger = ServerLog()
        logger.format = try LogFormat("%(levelname)s:%(message)s")
        try logger.setFile(dir + "/server.log")
        logger.info("one")
        logger.debug("hidden")
        try logger.setFile(dir + "/server.log")  // appended to, as Python's basicConfig(filename=) does
        logger.warning("two")
        #expect(try String(contentsOfFile: dir + "/server.log", encoding: .utf8) == "INFO:one\nWARNING:two\n")
        #expect(throws: ConfigurationError.self) { try logger.setFile(dir + "/missing/dir/server.log") }
    }

    @Test func aConfigFileSitsBelowTheEnvironmentAndTheFlags() throws {
        let dir = try scratch("config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = String(repeating: "k", count: 44)
        try write(
            "# Bokeh settings\npy_log_level: debug\nlog_level: error\nsign_sessions: true\nsecret_key: \(key)\n"
                + "allowed_ws_origin: [a.com, b.com]\nunknown_setting: 3\n", to: dir + "/bokeh.yaml")
        let i = try command.parse(["--use-config", dir + "/bokeh.yaml"], environment: bareEnvironment)
        #expect(i.logLevel == .debug && i.configuration.front.bokehJSLogLevel == "error")
        #expect(i.configuration.sessions.signSessions && i.configuration.sessions.secretKey == key)
        #expect(i.configuration.websocket.allowedOrigins == .exactly(["a.com", "b.com"]))
        // The environment beats the file; a flag beats both.
        let j = try command.parse(
            ["--use-config=\(dir)/bokeh.yaml", "--log-level", "warning"],
            environment: ["HOME": "/nonexistent-home", "BOKEH_LOG_LEVEL": "trace", "BOKEH_SIGN_SESSIONS": "no"])
        #expect(j.logLevel == .warning && j.configuration.front.bokehJSLogLevel == "trace")
        #expect(!j.configuration.sessions.signSessions)
        #expect(throws: ServeCommandError("Could not load Bokeh config file: /nonexistent.yaml")) {
            try command.parse(["--use-config", "/nonexistent.yaml"], environment: bareEnvironment)
        }
        try write("- a list\n", to: dir + "/list.yaml")
        #expect(throws: ServeCommandError.self) {
            try command.parse(["--use-config", dir + "/list.yaml"], environment: bareEnvironment)
        }
    }

    @Test func memoryLogEveryPeriodInBokehsWords() async throws {
        #expect(
            MemoryUsage(statm: "2560 1280 100 1 0 500 0\n", pageSize: 4096)?.description
                == "5.00 MB (RSS), 10.00 MB (VMS)")
        #expect(MemoryUsage(statm: "garbage", pageSize: 4096) == nil)
        #expect(MemoryUsage(statm: "\(Int.max) 1", pageSize: 4096) == nil)
        let i = try command.parse(["--mem-log-frequency", "50"], environment: bareEnvironment)
        #expect(i.configuration.sessions.memLogInterval == .milliseconds(50))
        var bad = ServerConfiguration()
        bad.sessions.memLogInterval = .milliseconds(-1)
        #expect(throws: ConfigurationError.invalidValue(setting: "mem_log_frequency_milliseconds")) {
            try bad.validate()
        }

        let lines = Lock<[String]>([])
        ServerLog.shared.setSink { _, line in lines.withLock { $0.append(line) } }
        defer { ServerLog.shared.setSink(nil) }
        let server = try startServer(path: "/app", application: Application { _, _ in }) {
            $0.sessions.memLogInterval = .milliseconds(20)
        }
        defer { server.stop() }
        for _ in 0..<200 where !lines.withLock({ $0.contains { $0.contains("Memory usage:") } }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let all = lines.withLock { $0 }
        #expect(all.contains("Log memory usage every 20 milliseconds"))
        #expect(all.contains { $0.hasPrefix("[pid \(getpid())] Memory usage: ") && $0.hasSuffix(" MB (VMS)") })
    }

    @Test func compressionMemoryLevelReachesTheDeflateOffer() throws {
        let i = try command.parse(
            ["--websocket-compression-level", "6", "--websocket-compression-mem-level", "3"],
            environment: bareEnvironment)
        #expect(i.configuration.websocket.compressionMemoryLevel == 3)
        let server = try Server(applications: [("/", Application { _, _ in })], configuration: i.configuration)
        #expect(
            server.websocketPolicy.deflate?.memoryLevel == 3 && server.websocketPolicy.deflate?.compressionLevel == 6)
        var bad = i.configuration
        bad.websocket.compressionMemoryLevel = 12
        #expect(throws: ConfigurationError.invalidValue(setting: "websocket_compression_mem_level")) {
            try bad.validate()
        }
        let plain = try Server(applications: [("/", Application { _, _ in })])
        #expect(plain.websocketPolicy.deflate == nil)
    }

    @Test func theMissingKeyErrorNamesOurSecretCommand() {
        #expect(ConfigurationError.missingSecretKey.description.contains("`swift-bokeh secret`"))
    }

    @Test func positionalApplicationsGoThroughTheResolver() throws {
        let resolving = ServeCommand(
            name: "tool",
            resolver: { name in
                guard name.hasPrefix("app") else { throw ServeCommandError("'\(name)' is not an app") }
                return [("/" + name, Application { _, _ in })]
            })
        let i = try resolving.parse(["app1", "--port", "0", "app2"], environment: bareEnvironment)
        #expect(i.applications.map(\.path) == ["/app1", "/app2"])
        #expect(throws: ServeCommandError("'other' is not an app")) {
            try resolving.parse(["other"], environment: bareEnvironment)
        }
        #expect(resolving.usage.hasPrefix("usage: tool [APP ...] [options]"))
    }
}

@Suite(.serialized) struct ServerLifecycleRowTests {
    @Test func aSecondStartIsAnErrorAndAddressIsTheBoundOne() throws {
        var configuration = ServerConfiguration()
        configuration.network.port = 0
        let server = try Server(application: Application { _, _ in }, configuration: configuration)
        #expect(server.applicationPaths == ["/"])
        #expect(server.address == nil)
        try server.start()
        #expect(server.address == "0.0.0.0")
        #expect(throws: ServerLifecycleError.alreadyStarted) { try server.start() }
        server.stop()
        #expect(throws: ServerLifecycleError.stopped) { try server.start() }

        configuration.network.address = "127.0.0.1"
        let local = try Server(application: Application { _, _ in }, configuration: configuration)
        try local.start()
        defer { local.stop() }
        #expect(local.address == "127.0.0.1")
    }
}

@Suite struct BokehJSLocationTests {
    /// A directory that holds BokehJS (`js/bokeh.min.js`).
    private func bokehJS() throws -> String {
        let dir = try scratch("bokehjs")
        try write("/* bokeh */", to: dir + "/js/bokeh.min.js")
        return dir
    }

    @Test func theDocumentedOrderFlagEnvironmentWorkingDirectoryCacheCDN() throws {
        let flag = try bokehJS()
        let env = try bokehJS()
        let cwd = try scratch("cwd")
        let home = try scratch("home")
        defer { for d in [flag, env, cwd, home] { try? FileManager.default.removeItem(atPath: d) } }
        let cache = home + "/.cache/swift-bokeh/bokehjs-3.10.2"
        var environment = ["HOME": home, "SWIFTBOKEH_STATIC_DIR": env]

        #expect(BokehJSLocation.discover(flag: flag, environment: environment, workingDirectory: cwd).source == .flag)
        let fromEnvironment = BokehJSLocation.discover(flag: nil, environment: environment, workingDirectory: cwd)
        #expect(fromEnvironment.source == .environment && fromEnvironment.directory == env)
        // A flag naming no BokehJS is passed over, and the reason says so.
        let badFlag = BokehJSLocation.discover(flag: cwd, environment: environment, workingDirectory: cwd)
        #expect(badFlag.source == .environment && badFlag.reason.contains("--static-dir \(cwd) has no js/bokeh.min.js"))

        environment["SWIFTBOKEH_STATIC_DIR"] = nil
        try write("x", to: cwd + "/Vendor/bokehjs/js/bokeh.min.js")
        #expect(
            BokehJSLocation.discover(flag: nil, environment: environment, workingDirectory: cwd).source
                == .workingDirectory)
        try FileManager.default.removeItem(atPath: cwd + "/Vendor")

        try write("x", to: cache + "/js/bokeh.min.js")
        let cached = BokehJSLocation.discover(flag: nil, environment: environment, workingDirectory: cwd)
        #expect(cached.source == .userCache && cached.directory == cache)
        #expect(
            BokehJSLocation.userCacheDirectory(environment: ["XDG_CACHE_HOME": "/xdg"])
                == "/xdg/swift-bokeh/bokehjs-3.10.2")
        try FileManager.default.removeItem(atPath: home + "/.cache")

        let cdn = BokehJSLocation.discover(flag: nil, environment: environment, workingDirectory: cwd)
        #expect(cdn.source == .cdn && cdn.directory == nil)
        #expect(cdn.description.contains("swift-bokeh bokehjs"))
    }

    @Test func theServeCommandUsesTheDiscoveredDirectory() throws {
        let env = try bokehJS()
        defer { try? FileManager.default.removeItem(atPath: env) }
        let i = try ServeCommand(Application { _, _ in }).parse(
            [], environment: ["HOME": "/nonexistent-home", "SWIFTBOKEH_STATIC_DIR": env])
        #expect(i.configuration.front.staticDirectory == env && i.bokehJS?.source == .environment)
    }
}

@Suite(.serialized) struct DirectoryApplicationTests {
    /// A Bokeh-style app folder: templates/index.html extending base, an include, static CSS, theme.yaml.
    private func appFolder() throws -> String {
        let dir = try scratch("dirapp")
        try write(
            """
            {% extends base %}
            {% block title %}Custom {{ title }}{% endblock %}
            {% block preamble %}<link rel="stylesheet" href="app/static/css/app.css">{% endblock %}
            {% block contents %}
            <h1 class="banner">{{ heading | upper }}</h1>
            {% for item in items %}<li>{{ loop.index }}:{{ item }}</li>{% endfor %}
            {{ embed(roots.plot) }}
            {% include "footer.html" %}
            {{ super() }}
            {% endblock %}
            """, to: dir + "/templates/index.html")
        try write("<footer>{{ footer_note }}</footer>", to: dir + "/templates/footer.html")
        try write("h1 { color: red; }", to: dir + "/static/css/app.css")
        try write("attrs:\n  Plot:\n    background_fill_color: '#2F2F2F'\n", to: dir + "/theme.yaml")
        return dir
    }

    @Test func templateStaticFolderAndThemeServeTogether() async throws {
        let dir = try appFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let app = try Application(directory: dir) { document, _ in
            let plot = Plot()
            plot.name = "plot"
            document.addRoot(plot)
            document.title = "Report"
            document.templateVariables = ["heading": "sales", "items": ["a", "b"], "footer_note": "bye"]
        }
        #expect(app.staticDirectory == dir + "/static" && app.theme != nil && app.template?.file != nil)
        let server = try startServer(path: "/app", application: app)
        defer { server.stop() }
        let page = try rawHTTP(port: server.port, "GET /app HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(page.hasPrefix("HTTP/1.1 200 OK"))
        #expect(page.contains("<title>Custom Report</title>"))
        #expect(page.contains("<link rel=\"stylesheet\" href=\"app/static/css/app.css\">"))
        #expect(page.contains("<h1 class=\"banner\">SALES</h1>"))
        #expect(page.contains("<li>1:a</li><li>2:b</li>"))
        #expect(page.contains("<footer>bye</footer>"))
        // embed(roots.plot) and super()'s own root block both place the plot's element.
        let session = try #require(server.getSessions().first)
        let plotID = try await session.withDocumentLocked { $0.roots.first?.id ?? "" }
        #expect(page.components(separatedBy: "data-root-id=\"\(plotID)\"").count == 3)
        #expect(page.contains("Bokeh.embed.embed_items"))
        let css = try rawHTTP(
            port: server.port, "GET /app/static/css/app.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(css.hasPrefix("HTTP/1.1 200 OK") && css.hasSuffix("h1 { color: red; }"))
        let missing = try rawHTTP(
            port: server.port, "GET /app/static/none.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(missing.hasPrefix("HTTP/1.1 404"))
        // The theme reached the session's document.
        let background = try await session.withDocumentLocked { document in
            (document.roots.first as? Plot)?.backgroundFillColor.map { "\($0)" } ?? ""
        }
        #expect(background.contains("#2F2F2F"))
    }

    @Test func aTemplateErrorStopsStartupWithFileAndLine() throws {
        let dir = try appFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(
            "{% extends base %}\n{% block contents %}\n{{ x | nosuchfilter }}\n", to: dir + "/templates/index.html")
        let error = #expect(throws: TemplateError.self) { try Application(directory: dir) { _, _ in } }
        #expect(error?.file == dir + "/templates/index.html")
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("\(dir)/templates/index.html:3: ") == true)

        try write("{% block contents %}\n<p>never closed\n", to: dir + "/templates/index.html")
        let unclosed = #expect(throws: TemplateError.self) { try Application(directory: dir) { _, _ in } }
        #expect(unclosed?.line == 1)

        try write("{% include 'missing.html' %}", to: dir + "/templates/index.html")
        let missing = #expect(throws: TemplateError.self) { try Application(directory: dir) { _, _ in } }
        #expect(missing?.message.contains("missing.html") == true)

        #expect(throws: ApplicationError.self) { try Application(directory: dir + "/nope") { _, _ in } }
    }

    @Test func includesCannotLeaveTheTemplatesFolder() throws {
        let dir = try appFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("secret", to: dir + "/secret.txt")
        try write("{% include '../secret.txt' %}", to: dir + "/templates/index.html")
        #expect(throws: TemplateError.self) { try Application(directory: dir) { _, _ in } }
    }

    @Test func processRequestAddsToTheTokenAndTheSessionContext() throws {
        let seen = Lock<JSONObject?>(nil)
        let app = Application(
            processRequest: { request in
                [
                    "user": .string(request.header("X-User") ?? "nobody"),
                    "page": .string(request.argument("page") ?? ""),
                ]
            },
            handler: { document, context in
                seen.withLock { $0 = context.tokenPayload }
                document.addRoot(Div(.text("hi")))
            })
        let server = try startServer(path: "/app", application: app)
        defer { server.stop() }
        let page = try rawHTTP(
            port: server.port,
            "GET /app?page=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User: ada\r\nConnection: close\r\n\r\n")
        #expect(page.hasPrefix("HTTP/1.1 200 OK"))
        let payload = try #require(seen.withLock { $0 })
        #expect(payload["user"] == .string("ada") && payload["page"] == .string("7"))
        // In the token the page carries (so a session created from it on another node sees the same).
        let tokenText = try #require(page.firstMatch(of: /"token":"([^"]+)"/)?.1)
        let token = try SessionToken(decoding: String(tokenText))
        #expect(token.payload["user"] == .string("ada"))

        let failing = Application(processRequest: { _ in throw ApplicationError("no") }, handler: { _, _ in })
        let other = try startServer(path: "/app", application: failing)
        defer { other.stop() }
        let refused = try rawHTTP(port: other.port, "GET /app HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(refused.hasPrefix("HTTP/1.1 500"))
    }
}

@Suite struct ServeAuthFlagTests {
    private func invocation(_ arguments: [String], environment: [String: String] = [:]) throws
        -> ServeCommand.Invocation
    {
        try ServeCommand(name: "serve", applications: [("/app", Application { _, _ in })])
            .parse(arguments, environment: environment)
    }

    @Test func listsTakeOneOrMoreNamesAndTheRestStaysFlags() throws {
        let i = try invocation(["--include-headers", "a", "B", "--exclude-cookies=c", "--port", "7000"])
        #expect(i.configuration.sessions.includeHeaders == ["a", "B"])
        #expect(i.configuration.sessions.excludeCookies == ["c"])
        #expect(i.configuration.network.port == 7000)
        #expect(throws: ServeCommandError.self) { try invocation(["--include-cookies", "--port", "1"]) }
    }

    @Test func codeConfiguresAfterTheFlags() throws {
        let command = ServeCommand(name: "serve", applications: [("/app", Application { _, _ in })])
            .configuring { $0.network.port = 9001 }
            .configuring { configuration in
                configuration.auth.policy = AuthPolicy { request in
                    request.header("X-User").map { AuthenticatedUser($0) }
                }
            }
        let invocation = try command.parse(["--port", "7000", "--disable-host-check"], environment: [:])
        #expect(invocation.configuration.network.port == 9001)
        #expect(invocation.configuration.auth.policy is AuthPolicy)
        #expect(!invocation.configuration.network.checkHost)
        struct Refused: Error, CustomStringConvertible { var description: String { "no" } }
        #expect(throws: ServeCommandError.self) {
            try command.configuring { _ in throw Refused() }.parse([], environment: [:])
        }
    }

    @Test func policiesNeedWhatTheyNeed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pw-\(UInt32.random(in: 0...UInt32.max))")
        let hash = PasswordHash.make(password: "pw", scheme: .pbkdf2)
        try Data("alice:\(hash)\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: ServeCommandError.self) { try invocation(["--auth-password-file", file.path]) }
        let fromEnvironment = try invocation(
            ["--auth-password-file", file.path, "--enable-xsrf-cookies"], environment: ["BOKEH_COOKIE_SECRET": "s"])
        #expect(fromEnvironment.configuration.auth.policy is PasswordFileAuth)
        #expect(
            fromEnvironment.configuration.auth.cookieSecret == "s" && fromEnvironment.configuration.auth.xsrfCookies)
        let header = try invocation(["--auth-header", "X-Forwarded-User", "--auth-trusted-proxy", "10.0.0.0/8"])
        #expect((header.configuration.auth.policy as? TrustedHeaderAuth)?.header == "X-Forwarded-User")
        #expect(throws: ServeCommandError.self) { try invocation(["--auth-header", "X-User"]) }
        #expect(throws: ServeCommandError.self) { try invocation(["--auth-trusted-proxy", "127.0.0.1"]) }
        #expect(throws: ServeCommandError.self) {
            try invocation(["--auth-header", "X", "--auth-trusted-proxy", "nonsense"])
        }
        let xsrf = try invocation([], environment: ["BOKEH_XSRF_COOKIES": "yes"])
        #expect(xsrf.configuration.auth.xsrfCookies)
        #expect(throws: ServeCommandError.self) { try invocation([], environment: ["BOKEH_XSRF_COOKIES": "maybe"]) }
    }
}
